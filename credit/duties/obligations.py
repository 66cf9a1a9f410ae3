"""Obligations: who owes what for which period, and by when — the duty table laid over a year's periods and the
working-day calendar. A period is a month (`2026-10`) or a quarter (`2026-Q3`); its obligation falls due after
it ends, by the duty's due rule (`credit.duties.rules`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from credit.duties.rules import Duty
from credit.units import all_units
from credit.workdays import WorkCalendar


@dataclass(frozen=True)
class Period:
    label: str  # "YYYY-MM" or "YYYY-Qn"
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class Obligation:
    unit: str  # registry code
    task: int
    duty: str  # duty id
    name: str  # the duty's short Chinese name
    period: str
    due: dt.date

    @property
    def key(self) -> tuple[str, str, str]:
        """What a delivery settles: this unit's duty for this period."""
        return (self.unit, self.duty, self.period)


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def periods(cadence: str, year: int) -> list[Period]:
    """The year's periods of a cadence, in order."""
    if cadence == "monthly":
        return [Period(f"{year}-{m:02d}", dt.date(year, m, 1), _month_end(year, m)) for m in range(1, 13)]
    if cadence == "quarterly":
        return [
            Period(f"{year}-Q{q}", dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q)) for q in range(1, 5)
        ]
    raise ValueError(f"unknown cadence {cadence!r}")


def duty_obligations(
    duty: Duty, year: int, calendar: WorkCalendar, *, ending_before: dt.date | None = None
) -> list[Obligation]:
    """One obligation per unit and period of `year`; with `ending_before`, only periods that end before it
    (an obligation falls due after its period, so later periods need no calendar of the following year)."""
    found = []
    for period in periods(duty.cadence, year):
        if ending_before and period.end >= ending_before:
            continue
        due = duty.due_rule.due(period.end, calendar)
        found.extend(Obligation(u, duty.task, duty.id, duty.name, period.label, due) for u in duty.units)
    return found


def obligations(duties: Iterable[Duty], year: int, calendar: WorkCalendar) -> list[Obligation]:
    """Every obligation of the year's periods (some fall due early the next year)."""
    return [o for duty in duties for o in duty_obligations(duty, year, calendar)]


def due_in_month(duties: Iterable[Duty], month: str, calendar: WorkCalendar) -> list[Obligation]:
    """The obligations whose due date falls in `month` ("YYYY-MM"), of this year's and last year's periods,
    ordered by due date, task, duty, period and unit (registry order)."""
    first = dt.date.fromisoformat(month + "-01")
    last = _month_end(first.year, first.month)
    duties = list(duties)
    found = [
        o
        for duty in duties
        for year in (first.year - 1, first.year)
        for o in duty_obligations(duty, year, calendar, ending_before=last)
        if first <= o.due <= last
    ]
    order = {d.id: i for i, d in enumerate(duties)}
    unit_order = {code: i for i, code in enumerate(all_units())}
    return sorted(found, key=lambda o: (o.due, o.task, order[o.duty], o.period, unit_order[o.unit]))
