"""The steps' contracts (credit/steps): typed results, data flowing one way, each step rerunnable alone."""

from __future__ import annotations

import datetime as dt
import json

from sqlmodel import select

from credit.settings import load_settings
from credit.steps.collect import collect
from credit.steps.deliver import fill_outbox
from credit.steps.report import monthly_bulletin, unit_feedback
from credit.steps.validate import validate_units
from credit.store import RecordVersion, session_scope
from tests.rows import write_csv, xzcf_row


def test_the_bulletin_is_dated_by_the_calendar_override(home, tmp_path, monkeypatch):
    """1 Dec 2026 (a Tuesday) declared a holiday: the November bulletin is issued on the next working day."""
    override = tmp_path / "calendar.csv"
    override.write_text("date,kind\n2026-12-01,holiday\n", encoding="utf-8")
    monkeypatch.setenv("CREDIT_CALENDAR_OVERRIDE", str(override))
    settings = load_settings()
    settings.ensure_dirs()
    paths = monthly_bulletin(settings, "2026-11")
    assert json.loads(paths.json.read_text(encoding="utf-8"))["issued"] == dt.date(2026, 12, 2).isoformat()


def test_validation_stores_verdicts_only_the_outbox_and_the_workbook_come_after(settings):
    """Data flows one way: validate writes verdicts; the deliver step queues; the report step writes the
    workbook (once, when the push is done)."""
    day = dt.date(2026, 11, 26)
    write_csv(settings.inbox / "scjgj" / "处罚.csv", [xzcf_row(n=1), xzcf_row(n=2, uscc="")])
    assert collect(settings, "scjgj", day).new_versions == 2
    [result] = validate_units(settings, ["scjgj"], day).values()
    assert (result.checked, result.valid, result.invalid) == (2, 1, 1)
    folder = settings.out / "feedback" / day.isoformat()
    with session_scope(settings.database_url) as s:
        assert set(s.exec(select(RecordVersion.push_state)).all()) == {"none"}
    assert not folder.exists()

    assert fill_outbox(settings, ["scjgj"], day).queued == 1
    assert fill_outbox(settings, ["scjgj"], day).queued == 0  # queued once
    with session_scope(settings.database_url) as s:
        states = sorted(s.exec(select(RecordVersion.push_state)).all())
    assert states == ["none", "queued"]  # the invalid version stays out of the outbox
    path = unit_feedback(settings, "scjgj", day)
    assert path is not None and path.parent == folder
