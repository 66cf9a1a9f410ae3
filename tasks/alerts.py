"""Alerts: at most one digest per run and kind (validation failures, push backlog, quarantined files), each
built from the store by credit.alerts and emitted as one event that an automation sends to the webhook."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from credit import alerts
from tasks.common import emit_alert, settings


def emit_digest(digest: alerts.Digest) -> None:
    """One event per digest; emit_alert escapes every string of it (one line each, ID numbers masked)."""
    day = digest.date.isoformat()
    emit_alert(
        digest.event,
        {"prefect.resource.id": f"credit.day.{day}.{digest.kind}", "prefect.resource.name": digest.subject},
        digest.payload(),
    )


@task(name="alerts", task_run_name="alerts {report_date}", cache_policy=NO_CACHE)
def alerts_task(
    report_date: dt.date,
    units: list[str] | None = None,
    *,
    validated: bool = False,
    feedback: dict[str, str | None] | None = None,
    quarantined: list[dict] | None = None,
    push_pending: bool = False,
    push_errors: list[str] | None = None,
) -> dict[str, int]:
    """Emit the run's digests: validation (when this run validated records), quarantine (when this run set
    files aside; the message lists the day's), push (when a push could not finish). Returns the totals it alerted, by kind."""
    s = settings()
    digests = [
        alerts.validation_digest(s, report_date, units, feedback) if validated else None,
        alerts.quarantine_digest(s, report_date, units, quarantined) if quarantined else None,
        alerts.push_digest(s, report_date, errors=push_errors) if push_pending else None,
    ]
    sent = {}
    for digest in digests:
        if digest is not None:
            emit_digest(digest)
            get_run_logger().warning("已发送告警：%s", digest.subject)
            sent[digest.kind] = digest.total
    return sent


@task(name="push-refused", task_run_name="push-refused {report_date}", cache_policy=NO_CACHE)
def auth_failure_message(report_date: dt.date) -> str:
    """The run's failure message when 信用湛江 refused the credentials: cause first, backlog, next step.
    The run ends Failed with it, and the flow-run-failed automation sends it as it is."""
    digest = alerts.push_digest(settings(), report_date, auth_failed=True)
    return "\n".join(digest.lines)
