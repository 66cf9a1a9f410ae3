"""Real processes on loopback for integration tests: a Prefect server, a process worker, a webhook
listener. Everything binds to 127.0.0.1, stops by itself, and leaves nothing running."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.5, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


class Webhook:
    """Records every POST body it receives (the 企业微信/钉钉 robot stand-in)."""

    def __init__(self):
        self.received: list[dict] = []
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                try:
                    webhook.received.append(json.loads(body))
                except ValueError:
                    webhook.received.append({"raw": body.decode("utf-8", "replace")})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode":0}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?key=test-robot-token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def texts(self) -> list[str]:
        return [json.dumps(m, ensure_ascii=False) for m in self.received]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Process:
    def __init__(self, args: list[str], env: dict, log: Path, cwd: Path = PROJECT):
        self.log = log
        self.fh = open(log, "wb")  # noqa: SIM115  (lives as long as the process)
        self.proc = subprocess.Popen(
            args, env=env, cwd=cwd, stdout=self.fh, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self, grace: float = 10.0):
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.fh.close()

    def tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def prefect_env(prefect_home: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CREDIT_"))}
    env.update(
        {
            "PREFECT_HOME": str(prefect_home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
            "GX_ANALYTICS_ENABLED": "false",
            "PATH": f"{BIN}:{env.get('PATH', '')}",
        }
    )
    env.update(extra)
    return env


def start_server(prefect_home: Path, db_url: str | None, logs: Path) -> tuple[Process, str]:
    port = free_port()
    extra = {"PREFECT_SERVER_API_HOST": "127.0.0.1", "PREFECT_SERVER_API_PORT": str(port)}
    if db_url:
        extra["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = db_url
    env = prefect_env(prefect_home, **extra)
    server = Process(
        [
            str(BIN / "prefect"),
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--analytics-off",
        ],
        env,
        logs / "server.log",
    )
    api = f"http://127.0.0.1:{port}/api"

    def healthy():
        if server.proc.poll() is not None:
            raise RuntimeError("prefect server exited:\n" + server.tail())
        try:
            return requests.get(f"{api}/health", timeout=2).ok
        except requests.RequestException:
            return False

    wait_for(healthy, 180, what="prefect server health")
    return server, api


@contextlib.contextmanager
def server_stack(root: Path, worker_settings: dict[str, str] | None = None):
    """A Prefect server (on PostgreSQL when it answers), the project's deployments, a process worker, a
    sandbox of 信用湛江 and a webhook listener, under `root`; yields them as a dict. `worker_settings`: more
    CREDIT_* settings for the flow runs."""
    from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox
    from tests.conftest import PG_ADMIN_URL, _pg_available

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
            CREDIT_PLATFORM_MAX_ATTEMPTS="2",  # an outage is declared after two tries, not six
            CREDIT_PROJECT_DIR=str(PROJECT),
            **(worker_settings or {}),
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
