"""The daily pipeline end to end on Prefect's test harness: generated files for a few units, the sandbox
receiver over HTTP on loopback, and the store on SQLite (and PostgreSQL where it runs)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import func, select

DAY = dt.date(2026, 11, 26)
UNITS = ["scjgj", "zjj", "leicheng"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def platform(monkeypatch):
    from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox

    sandbox = start_sandbox(app_key=DEMO_APP_KEY, app_secret=DEMO_APP_SECRET)
    monkeypatch.setenv("CREDIT_PLATFORM_URL", sandbox.url)
    monkeypatch.setenv("CREDIT_PLATFORM_APP_KEY", DEMO_APP_KEY)
    monkeypatch.setenv("CREDIT_PLATFORM_APP_SECRET", DEMO_APP_SECRET)
    yield sandbox
    sandbox.stop()


def _valid_versions(settings) -> int:
    from credit.store import RecordVersion, session_scope

    with session_scope(settings.database_url) as s:
        return s.exec(
            select(func.count()).select_from(RecordVersion).where(RecordVersion.status == "valid")
        ).one()


def _run_day(settings, platform, units=UNITS):
    from flows.daily import daily_pipeline
    from samples.generator import generate_day

    generated = generate_day(settings.home, DAY, units=units, seed=11, defect_rate=0.25)
    state = daily_pipeline(report_date=DAY, units=units, return_state=True)
    assert state.is_completed(), state.message
    return generated, state.result()


def _check_day(settings, platform, generated, result):
    manifest = json.loads(
        (settings.home / "generated" / f"{DAY.isoformat()}.json").read_text(encoding="utf-8")
    )
    # Statistics count records (business keys): the two rows of a DUP-1 pair are one invalid record.
    planted_invalid = len({r["business_key"] for f in manifest["files"] for r in f["rows"] if not r["valid"]})
    stats = json.loads((settings.out / "daily" / DAY.isoformat() / "stats.json").read_text(encoding="utf-8"))
    assert stats["date"] == DAY.isoformat() and stats["deadline_workdays"] == 3
    ours = [u for u in stats["units"] if u["unit"] in UNITS]
    assert sum(u["invalid"] for u in ours) == planted_invalid
    assert sum(u["received"] for u in ours) == stats["total"]["received"]
    # Every valid record version reached the platform exactly once.
    assert platform.state()["accepted_total"] == _valid_versions(settings)
    feedback = list((settings.out / "feedback" / DAY.isoformat()).glob("*_问题数据_*.xlsx"))
    units_with_invalid = {f["unit"] for f in manifest["files"] if any(not r["valid"] for r in f["rows"])}
    assert {p.name.split("_")[0] for p in feedback} == units_with_invalid


def test_daily_pipeline_end_to_end_and_rerun_sends_nothing(harness, settings, platform):
    generated, result = _run_day(settings, platform)
    _check_day(settings, platform, generated, result)
    first = json.loads((settings.out / "daily" / DAY.isoformat() / "stats.json").read_text(encoding="utf-8"))
    accepted = platform.state()["accepted_total"]

    from flows.daily import daily_pipeline

    state = daily_pipeline(report_date=DAY, units=UNITS, return_state=True)
    assert state.is_completed()
    assert platform.state()["accepted_total"] == accepted  # a rerun of the day sends nothing new
    again = json.loads((settings.out / "daily" / DAY.isoformat() / "stats.json").read_text(encoding="utf-8"))
    assert again == first  # and recomputes the same numbers
    assert all(u["collect"]["new_versions"] == 0 for u in state.result()["units"].values())


def test_unknown_unit_fails_the_run_clearly(harness, settings):
    from flows.daily import daily_pipeline

    state = daily_pipeline(report_date=DAY, units=["nope"], return_state=True)
    assert state.is_failed()
    with pytest.raises(ValueError, match="未知单位代码"):
        state.result()


def test_no_platform_configured_keeps_records_queued(harness, settings):
    from credit.store import RecordVersion, session_scope
    from flows.daily import daily_pipeline
    from samples.generator import generate_day

    generate_day(settings.home, DAY, units=["zjj"], seed=3, defect_rate=0.0)
    state = daily_pipeline(report_date=DAY, units=["zjj"], return_state=True)
    assert state.is_completed()
    with session_scope(settings.database_url) as s:
        states = set(s.exec(select(RecordVersion.push_state)).all())
    assert states == {"queued"}


@pytest.mark.postgres
def test_daily_pipeline_with_the_store_on_postgresql(harness, pg_settings, platform):
    _run_day(pg_settings, platform, units=["scjgj"])
    assert platform.state()["accepted_total"] == _valid_versions(pg_settings) > 0


def test_platform_down_for_a_run_then_push_retry_delivers_once(harness, settings, platform, monkeypatch):
    from credit.store import RecordVersion, session_scope
    from flows.daily import daily_pipeline
    from flows.push_retry import push_retry
    from samples.generator import generate_day

    monkeypatch.setenv("CREDIT_PLATFORM_MAX_ATTEMPTS", "2")
    generate_day(settings.home, DAY, units=["zjj", "leicheng"], seed=5, defect_rate=0.1)
    platform.set_faults(fail_5xx=10_000)
    state = daily_pipeline(report_date=DAY, units=["zjj", "leicheng"], return_state=True)
    assert state.is_completed()  # an outage is not a failed day: records wait, the alert says so
    assert platform.state()["accepted_total"] == 0
    with session_scope(settings.database_url) as s:
        waiting = s.exec(
            select(func.count()).select_from(RecordVersion).where(RecordVersion.push_state != "none")
        ).one()
    assert waiting == _valid_versions(settings) > 0

    platform.set_faults(clear=True)
    assert push_retry(return_state=True).is_completed()
    assert platform.state()["accepted_total"] == _valid_versions(settings)
    assert push_retry(return_state=True).is_completed()  # nothing left: nothing sent twice
    assert platform.state()["accepted_total"] == _valid_versions(settings)


def test_backfill_validates_units_in_parallel_on_dask(harness, settings, platform):
    from flows.backfill import backfill
    from samples.generator import generate_days

    # Three days of files land at once (a backlog), then are loaded as one report date.
    generate_days(settings.home, DAY - dt.timedelta(days=2), DAY, units=["zjj", "leicheng"], seed=9)
    state = backfill(
        report_date=DAY, units=["zjj", "leicheng"], stats_from=DAY - dt.timedelta(days=2), return_state=True
    )
    assert state.is_completed(), state.message
    result = state.result()
    assert set(result["stats"]) == {(DAY - dt.timedelta(days=n)).isoformat() for n in range(3)}
    assert sum(v["checked"] for v in result["validate"].values() if v) > 0
    # A backlog holds corrections of its own records: only the newest valid version of each is sent.
    from credit.store import RecordVersion, session_scope

    with session_scope(settings.database_url) as s:
        states = s.exec(select(RecordVersion.push_state).where(RecordVersion.status == "valid")).all()
    assert set(states) <= {"accepted", "superseded"} and "superseded" in states
    assert platform.state()["accepted_total"] == states.count("accepted")
