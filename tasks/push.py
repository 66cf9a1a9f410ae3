"""Push: a unit's queued records to 信用湛江, exactly once; alert when delivery fails."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed

from credit.delivery import push
from credit.pipeline import platform_transport, write_unit_feedback
from credit.platform import TransportError
from tasks.common import run_name, settings, unit_label


@task(name="push", task_run_name=run_name("push", "unit"), cache_policy=NO_CACHE)
def push_task(unit: str | None, report_date: dt.date):
    """Send a unit's queued records (all units when unit is None) and settle unfinished batches."""
    s = settings()
    label = unit_label(unit) if unit else "全部单位"
    transport = platform_transport(s)
    if transport is None:
        message = "未配置信用湛江地址（CREDIT_PLATFORM_URL）：记录保持排队，未推送"
        return Completed(name="SKIPPED", message=message, data={"skipped": message})
    logger = get_run_logger()
    try:
        summary = push(transport, database_url=s.database_url, unit=unit, report_date=report_date)
    except TransportError as exc:  # 401 and other configuration faults: records stay queued; the flow alerts
        logger.error("%s：推送被信用湛江拒绝，记录保持排队：%s", label, exc)
        raise
    finally:
        transport.close()
    data = summary.to_dict()
    if summary.pushed == 0 and summary.resettled == 0 and not summary.failed:
        return Completed(name="SKIPPED", message=f"{label} 无待推送记录", data=data)
    line = (
        f"{label}：推送 {summary.pushed} 条，接收 {summary.accepted}，重复 {summary.duplicate}，"
        f"退回 {summary.rejected}"
    )
    if summary.rejected and unit:
        write_unit_feedback(s, unit, report_date)
    if summary.failed:
        # One line per unit; the backlog of every unit goes into the run's one push digest (tasks/alerts.py).
        logger.warning(
            "%s；%d 个批次未完成，待重推 %d 条", line, len(summary.failed_batches), summary.pending
        )
    elif summary.rejected:
        logger.warning("%s（退回记录已写入问题清单）", line)
    else:
        logger.info(line)
    return data
