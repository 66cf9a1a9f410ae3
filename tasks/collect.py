"""Collect: a unit's inbox and SQL sources into the store; the reference feed."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed

from credit.collect import collect_sql, collect_unit
from credit.pipeline import load_references, sync_units
from tasks.common import run_name, settings, unit_label


@task(name="sync-units", cache_policy=NO_CACHE)
def sync_units_task() -> int:
    """Load the unit registry into the store."""
    return sync_units(settings())


@task(name="load-reference-feed", cache_policy=NO_CACHE)
def load_reference_task() -> int:
    """Read new reference-feed files (decisions units are known to have made)."""
    count = load_references(settings())
    get_run_logger().info("参考台账新增 %d 条决定", count)
    return count


@task(name="collect", task_run_name=run_name("collect", "unit"), cache_policy=NO_CACHE)
def collect_task(unit: str, report_date: dt.date):
    """Collect one unit's new files for the report date."""
    s = settings()
    result = collect_unit(s, unit, report_date)
    if s.sql_sources_file:
        result.files += collect_sql(s, unit, report_date).files
    logger = get_run_logger()
    summary = result.summary()
    # The files set aside, for the run's one quarantine digest (tasks/alerts.py).
    summary["quarantined"] = [
        {"unit": unit, "name": f.name, "reason": f.reason, "path": f.stored_path} for f in result.quarantined
    ]
    if result.nothing_new:
        return Completed(name="SKIPPED", message=f"{unit_label(unit)} 无新数据", data=summary)
    line = (
        f"{unit_label(unit)}：收取 {summary['rows']} 行，新版本 {summary['new_versions']}，"
        f"重复 {summary['repeats']}"
    )
    if result.quarantined:
        names = "、".join(f"{f.name}（{f.reason}）" for f in result.quarantined)
        logger.warning("%s；%d 个文件无法读取，已隔离：%s", line, len(result.quarantined), names)
    else:
        logger.info(line)
    return summary
