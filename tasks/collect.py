"""Collect: a unit's inbox and SQL sources into the store; the unit registry and the reference feed."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed

from credit.steps import collect
from tasks.common import run_name, settings, unit_label


@task(name="sync-units", cache_policy=NO_CACHE)
def sync_units_task() -> int:
    """Load the unit registry into the store."""
    return collect.sync_units(settings())


@task(name="load-reference-feed", cache_policy=NO_CACHE)
def load_reference_task() -> int:
    """Read new reference-feed files (decisions units are known to have made)."""
    count = collect.load_references(settings())
    get_run_logger().info("参考台账新增 %d 条决定", count)
    return count


@task(name="collect", task_run_name=run_name("collect", "unit"), cache_policy=NO_CACHE)
def collect_task(unit: str, report_date: dt.date):
    """Collect one unit's new files for the report date."""
    result = collect.collect(settings(), unit, report_date)
    for note in result.notes:  # a dataset read from a database that no SQL source configures
        get_run_logger().info(note)
    summary = result.summary()
    # The files set aside, for the run's one quarantine digest (tasks/alerts.py).
    summary["quarantined"] = [q.as_dict() for q in collect.quarantined(result)]
    if result.nothing_new:
        return Completed(name="SKIPPED", message=f"{unit_label(unit)} 无新数据", data=summary)
    line = (
        f"{unit_label(unit)}：收取 {summary['rows']} 行，新版本 {summary['new_versions']}，"
        f"重复 {summary['repeats']}"
    )
    if result.quarantined:
        names = "、".join(f"{f.name}（{f.reason}）" for f in result.quarantined)
        get_run_logger().warning("%s；%d 个文件无法读取，已隔离：%s", line, len(result.quarantined), names)
    else:
        get_run_logger().info(line)
    return summary
