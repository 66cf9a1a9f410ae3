"""What collecting one file gives: its outcome (`FileOutcome`), the delivery as it arrived (`Arrival`) and its
Submission row (`add_submission`), shared by the inbox's workbooks (credit.collect.inbox) and attachments
(credit.collect.attachments)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session

from credit.store import Submission


@dataclass
class FileOutcome:
    name: str
    outcome: str  # collected | duplicate | quarantined | skipped
    reason: str | None = None
    submission_id: int | None = None
    datasets: list[str] = field(default_factory=list)
    rows: int = 0
    new_versions: int = 0
    repeats: int = 0
    stored_path: str | None = None


@dataclass(frozen=True)
class Arrival:
    """A delivery as it arrived: the unit, its name, its content's SHA-256 and the run's report date."""

    unit: str
    name: str
    sha: str
    report_date: dt.date


def add_submission(session: Session, arrival: Arrival, **fields) -> Submission:
    """Add the Submission row of a delivery (file or SQL read), flushed (its id known; IntegrityError when
    another run stored the same delivery first)."""
    sub = Submission(
        unit=arrival.unit,
        file_name=arrival.name,
        sha256=arrival.sha,
        received_date=arrival.report_date,
        **fields,
    )
    session.add(sub)
    session.flush()
    return sub
