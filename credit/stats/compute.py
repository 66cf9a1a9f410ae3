"""compute_daily: the day's counters per unit and dataset, read from the store (definitions: `credit.stats`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from credit.counters import Counts
from credit.reference_feed import doc_no_key
from credit.standard import datasets
from credit.stats.doc_numbers import _doc_key, _suspected_gaps
from credit.stats.report import DailyReport, UnitStat
from credit.store.models import Batch, BatchItem, Record, RecordVersion, ReferenceDecision
from credit.units import Unit, all_units, collected_units
from credit.workdays import CalendarGap, WorkCalendar


def _decision_date(record_date: dt.date | None, data: dict | None) -> dt.date | None:
    if record_date is not None:
        return record_date
    value = (data or {}).get("decision_date")
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _is_late(calendar: WorkCalendar, decision: dt.date | None, received: dt.date, n: int) -> bool:
    if decision is None or decision >= received:
        return False
    if (received - decision).days <= n:  # working days never outnumber calendar days
        return False
    try:
        return calendar.is_late(decision, received, n)
    except CalendarGap:
        # A decision in a year no calendar covers (long before 2004): no holiday run makes N working days
        # last more than N + 14 calendar days, so such a record is late; nearer the edge we cannot tell.
        if (received - decision).days > n + 14:
            return True
        raise


def _unit_codes(units: Iterable[Unit | str] | None) -> tuple[list[str], bool]:
    if units is None:
        return [u.code for u in collected_units()], True
    return [u.code if isinstance(u, Unit) else str(u) for u in units], False


def compute_daily(
    session: Session,
    report_date: dt.date,
    *,
    calendar: WorkCalendar,
    deadline_workdays: int,
    units: Iterable[Unit | str] | None = None,
    doc_series: Path | None = None,
    deadlines: dict[str, int] | None = None,
) -> DailyReport:
    """The 日统计 of `report_date` for every unit (default: the 49 双公示 units, plus any other unit found
    in that day's data) and every dataset it reports (or sent that day); units with nothing that day get zeros
    and null rates. `deadline_workdays` is N of 双公示 (CREDIT_DEADLINE_WORKDAYS); `deadlines` N per dataset
    where it differs (default: each dataset folder's own, docs/standard.md §8)."""
    day = report_date
    n = deadline_workdays
    n_of = {ds.id: ds.deadline_workdays(_Days(n)) for ds in datasets().values()} | (deadlines or {})
    calendar.check_covered(day)  # a year nobody covered fails here, with the message saying what to do
    codes, open_ended = _unit_codes(units)
    wanted = set(codes)
    dataset_ids = list(datasets())
    counted = set(dataset_ids)
    cells: dict[tuple[str, str], Counts] = defaultdict(Counts)

    def cell(unit: str, dataset: str) -> Counts | None:
        if dataset not in counted:  # an evidence sheet of the plan's duties is no statistic
            return None
        if unit not in wanted:
            if not open_ended:
                return None
            wanted.add(unit)
            codes.append(unit)
        return cells[(unit, dataset)]

    # received, invalid, late: records first received on D with their first version's verdict. SQL counts
    # them per unit, dataset and decision date (a Python loop over a million rows dominated the statistics),
    # the invalid ones apart (few, found through the status index: joining every record to its version would
    # read every version's JSON page); lateness is computed once per distinct decision date. A version's JSON
    # is read only for the few records without a decision date column value. Groups are taken in the order
    # of their first record, so units outside the registry are listed in the order they were first received.
    first_version = and_(RecordVersion.record_id == Record.id, RecordVersion.version == 1)
    on_day = and_(Record.first_received == day, Record.decision_date.is_not(None))
    by_date = (Record.unit, Record.dataset, Record.decision_date)
    invalid_by: dict[tuple, int] = {
        (unit, ds, date): count
        for unit, ds, date, count in session.execute(
            select(*by_date, func.count())
            .join(RecordVersion, first_version)
            .where(on_day, RecordVersion.status == "invalid")
            .group_by(*by_date)
        )
    }
    groups = [
        (rid, unit, ds, date, None, count, invalid_by.get((unit, ds, date), 0))
        for rid, unit, ds, date, count in session.execute(
            select(func.min(Record.id), *by_date, func.count()).where(on_day).group_by(*by_date)
        )
    ]
    undated = (
        select(Record.id, *by_date, RecordVersion.data, RecordVersion.status)
        .join(RecordVersion, first_version, isouter=True)
        .where(Record.first_received == day, Record.decision_date.is_(None))
    )
    for rid, unit, ds, date, data, status in session.execute(undated):
        groups.append((rid, unit, ds, date, data, 1, int(status == "invalid")))
    groups.sort(key=lambda g: g[0])
    late_by_date: dict[dt.date | None, bool] = {}
    for _, unit, dataset, decision_date, data, count, invalid in groups:
        c = cell(unit, dataset)
        if c is None:
            continue
        decision = _decision_date(decision_date, data)
        days = n_of.get(dataset)
        if days is None:  # a dataset without a deadline has no 迟报
            late = False
        elif (late := late_by_date.get((decision, days))) is None:
            late = late_by_date[(decision, days)] = _is_late(calendar, decision, day, days)
        c.received += count
        c.invalid += invalid
        c.late += count if late else 0
        c.invalid_or_late += count if late else invalid

    # corrections: versions after the first received on D
    corrections = (
        select(Record.unit, Record.dataset, func.count())
        .select_from(RecordVersion)
        .join(Record, Record.id == RecordVersion.record_id)
        .where(RecordVersion.version > 1, RecordVersion.received_date == day)
        .group_by(Record.unit, Record.dataset)
    )
    for unit, dataset, count in session.execute(corrections):
        if (c := cell(unit, dataset)) is not None:
            c.corrections += count

    # pushed, accepted (duplicate included: the platform holds the record), rejected
    pushes = (
        select(Batch.unit, Batch.dataset, BatchItem.status, func.count())
        .select_from(BatchItem)
        .join(Batch, Batch.batch_id == BatchItem.batch_id)
        .where(Batch.report_date == day)
        .group_by(Batch.unit, Batch.dataset, BatchItem.status)
    )
    for unit, dataset, status, count in session.execute(pushes):
        if (c := cell(unit, dataset)) is None:
            continue
        c.pushed += count
        if status in ("accepted", "duplicate"):
            c.accepted += count
        elif status == "rejected":
            c.rejected += count

    # Records known by D (document numbers), for missing and for the suspected gaps. A record received before
    # the previous year cannot answer a decision due now, nor belong to a series still being watched.
    horizon = dt.date(day.year - 1, 1, 1)
    received_docs: dict[tuple[str, str], set[str]] = defaultdict(set)
    docs = session.connection().execute(  # Core, fetched in parts: no million-row ORM result buffered
        select(Record.unit, Record.dataset, Record.decision_doc_no).where(
            Record.first_received <= day, Record.first_received >= horizon
        )
    )
    for part in docs.partitions(10_000):
        for unit, dataset, doc_no in part:
            if doc_no:
                received_docs[(unit, dataset)].add(_doc_key(doc_no))

    # missing: reference decisions due on D (a deadline left empty by a calendar gap is computed here)
    due = select(ReferenceDecision).where(
        or_(
            ReferenceDecision.deadline == day,
            and_(
                ReferenceDecision.deadline.is_(None),
                ReferenceDecision.decision_date < day,
                ReferenceDecision.decision_date >= day - dt.timedelta(days=7 * max(n, *n_of.values()) + 30),
            ),
        )
    )
    for ref in session.execute(due).scalars():
        try:
            deadline = ref.deadline or calendar.deadline(ref.decision_date, n_of.get(ref.dataset) or n)
        except CalendarGap:  # counting on needs a year not yet covered: the deadline lies after D
            continue
        if deadline != day:
            continue
        if doc_no_key(ref.decision_doc_no) in received_docs.get((ref.unit, ref.dataset), ()):
            continue
        if (c := cell(ref.unit, ref.dataset)) is not None:
            c.missing += 1

    gaps = _suspected_gaps(session, day, received_docs, doc_series)

    rows: list[UnitStat] = []
    registry = all_units()
    for unit in codes:
        for dataset in dataset_ids:
            if (unit, dataset) not in cells and not _reports(registry.get(unit), datasets()[dataset]):
                continue
            listed, total = gaps.get((unit, dataset), ([], 0))
            counts = cells.get((unit, dataset), Counts())
            rows.append(UnitStat(unit, dataset, counts, listed, total, n_of.get(dataset)))
    return DailyReport(day, n, rows)


@dataclass(frozen=True)
class _Days:
    """The settings a dataset's deadline may name (`deadline_workdays`), as compute_daily was given them."""

    deadline_workdays: int


def _reports(unit: Unit | None, ds) -> bool:
    """Whether the unit reports the dataset (a unit outside the registry: 双公示 only)."""
    return ds.shuanggongshi if unit is None else ds.reporters.includes(unit)
