"""`credit deploy`: create or update the work pool, the alert block, the deployments of prefect.yaml and
the automations of automations.yaml on the Prefect server in PREFECT_API_URL. Running it twice leaves one
of each."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import yaml
from prefect import deploy as prefect_deploy
from prefect import flow
from prefect.automations import Automation, SendNotification
from prefect.blocks.notifications import CustomWebhookNotificationBlock
from prefect.blocks.system import Secret
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.events.schemas.automations import EventTrigger, Posture
from prefect.exceptions import ObjectAlreadyExists
from prefect.schedules import Cron

from credit.settings import load_settings
from tasks.common import SECRET_BLOCK

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
BLOCK_NAME = "credit-alerts"

# 企业微信 and 钉钉 robots both take {"msgtype": "text", "text": {"content": …}}; a mail gateway can be
# pointed at the same JSON.
ROBOT_JSON = {"msgtype": "text", "text": {"content": "{{subject}}\n{{body}}"}}


def load_yaml(name: str) -> dict:
    with open(HERE / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def ensure_work_pool(name: str) -> None:
    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        client.create_work_pool(WorkPoolCreate(name=name, type="process"))


def ensure_alert_block(webhook_url: str | None):
    """The Custom Webhook block the automations notify; the URL (with its token) is kept as a secret."""

    block = CustomWebhookNotificationBlock(
        name=BLOCK_NAME,
        url="{{webhook_url}}",
        json_data=ROBOT_JSON,
        secrets={"webhook_url": webhook_url or "http://127.0.0.1:9/unset"},
        timeout=10,
    )
    block.save(BLOCK_NAME, overwrite=True)
    return CustomWebhookNotificationBlock.load(BLOCK_NAME)


def ensure_secret_block(secret) -> bool:
    """Keep the platform app secret in a Prefect Secret block, so workers need it in no environment."""
    if secret is None:
        return False

    Secret(value=secret.get_secret_value()).save(SECRET_BLOCK, overwrite=True)
    return True


def deploy_flows(work_pool: str) -> list[str]:
    """Every deployment of prefect.yaml in one call, so Prefect reports them in one table, once."""
    config = load_yaml("prefect.yaml")
    deployments, names = [], []
    for spec in config["deployments"]:
        schedules = [
            Cron(s["cron"], timezone=s["timezone"], slug=s["slug"], active=s.get("active", True))
            for s in spec.get("schedules", [])
        ]
        loaded = flow.from_source(source=str(PROJECT), entrypoint=spec["entrypoint"])
        deployments.append(
            loaded.to_deployment(
                name=spec["name"],
                work_pool_name=work_pool or spec["work_pool"]["name"],
                schedules=schedules,
                parameters=spec.get("parameters") or {},
                description=spec.get("description"),
                tags=spec.get("tags"),
                job_variables={"env": {"CREDIT_PROJECT_DIR": str(PROJECT)}},
                # The form offers units as "code name" choices; `prefect deployment run --param
                # units='["scjgj"]'` gives bare codes. The flow validates both itself (flows/params.py) and
                # fails the run, which alerts, on an unknown code; the server's check would refuse bare
                # codes before any run exists.
                enforce_parameter_schema=spec.get("enforce_parameter_schema", True),
            )
        )
        names.append(f"{loaded.name}/{spec['name']}")
    ids = prefect_deploy(
        *deployments,
        work_pool_name=work_pool,
        print_next_steps_message=False,
        ignore_warnings=True,
    )
    return [f"{name} ({deployment_id})" for name, deployment_id in zip(names, ids, strict=True)]


def _trigger(spec: dict):
    return EventTrigger(
        expect=set(spec["expect"]),
        match=spec.get("match") or {},
        for_each=set(spec.get("for_each") or []),
        posture=Posture(spec.get("posture", "Reactive")),
        threshold=spec.get("threshold", 1),
        within=spec.get("within", 0),
    )


def deploy_automations(block_id) -> list[str]:
    config = load_yaml("automations.yaml")
    with get_client(sync_client=True) as client:
        existing = client.read_automations()
    by_name: dict[str, list] = {}
    for automation in existing:
        by_name.setdefault(automation.name, []).append(automation)
    names = []
    for spec in config["automations"]:
        wanted = Automation(
            name=spec["name"],
            description=spec.get("description", ""),
            enabled=True,
            trigger=_trigger(spec["trigger"]),
            actions=[
                SendNotification(block_document_id=block_id, subject=spec["subject"], body=spec["body"])
            ],
        )
        found = by_name.get(spec["name"], [])
        if found:
            wanted.id = found[0].id
            wanted.update()
            for extra in found[1:]:  # left behind by an earlier non-idempotent create
                Automation.read(id=extra.id).delete()
        else:
            wanted.create()
        names.append(spec["name"])
    return names


def deploy(work_pool: str = "credit-process") -> dict:
    settings = load_settings()
    os.environ.setdefault("CREDIT_PROJECT_DIR", str(PROJECT))
    ensure_work_pool(work_pool)
    webhook = settings.alert_webhook_url.get_secret_value() if settings.alert_webhook_url else None
    block = ensure_alert_block(webhook)
    if ensure_secret_block(settings.platform_app_secret):
        print("平台密钥已保存到 Prefect Secret 块（credit-platform-app-secret）")
    deployments = deploy_flows(work_pool)
    automations = deploy_automations(block._block_document_id)
    print(f"工作池：{work_pool}")
    for name in deployments:
        print(f"部署：{name}")
    for name in automations:
        print(f"告警：{name}")
    if not webhook:
        print("提示：未设置 CREDIT_ALERT_WEBHOOK_URL，告警不会送达任何地址。")
    return {"work_pool": work_pool, "deployments": deployments, "automations": automations}


if __name__ == "__main__":
    deploy()
