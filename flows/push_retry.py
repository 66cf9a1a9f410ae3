"""push-retry: re-drive whatever is still queued or unsettled, for every unit; a chosen unit whose records
the platform rejected gets its 问题数据 workbook rewritten."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from prefect import flow
from prefect.runtime import flow_run
from prefect.states import Completed, Failed

from flows import params
from flows.daily import PUSH_PENDING, push_errors, value
from tasks.alerts import alerts_task, auth_failure_message
from tasks.common import today
from tasks.deliver import push_task
from tasks.report import feedback_task


def _run_name() -> str:
    chosen = flow_run.parameters.get("units")
    scope = "、".join(params.unit_codes(chosen)) if chosen else "全部单位"
    return f"push-retry {dt.datetime.now(ZoneInfo('Asia/Shanghai')):%Y-%m-%d %H:%M} {scope}"


@flow(name="push-retry", flow_run_name=_run_name)
def push_retry(units: params.Units = params.RETRY_UNITS):
    """重推：发送排队中的记录，并按批次号向信用湛江核实未确认的批次（绝不重复报送）。

    Args:
        units: 只重推所选单位，不选为所有有待推送记录的单位。
    """
    day = today()
    codes = params.unit_codes(units) if units else [None]
    results, pending = {}, False
    for code in codes:
        state = push_task(code, day, return_state=True)
        if state.is_failed():
            return Failed(message=auth_failure_message(day))
        results[code or "all"] = pushed = value(state)
        pending = pending or bool(isinstance(pushed, dict) and pushed.get("failed"))
    rejected = [code for code in codes if code and (results[code] or {}).get("rejected")]
    if rejected:
        feedback_task(rejected, day)
    if pending:
        sent = alerts_task(day, push_pending=True, push_errors=push_errors(results.values()))
        return Completed(
            name=PUSH_PENDING,
            message=f"信用湛江暂不可用：待推送 {sent.get('push', 0)} 条，下次 push-retry 再推",
            data=results,
        )
    return results
