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
