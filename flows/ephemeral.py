"""Start Prefect's ephemeral API ahead of the first flow run, while the caller does its own imports.

Without a configured `PREFECT_API_URL`, the first API call of a process starts a temporary server in a
subprocess and waits for it (≈ 8–13 s on 2 cores, mostly its imports). Started here on a thread, the server
boots on the other core while the caller imports the flows and Great Expectations; `wait()` before the first
flow run. With a configured server this does nothing.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED


def start_ephemeral_api() -> Callable[[], None]:
    """Begin starting the ephemeral API (if this process will use one); returns a wait() to call before the
    first flow run. A failure to start is left to the flow run itself, which retries and reports it."""
    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return lambda: None
    # Only when an ephemeral server is wanted: importing Prefect's server is seconds of the caller's start.
    from prefect.server.api.server import SubprocessASGIServer

    def start() -> None:
        with contextlib.suppress(Exception):  # the flow run starts it again and raises a clear error
            SubprocessASGIServer().start()

    thread = threading.Thread(target=start, name="prefect-ephemeral-api", daemon=True)
    thread.start()
    return thread.join
