"""Settlement: which obligation each delivery of evidence settles, and on which day. Pure: deliveries and the
obligations owed in, the `Deliveries` mapping of `credit.duties.status` out (credit.duties.deliveries reads the
store and calls it).

A delivery is one evidence sheet of one file (its rows, the day it arrived, whether any row has an error —
an attachment missing or unsafe is an error of its row, EVD-4). Spec: the project's evidence format.
- A delivery with an error settles nothing (the unit corrects it and sends it again).
- A row's 所属期间 names the period it settles (a month given for a quarterly duty: its quarter).
- A row without 所属期间 settles the earliest period of the duty, not yet settled for the unit, that had ended
  on the day the delivery arrived; when every ended period is settled, the period running that day (an
  activity reported before its month is over). Reach: the periods of the year it arrives in and the last
  period of the year before (December's report sent in January) — an older period is settled only by naming
  it, or a unit that starts delivering would spend a year of reports on last year's periods.
- An obligation settles on the day of the first delivery that settles it; `status` calls that day after the
  due date `late`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from credit.duties.periods import in_cadence, parse_period, period_end
from credit.duties.status import Deliveries


@dataclass(frozen=True)
class EvidenceDelivery:
    unit: str
    duties: tuple[str, ...]  # the duty ids its dataset settles (`[evidence] duties`)
    received: dt.date
    periods: tuple[str | None, ...]  # each row's 所属期间 as written (None: blank)
    valid: bool  # no row has an error
    order: int = 0  # ties on the same day: the order the deliveries were stored in


@dataclass(frozen=True)
class Owed:
    """An obligation as settlement sees it: the unit's duty for a period, and the duty's cadence."""

    unit: str
    duty: str
    period: str
    cadence: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.unit, self.duty, self.period)


def settle(deliveries: Iterable[EvidenceDelivery], owed: Iterable[Owed]) -> Deliveries:
    """{(unit, duty id, period): day settled} for every obligation a valid delivery settles."""
    by_duty: dict[tuple[str, str], list[Owed]] = {}
    for o in owed:
        by_duty.setdefault((o.unit, o.duty), []).append(o)
    for periods in by_duty.values():
        periods.sort(key=lambda o: period_end(o.period))
    settled: dict[tuple[str, str, str], dt.date] = {}
    for d in sorted(deliveries, key=lambda d: (d.received, d.order)):
        if not d.valid:
            continue
        for duty in d.duties:
            owed_here = by_duty.get((d.unit, duty))
            if not owed_here:
                continue  # the unit does not owe this duty (a town's activity sheet is not a department's)
            cadence = owed_here[0].cadence
            named = {parse_period(p) for p in d.periods if p} - {None}
            wanted = {in_cadence(p, cadence) for p in named} - {None}
            known = {o.period for o in owed_here}
            for period in sorted(wanted & known):
                settled.setdefault((d.unit, duty, period), d.received)
            if any(not p for p in d.periods) or not d.periods:
                period = _next_unsettled(owed_here, settled, d.received)
                if period is not None:
                    settled.setdefault((d.unit, duty, period), d.received)
    return settled


def _next_unsettled(owed: list[Owed], settled: dict, day: dt.date) -> str | None:
    """The earliest period ended on `day` and not yet settled; else the period running on `day`."""
    running = None
    for o in owed:
        end = period_end(o.period)
        if o.key in settled or not (end.year == day.year or (end.year == day.year - 1 and end.month == 12)):
            continue
        if end < day:
            return o.period
        if running is None and _start(o) <= day <= end:
            running = o.period
    return running


def _start(o: Owed) -> dt.date:
    end = period_end(o.period)
    months = 3 if o.cadence == "quarterly" else 1
    month = end.month - months + 1
    return dt.date(end.year, month, 1)
