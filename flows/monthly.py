"""monthly-bulletin: the 月通报 for a month (default: the previous month)."""

from __future__ import annotations

from prefect import flow
from prefect.runtime import flow_run

from flows import params
from tasks.common import today
from tasks.report import bulletin_task


def previous_month() -> str:
    first = today().replace(day=1)
    last = first.fromordinal(first.toordinal() - 1)
    return f"{last.year:04d}-{last.month:02d}"


def _run_name() -> str:
    return f"bulletin {flow_run.parameters.get('month') or previous_month()}"


@flow(name="monthly-bulletin", flow_run_name=_run_name)
def monthly_bulletin(month: params.Month = params.MONTH) -> dict:
    """月通报：生成该月《雷州市“双公示”数据归集情况通报》（docx 和 pdf）。

    Args:
        month: 通报月份 YYYY-MM，留空为上个月。
    """
    return bulletin_task(month or previous_month())
