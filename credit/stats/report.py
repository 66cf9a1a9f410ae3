"""A day's statistics per unit and dataset (`UnitStat`) and for the city (`DailyReport`).

The city's totals and the 三清零 judgement cover the datasets of `three_zero_datasets()` (CREDIT_THREE_ZERO_DATASETS;
default: the 双公示 ones, 行政许可 and 行政处罚); the rows of every other dataset a unit reports are counted all the
same and shown apart, as 其他信用信息."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from credit.counters import Counts
from credit.standard import datasets
from credit.units import all_units


def three_zero_datasets(chosen: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """The dataset ids the 三清零 judgement and the city totals cover, in display order: `chosen`, else the
    setting CREDIT_THREE_ZERO_DATASETS, else the 双公示 datasets. An id no dataset folder defines is refused."""
    if chosen is None:
        from credit.settings import load_settings

        chosen = load_settings().three_zero_datasets
    catalogue = datasets()
    if not chosen:
        return tuple(d for d, ds in catalogue.items() if ds.shuanggongshi)
    unknown = [d for d in chosen if d not in catalogue]
    if unknown:
        raise ValueError(
            f"CREDIT_THREE_ZERO_DATASETS: 未知的数据类别 unknown dataset(s): {', '.join(unknown)}"
            f"（可用 available: {', '.join(catalogue)}）"
        )
    return tuple(d for d in catalogue if d in chosen)


def scope_label(ids: tuple[str, ...] | list[str]) -> str:
    """What a set of datasets is called in a sentence: “双公示” for exactly the 双公示 datasets, else their names
    (行政许可、行政处罚、信用承诺)."""
    catalogue = datasets()
    if set(ids) == {d for d, ds in catalogue.items() if ds.shuanggongshi}:
        return "“双公示”"
    return "、".join(catalogue[d].name if d in catalogue else d for d in ids)


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
    # The datasets the totals and 三清零 cover (default: from the settings when the report is made).
    three_zero_datasets: tuple[str, ...] = field(default_factory=three_zero_datasets)

    def counted(self, row: UnitStat) -> bool:
        return row.dataset in self.three_zero_datasets

    @property
    def counted_rows(self) -> list[UnitStat]:
        """The rows the totals and 三清零 cover."""
        return [row for row in self.rows if self.counted(row)]

    @property
    def other_rows(self) -> list[UnitStat]:
        """The rows of the other datasets (其他信用信息): counted per unit and dataset, not in the totals."""
        return [row for row in self.rows if not self.counted(row)]

    @property
    def total(self) -> Counts:
        """The city's total over the 三清零 datasets."""
        return sum((row.counts for row in self.counted_rows), Counts())

    def dataset_totals(self, rows: list[UnitStat] | None = None) -> dict[str, Counts]:
        """Per dataset (display order), over `rows` (default: every row)."""
        order = {d: i for i, d in enumerate(datasets())}
        result: dict[str, Counts] = {}
        for row in sorted(
            self.rows if rows is None else rows, key=lambda r: order.get(r.dataset, len(order))
        ):
            result[row.dataset] = result.get(row.dataset, Counts()) + row.counts
        return result

    def unit_totals(self) -> dict[str, Counts]:
        """Per unit, its 三清零 datasets together (registry order); a unit reporting none of them is absent."""
        result: dict[str, Counts] = {}
        for row in self.counted_rows:
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
