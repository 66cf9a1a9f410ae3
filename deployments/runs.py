"""The portal's reruns through the Prefect API (credit.portal.office_reruns.Launcher): start the
`daily-pipeline/daily` deployment's run with parameters, read a run's state.

Outside credit/ because the domain package never imports Prefect (tests/test_layers.py): `credit portal`
builds this launcher and gives it to the app. The API is PREFECT_API_URL as the worker has it (the
environment or the Prefect profile); the UI link is PREFECT_UI_URL, else the API's address without `/api`.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL, PREFECT_UI_URL, temporary_settings

from credit.portal.office_reruns import LaunchError, RunView

DEPLOYMENT = "daily-pipeline/daily"
TAGS = ["portal-rerun"]


def ui_base(api_url: str, ui_url: str | None) -> str:
    if ui_url:
        return ui_url.rstrip("/")
    base = api_url.rstrip("/")
    return base.removesuffix("/api")


class PrefectLauncher:
    def __init__(self, api_url: str | None = None, ui_url: str | None = None, deployment: str = DEPLOYMENT):
        self.api_url = api_url or PREFECT_API_URL.value()
        self.ui = ui_base(self.api_url, ui_url or PREFECT_UI_URL.value()) if self.api_url else None
        self.deployment = deployment

    @contextmanager
    def _client(self):
        if not self.api_url:
            raise LaunchError("未配置 PREFECT_API_URL，门户不能启动重新运行")
        # The portal serves requests on worker threads: the API address is set for this call, not read from
        # whatever settings context the thread happens to have (without one, Prefect would start a
        # temporary server of its own).
        with temporary_settings({PREFECT_API_URL: self.api_url}), get_client(sync_client=True) as client:
            yield client

    def _view(self, run) -> RunView:
        state = run.state
        return RunView(
            id=str(run.id),
            name=run.name or "",
            state_type=state.type.value if state else "SCHEDULED",
            state_name=state.name if state else "",
            ui_url=f"{self.ui}/runs/flow-run/{run.id}",
            parameters=dict(run.parameters or {}),
        )

    def start(self, report_date: dt.date, units: list[str], push: bool) -> RunView:
        parameters = {"report_date": report_date.isoformat(), "units": units, "push": push}
        try:
            with self._client() as client:
                deployment = client.read_deployment_by_name(self.deployment)
                run = client.create_flow_run_from_deployment(deployment.id, parameters=parameters, tags=TAGS)
        except ObjectNotFound:
            raise LaunchError(f"Prefect 上没有部署 {self.deployment}（请先运行 credit deploy）") from None
        except LaunchError:
            raise
        except Exception as exc:  # unreachable server, refused request: the page says so in Chinese
            raise LaunchError(f"无法连接 Prefect 服务（{type(exc).__name__}），请稍后再试") from None
        return self._view(run)

    def read(self, run_id: str) -> RunView:
        try:
            with self._client() as client:
                return self._view(client.read_flow_run(UUID(run_id)))
        except ObjectNotFound:
            raise LaunchError("Prefect 上找不到这次运行") from None
        except LaunchError:
            raise
        except Exception as exc:
            raise LaunchError(f"无法连接 Prefect 服务（{type(exc).__name__}），请稍后再试") from None
