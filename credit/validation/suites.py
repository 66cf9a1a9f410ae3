"""The committed suites (`expectations/<dataset>.json`) as plain JSON, without importing GX."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from credit.datasets import HOME, Catalogue, catalogue
from credit.datasets.suite import compose
from credit.validation.registry import attribute

# The committed suites: generated from the dataset folders (`python -m credit.validation.suites` writes them;
# `tests/test_suites.py` fails when they drift), a sibling of `credit/` found by path so that `credit` never
# imports it. What runs is composed from the folders, so that a dataset added as a folder needs no file here.
SUITES_DIR = Path(__file__).resolve().parents[2] / "expectations"
SEVERITIES = ("error", "warning")


@cache
def _composed(cat: Catalogue, dataset: str) -> dict:
    suite = compose(cat.dataset(dataset))
    for i, exp in enumerate(suite["expectations"]):
        meta = exp.get("meta") or {}
        if not meta.get("rule_id") or meta.get("severity") not in SEVERITIES or not meta.get("field"):
            raise ValueError(
                f"{dataset}/suite.json: expectation {i} ({exp.get('type')}) lacks meta rule_id/severity/field"
            )
    return suite


def load_suite_json(dataset: str) -> dict:
    """The dataset's complete suite (shared rules derived from its fields, then its own `suite.json`)."""
    return _composed(catalogue(), dataset)


def write_suites() -> list[Path]:
    """Write `expectations/<dataset>.json` for every built-in dataset, evidence sheets too (the committed view of
    the suites)."""
    written = []
    for ds in catalogue().all.values():
        if ds.folder is not None and ds.folder.parent == HOME:
            path = SUITES_DIR / f"{ds.id}.json"
            path.write_text(json.dumps(load_suite_json(ds.id), ensure_ascii=False, indent=2) + "\n", "utf-8")
            written.append(path)
    return written


def meta_fields(meta: dict) -> list[str]:
    """The field keys an expectation may flag (`meta.field` is one key or a list)."""
    f = meta["field"]
    return [f] if isinstance(f, str) else list(f)


@dataclass
class FailingRows:
    """A suite run's findings, per (expectation, flagged field): failing row positions, rule id, field key and
    severity — what the GX path and the GX-free path both return."""

    positions: list = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    sevs: list[str] = field(default_factory=list)

    def add(self, kind: str, kwargs: dict, meta: dict, failing, frame, params: dict) -> None:
        """Record an expectation's failing positions under the field(s) its check flags on those rows."""
        fields = meta_fields(meta)
        if len(fields) == 1:
            per_key = {fields[0]: failing}
        else:
            columns = list(kwargs["column_list"])  # only these are read: the other columns' rows not copied
            found = attribute(kind, kwargs, frame[columns].iloc[failing], params)
            per_key = {k: failing[m] for k, m in found.items() if k in fields and m.any()}
        for key, rows in per_key.items():
            self.positions.append(rows)
            self.rules.append(meta["rule_id"])
            self.keys.append(key)
            self.sevs.append(meta["severity"])

    def result(self, page=None) -> tuple:
        return self.positions, self.rules, self.keys, self.sevs, page


if __name__ == "__main__":
    for written in write_suites():
        print(written)
