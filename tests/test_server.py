"""Operators' use on a real self-hosted Prefect server: deployments with schedules in Asia/Shanghai, a
process worker, a custom run as the UI's form makes it, artifacts, and alerts delivered to a webhook."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from tests.harness import server_stack, wait_for

pytestmark = [pytest.mark.server, pytest.mark.slow]

DAY = dt.date(2026, 11, 26)
OUTAGE_DAY = dt.date(2026, 11, 27)
REFUSED_DAY = dt.date(2026, 11, 30)
UNITS = ["scjgj", "zjj", "leicheng", "gaj", "sfj", "czj", "swj", "wjj"]
SETTLE = 20  # seconds an automation may take to deliver (docs/field-notes.md: within ~20 s)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Server (on PostgreSQL when it answers), deployments, a worker, a sandbox and a webhook listener."""
    with server_stack(tmp_path_factory.mktemp("server")) as running:
        yield running


def _run(stack, parameters: dict, timeout: float = 240):
    from prefect.deployments import run_deployment

    return run_deployment("daily-pipeline/daily", parameters=parameters, timeout=timeout)


def test_deploy_is_idempotent_and_schedules_are_in_shanghai(stack):
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings({PREFECT_API_URL: stack["api"]}), get_client(sync_client=True) as client:
        deployments = client.read_deployments()
        names = sorted(d.name for d in deployments)
        assert names == ["backfill", "daily", "duties", "monthly", "push-retry"]
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
        for name in (
            "credit-validation-failed",
            "credit-push-failed",
            "credit-file-quarantined",
            "credit-duties-reminder",
            "credit-flow-run-failed",
        ):
            assert automations.count(name) == 1


def _messages(stack, marker: str) -> list[str]:
    """The webhook messages (robot text) whose first line contains `marker`."""
    texts = [m.get("text", {}).get("content", "") for m in stack["webhook"].received]
    return [t for t in texts if marker in t.split("\n", 1)[0]]


def _settled(stack, *markers: str) -> dict[str, list[str]]:
    """Wait for a message of each kind, then long enough for any duplicate to arrive too."""
    for marker in markers:
        wait_for(lambda m=marker: _messages(stack, m), 90, what=f"a {marker} message at the webhook")
    time.sleep(SETTLE)
    return {marker: _messages(stack, marker) for marker in markers}


def _store_count(stack, where: str, what: str = "count(*)") -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{stack['home'] / 'credit.db'}")
    with engine.connect() as conn:
        count = conn.exec_driver_sql(
            f"SELECT {what} FROM record_version JOIN record ON record.id = record_version.record_id WHERE {where}"
        ).scalar_one()
    engine.dispose()
    return count


def test_a_day_with_invalid_rows_in_many_units_sends_one_digest_per_kind(stack):
    from credit.units import all_units
    from samples.generator import generate_day

    generate_day(stack["home"], DAY, units=UNITS, seed=7, defect_rate=0.3)
    (stack["home"] / "inbox" / "zjj" / "许可0826.xlsx").write_bytes(b"not a workbook")
    run = _run(stack, {"report_date": DAY.isoformat(), "units": UNITS, "push": True})
    assert run.state.is_completed() and run.state.name == "Completed", stack["worker"].tail()
    assert run.name == f"daily {DAY.isoformat()}"
    assert stack["sandbox"].state()["accepted_total"] > 0

    got = _settled(stack, "校验不合格", "文件无法读取")
    [validation] = got["校验不合格"]  # one message for every unit and dataset of the day
    invalid = _store_count(
        stack, f"record_version.status = 'invalid' AND record_version.received_date = '{DAY.isoformat()}'"
    )
    failing = [u for u in UNITS if all_units()[u].short_name in validation]
    assert invalid > 0 and len(failing) >= 5
    assert f"{len(failing)} 个单位共 {invalid} 条" in validation.split("\n", 1)[0]
    lines = validation.split("\n")
    assert lines[1].startswith("原因：") and lines[-1].startswith("下一步：")
    for unit in failing:
        line = next(x for x in lines if x.startswith(f"· {all_units()[unit].short_name}："))
        path = line.split("问题清单 ", 1)[1].split("，", 1)[0]
        assert (stack["home"] / path).is_file() and f"inbox/{unit}/" in line
    assert "scjgj：" not in validation and "xzcf" not in validation and "； " not in validation

    [quarantine] = got["文件无法读取"]
    assert "市住建局" in quarantine and "许可0826.xlsx" in quarantine and "quarantine/zjj/" in quarantine
    assert not _messages(stack, "推送") and not _messages(stack, "运行失败")

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
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["daily-stats", "daily-outputs"])),
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])),
        )
        logs = client.read_logs()
    kinds = {a.key: a for a in artifacts}
    assert kinds["daily-stats"].type == "table"
    outputs = kinds["daily-outputs"].data
    day = DAY.isoformat()
    for rel in (f"out/daily/{day}/stats.json", f"out/daily/{day}/日统计_{DAY:%Y%m%d}.xlsx"):
        assert rel in outputs.replace("\\", "")  # markdown-escaped in the artifact, plain on screen
    assert "file://" not in outputs and "问题清单，改后放回 inbox" in outputs.replace("\\", "")
    # The log: no "Finished in state Completed()" per task (the flow run's own end line stays), no "None".
    ours = [log for log in logs if log.flow_run_id == run.id]
    assert not [x for x in ours if x.task_run_id and x.message.startswith("Finished in state Completed")]
    assert not [x.message for x in ours if "None" in x.message]
    assert len(ours) <= 4 * len(UNITS) + 12, "\n".join(x.message for x in ours)


def test_rerun_of_the_same_day_sends_nothing_new(stack):
    before = stack["sandbox"].state()["accepted_total"]
    run = _run(stack, {"report_date": DAY.isoformat(), "units": UNITS, "push": True})
    assert run.state.is_completed(), stack["worker"].tail()
    assert stack["sandbox"].state()["accepted_total"] == before


def test_platform_outage_ends_push_pending_with_one_digest_of_the_true_backlog(stack):
    from samples.generator import generate_day

    generate_day(stack["home"], OUTAGE_DAY, units=UNITS[:4], seed=8, defect_rate=0.1)
    stack["sandbox"].set_faults(fail_5xx=100_000)
    try:
        run = _run(stack, {"report_date": OUTAGE_DAY.isoformat(), "units": UNITS[:4], "push": True})
    finally:
        stack["sandbox"].set_faults(clear=True)
    assert run.state.is_completed() and run.state.name == "推送待重试", stack["worker"].tail()
    waiting = _store_count(stack, "push_state IN ('queued', 'batched')")
    units = _store_count(stack, "push_state IN ('queued', 'batched')", "count(DISTINCT record.unit)")
    [digest] = _settled(stack, "推送信用湛江未完成")["推送信用湛江未完成"]
    lines = digest.split("\n")
    assert f"待推送 {waiting} 条" in lines[0] and waiting > 0
    assert lines[1].startswith("原因：平台暂时不可用") and lines[-1].startswith("下一步：")
    assert units > 1 and f"待推送 {waiting} 条（{units} 个单位）" in lines[1]  # every unit's, not the first's
    assert "None" not in digest and "unavailable" not in digest


def test_refused_credentials_fail_the_run_with_cause_and_next_step(stack):
    from prefect.blocks.system import Secret

    from samples.generator import generate_day
    from tasks.common import SECRET_BLOCK

    # A day of its own: new records to push (push-retry, scheduled every 30 minutes, may have sent the rest).
    generate_day(stack["home"], REFUSED_DAY, units=UNITS[:2], seed=9, defect_rate=0.1)
    good = Secret.load(SECRET_BLOCK).get()
    Secret(value="wrong-secret").save(SECRET_BLOCK, overwrite=True)
    try:
        run = _run(stack, {"report_date": REFUSED_DAY.isoformat(), "units": UNITS[:2], "push": True})
    finally:
        Secret(value=good).save(SECRET_BLOCK, overwrite=True)
    assert run.state.is_failed(), stack["worker"].tail()
    waiting = _store_count(stack, "push_state IN ('queued', 'batched')")
    [alert] = _settled(stack, f"运行失败：daily {REFUSED_DAY.isoformat()}")[
        f"运行失败：daily {REFUSED_DAY.isoformat()}"
    ]
    lines = alert.split("\n")
    assert lines[1].startswith("原因：信用湛江拒绝了本系统的应用密钥（401 认证失败）")
    assert f"待推送 {waiting} 条" in lines[1] and lines[-1].startswith(
        "下一步：请核对 CREDIT_PLATFORM_APP_KEY"
    )
    assert "None" not in alert and "AuthError" not in alert and "authentication" not in alert


def test_failed_run_alerts(stack):
    run = _run(stack, {"report_date": DAY.isoformat(), "units": ["no_such_unit"], "push": False})
    assert run.state.is_failed()

    # An earlier test's failure alert is already at the webhook: wait for this run's own.
    def own():
        return [t for t in _messages(stack, "运行失败：daily") if "no_such_unit" in t]

    wait_for(own, 90, what="failure alert naming no_such_unit")
    alert = own()[0]
    assert alert.split("\n")[1].startswith("原因：所选单位不在单位名录中：no_such_unit")
