"""Datasets as data: one folder each (credit/datasets/README.md). No Python names a dataset.

`catalogue()` reads the folders beside this module and, for an office that adds its own (and for tests),
those under the directories in `CREDIT_DATASETS_DIR` (separated by `os.pathsep`). Everything else asks it:
`credit.standard` (fields, header aliases, code lists), the business key, the deadline, the destination,
masking and which units report what.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from credit.datasets.loading import (
    BLOCKS,
    DatasetFolderError,
    dataset_folders,
    read_csv,
    read_dataset,
)
from credit.datasets.model import SUBJECT, SUBJECT_FIELDS, Dataset, Deadline, Field, Reporters

__all__ = [
    "SUBJECT",
    "SUBJECT_FIELDS",
    "Catalogue",
    "Dataset",
    "DatasetFolderError",
    "Deadline",
    "Field",
    "Reporters",
    "catalogue",
    "header_form",
]

HOME = Path(__file__).parent
ENV = "CREDIT_DATASETS_DIR"

_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]", "：": ":", "，": ",", "、": ","})


def header_form(text: object) -> str:
    """The comparable form of a header cell: NFKC, no white space at all, half-width brackets, upper case."""
    s = unicodedata.normalize("NFKC", str(text or "")).translate(_BRACKETS)
    return re.sub(r"\s+", "", s).upper()


@dataclass(frozen=True, eq=False)
class Catalogue:
    roots: tuple[Path, ...]

    @cached_property
    def datasets(self) -> dict[str, Dataset]:
        """id -> record dataset, in display order (双公示 first): what is pushed, counted and reported. The
        evidence sheets of the plan's duties are apart (`evidence`)."""
        return {k: ds for k, ds in self.all.items() if not ds.is_evidence}

    @cached_property
    def evidence(self) -> dict[str, Dataset]:
        """id -> evidence dataset (`[evidence] duties` in its dataset.toml): read, validated and fed back like
        records, never pushed nor counted."""
        return {k: ds for k, ds in self.all.items() if ds.is_evidence}

    @cached_property
    def all(self) -> dict[str, Dataset]:
        """Every dataset, records and evidence, in display order: what readers recognise and suites cover."""
        found: dict[str, Dataset] = {}
        for root in self.roots:
            for folder in dataset_folders(root):
                ds = read_dataset(folder, HOME / BLOCKS)
                if ds.id in found:
                    raise DatasetFolderError(f"{folder}: dataset {ds.id} is defined twice")
                found[ds.id] = ds
        for ds in found.values():
            for f in ds.fields:
                if f.code_list and f.code_list not in self.code_lists:
                    raise DatasetFolderError(f"{ds.id}/fields.csv: {f.key}: no code list {f.code_list!r}")
        return dict(sorted(found.items(), key=lambda kv: (kv[1].order, kv[0])))

    def _code_list_rows(self) -> list[dict[str, str]]:
        rows = read_csv(HOME / BLOCKS / "code_lists.csv")
        for root in self.roots:
            for folder in dataset_folders(root):
                rows += read_csv(folder / "code_lists.csv")
        return rows

    @cached_property
    def code_lists(self) -> dict[str, dict[str, str]]:
        """code list -> {accepted spelling -> label}."""
        lists: dict[str, dict[str, str]] = {}
        for row in self._code_list_rows():
            table = lists.setdefault(row["code_list"], {})
            for accepted in row["accepts"].split("|"):
                if table.get(accepted, row["label"]) != row["label"]:
                    raise DatasetFolderError(f"code list {row['code_list']}: {accepted!r} means two labels")
                table[accepted] = row["label"]
        return lists

    @cached_property
    def other_prefixes(self) -> dict[str, str]:
        """code list -> the prefix of free values it admits (`其他-<name>`), where it admits them."""
        return {r["code_list"]: r["other_prefix"] for r in self._code_list_rows() if r.get("other_prefix")}

    @cached_property
    def header_aliases(self) -> dict[str, dict[str, str]]:
        """dataset -> {header form -> field key}: template headers, standard codes, the dataset's aliases, then
        the shared blocks' aliases of the fields it has."""
        block_aliases = read_csv(HOME / BLOCKS / "aliases.csv")
        table: dict[str, dict[str, str]] = {}
        for ds_id, ds in self.all.items():
            forms = table[ds_id] = {}
            for f in ds.fields:
                forms[header_form(f.header)] = f.key
                forms[header_form(f.code)] = f.key
                # Template headers carry a parenthesised explanation: accept the part before it too.
                forms.setdefault(re.sub(r"\(.*\)$", "", header_form(f.header)), f.key)
            for row in [*read_csv(ds.folder / "aliases.csv"), *block_aliases]:
                if ds.has(row["key"]):
                    forms.setdefault(header_form(row["alias"]), row["key"])
        return table

    @cached_property
    def hidden_keys(self) -> frozenset[str]:
        """Fields never shown to people in any dataset (法定代表人证件号码; docs/standard.md §7)."""
        return frozenset(k for ds in self.all.values() for k in ds.hidden)

    @cached_property
    def masked_keys(self) -> frozenset[str]:
        """Fields shown masked (`440882********1234`) in any dataset (自然人证件号码)."""
        return frozenset(k for ds in self.all.values() for k in ds.masked)

    def dataset(self, dataset_id: str) -> Dataset:
        try:
            return self.all[dataset_id]
        except KeyError:
            raise KeyError(f"未知数据集 unknown dataset: {dataset_id}") from None


@cache
def _catalogue(extra: str) -> Catalogue:
    roots = [HOME, *(Path(p) for p in extra.split(os.pathsep) if p)]
    return Catalogue(tuple(roots))


def catalogue() -> Catalogue:
    return _catalogue(os.environ.get(ENV, ""))
