"""The daily job's steps as plain functions over the store: what Prefect tasks wrap, one call per unit.

Every step reads its input from the store and writes its output there, so any step can be rerun alone
(a UI retry, a custom run of an old date) and reach the same state.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlmodel import func, select

from credit.settings import Settings
from credit.standard import dataset as get_dataset
from credit.store import Record, RecordVersion, Submission, UnitRow, session_scope
from credit.units import all_units
from credit.workdays import WorkCalendar

log = logging.getLogger(__name__)


def calendar(settings: Settings) -> WorkCalendar:
    return WorkCalendar(settings.calendar_override)


def sync_units(settings: Settings) -> int:
    """Load the registry into the store (insert new units, update changed names)."""
    with session_scope(settings.database_url) as session:
        known = {u.code: u for u in session.exec(select(UnitRow))}
        for u in all_units().values():
            row = known.get(u.code) or UnitRow(code=u.code)
            row.name, row.short_name, row.kind = u.name, u.short_name, u.kind
            row.shuanggongshi, row.uscc = u.shuanggongshi, u.uscc
            session.add(row)
    return len(all_units())


@dataclass
class UnitValidation:
    unit: str
    report_date: dt.date
    checked: int = 0
    valid: int = 0
    invalid: int = 0
    warnings: int = 0
    by_dataset: dict[str, dict[str, int]] = field(default_factory=dict)
    rules: dict[str, int] = field(default_factory=dict)
    docs: list[str] = field(default_factory=list)
    feedback: str | None = None

    def summary(self) -> dict:
        return {
            "unit": self.unit,
            "date": self.report_date.isoformat(),
            "checked": self.checked,
            "valid": self.valid,
            "invalid": self.invalid,
            "warnings": self.warnings,
            "by_dataset": self.by_dataset,
            "rules": self.rules,
            "feedback": self.feedback,
            "data_docs": self.docs,
        }


def validate_unit(settings: Settings, unit: str, report_date: dt.date) -> UnitValidation:
    """Validate one unit's pending record versions (see `validate_units`)."""
    return validate_units(settings, [unit], report_date)[unit]


def validate_units(settings: Settings, units: list[str], report_date: dt.date) -> dict[str, UnitValidation]:
    """Validate the units' pending record versions, store the verdicts and queue the valid ones for delivery.

    Every delivery (a file's sheet) is judged on its own, but all deliveries of a dataset go through one suite
    run: a run costs about the same for 20 rows as for 2,000, and a day has ~100 deliveries.
    """
    from credit.delivery import queue_valid
    from credit.validation import Group, describe_rows, validate_groups

    results = {unit: UnitValidation(unit, report_date) for unit in units}
    with session_scope(settings.database_url) as session:
        groups: dict[tuple, list[RecordVersion]] = defaultdict(list)
        for start in range(0, len(units), 500):
            # SRC-1 is judged against the unit that sent the row: the submission's unit, never the record's
            # (they are the same unit since records are kept per unit; the sender is what SRC-1 is about).
            sender = func.coalesce(Submission.unit, Record.unit)
            stmt = (
                select(RecordVersion, Record.dataset, sender)
                .join(Record, Record.id == RecordVersion.record_id)
                .join(Submission, Submission.id == RecordVersion.submission_id, isouter=True)
                .where(Record.unit.in_(units[start : start + 500]), RecordVersion.status == "pending")
                .order_by(Record.unit, RecordVersion.submission_id, RecordVersion.sheet, RecordVersion.row)
            )
            for version, dataset_id, unit in session.exec(stmt):
                groups[(dataset_id, unit, version.submission_id, version.sheet or "")].append(version)
                results.setdefault(unit, UnitValidation(unit, report_date))
        submission_ids = sorted({k[2] for k in groups if k[2] is not None})
        columns_of: dict[int, dict] = {}
        for start in range(0, len(submission_ids), 500):
            chunk = submission_ids[start : start + 500]
            columns_of.update(
                {
                    s.id: s.columns or {}
                    for s in session.exec(select(Submission).where(Submission.id.in_(chunk)))
                }
            )
        done: list[int] = []
        for dataset_id in sorted({k[0] for k in groups}):
            keys = [k for k in groups if k[0] == dataset_id]
            fields = get_dataset(dataset_id).keys
            batch = []
            for key in keys:
                versions = groups[key]
                index = pd.Index(
                    [v.row if v.row is not None else i for i, v in enumerate(versions)], name="row"
                )
                data = pd.DataFrame([v.data for v in versions], index=index, dtype=object).reindex(
                    columns=fields
                )
                data = data.where(data.notna(), None)
                batch.append(Group(data, key[1]))
            verdicts_list = validate_groups(
                dataset_id,
                batch,
                report_date=report_date,
                severity=settings.rule_severity,
                docs_dir=settings.out / "data_docs",
            )
            for key, group, verdicts in zip(keys, batch, verdicts_list, strict=True):
                _, unit, submission_id, sheet = key
                versions = groups[key]
                result = results[unit]
                if verdicts.docs_index and str(verdicts.docs_index) not in result.docs:
                    result.docs.append(str(verdicts.docs_index))
                raw = pd.DataFrame([v.raw for v in versions], index=group.data.index, dtype=object)
                columns = columns_of.get(submission_id, {}).get(sheet, {})
                details = describe_rows(verdicts, raw, columns)
                counts = result.by_dataset.setdefault(dataset_id, {"checked": 0, "valid": 0, "invalid": 0})
                for row, version in zip(group.data.index, versions, strict=True):
                    detail = details[row]
                    version.status = detail["status"]
                    version.errors = detail["errors"] or None
                    version.warnings = detail["warnings"] or None
                    session.add(version)
                    done.append(version.id)
                    counts["checked"] += 1
                    counts[detail["status"]] += 1
                    result.warnings += bool(detail["warnings"])
                    for issue in detail["errors"] + detail["warnings"]:
                        result.rules[issue["rule"]] = result.rules.get(issue["rule"], 0) + 1
            session.flush()
        queue_valid(session, done)
    for unit, result in results.items():
        result.checked = sum(c["checked"] for c in result.by_dataset.values())
        result.valid = sum(c["valid"] for c in result.by_dataset.values())
        result.invalid = sum(c["invalid"] for c in result.by_dataset.values())
        # Also when nothing was validated: a 撤销清单's unmatched rows go back to the unit the same way.
        result.feedback = write_unit_feedback(settings, unit, report_date)
    return results


def feedback_items(settings: Settings, unit: str, report_date: dt.date) -> list[dict]:
    """What goes back to a unit for a day: rows with broken rules received that day, and platform rejections."""
    from credit.delivery import platform_rejections

    items: list[dict] = []
    with session_scope(settings.database_url) as session:
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
        # The unit's own values as sent (STANDARD.md §7): the workbook goes to this unit only.
        items += platform_rejections(session, unit, report_date, masked=False)
        revocations = select(Submission).where(
            Submission.unit == unit, Submission.received_date == report_date, Submission.problems.is_not(None)
        )
        for sub in session.exec(revocations.order_by(Submission.id)):
            items += sub.problems or []
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


def write_unit_feedback(settings: Settings, unit: str, report_date: dt.date) -> str | None:
    """(Re)write `out/feedback/<date>/<unit>_问题数据_<yyyymmdd>.xlsx` from the store: rows with errors or
    warnings, and files that could not be read; None when nothing is wrong (no error, no unreadable file)."""
    from credit.reports.feedback import write_feedback

    items = feedback_items(settings, unit, report_date)
    quarantined = quarantined_files(settings, unit, report_date)
    if not any(item["errors"] for item in items) and not quarantined:
        return None
    folder = settings.out / "feedback" / report_date.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    return str(write_feedback(folder, unit, report_date, items, quarantined))


def platform_transport(settings: Settings):
    """The configured delivery transport, or None when nothing is configured (records stay queued)."""
    from credit.platform import make_transport

    return make_transport(settings)


def load_references(settings: Settings) -> int:
    from credit.reference_feed import load_reference_feed

    with session_scope(settings.database_url) as session:
        return load_reference_feed(
            session, settings.reference, calendar(settings), settings.deadline_workdays
        )


def daily_statistics(settings: Settings, report_date: dt.date):
    """Compute, store and write the day's statistics; returns (report, paths)."""
    from credit.reports.daily import write_daily
    from credit.stats import compute_daily, save_daily

    with session_scope(settings.database_url) as session:
        report = compute_daily(
            session,
            report_date,
            calendar=calendar(settings),
            deadline_workdays=settings.deadline_workdays,
            doc_series=settings.doc_series_file,
        )
        save_daily(session, report)
    paths = write_daily(report, settings.out)
    return report, paths


def monthly_bulletin(settings: Settings, month: str):
    from credit.reports.bulletin import build_bulletin

    with session_scope(settings.database_url) as session:
        return build_bulletin(session, month, settings.out)


def out_path(settings: Settings, *parts: str) -> Path:
    return settings.out.joinpath(*parts)
