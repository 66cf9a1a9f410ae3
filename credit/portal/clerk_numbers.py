"""A unit's own numbers of a month, for its clerks: the 日统计 counters (credit.counters, read from DailyStat) per
day summed over the unit's datasets, the month's totals per dataset and in all, with the rates computed from
the sums (a month's rate is never an average of daily rates). Labels and order come from credit.counters."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlmodel import Session, select

from credit.counters import COUNT_FIELDS, COUNT_LABELS, RATE_FIELDS, RATE_LABELS, SHOWN_COUNTS, Counts
from credit.standard import DATASET_NAMES
from credit.stats.render import pct
from credit.store import DailyStat

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
HEADERS = tuple(COUNT_LABELS[f] for f in SHOWN_COUNTS) + tuple(RATE_LABELS[r] for r in RATE_FIELDS)


@dataclass
class Line:
    label: str  # a date, a dataset's name, or 合计
    counts: Counts

    def cells(self) -> list[str]:
        return [str(getattr(self.counts, f)) for f in SHOWN_COUNTS] + [
            pct(getattr(self.counts, r)) for r in RATE_FIELDS
        ]


@dataclass
class Month:
    month: str
    previous: str
    next: str
    days: list[Line]
    datasets: list[Line]
    total: Line


def parse_month(text: str | None, today: dt.date) -> str | None:
    """`YYYY-MM` as given (None when malformed), the current month when absent."""
    if not text:
        return f"{today:%Y-%m}"
    return text if MONTH.fullmatch(text) else None


def _shift(month: str, by: int) -> str:
    year, m = int(month[:4]), int(month[5:]) + by
    year, m = year + (m - 1) // 12, (m - 1) % 12 + 1
    return f"{year:04d}-{m:02d}"


def _counts(row: DailyStat) -> Counts:
    return Counts(**{f: getattr(row, f) or 0 for f in COUNT_FIELDS})


def _any(c: Counts) -> bool:
    return any(getattr(c, f) for f in COUNT_FIELDS)


def month_numbers(session: Session, unit: str, month: str) -> Month:
    first = dt.date.fromisoformat(month + "-01")
    following = dt.date.fromisoformat(_shift(month, 1) + "-01")
    rows = session.exec(
        select(DailyStat)
        .where(DailyStat.unit == unit, DailyStat.date >= first, DailyStat.date < following)
        .order_by(DailyStat.date, DailyStat.dataset)
    ).all()
    by_day: dict[dt.date, Counts] = {}
    by_dataset: dict[str, Counts] = {}
    for row in rows:
        c = _counts(row)
        by_day[row.date] = by_day.get(row.date, Counts()) + c
        by_dataset[row.dataset] = by_dataset.get(row.dataset, Counts()) + c
    total = sum(by_day.values(), Counts())
    return Month(
        month=month,
        previous=_shift(month, -1),
        next=_shift(month, 1),
        days=[Line(d.isoformat(), c) for d, c in by_day.items()],
        # Datasets with nothing all month (each has a row a day, of zeros) are left out.
        datasets=[Line(DATASET_NAMES.get(d, d), c) for d, c in by_dataset.items() if _any(c)],
        total=Line("合计", total),
    )
