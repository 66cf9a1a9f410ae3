"""What the bulletin reads from the statistics module about 疑似漏报 and statistics revisions.

Kept in one place because `credit.stats` is gaining `month_suspected_gaps` and `day_revisions`: where they
exist they are used; on a store without them the same answers are read from the `DailyStat` rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from credit import stats
from credit.store.models import DailyStat


@dataclass(frozen=True)
class Gaps:
    unit: str
    dataset: str
    numbers: list[str]  # as stored: possibly only the first of them
    total: int  # the true count

    @property
    def cut(self) -> bool:
        return self.total > len(self.numbers)


def suspected_gaps(session: Session, first: dt.date, last: dt.date) -> list[Gaps]:
    """Per unit and dataset, the month's suspected gaps (those of its last day with statistics)."""
    month_gaps = getattr(stats, "month_suspected_gaps", None)
    if month_gaps is not None:
        return [
            Gaps(g.unit, g.dataset, list(g.numbers), g.total) for g in month_gaps(session, f"{first:%Y-%m}")
        ]
    day = session.execute(
        select(func.max(DailyStat.date)).where(DailyStat.date >= first, DailyStat.date <= last)
    ).scalar()
    if day is None:
        return []
    out = []
    for s in session.execute(select(DailyStat).where(DailyStat.date == day)).scalars():
        numbers = list(s.suspected_gaps or [])
        total = max(getattr(s, "suspected_gaps_total", 0) or 0, len(numbers))
        if total:
            out.append(Gaps(s.unit, s.dataset, numbers, total))
    return out


def revisions(session: Session, first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """{day: revision of its statistics used}; every day is revision 1 on a store without revisions."""
    day_revisions = getattr(stats, "day_revisions", None)
    if day_revisions is not None:
        return dict(day_revisions(session, first, last))
    days = session.execute(
        select(DailyStat.date).where(DailyStat.date >= first, DailyStat.date <= last).distinct()
    ).scalars()
    return {day: 1 for day in sorted(days)}
