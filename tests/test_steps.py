"""The steps' contracts (credit/steps): typed results, data flowing one way, each step rerunnable alone."""

from __future__ import annotations

import datetime as dt
import json

from credit.settings import load_settings
from credit.steps.report import monthly_bulletin


def test_the_bulletin_is_dated_by_the_calendar_override(home, tmp_path, monkeypatch):
    """1 Dec 2026 (a Tuesday) declared a holiday: the November bulletin is issued on the next working day."""
    override = tmp_path / "calendar.csv"
    override.write_text("date,kind\n2026-12-01,holiday\n", encoding="utf-8")
    monkeypatch.setenv("CREDIT_CALENDAR_OVERRIDE", str(override))
    settings = load_settings()
    settings.ensure_dirs()
    paths = monthly_bulletin(settings, "2026-11")
    assert json.loads(paths.json.read_text(encoding="utf-8"))["issued"] == dt.date(2026, 12, 2).isoformat()
