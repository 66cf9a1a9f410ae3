"""Deliveries of evidence, as the duties' status reads them: which unit's duty for which period was settled,
and on which day (`credit.duties.status.Deliveries`).

This is the seam between the evidence that arrives (collected and validated like records: the evidence sheets
are datasets, credit/datasets/duty*/, and their attachments are checked by credit.collect.attachments) and
everything that reports on duties (reminders, `credit duties`, the bulletin, the year-end table): they call
`load` and nothing else. `load` reads the store; which obligation a delivery settles is `credit.duties.settle`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlmodel import Session, select

from credit.datasets import catalogue
from credit.duties.obligations import periods
from credit.duties.plan import PlanError, plan_for
from credit.duties.rules import load_duties
from credit.duties.settle import EvidenceDelivery, Owed, settle
from credit.duties.status import Deliveries
from credit.settings import Settings
from credit.store import Record, RecordVersion, session_scope


def load(settings: Settings, up_to: dt.date) -> Deliveries:
    """Every obligation settled on or before `up_to`: {(unit, duty id, period): day settled}."""
    with session_scope(settings.database_url) as session:
        return settled(session, up_to)


def settled(session: Session, up_to: dt.date) -> Deliveries:
    """`load` through a session the caller holds (on SQLite a second session inside a writing one would wait
    on its lock until it fails)."""
    found = _deliveries(session, up_to)
    if not found:
        return {}
    years = sorted({d.received.year for d in found} | {d.received.year - 1 for d in found})
    return settle(found, _owed(years))


def _deliveries(session: Session, up_to: dt.date) -> list[EvidenceDelivery]:
    """The evidence sheets received by `up_to`, one per file and sheet, with their rows' verdicts (a row not
    yet validated settles nothing yet)."""
    evidence = catalogue().evidence
    if not evidence:
        return []
    stmt = (
        select(
            Record.unit,
            Record.dataset,
            RecordVersion.submission_id,
            RecordVersion.sheet,
            RecordVersion.received_date,
            RecordVersion.status,
            RecordVersion.data,
        )
        .join(Record, Record.id == RecordVersion.record_id)
        .where(Record.dataset.in_(list(evidence)), RecordVersion.received_date <= up_to)
        .order_by(RecordVersion.submission_id, RecordVersion.sheet, RecordVersion.row)
    )
    groups: dict[tuple, list] = defaultdict(list)
    for unit, dataset, submission, sheet, received, status, data in session.exec(stmt):
        groups[(unit, dataset, submission or 0, sheet or "", received)].append((status, data))
    return [
        EvidenceDelivery(
            unit=unit,
            duties=evidence[dataset].evidence,
            received=received,
            periods=tuple((data or {}).get("period") for _, data in rows),
            valid=all(status == "valid" for status, _ in rows),
            order=submission,
        )
        for (unit, dataset, submission, _, received), rows in groups.items()
    ]


def _owed(years: list[int]) -> list[Owed]:
    """Every unit's duty and period of the given years, each year with the plan in force then (none: none)."""
    owed: list[Owed] = []
    for year in years:
        try:
            duties = load_duties(plan_for(year))
        except PlanError:
            continue
        for duty in duties:
            for period in periods(duty.cadence, year):
                owed.extend(Owed(unit, duty.id, period.label, duty.cadence) for unit in duty.units)
    return owed
