"""What the bulletin reads from the statistics about 疑似漏报 and statistics revisions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from credit.stats import day_revisions, month_suspected_gaps


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
    return [Gaps(g.unit, g.dataset, list(g.numbers), g.total) for g in month_suspected_gaps(session, first)]


def revisions(session: Session, first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """{day: revision of its statistics used}."""
    return dict(day_revisions(session, first, last))
