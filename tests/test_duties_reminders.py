"""Reminders and escalation of the plan's duties in October 2026, against days counted by hand on the State
Council's 2026 calendar: 国庆 10月1日（周四）至7日（周三）放假，10月10日（周六）上班.

Due in October 2026 (tests/test_duties_obligations.py): 10-13 (周二) t9 失信惩戒案例 ×15, t32 宣传链接 ×50,
town/street 宣传活动 ×21 (September); 10-15 (周四) t4 月通报 ×1 (市发展和改革局); 10-20 (周二) t17 负面清单核查
×21 and department 宣传活动 ×29 (Q3). Remind 3 working days before and on the day; escalate on the 1st and
5th working day after."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest
import yaml

from credit.duties import reminders
from credit.duties.plan import plan_for
from credit.duties.rules import load_duties
from credit.workdays import WorkCalendar

D = dt.date
PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def obligations_on():
    calendar = WorkCalendar()
    by_year = {2025: load_duties(plan_for(2025)), 2026: load_duties(plan_for(2026))}
    return lambda day: reminders.relevant(by_year, day, calendar)


def day_notices(obligations_on, day, deliveries=None, days_before=3):
    return reminders.notices(obligations_on(day), day, WorkCalendar(), deliveries, days_before=days_before)


def kinds(found):
    return Counter((n.kind, n.obligation.duty, n.obligation.due, n.workdays) for n in found)


def test_three_working_days_before_counts_the_worked_saturday(obligations_on):
    # Friday 10-09 → 10-13: Sat 10-10 (worked), Mon 10-12, Tue 10-13 = 3 working days.
    found = day_notices(obligations_on, D(2026, 10, 9))
    assert kinds(found) == {
        ("remind", "t9-cases", D(2026, 10, 13), 3): 15,
        ("remind", "t32-links", D(2026, 10, 13), 3): 50,
        ("remind", "t32-activity-town", D(2026, 10, 13), 3): 21,
    }
    towns = {n.obligation.unit for n in found if n.obligation.duty == "t32-activity-town"}
    assert "leicheng" in towns and "fgj" not in towns


def test_rest_days_and_in_between_days_are_quiet(obligations_on):
    assert day_notices(obligations_on, D(2026, 10, 8)) == []  # 国庆 holiday
    assert day_notices(obligations_on, D(2026, 10, 11)) == []  # Sunday
    # Saturday 10-10 is worked, but 10-13 is 2 working days away and 10-15 is 4: nothing to say.
    assert day_notices(obligations_on, D(2026, 10, 10)) == []
    assert reminders.digest([], D(2026, 10, 10)) is None


def test_the_bulletin_reminder_and_due_today(obligations_on):
    # Monday 10-12 → Thursday 10-15: 13, 14, 15.
    assert kinds(day_notices(obligations_on, D(2026, 10, 12))) == {
        ("remind", "t4-bulletin", D(2026, 10, 15), 3): 1
    }
    # Tuesday 10-13: the 86 September duties are due today (0 left).
    assert sum(kinds(day_notices(obligations_on, D(2026, 10, 13))).values()) == 86
    assert {n.workdays for n in day_notices(obligations_on, D(2026, 10, 13))} == {0}


def test_escalation_on_the_first_and_fifth_working_day_after(obligations_on):
    # Wednesday 10-14: one working day after 10-13; 市公安局 delivered its 惩戒案例 on time.
    delivered = {("gaj", "t9-cases", "2026-09"): D(2026, 10, 12)}
    found = day_notices(obligations_on, D(2026, 10, 14), delivered)
    assert kinds(found) == {
        ("escalate", "t9-cases", D(2026, 10, 13), 1): 14,
        ("escalate", "t32-links", D(2026, 10, 13), 1): 50,
        ("escalate", "t32-activity-town", D(2026, 10, 13), 1): 21,
    }
    assert ("gaj", "t9-cases") not in {(n.obligation.unit, n.obligation.duty) for n in found}
    # 10-16 (2 working days late), 10-19 (3): the September duties are not repeated.
    assert not [n for n in day_notices(obligations_on, D(2026, 10, 19)) if n.kind == "escalate"]
    # Tuesday 10-20: 14, 15, 16, 19, 20 — five working days late; and the Q3 duties are due today.
    found = day_notices(obligations_on, D(2026, 10, 20))
    assert Counter(n.kind for n in found) == {"escalate": 86, "remind": 50}
    assert {n.workdays for n in found if n.kind == "escalate"} == {5}
    # A late delivery stops the escalation.
    late = {("fgj", "t32-links", "2026-09"): D(2026, 10, 16)}
    units = {
        n.obligation.unit for n in day_notices(obligations_on, D(2026, 10, 20), late) if n.kind == "escalate"
    }
    assert "fgj" not in units and "xcb" in units


def test_digest_subject_lines_and_size(obligations_on):
    day = D(2026, 10, 15)
    digest = reminders.digest(day_notices(obligations_on, day), day)
    # 10-15: the bulletin is due today, the Q3 duties (21 + 29, 50 units) in 3 working days (16, 19, 20).
    assert digest.subject == "【双公示】2026-10-15 重点工作任务提醒：51 项即将到期，0 项已逾期"
    assert digest.reminded == 51 and digest.escalated == 0
    line = next(x for x in digest.lines if "市发展和改革局" in x)
    assert line == (
        "· [提醒] 市发展和改革局：“双公示”月通报（2026-09），2026-10-15 截止（今天）；"
        "负面清单案例核查（2026-Q3）、信用宣传活动报告（2026-Q3），2026-10-20 截止，剩余 3 个工作日"
    )
    assert digest.lines[-1].startswith("下一步：")
    assert any(x.startswith("· 另有 ") for x in digest.lines)  # 50 units do not fit in one robot message
    assert len(digest.text.encode()) <= 1900

    day = D(2026, 10, 20)
    digest = reminders.digest(day_notices(obligations_on, day), day)
    assert digest.subject == "【双公示】2026-10-20 重点工作任务提醒：50 项即将到期，86 项已逾期"
    assert digest.lines[1].startswith("· [逾期] ")  # overdue first
    assert "2026-10-13 截止，已逾期 5 个工作日" in digest.lines[1]


def test_days_before_is_a_parameter(obligations_on):
    # Five working days before 10-20: 13, 14, 15, 16, 19, 20 → from Tuesday 10-13.
    found = day_notices(obligations_on, D(2026, 10, 13), days_before=5)
    assert Counter((n.obligation.due, n.workdays) for n in found) == {
        (D(2026, 10, 13), 0): 86,
        (D(2026, 10, 20), 5): 50,
    }


def test_open_table_lists_what_is_due_soon_or_overdue(obligations_on):
    day = D(2026, 10, 14)
    rows = reminders.open_obligations(obligations_on(day), day, WorkCalendar())
    assert Counter((o.due, state, left) for o, state, left in rows) == {
        (D(2026, 9, 15), "missing", -17): 1,  # August's bulletin, within the 31 days looked back
        (D(2026, 10, 13), "missing", -1): 86,
        (D(2026, 10, 15), "open", 1): 1,
    }


# --- the flow, in process ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def webhook():
    from tests.harness import Webhook

    hook = Webhook()
    yield hook
    hook.stop()


def _automation_sends(event: dict, url: str) -> None:
    """What the credit-duties-reminder automation does with the event (deployments/automations.yaml): render
    its subject and body with Prefect's template environment and post them through the Custom Webhook block
    as deployments/deploy.py configures it. The harness runs no automations, so the test plays their part."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock
    from prefect.server.utilities.user_templates import _template_environment

    from deployments.deploy import ROBOT_JSON

    spec = yaml.safe_load((PROJECT / "deployments" / "automations.yaml").read_text(encoding="utf-8"))
    rule = next(a for a in spec["automations"] if a["name"] == "credit-duties-reminder")
    assert rule["trigger"]["expect"] == [event["event"]]

    class Event:
        payload = event["payload"]

    subject, body = (
        asyncio.run(_template_environment.from_string(rule[k]).render_async(event=Event()))
        for k in ("subject", "body")
    )
    block = CustomWebhookNotificationBlock(
        name="credit-alerts", url="{{webhook_url}}", json_data=ROBOT_JSON, secrets={"webhook_url": url}
    )
    block.notify(body, subject)


def test_duties_flow_sends_one_digest_and_publishes_the_open_table(harness, settings, webhook, monkeypatch):
    import tasks.common
    from flows.duties import duties

    monkeypatch.setenv("CREDIT_ALERT_WEBHOOK_URL", webhook.url)
    events = []
    monkeypatch.setattr(
        tasks.common,
        "emit_event",
        lambda event, resource, payload: events.append(dict(event=event, payload=payload)),
    )
    state = duties(report_date=D(2026, 10, 14), return_state=True)
    assert state.is_completed(), state.message
    assert state.result() == {"remind": 0, "escalate": 86, "open": 88, "robots_sent": 0, "robots_failed": 0}
    assert [e["event"] for e in events] == ["credit.duties.reminder"]
    _automation_sends(events[0], webhook.url)
    (message,) = webhook.received
    text = message["text"]["content"]
    assert text.startswith("【双公示】2026-10-14 重点工作任务提醒：0 项即将到期，86 项已逾期\n")
    assert "2026-10-13 截止，已逾期 1 个工作日" in text

    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        artifact = client.read_latest_artifacts()
        table = next(a for a in artifact if a.key == "duties-open")
    rows = json.loads(table.data)
    assert len(rows) == 88
    assert {
        "单位": "市公安局",
        "单位代码": "gaj",
        "任务序号": 9,
        "事项": "失信惩戒案例报送",
        "期间": "2026\\-09",  # markdown-escaped, as every artifact cell
        "截止日期": "2026\\-10\\-13",
        "状态": "逾期未报",
        "距截止（工作日）": "逾期 1",
    } in rows

    # A quiet day (a Sunday): no event, the run completes.
    events.clear()
    state = duties(report_date=D(2026, 10, 11), return_state=True)
    assert state.is_completed() and events == []


def test_late_december_without_next_years_calendar(obligations_on):
    # The 2027 notice is not in the calendar: December's duties (due January 2027) cannot be dated yet and
    # are left out rather than failing the run; the November ones still escalate on time.
    day = D(2026, 12, 14)  # November's duties due 12-07 (5th working day); 12-08..12-14 = 5 working days late
    found = day_notices(obligations_on, day)
    assert {(n.kind, n.obligation.due, n.workdays) for n in found} == {("escalate", D(2026, 12, 7), 5)}
    assert all(o.due.year <= 2026 for o in obligations_on(D(2026, 12, 28)))
