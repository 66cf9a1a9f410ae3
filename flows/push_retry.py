"""push-retry: re-drive whatever is still queued or unsettled, for every unit."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from prefect import flow
from prefect.runtime import flow_run

from flows import params
from flows.daily import value
from tasks.common import today
from tasks.push import push_task


def _run_name() -> str:
    chosen = flow_run.parameters.get("units")
    scope = "、".join(params.unit_codes(chosen)) if chosen else "全部单位"
    return f"push-retry {dt.datetime.now(ZoneInfo('Asia/Shanghai')):%Y-%m-%d %H:%M} {scope}"


@flow(name="push-retry", flow_run_name=_run_name)
def push_retry(units: params.Units = params.RETRY_UNITS) -> dict:
    """重推：发送排队中的记录，并按批次号向信用湛江核实未确认的批次（绝不重复报送）。

    Args:
        units: 只重推所选单位，不选为所有有待推送记录的单位。
    """
    day = today()
    if not units:
        return {"all": value(push_task(None, day))}
    return {code: value(push_task(code, day)) for code in params.unit_codes(units)}
