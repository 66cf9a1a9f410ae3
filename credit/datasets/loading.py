"""Reading dataset folders (credit/datasets/README.md) into `Dataset`s; a folder that breaks the format fails
loudly, naming the file and what is wrong."""

from __future__ import annotations

import csv
import json
import re
import tomllib
from pathlib import Path

from credit.datasets.model import SUBJECT, Dataset, Deadline, Field, Reporters

BLOCKS = "_blocks"
FIELD_TYPES = {"str", "text", "enum", "multienum", "date", "decimal", "uscc"}
DATASET_ID = re.compile(r"^[a-z][a-z0-9]{1,15}$")


class DatasetFolderError(ValueError):
    """A dataset folder that does not follow credit/datasets/README.md."""


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _field(dataset: str, seq: int, row: dict[str, str], code: str) -> Field:
    if row["type"] not in FIELD_TYPES:
        raise DatasetFolderError(f"{dataset}/fields.csv: {row['key']}: unknown type {row['type']!r}")
    return Field(
        dataset=dataset,
        seq=seq,
        key=row["key"],
        code=code,
        header=row["header"],
        type=row["type"],
        max_len=int(row["max_len"]) if row.get("max_len") else None,
        required=row["required"],
        code_list=row.get("code_list") or None,
        code_like=row.get("code_like") == "1",
    )


def read_fields(folder: Path, dataset: str, prefix: str, blocks: Path) -> tuple[Field, ...]:
    """The folder's fields.csv with `@identity`/`@source` rows replaced by the blocks' fields."""
    rows: list[tuple[dict[str, str], str]] = []  # (field row, its standard code)
    for row in read_csv(folder / "fields.csv"):
        if row["key"].startswith("@"):
            block = read_csv(blocks / f"{row['key'][1:]}.csv")
            if not block:
                raise DatasetFolderError(f"{dataset}/fields.csv: no block {row['key']} in {BLOCKS}/")
            rows += [(b, (row.get("code") or prefix) + b["code"]) for b in block]
        else:
            rows.append((row, row["code"]))
    fields = [_field(dataset, seq, row, code) for seq, (row, code) in enumerate(rows, 1)]
    keys = [f.key for f in fields]
    if not fields or len(set(keys)) != len(keys):
        raise DatasetFolderError(f"{dataset}/fields.csv: no fields, or a key listed twice")
    return tuple(fields)


def _tuple(value) -> tuple[str, ...]:
    return tuple(value or ())


def read_dataset(folder: Path, blocks: Path) -> Dataset:
    try:
        with open(folder / "dataset.toml", "rb") as fh:
            meta = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DatasetFolderError(f"{folder.name}/dataset.toml: {exc}") from None
    ds_id = meta.get("id")
    if ds_id != folder.name or not DATASET_ID.fullmatch(ds_id or ""):
        raise DatasetFolderError(f"{folder.name}/dataset.toml: id {ds_id!r} must equal the folder name")
    fields = read_fields(folder, ds_id, meta.get("code_prefix", ""), blocks)
    known = {f.key for f in fields}
    key, deadline = meta.get("key", {}), meta.get("deadline")
    for k in key.get("fields", ()):
        if k != SUBJECT and k not in known:
            raise DatasetFolderError(f"{ds_id}/dataset.toml: key field {k!r} is not a field")
    if deadline and deadline.get("field") not in {f.key for f in fields if f.type == "date"}:
        raise DatasetFolderError(f"{ds_id}/dataset.toml: deadline field must be a date field")
    evidence = _tuple(meta.get("evidence", {}).get("duties"))
    if evidence and any(meta.get(part) for part in ("destination", "deadline", "reference", "generator")):
        raise DatasetFolderError(
            f"{ds_id}/dataset.toml: an evidence dataset has no destination, deadline, reference or generator"
        )
    if evidence and meta.get("source", {}).get("kind", "inbox") != "inbox":
        raise DatasetFolderError(f"{ds_id}/dataset.toml: evidence arrives in the inbox")
    suite = folder / "suite.json"
    extras = json.loads(suite.read_text(encoding="utf-8"))["expectations"] if suite.exists() else []
    destination, reporters = meta.get("destination", {}), meta.get("reporters", {})
    masking, lifecycle = meta.get("masking", {}), meta.get("lifecycle", {})
    return Dataset(
        id=ds_id,
        name=meta.get("name", ds_id),
        fields=fields,
        category=meta.get("category", ""),
        other_names=_tuple(meta.get("other_names")),
        code_prefix=meta.get("code_prefix", ""),
        order=int(meta.get("order", 100)),
        shuanggongshi=bool(meta.get("shuanggongshi", False)),
        key_fields=_tuple(key.get("fields")),
        doc_no=key.get("doc_no"),
        deadline=Deadline(deadline["field"], int(deadline.get("workdays", 3)), deadline.get("setting"))
        if deadline
        else None,
        resource=destination.get("resource", ds_id),
        table=destination.get("table", f"T_{ds_id.upper()}"),
        reporters=Reporters(
            _tuple(reporters.get("roles")), _tuple(reporters.get("kinds")), _tuple(reporters.get("units"))
        ),
        hidden=_tuple(masking.get("hidden")),
        masked=_tuple(masking.get("masked")),
        status_field=lifecycle.get("status_field"),
        unpublish=_tuple(lifecycle.get("unpublish")),
        reference_feed=bool(meta.get("reference", {}).get("feed", False)),
        source=dict(meta.get("source", {})),
        generator=dict(meta.get("generator", {})),
        suite_extras=tuple(extras),
        folder=folder,
        evidence=evidence,
    )


def dataset_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "dataset.toml").exists())
