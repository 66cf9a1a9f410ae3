"""The plan's duties on a real Prefect server, over a generated month (samples.duties_month): evidence delivered
day by day and collected by the `daily` deployment (on time, late, not at all, one with an unsafe attachment),
then the `duties` deployment's reminders and escalations (the office's digest through the automation, a unit's
own robot), the `monthly` deployment's section 重点工作任务落实情况 and `credit duties --month`'s workbook, each
held against the generator's manifest."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from credit.duties import reminders
from credit.duties.plan import plan_for
from credit.duties.rules import load_duties
from credit.duties.status import LABELS
from credit.units import all_units
from credit.workdays import WorkCalendar
from samples.duties_month import deliver, generate_duties_month
from tests.harness import PROJECT, Webhook, server_stack, wait_for

pytestmark = [pytest.mark.server, pytest.mark.slow]

MONTH = "2026-10"
SEED = 11
FIRST_ESCALATION = dt.date(
    2026, 10, 14
)  # the 1st working day after 13 October, September's reports' due date
SECOND_ESCALATION = dt.date(2026, 10, 20)  # the 5th
AS_OF = dt.date(2026, 11, 2)  # every delivery of the month is in


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    root = tmp_path_factory.mktemp("duties-server")
    robot = Webhook()
    try:
        with server_stack(root) as stack:
            generated = generate_duties_month(MONTH, root / "generated", seed=SEED)
            home = stack["home"]
            for day in sorted(generated.days):
                deliver(generated, day, home / "inbox")
                units = sorted({unit for unit, _ in generated.days[day]})
                run = _run(
                    "daily-pipeline/daily", {"report_date": day.isoformat(), "units": units, "push": False}
                )
                assert run.state.is_completed(), stack["worker"].tail()
            yield {**stack, "generated": generated, "robot": robot}
    finally:
        robot.stop()


def _run(name: str, parameters: dict, timeout: float = 300):
    from prefect.deployments import run_deployment

    return run_deployment(name, parameters=parameters, timeout=timeout)


def _entries(month) -> list[dict]:
    return month["generated"].manifest["obligations"]


def _delivered(month) -> dict[tuple[str, str, str], dt.date]:
    """What the manifest says was delivered (the unsafe one was sent, and must not count)."""
    return {
        (e["unit"], e["duty"], e["period"]): dt.date.fromisoformat(e["day"])
        for e in _entries(month)
        if e["fate"] in ("on_time", "late")
    }


def _expected_notices(month, day: dt.date) -> list[reminders.Notice]:
    cal = WorkCalendar()
    by_year = {y: load_duties(plan_for(y)) for y in (day.year - 1, day.year)}
    obligations = reminders.relevant(by_year, day, cal)
    return reminders.notices(obligations, day, cal, _delivered(month))


def _office_digests(month, day: dt.date) -> list[str]:
    texts = [m.get("text", {}).get("content", "") for m in month["webhook"].received]
    return [t for t in texts if t.startswith(f"【双公示】{day.isoformat()} 重点工作任务提醒")]


def test_the_months_evidence_is_settled_as_the_manifest_says(month):
    """Every obligation due in the month, in `credit duties --month --json` and in its workbook, has the
    status the manifest expects: the late ones late, the missing ones and the unsafe one missing."""
    env = {**os.environ, "CREDIT_HOME": str(month["home"])}
    out = subprocess.run(
        [
            str(PROJECT / ".venv/bin/credit"),
            "duties",
            "--month",
            MONTH,
            "--json",
            "--today",
            AS_OF.isoformat(),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    got = {(o["unit"], o["duty"], o["period"]): o["status"] for o in json.loads(out.stdout)["obligations"]}
    names = {d.id: d.name for d in load_duties(plan_for(2026))}  # the JSON names a duty in Chinese
    expected = {(e["unit"], names[e["duty"]], e["period"]): e["expected"] for e in _entries(month)}
    assert got == expected
    assert Counter(expected.values()) == Counter({"delivered": 94, "late": 21, "missing": 22})

    [unsafe] = [e for e in _entries(month) if e["fate"] == "unsafe"]
    assert got[(unsafe["unit"], names[unsafe["duty"]], unsafe["period"])] == "missing"
    quarantined = list((month["home"] / "quarantine" / unsafe["unit"]).rglob("*"))
    assert any(Path(unsafe["unsafe"]).stem in p.name for p in quarantined), quarantined

    workbook = month["home"] / "out" / "duties" / MONTH / f"重点工作任务_{MONTH.replace('-', '')}.xlsx"
    sheet = load_workbook(workbook, read_only=True).worksheets[0]
    rows = [[str(c) if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if "状态" in r)
    col = rows[header].index("状态")
    counts = Counter(r[col] for r in rows[header + 1 :] if r[col])
    assert counts == Counter({LABELS[s]: n for s, n in Counter(expected.values()).items()})


def test_reminders_and_escalations_follow_what_arrived(month):
    """On the 1st and the 5th working day after a due date the office's digest escalates what has not
    arrived by then — a late delivery in between drops out — and a unit with its own robot hears its own."""
    units = all_units()
    first = _expected_notices(month, FIRST_ESCALATION)
    second = _expected_notices(month, SECOND_ESCALATION)
    escalated_first = {n.obligation.key for n in first if n.kind == "escalate"}
    escalated_second = {n.obligation.key for n in second if n.kind == "escalate"}
    late = {k for k, day in _delivered(month).items() if FIRST_ESCALATION < day <= SECOND_ESCALATION}
    assert escalated_first and late & escalated_first  # the month has what this test is about

    # Two units with their own robot: one escalated on the first day, one reminded (or else escalated).
    by_unit = Counter((n.obligation.unit, n.kind) for n in first)
    escalated_unit = next(u for (u, kind) in by_unit if kind == "escalate")
    reminded_unit = next((u for (u, kind) in by_unit if kind == "remind" and u != escalated_unit), None)
    robot_units = [u for u in (escalated_unit, reminded_unit) if u]
    config = month["home"] / "config" / "unit_robots.csv"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("unit,url\n" + "".join(f"{u},{month['robot'].url}\n" for u in robot_units), "utf-8")

    for day, expected in ((FIRST_ESCALATION, first), (SECOND_ESCALATION, second)):
        run = _run("duties/duties", {"report_date": day.isoformat()})
        assert run.state.is_completed(), month["worker"].tail()
        reminded = sum(n.kind == "remind" for n in expected)
        escalated = len(expected) - reminded
        wait_for(lambda d=day: _office_digests(month, d), 90, what=f"the duties digest of {day}")
        [digest] = _office_digests(month, day)
        assert digest.split("\n", 1)[0] == (
            f"【双公示】{day.isoformat()} 重点工作任务提醒：{reminded} 项即将到期，{escalated} 项已逾期"
        )

    # What arrived late between the two days is escalated on the first and not on the second.
    assert escalated_second.isdisjoint(late)
    names = {units[u].short_name for (u, _, _) in escalated_first - escalated_second}
    assert names

    texts = [m.get("text", {}).get("content", "") for m in month["robot"].received]
    for unit in robot_units:
        mine = [
            t
            for t in texts
            if t.startswith(f"【重点工作任务】{FIRST_ESCALATION.isoformat()} {units[unit].short_name}")
        ]
        assert len(mine) == 1, texts
        r = by_unit[(unit, "remind")]
        e = by_unit[(unit, "escalate")]
        assert mine[0].split("\n", 1)[0].endswith(f"{r} 项即将到期，{e} 项已逾期"), mine[0]
        assert f"inbox/{unit}/" in mine[0]
    worker_log = month["home"].parent / "logs" / "worker.log"
    assert "test-robot-token" not in worker_log.read_text("utf-8", errors="replace")  # the robot's key


def test_the_bulletin_reports_who_delivered(month):
    """The month's 通报 counts on time, late and missing as the manifest does, and names the late units."""
    run = _run("monthly-bulletin/monthly", {"month": MONTH})
    assert run.state.is_completed(), month["worker"].tail()
    [docx] = (month["home"] / "out" / "bulletins" / MONTH).glob("*.docx")
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    section = text[text.index("三、重点工作任务落实情况") : text.index("四、表扬")]
    expected = Counter(e["expected"] for e in _entries(month))
    assert f"按时报送{expected['delivered']}个" in section, section
    assert f"逾期报送{expected['late']}个" in section and f"逾期未报{expected['missing']}个" in section, (
        section
    )
    # 43 units to name: more than the body holds, so they are listed in the last 附件's table.
    doc = Document(str(docx))
    units = all_units()
    for status, label in (("late", "逾期报送"), ("missing", "逾期未报")):
        named = {units[e["unit"]].short_name for e in _entries(month) if e["expected"] == status}
        rows = [r for table in doc.tables for r in table.rows if label in {c.text for c in r.cells}]
        listed = {c.text for r in rows for c in r.cells}
        assert named <= listed, (status, named - listed)
    assert "逾期报送和逾期未报单位名单" in text
