"""backfill: a large historical load (a unit's backlog, a SQL source's first read) through collect,
validation on a Dask cluster (several units at once), the outbox, push, the statistics of a range of days and
the units' 问题数据 workbooks.

The Dask cluster is `CREDIT_DASK_ADDRESS` (e.g. tcp://10.0.0.9:8786) when set, else a local cluster of
`CREDIT_DASK_WORKERS` workers started for the run. With the store on SQLite, parallel validation is safe
(WAL and a busy timeout) but PostgreSQL is the store to use at this scale."""

from __future__ import annotations

import datetime as dt

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.states import Completed, Failed
from prefect_dask import DaskTaskRunner

from credit.settings import load_settings
from flows import params
from flows.daily import PUSH_PENDING, push_errors, value
from tasks.alerts import alerts_task, auth_failure_message
from tasks.collect import collect_task, load_reference_task, sync_units_task
from tasks.common import today
from tasks.deliver import outbox_task, push_task
from tasks.report import daily_stats_task, feedback_task
from tasks.validate import validate_task


def dask_runner() -> DaskTaskRunner:
    settings = load_settings()
    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    workers = settings.dask_workers
    # Threads, not processes, by default: workers then share the flow's Prefect API and settings.
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": False})


def _run_name() -> str:
    chosen = flow_run.parameters.get("units")
    scope = f"{len(chosen)} 个单位" if chosen else "全部单位"
    return f"backfill {flow_run.parameters.get('report_date') or today()} {scope}"


@flow(name="backfill", flow_run_name=_run_name, task_runner=dask_runner())
def backfill(
    report_date: params.Date = params.BACKFILL_DATE,
    units: params.Units = params.UNITS,
    push: bool = params.PUSH,
    stats_from: params.Date = params.STATS_FROM,
):
    """历史数据补录：收取大批量积压数据，在 Dask 集群上并行校验各单位，推送并重算日统计。

    Args:
        report_date: 补录数据记为该日收到，留空为当天。
        units: 只处理所选单位，不选为全部报送单位（49个“双公示”单位、其他信用信息的报送单位和有重点工作任务佐证材料要报的单位）。
        push: 是否把合格记录推送到信用湛江。
        stats_from: 同时重算自该日起至报送日期每一天的日统计。
    """
    report_date = report_date or today()
    codes = params.unit_codes(units)
    sync_units_task()
    load_reference_task()
    collected = {unit: value(collect_task(unit, report_date)) for unit in codes}
    futures = {unit: validate_task.submit(unit, report_date) for unit in codes}
    validated = {unit: value(f.result()) for unit, f in futures.items()}
    outbox_task(codes, report_date)
    pushed, refused, pending = {}, False, False
    for unit in codes if push else []:
        state = push_task(unit, report_date, return_state=True)
        refused = state.is_failed()  # credentials refused (401): stop pushing, as the daily run does
        pushed[unit] = None if refused else value(state)
        pending = bool(isinstance(pushed[unit], dict) and pushed[unit].get("failed"))
        if refused or pending:
            break
    day = stats_from or report_date
    stats = {}
    while day <= report_date:
        stats[day.isoformat()] = daily_stats_task(day)
        day += dt.timedelta(days=1)
    feedback = feedback_task(codes, report_date)
    alerts_task(
        report_date,
        codes,
        validated=any(v["checked"] for v in validated.values()),
        feedback=feedback,
        quarantined=[q for c in collected.values() for q in c["quarantined"]],
        push_pending=pending,
        push_errors=push_errors(pushed.values()),
    )
    get_run_logger().info("补录完成：%d 个单位，统计 %d 天", len(codes), len(stats))
    result = {"collect": collected, "validate": validated, "push": pushed, "stats": stats}
    if refused:
        return Failed(message=auth_failure_message(report_date))
    if pending:
        return Completed(
            name=PUSH_PENDING, message="信用湛江暂不可用：记录保持排队，由 push-retry 重推", data=result
        )
    return result
