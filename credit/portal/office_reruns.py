"""Reruns of the daily pipeline started from the portal: the form's checks, and what the page needs to know of
a flow run.

The portal knows nothing of Prefect (credit/ never imports it, tests/test_layers.py): the app is given a
`Launcher` at construction; `deployments.runs.PrefectLauncher` starts the `daily-pipeline/daily` deployment
through the Prefect API and reads its runs. Without one (no PREFECT_API_URL) the page says reruns are not
available here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Protocol

from credit.units import collected_units

FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
STATE_NAMES = {
    "SCHEDULED": "已排队",
    "PENDING": "等待执行",
    "RUNNING": "运行中",
    "COMPLETED": "已完成",
    "FAILED": "失败",
    "CRASHED": "异常中止",
    "CANCELLING": "正在取消",
    "CANCELLED": "已取消",
    "PAUSED": "已暂停",
}
REFRESH_SECONDS = 5


@dataclass
class RunView:
    """A flow run as the page shows it."""

    id: str
    name: str
    state_type: str  # Prefect's StateType value: COMPLETED, RUNNING …
    state_name: str  # the state's own name (Completed, 推送待重试 …)
    ui_url: str
    parameters: dict = field(default_factory=dict)

    @property
    def final(self) -> bool:
        return self.state_type in FINAL

    @property
    def state_zh(self) -> str:
        known = STATE_NAMES.get(self.state_type, self.state_type)
        # A named final state says more than its type (推送待重试 is a Completed run with records waiting).
        if self.state_name and self.state_name.lower() != self.state_type.lower():
            return f"{known}（{self.state_name}）"
        return known


class Launcher(Protocol):
    """Starts a daily rerun and reads flow runs (deployments.runs.PrefectLauncher)."""

    def start(self, report_date: dt.date, units: list[str], push: bool) -> RunView: ...

    def read(self, run_id: str) -> RunView: ...


class LaunchError(RuntimeError):
    """The Prefect API could not be reached or refused: the Chinese reason."""


@dataclass
class RerunRequest:
    report_date: dt.date
    units: list[str]
    push: bool


def unit_choices() -> list:
    return collected_units()


def parse_form(day: str, units: list[str], push: bool, today: dt.date) -> RerunRequest | str:
    """The request, or the Chinese reason it is refused. Units are codes of the registry's collected units,
    in registry order, each once; at least one."""
    try:
        report_date = dt.date.fromisoformat(day.strip())
    except ValueError:
        return "报送日期格式应为 YYYY-MM-DD"
    if report_date > today:
        return "报送日期不能晚于今天"
    known = [u.code for u in collected_units()]
    unknown = [u for u in units if u not in known]
    if unknown:
        return "所选单位不在单位名录中"
    chosen = [code for code in known if code in set(units)]
    if not chosen:
        return "请至少选择一个单位"
    return RerunRequest(report_date, chosen, push)


def valid_run_id(text: str) -> str | None:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None
