"""Report step: what people read, from the store once the platform's answers are in. Each unit's
问题数据 workbook (its broken rules, the rows the platform rejected, the 撤销清单 rows that could not be applied,
its unreadable files), written once per run after the push; the 月通报."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlmodel import Session, func, select

from credit.delivery import platform_rejections
from credit.reports.bulletin import BulletinPaths, build_bulletin
from credit.reports.feedback import write_feedback
from credit.settings import Settings
from credit.store import Record, RecordVersion, Submission, session_scope
from credit.workdays import WorkCalendar


def unit_feedback(settings: Settings, unit: str, report_date: dt.date) -> Path | None:
    """(Re)write `out/feedback/<date>/<unit>_问题数据_<yyyymmdd>.xlsx` from the store; None when nothing is
    wrong (no error, no rejection, no unapplied withdrawal, no unreadable file)."""
    items = feedback_items(settings, unit, report_date)
    unreadable = quarantined_files(settings, unit, report_date)
    if not any(item["errors"] for item in items) and not unreadable:
        return None
    folder = settings.out / "feedback" / report_date.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    return write_feedback(folder, unit, report_date, items, unreadable)


def units_feedback(settings: Settings, units: list[str], report_date: dt.date) -> dict[str, Path | None]:
    """Each unit's workbook (see `unit_feedback`)."""
    return {unit: unit_feedback(settings, unit, report_date) for unit in units}


def feedback_items(settings: Settings, unit: str, report_date: dt.date) -> list[dict]:
    """What goes back to a unit for a day, in the workbook's item shape: rows received that day with broken
    rules, the platform's rejections of batches settled that day, and the unapplied rows of its 撤销清单."""
    with session_scope(settings.database_url) as session:
        items = _verdict_items(session, unit, report_date)
        # The unit's own values as sent (docs/standard.md §7): the workbook goes to this unit only.
        items += platform_rejections(session, unit, report_date, masked=False)
        withdrawals = select(Submission).where(
            Submission.unit == unit, Submission.received_date == report_date, Submission.problems.is_not(None)
        )
        for sub in session.exec(withdrawals.order_by(Submission.id)):
            items += sub.problems or []
    return items


def _verdict_items(session: Session, unit: str, report_date: dt.date) -> list[dict]:
    stmt = (
        select(RecordVersion, Record.dataset, Submission)
        .join(Record, Record.id == RecordVersion.record_id)
        .join(Submission, Submission.id == RecordVersion.submission_id, isouter=True)
        .where(
            func.coalesce(Submission.unit, Record.unit) == unit,  # routed to the sender
            RecordVersion.received_date == report_date,
            RecordVersion.status.in_(["invalid", "valid"]),
        )
        .order_by(RecordVersion.submission_id, RecordVersion.sheet, RecordVersion.row)
    )
    items = []
    for version, dataset_id, sub in session.exec(stmt):
        if not version.errors and not version.warnings:
            continue
        columns = ((sub.columns or {}) if sub else {}).get(version.sheet or "", {})
        items.append(
            {
                "dataset": dataset_id,
                "file_name": sub.file_name if sub else "",
                "sheet": version.sheet,
                "row": version.row,
                "columns": columns,
                "raw": version.raw,
                "errors": version.errors or [],
                "warnings": version.warnings or [],
            }
        )
    return items


def quarantined_files(settings: Settings, unit: str, report_date: dt.date) -> list[dict]:
    """The unit's files of the day that could not be read: `{"file_name","received_at","reason"}` (reason
    "中文 / English" as stored), oldest first."""
    with session_scope(settings.database_url) as session:
        stmt = (
            select(Submission)
            .where(
                Submission.unit == unit,
                Submission.received_date == report_date,
                Submission.outcome == "quarantined",
            )
            .order_by(Submission.received_at, Submission.id)
        )
        return [
            {"file_name": s.file_name, "received_at": s.received_at, "reason": s.reason}
            for s in session.exec(stmt)
        ]


def monthly_bulletin(settings: Settings, month: str) -> BulletinPaths:
    """The 月通报 of a month (docx, pdf, charts, json, 附件2), dated by the working-day calendar the settings
    give (CREDIT_CALENDAR_OVERRIDE included)."""
    calendar = WorkCalendar(settings.calendar_override)
    with session_scope(settings.database_url) as session:
        # The duties' deliveries are read through this session, as of the issue date (build_bulletin).
        return build_bulletin(
            session, month, settings.out, calendar=calendar, counted=settings.three_zero_datasets
        )
