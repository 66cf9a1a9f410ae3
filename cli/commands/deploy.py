"""`credit deploy`: create or update the Prefect deployments, schedules and alerts."""

from __future__ import annotations

from deployments.deploy import deploy


def run(args) -> int:
    deploy(work_pool=args.pool)
    return 0
