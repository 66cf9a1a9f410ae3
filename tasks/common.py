"""What every task shares: settings per call (a worker may change its environment between runs)."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from prefect.blocks.system import Secret
from prefect.events import emit_event
from prefect.runtime import task_run

from credit import escape
from credit.platform import register_secret_resolver
from credit.settings import Settings, load_settings
from credit.units import all_units

SECRET_BLOCK = "credit-platform-app-secret"

# The run loggers of Prefect (what the UI shows) and our tasks and flows: one escaped, masked line per event.
escape.escape_log_records("tasks", "flows", "prefect.flow_runs", "prefect.task_runs")


class QuietTaskEnd(logging.Filter):
    """Drop Prefect's "Finished in state Completed()" line of every task run (a third of a day's log): our
    tasks write one line of their own per unit and step. Any other end (Failed, Crashed) is logged by
    Prefect at ERROR and stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno == logging.INFO and str(record.msg).startswith("Finished in state "))


def quiet_task_ends() -> None:
    """Install QuietTaskEnd on Prefect's task-run logger once (a logger filter survives Prefect's dictConfig)."""
    logger = logging.getLogger("prefect.task_runs")
    if not any(isinstance(f, QuietTaskEnd) for f in logger.filters):
        logger.addFilter(QuietTaskEnd())


quiet_task_ends()


def _secret_from_block():
    """The app secret from the Prefect Secret block, when the environment does not carry it."""
    if load_settings().platform_app_secret is not None:
        return None
    try:
        # _sync: a caller inside a running event loop (a browser test's, a server's) gets the value, not a
        # coroutine.
        return Secret.load(SECRET_BLOCK, _sync=True).get()
    except ValueError:  # no such block: nothing configured
        return None


register_secret_resolver(_secret_from_block)


def settings() -> Settings:
    s = load_settings()
    s.ensure_dirs()
    return s


def today(tz: str | None = None) -> dt.date:
    return dt.datetime.now(ZoneInfo(tz or load_settings().timezone)).date()


def run_name(verb: str, parameter: str):
    """A task-run name from a unit parameter, for task_run_name: "push scjgj 市市场监管局", or "push 全部单位"
    when the task covers every unit (never "push None"). The code comes first: the run graph draws names in a
    font without Chinese glyphs, where "push scjgj" still reads."""

    def name() -> str:
        code = task_run.parameters.get(parameter)
        if not code:
            return f"{verb} 全部单位"
        unit = all_units().get(code)
        return f"{verb} {code} {unit.short_name}" if unit else f"{verb} {code}"

    return name


def unit_label(code: str) -> str:
    unit = all_units().get(code)
    return f"{unit.short_name}({code})" if unit else code


def emit_alert(event: str, resource: dict[str, str], payload: dict) -> None:
    """Emit an event that drives an alert (deployments/automations.yaml), its text escaped in one place."""
    # Every string one masked line, as an alert shows it.
    emit_event(
        event=event,
        resource=escape.each_string(resource, escape.log_line),
        payload=escape.each_string(payload, escape.log_line),
    )
