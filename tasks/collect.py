"""Collect: a unit's inbox and SQL sources into the store; the reference feed."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed

from credit.collect import collect_sql, collect_unit
from credit.pipeline import load_references, sync_units
from tasks.common import settings, unit_label


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


@task(name="collect", task_run_name="collect {unit}", cache_policy=NO_CACHE)
def collect_task(unit: str, report_date: dt.date):
    """Collect one unit's new files for the report date."""
    s = settings()
    result = collect_unit(s, unit, report_date)
    if s.sql_sources_file:
        result.files += collect_sql(s, unit, report_date).files
    logger = get_run_logger()
    for f in result.files:
        if f.outcome == "quarantined":
            logger.warning("%s：文件 %s 无法读取，已隔离：%s", unit_label(unit), f.name, f.reason)
    summary = result.summary()
    if result.nothing_new:
        return Completed(name="SKIPPED", message=f"{unit_label(unit)} 无新数据", data=summary)
    logger.info(
        "%s：收取 %d 行，新版本 %d，重复 %d",
        unit_label(unit),
        summary["rows"],
        summary["new_versions"],
        summary["repeats"],
    )
    return summary
