"""The committed suites (`expectations/<dataset>.json`) as plain JSON, without importing GX."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from credit.validation.registry import attribute

# The committed suites: data of the top-level `expectations/` package, a sibling of `credit/` both in the
# repository (editable install) and in site-packages; found by path, so that `credit` never imports it.
SUITES_DIR = Path(__file__).resolve().parents[2] / "expectations"
SEVERITIES = ("error", "warning")


@cache
def load_suite_json(dataset: str) -> dict:
    path = SUITES_DIR / f"{dataset}.json"
    with open(path, encoding="utf-8") as fh:
        suite = json.load(fh)
    for i, exp in enumerate(suite["expectations"]):
        meta = exp.get("meta") or {}
        if not meta.get("rule_id") or meta.get("severity") not in SEVERITIES or not meta.get("field"):
            raise ValueError(
                f"{path.name}: expectation {i} ({exp.get('type')}) lacks meta rule_id/severity/field"
            )
    return suite


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
