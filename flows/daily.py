"""daily-pipeline: collect (a task per unit) -> validate (one task for the day) -> push (a task per unit),
then 日统计."""

from __future__ import annotations

import time

from prefect import flow, get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.runtime import flow_run
from prefect.states import State

from flows import params
from tasks.collect import collect_task, load_reference_task, sync_units_task
from tasks.common import today, unit_label
from tasks.push import push_task
from tasks.report import daily_stats_task
from tasks.validate import validate_units_task


def _run_name() -> str:
    day = flow_run.parameters.get("report_date") or today()
    return f"daily {day}"


def value(result):
    """A task may end in a named state (SKIPPED); the flow wants its data either way."""
    return result.result() if isinstance(result, State) else result


PROGRESS_INTERVAL = 2.0  # seconds between progress artifact updates (each is a call to the API, ≈ 40 ms)


@flow(name="daily-pipeline", flow_run_name=_run_name)
def daily_pipeline(
    report_date: params.Date = params.REPORT_DATE,
    units: params.Units = params.UNITS,
    push: bool = params.PUSH,
) -> dict:
    """每日流程：收取各单位报送的“双公示”数据，按数据标准校验，合格记录推送到信用湛江，生成日统计。

    Args:
        report_date: 报送日期，留空为当天（北京时间）。
        units: 只处理所选单位，不选为全部49个单位。
        push: 是否把合格记录推送到信用湛江。
    """
    report_date = report_date or today()
    codes = params.unit_codes(units)
    logger = get_run_logger()
    progress = create_progress_artifact(progress=0.0, key="daily-progress", description=f"{report_date} 进度")
    sync_units_task()
    load_reference_task()
    summary: dict = {"date": report_date.isoformat(), "units": {unit: {} for unit in codes}}
    steps, done = 2 * len(codes) + 1, 0
    last_progress = time.monotonic()

    def advance() -> None:
        nonlocal done, last_progress
        done += 1
        if done == steps or time.monotonic() - last_progress >= PROGRESS_INTERVAL:
            update_progress_artifact(progress, progress=100.0 * done / steps)
            last_progress = time.monotonic()

    for i, unit in enumerate(codes, 1):
        logger.info("[%d/%d] %s", i, len(codes), unit_label(unit))
        summary["units"][unit]["collect"] = value(collect_task(unit, report_date))
        advance()
    # One validation for all units: a suite run costs about the same for one file as for a whole day.
    validated = validate_units_task(codes, report_date)
    advance()
    push_error = None
    for unit in codes:
        summary["units"][unit]["validate"] = validated[unit]
        pushed = None
        if push and push_error is None:
            state = push_task(unit, report_date, return_state=True)
            if state.is_failed():
                # Credentials do not heal mid-run: stop pushing, finish the day, then fail the run.
                push_error = state.message or "推送失败"
            else:
                pushed = value(state)
                if isinstance(pushed, dict) and pushed.get("failed"):
                    # The platform is down: the other units' records wait for push-retry, not for backoffs.
                    logger.warning("信用湛江暂不可用：其余单位的记录保持排队，由 push-retry 重推")
                    push = False
        summary["units"][unit]["push"] = pushed
        advance()
    summary["stats"] = daily_stats_task(report_date)
    if push_error:
        raise RuntimeError(f"推送信用湛江失败，记录保持排队：{push_error}")
    return summary
