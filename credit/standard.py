"""The data standard as data: datasets, fields, header aliases and code lists (docs/standard.md §1–2).

Everything here is loaded from `credit/data/*.csv`; adding a dataset is rows in those files plus a suite.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"

DATASET_NAMES = {"xzxk": "行政许可", "xzcf": "行政处罚"}


@dataclass(frozen=True)
class Field:
    dataset: str
    seq: int
    key: str  # stable English key used in frames and the store
    code: str  # standard code sent to the platform (CF_XDR_SHXYM)
    header: str  # G3 template header
    type: str  # str | text | enum | multienum | date | decimal | uscc
    max_len: int | None
    required: str  # yes | no | cond (conditional, see rules)
    code_list: str | None
    code_like: bool = False  # an identifier: normalised to half-width, no spaces, upper case (§2.5)


@dataclass(frozen=True)
class Dataset:
    id: str
    name: str
    fields: tuple[Field, ...]

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.fields]

    @property
    def required_keys(self) -> list[str]:
        return [f.key for f in self.fields if f.required == "yes"]

    def code_of(self, key: str) -> str:
        return self.field(key).code


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def datasets() -> dict[str, Dataset]:
    by_ds: dict[str, list[Field]] = {}
    for row in _read_csv("fields.csv"):
        by_ds.setdefault(row["dataset"], []).append(
            Field(
                dataset=row["dataset"],
                seq=int(row["seq"]),
                key=row["key"],
                code=row["code"],
                header=row["header"],
                type=row["type"],
                max_len=int(row["max_len"]) if row["max_len"] else None,
                required=row["required"],
                code_list=row["code_list"] or None,
                code_like=row.get("code_like") == "1",
            )
        )
    return {
        ds: Dataset(ds, DATASET_NAMES.get(ds, ds), tuple(sorted(fs, key=lambda f: f.seq)))
        for ds, fs in by_ds.items()
    }


def dataset(dataset_id: str) -> Dataset:
    try:
        return datasets()[dataset_id]
    except KeyError:
        raise KeyError(f"未知数据集 unknown dataset: {dataset_id}") from None


_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]", "：": ":", "，": ",", "、": ","})


def header_form(text: object) -> str:
    """The comparable form of a header cell: NFKC, no white space at all, half-width brackets, upper case."""
    s = unicodedata.normalize("NFKC", str(text or "")).translate(_BRACKETS)
    return re.sub(r"\s+", "", s).upper()


@cache
def header_aliases() -> dict[str, dict[str, str]]:
    """dataset -> {header form -> field key}: G3 headers, standard codes, and the aliases file."""
    table: dict[str, dict[str, str]] = {ds: {} for ds in datasets()}
    for ds, d in datasets().items():
        for f in d.fields:
            table[ds][header_form(f.header)] = f.key
            table[ds][header_form(f.code)] = f.key
            # G3 headers carry a parenthesised explanation: accept the part before it too.
            bare = re.sub(r"\(.*\)$", "", header_form(f.header))
            table[ds].setdefault(bare, f.key)
    for row in _read_csv("header_aliases.csv"):
        table[row["dataset"]].setdefault(header_form(row["alias"]), row["key"])
    return table


@cache
def code_lists() -> dict[str, dict[str, str]]:
    """code list -> {accepted spelling -> label}."""
    lists: dict[str, dict[str, str]] = {}
    for row in _read_csv("code_lists.csv"):
        table = lists.setdefault(row["code_list"], {})
        for accepted in row["accepts"].split("|"):
            table[accepted] = row["label"]
    return lists


def labels(code_list: str) -> list[str]:
    """The allowed labels of a code list, in file order."""
    seen: dict[str, None] = {}
    for label in code_lists()[code_list].values():
        seen.setdefault(label)
    return list(seen)


@cache
def penalty_legacy() -> dict[str, list[str]]:
    """Pre-2021 combined 处罚类别 values and the 2021 labels they split into."""
    return {row["legacy"]: row["labels"].split("|") for row in _read_csv("penalty_legacy.csv")}


@cache
def rule_severities() -> dict[str, str]:
    """Rule id -> default severity (docs/standard.md §3), from credit/data/rules.csv."""
    return {row["rule"]: row["severity"] for row in _read_csv("rules.csv")}
