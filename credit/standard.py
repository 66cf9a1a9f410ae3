"""The data standard as data (docs/standard.md §1–2): datasets, fields, header aliases and code lists.

The datasets are folders (`credit/datasets/<id>/`, read by `credit.datasets`); this module is the short way
to ask for them. Reference tables every dataset shares live in `credit/data/*.csv`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

from credit.datasets import Dataset, Field, catalogue, header_form

__all__ = [
    "DATASET_NAMES",
    "DATA_DIR",
    "Dataset",
    "Field",
    "code_lists",
    "dataset",
    "datasets",
    "header_aliases",
    "header_form",
    "labels",
    "other_prefix",
    "penalty_legacy",
    "rule_severities",
]

DATA_DIR = Path(__file__).parent / "data"


class _Names(Mapping[str, str]):
    """dataset id -> Chinese name, read from the folders when asked (they may be added at run time)."""

    def __getitem__(self, key: str) -> str:
        return catalogue().dataset(key).name

    def __iter__(self) -> Iterator[str]:
        return iter(catalogue().datasets)

    def __len__(self) -> int:
        return len(catalogue().datasets)

    def __contains__(self, key: object) -> bool:
        return key in catalogue().all

    def get(self, key, default=None):
        ds = catalogue().all.get(key)  # evidence sheets too (credit check names what it read)
        return ds.name if ds else default


DATASET_NAMES: Mapping[str, str] = _Names()


def datasets() -> dict[str, Dataset]:
    return catalogue().datasets


def dataset(dataset_id: str) -> Dataset:
    return catalogue().dataset(dataset_id)


def header_aliases() -> dict[str, dict[str, str]]:
    """dataset -> {header form -> field key}."""
    return catalogue().header_aliases


def code_lists() -> dict[str, dict[str, str]]:
    """code list -> {accepted spelling -> label}."""
    return catalogue().code_lists


def labels(code_list: str) -> list[str]:
    """The allowed labels of a code list, in file order."""
    return list(dict.fromkeys(code_lists()[code_list].values()))


def other_prefix(code_list: str) -> str | None:
    """`其他-` where the code list admits `其他-<name>`."""
    return catalogue().other_prefixes.get(code_list)


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def penalty_legacy() -> dict[str, list[str]]:
    """Pre-2021 combined 处罚类别 values and the 2021 labels they split into."""
    return {row["legacy"]: row["labels"].split("|") for row in _read_csv("penalty_legacy.csv")}


@cache
def rule_severities() -> dict[str, str]:
    """Rule id -> default severity (docs/standard.md §3), from credit/data/rules.csv."""
    return {row["rule"]: row["severity"] for row in _read_csv("rules.csv")}
