"""daily-pipeline, in the order the data flows: collect (a task per unit: inbox → store) → validate (one task
for the day: store → verdicts) → outbox (verdicts and withdrawal requests → outbox) → push (a task per unit:
outbox → 信用湛江 → receipts) → 日统计 (statistics) → each unit's 问题数据 workbook (reports, after the
receipts), then the outputs artifact and the day's alert digests (at most one per kind)."""

from __future__ import annotations

import time

from prefect import flow, get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.runtime import flow_run
from prefect.states import Completed, Failed, State

from credit import escape
from credit.alerts import unit_name
from flows import params
from tasks.alerts import alerts_task, auth_failure_message
from tasks.collect import collect_task, load_reference_task, sync_units_task
from tasks.common import today
from tasks.deliver import outbox_task, push_task
from tasks.report import daily_outputs_task, daily_stats_task, feedback_task
from tasks.validate import validate_units_task

# The run's state when records wait for push-retry (the platform was down): Completed, not Failed (nothing is
# lost, nothing to do), but named so the UI says it at a glance.
PUSH_PENDING = "推送待重试"


def _run_name() -> str:
    day = flow_run.parameters.get("report_date") or today()
    return f"daily {day}"


def value(result):
    """A task may end in a named state (SKIPPED); the flow wants its data either way."""
    return result.result() if isinstance(result, State) else result


def unknown_units(units: list[str] | None) -> list[str]:
    """The chosen units that are not in the registry, as typed: one visible masked line each (the failure
    message is sent to the webhook as it is)."""
    known = set(params.unit_codes(None))
    return [escape.log_line(u) for u in units or [] if str(u).strip().split(" ", 1)[0] not in known]


def push_errors(summaries) -> list[str]:
    """The messages of the batches that could not be delivered, from the push tasks' summaries."""
    return [
        b.get("error") or "" for p in summaries if isinstance(p, dict) for b in p.get("failed_batches") or []
    ]


def quiet_units(label: str, codes: list[str]) -> None:
    """One line for all the units a step had nothing to do for (each busy unit has its own line)."""
    if codes:
        names = "、".join(unit_name(c) for c in codes)
        get_run_logger().info("%s（%d 个单位）：%s", label, len(codes), names)


PROGRESS_INTERVAL = 2.0  # seconds between progress artifact updates (each is a call to the API, ≈ 40 ms)


@flow(name="daily-pipeline", flow_run_name=_run_name)
def daily_pipeline(
    report_date: params.Date = params.REPORT_DATE,
    units: params.Units = params.UNITS,
    push: bool = params.PUSH,
):
    """每日流程：收取各单位报送的“双公示”数据，按数据标准校验，合格记录推送到信用湛江，生成日统计。

    Args:
        report_date: 报送日期，留空为当天（北京时间）。
        units: 只处理所选单位，不选为全部报送单位（49个“双公示”单位、其他信用信息的报送单位和有重点工作任务佐证材料要报的单位）。
        push: 是否把合格记录推送到信用湛江。
    """
    report_date = report_date or today()
    try:
        codes = params.unit_codes(units)
    except ValueError as exc:  # the run fails, its alert in Chinese: cause first, then what to do
        return Failed(
            message=f"原因：所选单位不在单位名录中：{'、'.join(unknown_units(units))}，本次运行未处理任何单位。\n"
            "下一步：在 Prefect 界面用“Custom run”从单位列表中选择，或填写 credit/data/units.csv 中的单位代码后重新运行。",
            data=exc,
        )
    logger = get_run_logger()
    logger.info("%s 开始：%d 个单位，%s", report_date, len(codes), "推送" if push else "不推送")
    progress = create_progress_artifact(progress=0.0, key="daily-progress", description=f"{report_date} 进度")
    sync_units_task()
    load_reference_task()
    summary: dict = {"date": report_date.isoformat(), "units": {unit: {} for unit in codes}}
    steps, done = 2 * len(codes) + 2, 0
    last_progress = time.monotonic()

    def advance() -> None:
        nonlocal done, last_progress
        done += 1
        if done == steps or time.monotonic() - last_progress >= PROGRESS_INTERVAL:
            update_progress_artifact(progress, progress=100.0 * done / steps)
            last_progress = time.monotonic()

    # inbox → store
    quarantined: list[dict] = []
    for unit in codes:
        collected = value(collect_task(unit, report_date))
        summary["units"][unit]["collect"] = collected
        quarantined += collected["quarantined"]
        advance()
    quiet_units("无新数据", [u for u in codes if not summary["units"][u]["collect"]["new_versions"]])
    # store → verdicts: one validation for all units (a suite run costs about the same for one file as for a
    # whole day)
    validated = validate_units_task(codes, report_date)
    for unit in codes:
        summary["units"][unit]["validate"] = validated[unit]
    advance()
    # verdicts → outbox (also when this run does not push: the records wait, queued)
    outbox_task(codes, report_date)
    advance()
    # outbox → 信用湛江 → receipts
    push_refused = pending = False
    for unit in codes:
        pushed = None
        if push and not push_refused and not pending:
            state = push_task(unit, report_date, return_state=True)
            if state.is_failed():
                # Credentials do not heal mid-run: stop pushing, finish the day, then fail the run.
                push_refused = True
            else:
                pushed = value(state)
                if isinstance(pushed, dict) and pushed.get("failed"):
                    # The platform is down: the other units' records wait for push-retry, not for backoffs.
                    logger.warning("信用湛江暂不可用：其余单位的记录保持排队，由 push-retry 重推")
                    pending = True
        summary["units"][unit]["push"] = pushed
        advance()
    skipped = {p.get("skipped") for u in codes if isinstance(p := summary["units"][u]["push"], dict)} - {None}
    for message in skipped:  # once, not once per unit
        logger.warning(message)
    # receipts → statistics → reports (each unit's 问题数据 workbook, now that the platform has answered)
    summary["stats"] = daily_stats_task(report_date)
    feedback = feedback_task(codes, report_date)
    daily_outputs_task(report_date, summary["stats"])
    summary["alerts"] = alerts_task(
        report_date,
        codes,
        validated=any(v["checked"] for v in validated.values()),
        feedback=feedback,
        quarantined=quarantined,
        push_pending=pending,
        push_errors=push_errors(summary["units"][u].get("push") for u in codes),
    )
    if push_refused:
        return Failed(message=auth_failure_message(report_date))
    if pending:
        waiting = summary["alerts"].get("push", 0)
        return Completed(
            name=PUSH_PENDING,
            message=f"信用湛江暂不可用：待推送 {waiting} 条，由 push-retry 自动重推",
            data=summary,
        )
    return summary
