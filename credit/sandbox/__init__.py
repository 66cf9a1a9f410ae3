"""A local stand-in for the 信用湛江 batch endpoint (tests and the demo). It is not the platform: it
implements the contract of docs/contracts.md, validates lightly, and can be told to misbehave (5xx bursts, 429,
slow answers, lost answers, connection resets) through `set_faults` or `POST /__admin/faults`.

    handle = start_sandbox()                 # 127.0.0.1, a free port, demo credentials
    handle.url, handle.state(), handle.set_faults(fail_5xx=3), handle.stop()

`GET /__admin/state` reads the counters (`accepted_total`, …); `GET /__admin/records/<recordKey>` one
record's history. With `state_path` the state lives in an SQLite file and survives a restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from credit.sandbox.server import SandboxHandle, SandboxServer
from credit.sandbox.state import FAULT_DEFAULTS, SandboxState

DEMO_APP_KEY = "demo-key"
DEMO_APP_SECRET = "demo-secret"  # a public demo value, not a secret of any real system

log = logging.getLogger(__name__)


def _server(host: str, port: int, app_key: str, app_secret: str, state_path: str | None, faults):
    state = SandboxState(str(state_path) if state_path else None, faults)
    return SandboxServer((host, port), state, app_key, app_secret)


def start_sandbox(
    host: str = "127.0.0.1",
    port: int = 0,
    app_key: str = DEMO_APP_KEY,
    app_secret: str = DEMO_APP_SECRET,
    state_path: str | None = None,
    faults: dict[str, Any] | None = None,
) -> SandboxHandle:
    """Start the sandbox in a background thread and return its handle (port 0: any free port)."""
    server = _server(host, port, app_key, app_secret, state_path, faults)
    thread = threading.Thread(target=server.serve_forever, name="credit-sandbox", daemon=True)
    thread.start()
    return SandboxHandle(server, thread)


def serve_forever(
    host: str = "127.0.0.1",
    port: int = 8765,
    app_key: str = DEMO_APP_KEY,
    app_secret: str = DEMO_APP_SECRET,
    state_path: str | None = None,
    faults: dict[str, Any] | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Run the sandbox in the foreground until interrupted (`credit sandbox --port P`); `on_ready` gets its
    URL once it listens."""
    server = _server(host, port, app_key, app_secret, state_path, faults)
    url = "http://{}:{}".format(*server.server_address[:2])
    log.info("sandbox listening on %s", url)
    if on_ready is not None:
        on_ready(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.state.close()


__all__ = [
    "DEMO_APP_KEY",
    "DEMO_APP_SECRET",
    "FAULT_DEFAULTS",
    "SandboxHandle",
    "serve_forever",
    "start_sandbox",
]
