"""Validate: pending records against the Great Expectations suites; alert on rejections."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed

from credit.pipeline import UnitValidation, validate_unit, validate_units
from tasks.common import emit_alert, settings, unit_label


def _report(result: UnitValidation) -> dict:
    """Log a unit's verdicts and raise `credit.validation.failed` per dataset with rejected records."""
    unit, summary = result.unit, result.summary()
    if result.checked == 0:
        return summary
    get_run_logger().info(
        "%s：校验 %d 条，合格 %d，不合格 %d", unit_label(unit), result.checked, result.valid, result.invalid
    )
    for dataset, counts in result.by_dataset.items():
        if counts["invalid"]:
            emit_alert(
                "credit.validation.failed",
                {"prefect.resource.id": f"credit.unit.{unit}", "prefect.resource.name": unit_label(unit)},
                {
                    "unit": unit,
                    "dataset": dataset,
                    "date": result.report_date.isoformat(),
                    "counts": counts,
                    "feedback": result.feedback,
                },
            )
    return summary


@task(name="validate", task_run_name="validate {unit}", cache_policy=NO_CACHE)
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
    get_run_logger().info("校验合计 %d 条，不合格 %d 条（%d 个单位）", checked, invalid, len(units))
    return summaries
