"""duties: the plan's duties of the day — one digest of reminders (due in N working days, or today) and
escalations (overdue, not delivered) through the alert webhook, each unit's own to the units with a robot
(CREDIT_UNIT_ROBOTS), and the table of open obligations. Returns the counts, unit messages sent and failed
included."""

from __future__ import annotations

from prefect import flow
from prefect.runtime import flow_run
from prefect.states import Failed
from pydantic import Field

from credit.duties.reminders import DAYS_BEFORE
from credit.duties.robots import RobotConfigError, config_failure
from flows import params
from tasks.common import today
from tasks.duties import duties_task

REPORT_DATE = Field(
    None,
    description="提醒该日即将到期和已逾期的事项。格式 YYYY-MM-DD；留空为当天（北京时间）。",
    json_schema_extra={"title": "提醒日期"},
)
DAYS_BEFORE_PARAM = Field(
    DAYS_BEFORE,
    ge=0,
    le=20,
    description="截止日期前第几个工作日提醒（截止当天另提醒一次）。",
    json_schema_extra={"title": "提前提醒工作日数"},
)


def _run_name() -> str:
    return f"duties {flow_run.parameters.get('report_date') or today()}"


@flow(name="duties", flow_run_name=_run_name)
def duties(report_date: params.Date = REPORT_DATE, days_before: int = DAYS_BEFORE_PARAM) -> dict:
    """重点工作任务提醒：按年度工作方案，提醒即将到期的报送事项，督促已逾期未报的事项（每天一条汇总消息；
    配置了本单位机器人的单位，另收到本单位的提醒）。

    Args:
        report_date: 提醒日期，留空为当天（北京时间）。
        days_before: 截止日期前第几个工作日提醒。
    """
    try:
        return duties_task(report_date or today(), days_before)
    except RobotConfigError as exc:  # the office's digest went out; the run fails with what to correct
        return Failed(message=config_failure(exc), data=exc)
