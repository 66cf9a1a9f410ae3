"""push-retry: re-drive whatever is still queued or unsettled, for every unit."""

from __future__ import annotations

from prefect import flow

from flows.daily import value
from tasks.common import today
from tasks.push import push_task


@flow(name="push-retry", flow_run_name="push-retry {units}")
def push_retry(units: list[str] | None = None) -> dict:
    """Send queued records and settle unfinished batches.

    units: unit codes (default: all units with pending deliveries).
    """
    day = today()
    if not units:
        return {"all": value(push_task(None, day))}
    return {unit: value(push_task(unit, day)) for unit in units}
