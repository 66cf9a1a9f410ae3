"""backfill: a large historical load (a unit's backlog, a SQL source's first read) through collect,
validation on a Dask cluster (several units at once), push, and the statistics of a range of days.

The Dask cluster is `CREDIT_DASK_ADDRESS` (e.g. tcp://10.0.0.9:8786) when set, else a local cluster of
`CREDIT_DASK_WORKERS` workers started for the run. With the store on SQLite, parallel validation is safe
(WAL and a busy timeout) but PostgreSQL is the store to use at this scale."""

from __future__ import annotations

import datetime as dt
import os

from prefect import flow, get_run_logger
from prefect_dask import DaskTaskRunner

from credit.units import all_units, reporting_units
from flows.daily import value
from tasks.collect import collect_task, load_reference_task, sync_units_task
from tasks.common import today
from tasks.push import push_task
from tasks.report import daily_stats_task
from tasks.validate import validate_task


def dask_runner() -> DaskTaskRunner:
    address = os.environ.get("CREDIT_DASK_ADDRESS")
    if address:
        return DaskTaskRunner(address=address)
    workers = int(os.environ.get("CREDIT_DASK_WORKERS", "2"))
    # Threads, not processes, by default: workers then share the flow's Prefect API and settings.
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": False})


@flow(name="backfill", flow_run_name="backfill {report_date}", task_runner=dask_runner())
def backfill(
    report_date: dt.date | None = None,
    units: list[str] | None = None,
    push: bool = True,
    stats_from: dt.date | None = None,
) -> dict:
    """Collect and validate a large load, validating units in parallel on Dask, then push and count.

    report_date: the day the load is received on (default today).
    units: unit codes (default all 49).
    push: send valid records to 信用湛江.
    stats_from: also recompute the statistics of every day from this date up to report_date.
    """
    report_date = report_date or today()
    codes = units or [u.code for u in reporting_units()]
    unknown = [c for c in codes if c not in all_units()]
    if unknown:
        raise ValueError(f"未知单位代码 unknown unit codes: {', '.join(unknown)}")
    sync_units_task()
    load_reference_task()
    collected = {unit: value(collect_task(unit, report_date)) for unit in codes}
    futures = {unit: validate_task.submit(unit, report_date) for unit in codes}
    validated = {unit: value(f.result()) for unit, f in futures.items()}
    pushed = {unit: value(push_task(unit, report_date)) for unit in codes} if push else {}
    day = stats_from or report_date
    stats = {}
    while day <= report_date:
        stats[day.isoformat()] = daily_stats_task(day)
        day += dt.timedelta(days=1)
    get_run_logger().info("补录完成：%d 个单位，统计 %d 天", len(codes), len(stats))
    return {"collect": collected, "validate": validated, "push": pushed, "stats": stats}
