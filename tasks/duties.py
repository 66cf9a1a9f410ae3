"""The plan's duties: the day's reminders and escalations (credit.duties.reminders) sent as one digest event,
which the `credit-duties-reminder` automation sends to the alert webhook, and the table artifact
`duties-open` of what is open or overdue."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE

from credit import escape
from credit.duties import deliveries as evidence
from credit.duties import reminders, robots
from credit.duties.plan import PlanError, plan_for
from credit.duties.rules import load_duties
from credit.duties.status import LABELS
from credit.links import portal_links
from credit.units import all_units
from credit.workdays import WorkCalendar
from tasks.alerts import emit_digest
from tasks.common import settings


def _duties_by_year(year: int) -> dict:
    """Last year's and this year's duties, each from the plan in force that year (no plan: none)."""
    found = {}
    for y in (year - 1, year):
        try:
            found[y] = load_duties(plan_for(y))
        except PlanError:
            if y == year:
                raise
    return found


def _table(rows) -> list[dict]:
    units = all_units()
    table = []
    for o, state, left in rows:
        unit = units.get(o.unit)
        table.append(
            {
                "单位": unit.short_name if unit else o.unit,
                "单位代码": o.unit,
                "任务序号": o.task,
                "事项": o.name,
                "期间": o.period,
                "截止日期": o.due.isoformat(),
                "状态": LABELS[state],
                "距截止（工作日）": f"剩余 {left}" if left >= 0 else f"逾期 {-left}",
            }
        )
    return table


@task(name="duties", task_run_name="duties {report_date}", cache_policy=NO_CACHE)
def duties_task(report_date: dt.date, days_before: int = reminders.DAYS_BEFORE) -> dict[str, int]:
    """Send the day's digest of reminders and escalations (none on a quiet day or a rest day), then each
    unit's own to the units with a robot (CREDIT_UNIT_ROBOTS), and publish the open obligations; returns the
    counts (`robots_sent` / `robots_failed`: unit messages)."""
    s = settings()
    calendar = WorkCalendar(s.calendar_override)
    obligations = reminders.relevant(_duties_by_year(report_date.year), report_date, calendar)
    deliveries = evidence.load(s, report_date)
    found = reminders.notices(obligations, report_date, calendar, deliveries, days_before=days_before)
    rows = reminders.open_obligations(obligations, report_date, calendar, deliveries, days_before=days_before)
    create_table_artifact(
        key="duties-open",
        table=escape.markdown_table(_table(rows)),
        description=f"重点工作任务：{report_date.isoformat()} 未报送的到期和逾期事项",
    )
    links = portal_links(s)
    digest = reminders.digest(found, report_date, links)
    logger = get_run_logger()
    if digest is None:
        logger.info("%s 无需提醒的重点工作任务", report_date.isoformat())
        return {"remind": 0, "escalate": 0, "open": len(rows), "robots_sent": 0, "robots_failed": 0}
    emit_digest(digest)
    logger.warning("已发送提醒：%s", digest.subject)
    units = robots.notify_units(robots.load_robots(s.unit_robots_file), found, report_date, links=links)
    if units.failed:
        logger.warning("单位机器人消息发送失败：%s", units.failures())
    return {
        "remind": digest.reminded,
        "escalate": digest.escalated,
        "open": len(rows),
        "robots_sent": len(units.sent),
        "robots_failed": len(units.failed),
    }
