"""Validate step: the store's pending record versions → verdicts in the store. Nothing else: the outbox is the
deliver step's, the feedback workbook the report step's (written once, after the platform's answers)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd
from sqlmodel import Session, func, select

from credit.collect.attachments import attachment_problems
from credit.normalise import DERIVED
from credit.settings import Settings
from credit.standard import dataset as get_dataset
from credit.store import Record, RecordVersion, Submission, session_scope
from credit.validation import Group, describe_rows, validate_groups
from credit.validation.checks.evidence import ATTACHMENT_PROBLEMS

# Units or submissions per IN (...) lookup: under SQLite's bound-parameter limit.
CHUNK = 500

# A delivery: (dataset, sending unit, submission id, sheet); its versions are judged together.
Delivery = tuple[str, str, int | None, str]


@dataclass
class DatasetCounts:
    checked: int = 0
    valid: int = 0
    invalid: int = 0


@dataclass
class UnitValidation:
    """One unit's verdicts of a run."""

    unit: str
    report_date: dt.date
    by_dataset: dict[str, DatasetCounts] = field(default_factory=dict)
    warnings: int = 0  # versions with at least one warning
    rules: dict[str, int] = field(default_factory=dict)  # rule id -> issues (errors and warnings)
    docs: list[str] = field(default_factory=list)  # Data Docs index pages

    @property
    def checked(self) -> int:
        return sum(c.checked for c in self.by_dataset.values())

    @property
    def valid(self) -> int:
        return sum(c.valid for c in self.by_dataset.values())

    @property
    def invalid(self) -> int:
        return sum(c.invalid for c in self.by_dataset.values())

    def summary(self) -> dict:
        """As a task returns it (JSON for the Prefect UI and the flow's result)."""
        return {
            "unit": self.unit,
            "date": self.report_date.isoformat(),
            "checked": self.checked,
            "valid": self.valid,
            "invalid": self.invalid,
            "warnings": self.warnings,
            "by_dataset": {ds: vars(c).copy() for ds, c in self.by_dataset.items()},
            "rules": self.rules,
            "data_docs": self.docs,
        }


def validate_unit(settings: Settings, unit: str, report_date: dt.date) -> UnitValidation:
    """Validate one unit's pending record versions (see `validate_units`)."""
    return validate_units(settings, [unit], report_date)[unit]


def validate_units(settings: Settings, units: list[str], report_date: dt.date) -> dict[str, UnitValidation]:
    """Judge the units' pending record versions and store the verdicts (status, errors, warnings).

    Every delivery (a file's sheet) is judged on its own, but all deliveries of a dataset go through one suite
    run: a run costs about the same for 20 rows as for 2,000, and a day has ~100 deliveries.
    """
    results = {unit: UnitValidation(unit, report_date) for unit in units}
    with session_scope(settings.database_url) as session:
        groups = _pending_deliveries(session, units)
        columns_of = _submission_columns(session, sorted({k[2] for k in groups if k[2] is not None}))
        for dataset_id in sorted({k[0] for k in groups}):
            keys = [k for k in groups if k[0] == dataset_id]
            batch = [
                Group(
                    _with_attachments(
                        session, dataset_id, _frame(groups[key], dataset_id), groups[key], key[1]
                    ),
                    key[1],
                )
                for key in keys
            ]
            verdicts_list = validate_groups(
                dataset_id,
                batch,
                report_date=report_date,
                severity=settings.rule_severity,
                docs_dir=settings.out / "data_docs",
            )
            for key, group, verdicts in zip(keys, batch, verdicts_list, strict=True):
                _, unit, submission_id, sheet = key
                result = results.setdefault(unit, UnitValidation(unit, report_date))
                if verdicts.docs_index and str(verdicts.docs_index) not in result.docs:
                    result.docs.append(str(verdicts.docs_index))
                versions = groups[key]
                raw = pd.DataFrame([v.raw for v in versions], index=group.data.index, dtype=object)
                details = describe_rows(verdicts, raw, columns_of.get(submission_id, {}).get(sheet, {}))
                counts = result.by_dataset.setdefault(dataset_id, DatasetCounts())
                for row, version in zip(group.data.index, versions, strict=True):
                    _store_verdict(session, version, details[row], counts, result)
            session.flush()
    return results


def _pending_deliveries(session: Session, units: list[str]) -> dict[Delivery, list[RecordVersion]]:
    """The units' pending versions by delivery, in the order the unit sent them."""
    groups: dict[Delivery, list[RecordVersion]] = defaultdict(list)
    # SRC-1 is judged against the unit that sent the row: the submission's unit, never the record's (they are
    # the same unit since records are kept per unit; the sender is what SRC-1 is about).
    sender = func.coalesce(Submission.unit, Record.unit)
    for start in range(0, len(units), CHUNK):
        stmt = (
            select(RecordVersion, Record.dataset, sender)
            .join(Record, Record.id == RecordVersion.record_id)
            .join(Submission, Submission.id == RecordVersion.submission_id, isouter=True)
            .where(Record.unit.in_(units[start : start + CHUNK]), RecordVersion.status == "pending")
            .order_by(Record.unit, RecordVersion.submission_id, RecordVersion.sheet, RecordVersion.row)
        )
        for version, dataset_id, unit in session.exec(stmt):
            groups[(dataset_id, unit, version.submission_id, version.sheet or "")].append(version)
    return groups


def _submission_columns(session: Session, submission_ids: list[int]) -> dict[int, dict]:
    """Each submission's headers as the unit wrote them (sheet -> {field key: header})."""
    columns_of: dict[int, dict] = {}
    for start in range(0, len(submission_ids), CHUNK):
        chunk = submission_ids[start : start + CHUNK]
        stmt = select(Submission).where(Submission.id.in_(chunk))
        columns_of.update({s.id: s.columns or {} for s in session.exec(stmt)})
    return columns_of


def _frame(versions: list[RecordVersion], dataset_id: str) -> pd.DataFrame:
    """A delivery's normalised values, one row per version indexed by its spreadsheet row (with the reader's
    `derived` marks, DRV-1)."""
    index = pd.Index([v.row if v.row is not None else i for i, v in enumerate(versions)], name="row")
    data = pd.DataFrame([v.data for v in versions], index=index, dtype=object)
    data = data.reindex(columns=[*get_dataset(dataset_id).keys, DERIVED])
    return data.where(data.notna(), None)


def _with_attachments(
    session: Session, dataset_id: str, frame: pd.DataFrame, versions: list[RecordVersion], unit: str
) -> pd.DataFrame:
    """An evidence sheet's rows with what is wrong with the attachments they cite (the context column of
    EVD-4): the store knows which files the unit delivered, the suite does not."""
    ds = get_dataset(dataset_id)
    if not (ds.is_evidence and ds.has("attachments")):
        return frame
    cells = [(v.data.get("attachments"), v.received_date) for v in versions]
    frame[ATTACHMENT_PROBLEMS] = attachment_problems(session, unit, cells)
    return frame


def _store_verdict(
    session: Session, version: RecordVersion, detail: dict, counts: DatasetCounts, result: UnitValidation
) -> None:
    version.status = detail["status"]
    version.errors = detail["errors"] or None
    version.warnings = detail["warnings"] or None
    session.add(version)
    counts.checked += 1
    setattr(counts, detail["status"], getattr(counts, detail["status"]) + 1)
    result.warnings += bool(detail["warnings"])
    for issue in detail["errors"] + detail["warnings"]:
        result.rules[issue["rule"]] = result.rules.get(issue["rule"], 0) + 1
