"""Collect, from a unit's configured SQL sources (credit.sql_sources): each read into the store like a
delivered file; a read whose data was already collected stores nothing.

A source that names its dataset (`dataset = "djzc"`, the query from the dataset folder) is read with the
report date bound and mapped by field key; any other source's dataset is recognised from its column names.
Both then take the path of a file: read_frame (the readers' mapping, limits and normalisation), a Submission
with source "sql" owned by the unit, store_sheet (a repeat stores nothing, a changed row is a correction).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlmodel import select

from credit.collect.inbox import UnitCollect
from credit.collect.outcomes import Arrival, FileOutcome, add_submission
from credit.collect.records import store_sheet
from credit.readers import UnreadableFile, read_frame
from credit.settings import Settings
from credit.sql_sources import MAX_ROWS, load_sources, read_source, unconfigured_notes
from credit.store import Submission, session_scope


def collect_sql(settings: Settings, unit: str, report_date: dt.date) -> UnitCollect:
    """Read a unit's configured SQL sources (credit.sql_sources) into the store like a delivered file; the
    result's notes name the datasets of this unit read from a database that no source configures."""
    result = UnitCollect(unit, report_date)
    sources = load_sources(settings)
    result.notes += unconfigured_notes(settings, unit, sources)
    for source in (s for s in sources if s.unit == unit):
        frame = read_source(source, report_date, max_rows=MAX_ROWS)
        sha = hashlib.sha256(frame.to_csv(index=False).encode("utf-8")).hexdigest()
        name = source.label
        with session_scope(settings.database_url) as session:
            known = session.exec(
                select(Submission).where(Submission.unit == unit, Submission.sha256 == sha)
            ).first()
            if known is not None:
                result.files.append(FileOutcome(name, "duplicate", "数据与上次读取相同", known.id))
                continue
            try:
                sheet = read_frame(frame, source=name, max_rows=MAX_ROWS, dataset=source.dataset)
            except UnreadableFile as exc:
                result.files.append(FileOutcome(name, "quarantined", exc.reason_zh))
                continue
            sub = add_submission(
                session,
                Arrival(unit, name, sha, report_date),
                source="sql",
                outcome="collected",
                datasets=sheet.dataset,
                rows=len(sheet.data),
                columns={"": sheet.columns},
            )
            ids, repeats = store_sheet(session, sub, sheet, report_date)
            sub.new_versions, sub.repeats = len(ids), repeats
            result.files.append(
                FileOutcome(name, "collected", None, sub.id, [sheet.dataset], sub.rows, len(ids), repeats)
            )
    return result
