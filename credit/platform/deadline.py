"""A wall-clock deadline over one HTTP exchange, and a bounded read of the answer.

requests' `timeout` bounds each socket operation, not the exchange: a server that drips one byte per
read-timeout keeps a request alive for ever, in the status line, the headers or the body. Here every
attempt runs inside a `Deadline`: a timer that, when the deadline passes, shuts down the sockets the
attempt uses (connect, TLS handshake, request, headers and body alike), so any blocked read returns at
once. The sockets are found through the connection classes of urllib3 (`pool_classes_by_scheme` and
`ConnectionCls`, its extension points), installed by `DeadlineAdapter`.

`read_body` then streams the answer in chunks, stopping at the deadline or at a size cap (a declared
Content-Length over the cap is refused before reading anything).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

CHUNK = 64 * 1024

_current = threading.local()


class DeadlineExceeded(Exception):
    """The exchange outlived its deadline (its sockets were shut down)."""


class AnswerTooLarge(Exception):
    """The answer is larger than the cap (declared or read so far)."""


class Deadline:
    """`with Deadline(at):` (a `time.monotonic()` instant) around one attempt, in the thread making it."""

    def __init__(self, at: float):
        self.at = at
        self.expired = False
        self._lock = threading.Lock()
        self._watched: list[tuple[socket.socket, bool]] = []  # (socket, owned: a dup we must close)
        self._timer: threading.Timer | None = None
        self._done = False

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def passed(self) -> bool:
        return self.expired or time.monotonic() >= self.at

    def __enter__(self) -> Deadline:
        _current.deadline = self
        self._timer = threading.Timer(max(0.0, self.remaining()), self._expire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        _current.deadline = None
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._done = True  # a timer firing now must not cut a kept-alive connection of a finished attempt
            watched, self._watched = self._watched, []
        for sock, owned in watched:
            if owned:
                with contextlib.suppress(OSError):
                    sock.close()

    def watch(self, sock: socket.socket | None, *, owned: bool = False) -> None:
        if sock is None:
            return
        with self._lock:
            self._watched.append((sock, owned))
            if self.expired:
                _shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            for sock, _ in self._watched:  # under the lock: the owned duplicates are not closed meanwhile
                _shutdown(sock)


def _shutdown(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for an SSLSocket: its own would drop the TLS object under the
    # reading thread. Shutting down wakes a blocked recv in another thread (it returns end-of-file).
    with contextlib.suppress(OSError, ValueError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def current() -> Deadline | None:
    return getattr(_current, "deadline", None)


class _Watched:
    """Mixin for urllib3 connections: the sockets of the attempt in progress are handed to its Deadline."""

    sock: Any

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        deadline = current()
        if deadline is not None:
            # A duplicate descriptor of the same socket: it stays valid while TLS wraps (and detaches) the
            # original, so a dripped handshake is cut too. Closed when the attempt ends.
            with contextlib.suppress(OSError):
                deadline.watch(sock.dup(), owned=True)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        deadline = current()
        if deadline is not None:
            deadline.watch(self.sock)  # a kept-alive connection: its socket is already there
        super().request(*args, **kwargs)  # type: ignore[misc]


class WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


POOLS = {"http": WatchedHTTPConnectionPool, "https": WatchedHTTPSConnectionPool}


class DeadlineAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections (direct or through an HTTP proxy) obey the current Deadline."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS managers bring their own connection classes
            manager.pool_classes_by_scheme = dict(POOLS)
        return manager


# What reading a streamed body can raise when the peer misbehaves or the deadline cut the socket.
READ_ERRORS = (
    requests.exceptions.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)


def read_body(resp: requests.Response, deadline: Deadline, limit: int, *, complete: bool = True) -> bytes:
    """The answer's body, at most `limit` bytes (after content decoding), read before the deadline.

    `complete=True`: more than `limit` bytes raises AnswerTooLarge. `complete=False`: the first `limit`
    bytes are enough (a message to show), the rest is never read. Raises DeadlineExceeded when the
    deadline passes first. The caller closes the response (which closes a connection left half read)."""
    declared = (resp.headers.get("Content-Length") or "").strip()
    if complete and declared.isdigit() and int(declared) > limit:
        raise AnswerTooLarge(f"declared {declared} bytes")
    buf = bytearray()
    try:
        for chunk in resp.iter_content(CHUNK):
            buf += chunk
            if len(buf) > limit:
                if complete:
                    raise AnswerTooLarge(f"more than {limit} bytes")
                del buf[limit:]
                break
            if deadline.passed():
                raise DeadlineExceeded("deadline passed while reading the answer")
    except READ_ERRORS:
        if deadline.passed():
            raise DeadlineExceeded("deadline passed while reading the answer") from None
        raise
    return bytes(buf)


__all__ = [
    "AnswerTooLarge",
    "Deadline",
    "DeadlineAdapter",
    "DeadlineExceeded",
    "read_body",
]
