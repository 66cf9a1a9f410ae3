"""A day's statistics per unit and dataset (`UnitStat`) and for the city (`DailyReport`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from credit.counters import Counts
from credit.units import all_units


@dataclass
class UnitStat:
    unit: str
    dataset: str
    counts: Counts = field(default_factory=Counts)
    suspected_gaps: list[str] = field(default_factory=list)
    suspected_gaps_total: int = 0
    deadline_workdays: int | None = None  # N of this dataset (None: no deadline; missing: the report's)

    @property
    def unit_name(self) -> str:
        u = all_units().get(self.unit)
        return u.name if u else self.unit

    @property
    def short_name(self) -> str:
        u = all_units().get(self.unit)
        return u.short_name if u else self.unit

    def as_dict(self) -> dict:
        return {
            "unit": self.unit,
            "unit_name": self.unit_name,
            "dataset": self.dataset,
            **self.counts.as_dict(),
            "suspected_gaps": list(self.suspected_gaps),
            "suspected_gaps_total": self.suspected_gaps_total,
        }


@dataclass
class DailyReport:
    date: dt.date
    deadline_workdays: int
    rows: list[UnitStat]
    # Set by save_daily: the day's revision and, per restatement, what it changed (see `save_daily`).
    revision: int = 1
    restated: list[dict] = field(default_factory=list)

    @property
    def total(self) -> Counts:
        total = Counts()
        for row in self.rows:
            total = total + row.counts
        return total

    def unit_totals(self) -> dict[str, Counts]:
        """Per unit, both datasets together (registry order)."""
        result: dict[str, Counts] = {}
        for row in self.rows:
            result[row.unit] = result.get(row.unit, Counts()) + row.counts
        return result

    def short_of_three_zero(self) -> list[str]:
        """Unit codes with a late, missing or invalid record that day (registry order)."""
        return [u for u, c in self.unit_totals().items() if not c.three_zero]

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "deadline_workdays": self.deadline_workdays,
            "units": [row.as_dict() for row in self.rows],
            "total": self.total.as_dict(),
            # Additive keys: the snapshot's revision, and the restatements that led to it (if any).
            "revision": self.revision,
            **({"restated": self.restated} if self.restated else {}),
        }
