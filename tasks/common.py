"""What every task shares: settings per call (a worker may change its environment between runs)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from credit import escape
from credit.platform import register_secret_resolver
from credit.settings import Settings, load_settings

SECRET_BLOCK = "credit-platform-app-secret"

# The run loggers of Prefect (what the UI shows) and our tasks and flows: one escaped, masked line per event.
escape.escape_log_records("tasks", "flows", "prefect.flow_runs", "prefect.task_runs")


def _secret_from_block():
    """The app secret from the Prefect Secret block, when the environment does not carry it."""
    if load_settings().platform_app_secret is not None:
        return None
    from prefect.blocks.system import Secret

    try:
        return Secret.load(SECRET_BLOCK).get()
    except ValueError:  # no such block: nothing configured
        return None


register_secret_resolver(_secret_from_block)


def settings() -> Settings:
    s = load_settings()
    s.ensure_dirs()
    return s


def today(tz: str | None = None) -> dt.date:
    return dt.datetime.now(ZoneInfo(tz or load_settings().timezone)).date()


def unit_label(code: str) -> str:
    from credit.units import all_units

    unit = all_units().get(code)
    return f"{unit.short_name}({code})" if unit else code


def _plain(value):
    """Event payload values as an alert shows them: every string one masked line (escape.log_line)."""
    if isinstance(value, str):
        return escape.log_line(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def emit_alert(event: str, resource: dict[str, str], payload: dict) -> None:
    """Emit an event that drives an alert (deployments/automations.yaml), its text escaped in one place."""
    from prefect.events import emit_event

    emit_event(event=event, resource=_plain(resource), payload=_plain(payload))
