"""The hostile platform against the real Prefect flows (daily-pipeline, push-retry) on Prefect's test harness:
a platform rejection of a CSV row comes back to its unit and the units after it are still pushed; a redirect
raises the credit.push.failed event, rejects nothing, and push-retry settles the batch later."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook
from prefect.testing.fixtures import asserting_events_worker  # noqa: F401 - Prefect's event-capturing fixture
from sqlmodel import select

from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox
from credit.standard import DATASET_NAMES, dataset
from tests.reliability.hostile_platform import HostilePlatform, Mode
from tests.rows import xzcf_row
from tests.test_delivery import DAY

pytestmark = [pytest.mark.slow, pytest.mark.reliability]

DOC_NO = dataset("xzcf").field("decision_doc_no")
HEADERS = [f.header for f in dataset("xzcf").fields]


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def platform(monkeypatch):
    sandbox = start_sandbox(app_key=DEMO_APP_KEY, app_secret=DEMO_APP_SECRET)
    hostile = HostilePlatform(sandbox.url)
    monkeypatch.setenv("CREDIT_PLATFORM_URL", hostile.url)
    monkeypatch.setenv("CREDIT_PLATFORM_APP_KEY", DEMO_APP_KEY)
    monkeypatch.setenv("CREDIT_PLATFORM_APP_SECRET", DEMO_APP_SECRET)
    yield sandbox, hostile
    hostile.stop()
    sandbox.stop()


def deliver(settings) -> None:
    """scjgj sends a CSV file of three rows, zjj an xlsx file of two."""
    from openpyxl import Workbook

    folder = settings.inbox / "scjgj"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "处罚.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADERS)
        writer.writeheader()
        writer.writerows(xzcf_row("scjgj", n) for n in (1, 2, 3))
    wb = Workbook()
    wb.active.append(HEADERS)
    for n in (1, 2):
        row = xzcf_row("zjj", n, decision_doc_no=f"雷住建罚〔2026〕{n}号")
        wb.active.append([row.get(h) for h in HEADERS])
    (settings.inbox / "zjj").mkdir(parents=True, exist_ok=True)
    wb.save(settings.inbox / "zjj" / "处罚.xlsx")


def push_states(settings) -> dict[str, dict[str, int]]:
    from credit.store import Record, RecordVersion, session_scope

    out: dict[str, dict[str, int]] = {}
    with session_scope(settings.database_url) as s:
        for unit, state in s.exec(
            select(Record.unit, RecordVersion.push_state).join(Record, Record.id == RecordVersion.record_id)
        ):
            out.setdefault(unit, {}).setdefault(state, 0)
            out[unit][state] += 1
    return out


def test_a_rejected_csv_row_is_fed_back_and_the_next_units_are_pushed(harness, settings, platform):
    from flows.daily import daily_pipeline

    _, hostile = platform
    deliver(settings)
    message = "决定书文号与平台已有记录冲突"

    def reject(record):
        if record["data"].get(DOC_NO.code) == "雷市监罚〔2026〕2号":
            return [{"field": DOC_NO.code, "message": message}]
        return None

    hostile.set("POST", Mode("reject", reject=reject))
    state = daily_pipeline(report_date=DAY, units=["scjgj", "zjj"], return_state=True)
    assert state.is_completed(), state.message
    units = state.result()["units"]
    assert (units["scjgj"]["push"]["accepted"], units["scjgj"]["push"]["rejected"]) == (2, 1)
    assert units["zjj"]["push"]["accepted"] == 2  # pushed after scjgj's rejection
    assert push_states(settings) == {"scjgj": {"accepted": 2, "rejected": 1}, "zjj": {"accepted": 2}}
    [path] = (settings.out / "feedback" / DAY.isoformat()).glob("scjgj_问题数据_*.xlsx")
    ws = load_workbook(path)[DATASET_NAMES["xzcf"]]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    assert [(r["原文件"], r["行号"], r[DOC_NO.header]) for r in rows] == [
        ("处罚.csv", 3, "雷市监罚〔2026〕2号")
    ]
    assert f"信用湛江平台拒收：{message}" in rows[0]["问题说明"]


def test_a_redirect_alerts_rejects_nothing_and_push_retry_settles_it(
    harness,
    settings,
    platform,
    asserting_events_worker,  # noqa: F811
):
    from flows.daily import daily_pipeline
    from flows.push_retry import push_retry

    sandbox, hostile = platform
    deliver(settings)
    hostile.set("POST", Mode("redirect", status=302, location="https://elsewhere.example/login"))
    state = daily_pipeline(report_date=DAY, units=["scjgj", "zjj"], return_state=True)
    assert state.is_completed(), state.message  # the platform misbehaving is not a failed day
    assert push_states(settings) == {"scjgj": {"batched": 3}, "zjj": {"queued": 2}}  # nothing rejected
    asserting_events_worker.drain()
    alerts = [e for e in asserting_events_worker._client.events if e.event == "credit.push.failed"]
    assert [a.resource.id for a in alerts] == [f"credit.day.{DAY.isoformat()}.push"]  # one digest per run
    payload = alerts[0].payload
    assert payload["total"] == 5 and payload["by_unit"] == {"scjgj": {"xzcf": 3}, "zjj": {"xzcf": 2}}
    assert (
        payload["lines"][0].startswith("原因：平台返回重定向")
        and "CREDIT_PLATFORM_URL" in payload["lines"][-1]
    )
    assert sandbox.state()["accepted_total"] == 0

    hostile.clear()
    retry = push_retry(return_state=True)
    assert retry.is_completed(), retry.message
    assert push_states(settings) == {"scjgj": {"accepted": 3}, "zjj": {"accepted": 2}}
    assert set(sandbox.accepted_counts().values()) == {1} and sandbox.state()["accepted_total"] == 5
