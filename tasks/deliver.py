"""Deliver: the run's verdicts and withdrawal requests into the outbox; a unit's queued records to 信用湛江,
exactly once. A push that cannot finish is reported in its result (the flow alerts once per run)."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed

from credit.platform import TransportError
from credit.steps import deliver
from tasks.common import run_name, settings, unit_label


@task(name="outbox", task_run_name="outbox {report_date}", cache_policy=NO_CACHE)
def outbox_task(units: list[str] | None, report_date: dt.date) -> dict[str, int]:
    """Queue the units' valid records and turn their 撤销清单 requests into deletes (whether or not the run
    pushes: queued records wait for the next push)."""
    outbox = deliver.fill_outbox(settings(), units, report_date)
    logger = get_run_logger()
    logger.info("待推送队列：新增 %d 条，撤销 %d 条", outbox.queued, outbox.deletes)
    for refused in outbox.refused:
        logger.warning(
            "%s：撤销清单第 %d 行未执行：%s", unit_label(refused.unit), refused.row, refused.reason
        )
    return {"queued": outbox.queued, "deletes": outbox.deletes, "refused": len(outbox.refused)}


@task(name="push", task_run_name=run_name("push", "unit"), cache_policy=NO_CACHE)
def push_task(unit: str | None, report_date: dt.date):
    """Send a unit's queued records (all units when unit is None) and settle unfinished batches."""
    label = unit_label(unit) if unit else "全部单位"
    try:
        summary = deliver.push(settings(), unit, report_date)
    except TransportError as exc:  # 401 and other configuration faults: records stay queued; the flow alerts
        get_run_logger().error("%s：推送被信用湛江拒绝，记录保持排队：%s", label, exc)
        raise
    if summary.skipped:
        return Completed(name="SKIPPED", message=summary.skipped, data={"skipped": summary.skipped})
    data = summary.to_dict()
    if summary.pushed == 0 and summary.resettled == 0 and not summary.failed:
        return Completed(name="SKIPPED", message=f"{label} 无待推送记录", data=data)
    line = (
        f"{label}：推送 {summary.pushed} 条，接收 {summary.accepted}，重复 {summary.duplicate}，"
        f"退回 {summary.rejected}"
    )
    if summary.failed:
        # One line per unit; the backlog of every unit goes into the run's one push digest (tasks/alerts.py).
        get_run_logger().warning(
            "%s；%d 个批次未完成，待重推 %d 条", line, len(summary.failed_batches), summary.pending
        )
    elif summary.rejected:
        get_run_logger().warning("%s（退回记录将写入问题清单）", line)
    else:
        get_run_logger().info(line)
    return data
