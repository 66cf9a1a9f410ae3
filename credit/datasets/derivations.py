"""The derivation table (credit/data/derivations.csv): fields a file may lack when its rows determine them.
The table is data about the datasets, read here; how each method derives is credit.normalise's."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).parent.parent / "data" / "derivations.csv"


@dataclass(frozen=True)
class Derivation:
    """A field a file may lack when its rows determine it: derived by `method` from `inputs`, each derived
    value reported under `rule` (a warning asking the unit to add the column)."""

    key: str
    rule: str
    method: str
    inputs: tuple[str, ...]
    explanation: str


@cache
def derivations() -> dict[str, Derivation]:
    """field key -> its derivation, in table order."""
    with open(TABLE, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {
        r["key"]: Derivation(
            r["key"], r["rule"], r["method"], tuple(r["inputs"].split("|")), r["explanation_zh"]
        )
        for r in rows
    }
