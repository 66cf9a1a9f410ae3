"""monthly-bulletin: the 月通报 for a month (default: the previous month)."""

from __future__ import annotations

from prefect import flow
from prefect.runtime import flow_run

from tasks.common import today
from tasks.report import bulletin_task


def previous_month() -> str:
    first = today().replace(day=1)
    last = first.fromordinal(first.toordinal() - 1)
    return f"{last.year:04d}-{last.month:02d}"


def _run_name() -> str:
    return f"bulletin {flow_run.parameters.get('month') or previous_month()}"


@flow(name="monthly-bulletin", flow_run_name=_run_name)
def monthly_bulletin(month: str | None = None) -> dict:
    """Build the monthly bulletin.

    month: YYYY-MM (default: the previous month).
    """
    return bulletin_task(month or previous_month())
