"""The committed suites (`expectations/<dataset>.json`) as plain JSON, without importing GX."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import expectations

SUITES_DIR = Path(expectations.__file__).resolve().parent
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
