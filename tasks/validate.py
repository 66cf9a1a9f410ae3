"""Validate: pending records against the Great Expectations suites. Rejected records are data, not a failure:
one line per unit here, one validation digest per run (tasks/alerts.py)."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed

from credit.alerts import dataset_name
from credit.steps.validate import UnitValidation, validate_unit, validate_units
from tasks.common import run_name, settings, unit_label


def _report(result: UnitValidation) -> dict:
    """Log a unit's verdicts in one line: a warning when records were rejected."""
    if result.checked == 0:
        return result.summary()
    line = (
        f"{unit_label(result.unit)}：校验 {result.checked} 条，合格 {result.valid}，不合格 {result.invalid}"
    )
    if result.invalid:
        detail = "、".join(
            f"{dataset_name(ds)} {c.invalid}" for ds, c in sorted(result.by_dataset.items()) if c.invalid
        )
        get_run_logger().warning("%s（%s）", line, detail)
    else:
        get_run_logger().info(line)
    return result.summary()


@task(name="validate", task_run_name=run_name("validate", "unit"), cache_policy=NO_CACHE)
def validate_task(unit: str, report_date: dt.date):
    """Validate one unit's new record versions; rejected records are data, not a failure."""
    result = validate_unit(settings(), unit, report_date)
    summary = _report(result)
    if result.checked == 0:
        return Completed(name="SKIPPED", message=f"{unit_label(unit)} 无待校验记录", data=summary)
    return summary


@task(name="validate-units", task_run_name="validate {report_date}", cache_policy=NO_CACHE)
def validate_units_task(units: list[str], report_date: dt.date) -> dict[str, dict]:
    """Validate the units' new record versions in one suite run per dataset (each file judged on its own)."""
    results = validate_units(settings(), units, report_date)
    summaries = {unit: _report(result) for unit, result in results.items()}
    checked = sum(r.checked for r in results.values())
    invalid = sum(r.invalid for r in results.values())
    failing = sum(1 for r in results.values() if r.invalid)
    get_run_logger().info("校验合计 %d 条，不合格 %d 条（%d 个单位有不合格）", checked, invalid, failing)
    return summaries
