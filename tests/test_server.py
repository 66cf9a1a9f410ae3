"""Operators' use on a real self-hosted Prefect server: deployments with schedules in Asia/Shanghai, a
process worker, a custom run as the UI's form makes it, artifacts, and alerts delivered to a webhook."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest

from tests.harness import PROJECT, Process, Webhook, prefect_env, start_server, wait_for

pytestmark = [pytest.mark.server, pytest.mark.slow]

DAY = dt.date(2026, 11, 26)
UNITS = ["scjgj", "zjj", "leicheng"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Server (on PostgreSQL when it answers), deployments, a worker, a sandbox and a webhook listener."""
    from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox
    from tests.conftest import PG_ADMIN_URL, _pg_available

    root = tmp_path_factory.mktemp("server")
    prefect_home = root / "prefect"
    home = root / "home"
    logs = root / "logs"
    for d in (prefect_home, home, logs):
        d.mkdir()

    db_url = None
    pg_name = None
    if _pg_available():
        import sqlalchemy as sa

        pg_name = f"prefect_test_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{pg_name}"')
        admin.dispose()
        db_url = PG_ADMIN_URL.replace("+psycopg", "+asyncpg").rsplit("/", 1)[0] + f"/{pg_name}"

    webhook = Webhook()
    sandbox = start_sandbox(app_key=DEMO_APP_KEY, app_secret=DEMO_APP_SECRET)
    server, api = start_server(prefect_home, db_url, logs)
    worker = None
    # Prefect reads its settings once per process: point it at this server through its settings context,
    # not os.environ (earlier tests in the session may already have loaded them).
    from prefect.settings import PREFECT_API_URL, temporary_settings

    saved = {
        k: os.environ.get(k)
        for k in ("CREDIT_ALERT_WEBHOOK_URL", "CREDIT_HOME", "CREDIT_PLATFORM_APP_SECRET")
    }
    settings_context = temporary_settings({PREFECT_API_URL: api})
    settings_context.__enter__()
    try:
        os.environ["CREDIT_ALERT_WEBHOOK_URL"] = webhook.url
        os.environ["CREDIT_HOME"] = str(home)
        # Deploy keeps the app secret in a Secret block; the worker below has no secret in its environment.
        os.environ["CREDIT_PLATFORM_APP_SECRET"] = DEMO_APP_SECRET
        from deployments.deploy import deploy

        deploy("credit-process")
        deploy("credit-process")  # twice: still one of each

        worker_env = prefect_env(
            prefect_home,
            PREFECT_API_URL=api,
            PREFECT_WORKER_QUERY_SECONDS="2",
            PREFECT_WORKER_PREFETCH_SECONDS="5",
            CREDIT_HOME=str(home),
            CREDIT_PLATFORM_URL=sandbox.url,
            CREDIT_PLATFORM_APP_KEY=DEMO_APP_KEY,
            CREDIT_PROJECT_DIR=str(PROJECT),
        )
        worker = Process(
            [
                str(PROJECT / ".venv/bin/prefect"),
                "worker",
                "start",
                "--pool",
                "credit-process",
                "--type",
                "process",
            ],
            worker_env,
            logs / "worker.log",
        )
        yield {
            "api": api,
            "home": home,
            "webhook": webhook,
            "sandbox": sandbox,
            "worker": worker,
            "server": server,
        }
    finally:
        settings_context.__exit__(None, None, None)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        if worker:
            worker.stop()
        server.stop(grace=15)
        sandbox.stop()
        webhook.stop()
        if pg_name:
            import sqlalchemy as sa

            admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            admin.dispose()


def _run(stack, parameters: dict, timeout: float = 240):
    from prefect.deployments import run_deployment

    return run_deployment("daily-pipeline/daily", parameters=parameters, timeout=timeout)


def test_deploy_is_idempotent_and_schedules_are_in_shanghai(stack):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: stack["api"]}), get_client(sync_client=True) as client:
        deployments = client.read_deployments()
        names = sorted(d.name for d in deployments)
        assert names == ["backfill", "daily", "monthly", "push-retry"]
        for d in deployments:
            assert d.schedules or d.name == "backfill", d.name
            for schedule in d.schedules:
                assert schedule.schedule.timezone == "Asia/Shanghai"
                assert schedule.slug
                assert "北京时间" in d.description
            # What the custom-run form shows: a Chinese title and description for every parameter.
            for name, prop in d.parameter_openapi_schema["properties"].items():
                assert prop["title"] != name and prop.get("description"), (d.name, name)
        automations = [a.name for a in client.read_automations()]
        for name in ("credit-validation-failed", "credit-push-failed", "credit-flow-run-failed"):
            assert automations.count(name) == 1


def test_custom_run_completes_with_artifacts_and_validation_alert(stack):
    from credit.generator import generate_day

    generate_day(stack["home"], DAY, units=UNITS, seed=7, defect_rate=0.3)
    run = _run(stack, {"report_date": DAY.isoformat(), "units": UNITS, "push": True})
    assert run.state.is_completed(), stack["worker"].tail()
    assert run.name == f"daily {DAY.isoformat()}"

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowRunFilter,
        FlowRunFilterId,
    )
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: stack["api"]}), get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["daily-stats"])),
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])),
        )
    assert artifacts and artifacts[0].type == "table"
    stats = stack["home"] / "out" / "daily" / DAY.isoformat() / "stats.json"
    assert stats.is_file()
    assert stack["sandbox"].state()["accepted_total"] > 0

    webhook = stack["webhook"]
    wait_for(
        lambda: any("校验不合格" in t for t in webhook.texts()), 90, what="validation alert at the webhook"
    )
    alert = next(t for t in webhook.texts() if "校验不合格" in t)
    assert DAY.isoformat() in alert and any(u in alert for u in UNITS)


def test_rerun_of_the_same_day_sends_nothing_new(stack):
    before = stack["sandbox"].state()["accepted_total"]
    run = _run(stack, {"report_date": DAY.isoformat(), "units": UNITS, "push": True})
    assert run.state.is_completed(), stack["worker"].tail()
    assert stack["sandbox"].state()["accepted_total"] == before


def test_failed_run_alerts(stack):
    run = _run(stack, {"report_date": DAY.isoformat(), "units": ["no_such_unit"], "push": False})
    assert run.state.is_failed()
    webhook = stack["webhook"]
    wait_for(
        lambda: any("流程运行" in t and "Failed" in t for t in webhook.texts()), 90, what="failure alert"
    )
