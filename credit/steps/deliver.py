"""Deliver step: verdicts and withdrawal requests → the outbox (`fill_outbox`), the outbox → 信用湛江 → its
receipts in the store (`push`). Exactly once: credit.delivery claims every version into one batch and settles
unanswered batches before anything new is sent; a request is claimed here by a conditional UPDATE before its
delete is queued, so two runs never queue it twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import update
from sqlmodel import Session, select

from credit import delivery
from credit.datasets import catalogue
from credit.delivery import PushSummary, RevokeError, queue_valid, revoke
from credit.platform.transports import make_transport
from credit.revocations import RevocationRow, feedback_items
from credit.settings import Settings
from credit.store import Record, RecordVersion, RevocationRequest, Submission, session_scope

CHUNK = 500  # units per IN (...) lookup

NO_PLATFORM = "未配置信用湛江地址（CREDIT_PLATFORM_URL）：记录保持排队，未推送"


@dataclass(frozen=True)
class Refused:
    """A withdrawal request the platform cannot apply; the reason goes back to the unit."""

    unit: str
    row: int  # the 撤销清单's row as the unit's spreadsheet shows it
    reason: str  # Chinese


@dataclass
class Outbox:
    """What a run put in the outbox."""

    queued: int = 0  # valid versions queued for insert or update
    deletes: int = 0  # withdrawal requests queued as deletes (op D)
    refused: list[Refused] = field(default_factory=list)


def fill_outbox(settings: Settings, units: list[str] | None, report_date: dt.date) -> Outbox:
    """Queue the units' (all units': None) valid versions not yet queued and turn their withdrawal requests
    into deletes. The caller's units are those of the run; nothing of another unit is touched."""
    with session_scope(settings.database_url) as session:
        outbox = Outbox(queued=queue_valid(session, _unqueued_valid(session, units)))
        _queue_requests(session, units, report_date, outbox)
    return outbox


def _unqueued_valid(session: Session, units: list[str] | None) -> list[int]:
    # The evidence sheets of the plan's duties stay here: they settle duties, 信用湛江 never sees them.
    evidence = list(catalogue().evidence)
    stmt = (
        select(RecordVersion.id)
        .join(Record, Record.id == RecordVersion.record_id)
        .where(
            RecordVersion.status == "valid",
            RecordVersion.push_state == "none",
            Record.dataset.not_in(evidence),
        )
    )
    if units is None:
        return list(session.exec(stmt))
    ids: list[int] = []
    for start in range(0, len(units), CHUNK):
        ids += session.exec(stmt.where(Record.unit.in_(units[start : start + CHUNK])))
    return ids


def _queue_requests(session: Session, units: list[str] | None, report_date: dt.date, outbox: Outbox) -> None:
    """Each open request of the units becomes a delete of the sender's record (delivery.revoke finds only the
    unit's own records); a request the platform cannot apply goes back to the unit with its submission."""
    stmt = select(RevocationRequest).where(RevocationRequest.state == "requested")
    if units is not None:
        stmt = stmt.where(RevocationRequest.unit.in_(units))
    for request in session.exec(stmt.order_by(RevocationRequest.id)).all():
        claimed = session.execute(
            update(RevocationRequest)
            .where(RevocationRequest.id == request.id, RevocationRequest.state == "requested")
            .values(state="claimed")
        )
        if claimed.rowcount != 1:  # another run took it
            continue
        try:
            version = revoke(
                session,
                request.dataset,
                request.record_key,
                request.reason,
                unit=request.unit,
                report_date=report_date,
            )
        except RevokeError as exc:
            _refuse(session, request, str(exc))
            outbox.refused.append(Refused(request.unit, request.row, str(exc)))
            continue
        request.state, request.version_id = "queued", version.id
        session.add(request)
        outbox.deletes += 1
    session.flush()


def _refuse(session: Session, request: RevocationRequest, message: str) -> None:
    request.state = "refused"
    session.add(request)
    submission = session.get(Submission, request.submission_id)
    if submission is None:
        return
    row = RevocationRow(request.row, request.values, request.columns)
    submission.problems = [
        *(submission.problems or []),
        *feedback_items(submission.file_name, [(row, message)]),
    ]
    submission.new_versions = max(0, submission.new_versions - 1)
    session.add(submission)


def push(settings: Settings, unit: str | None, report_date: dt.date) -> PushSummary:
    """Send the queued records of a unit (all units: None) and settle unfinished batches; the receipts are
    stored. `skipped` says why nothing was sent (no platform configured: the records stay queued). Raises
    credit.platform.TransportError when the platform refuses the credentials (401): the records stay queued."""
    transport = make_transport(settings)
    if transport is None:
        return PushSummary(report_date, skipped=NO_PLATFORM)
    try:
        return delivery.push(
            transport, database_url=settings.database_url, unit=unit, report_date=report_date
        )
    finally:
        transport.close()
