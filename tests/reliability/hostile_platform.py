"""A hostile 信用湛江 endpoint on loopback: a real HTTP server in a thread, in front of the sandbox.

Each request is forwarded to the sandbox unchanged (so batches are really processed and stored there, and
a later GET can settle them), unless a mode says otherwise; the mode then decides what the client gets
back: the sandbox's answer dripped one byte at a time (in the body or in the headers), an endless answer
generated lazily, a gzip bomb, a malformed receipt, a redirect, or a well-formed receipt that rejects
chosen records. Every request is logged (method, path, mode) so tests count what the client asked.

Every loop here is bounded (by a byte count and by time), the server listens on 127.0.0.1 only, and
`stop()` ends hanging answers.
"""

from __future__ import annotations

import gzip
import http.client
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

FORWARDED = ("X-App-Key", "X-Timestamp", "X-Nonce", "X-Signature", "Content-Type", "Accept")


@dataclass
class Mode:
    """What to answer. `kind`: pass | drip_body | drip_headers | endless | declared_huge | gzip_bomb |
    replace | redirect | reject. `times`: how many requests it applies to (None: all)."""

    kind: str = "pass"
    times: int | None = None
    interval: float = 0.2  # drip: seconds between bytes
    max_seconds: float = 8.0  # drip / endless: the answer ends after this long in any case
    size: int = 2 << 30  # endless / declared_huge / gzip_bomb: bytes offered
    body: bytes | Callable[[dict[str, Any]], Any] | None = None  # replace: bytes, or f(receipt) -> JSON value
    status: int = 302  # redirect; endless / declared_huge: the status they answer with (200 unless set)
    location: str = ""
    forward: bool = True
    reject: Callable[[dict[str, Any]], list[dict[str, str]] | None] | None = (
        None  # reject: f(record) -> errors
    )


@dataclass
class Logged:
    method: str
    path: str
    mode: str
    sent: int = 0  # body bytes written to the client
    ended: str = ""  # how the answer ended: complete | client closed | time limit | size limit


@dataclass
class _State:
    upstream: str | None
    modes: dict[str, Mode] = field(default_factory=dict)
    log: list[Logged] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: _State

    def handle_error(self, request: Any, client_address: Any) -> None:  # a client that hung up: expected
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    # -- plumbing -------------------------------------------------------------------------------------

    def _take_mode(self, method: str) -> Mode:
        state = self.server.state
        with state.lock:
            mode = state.modes.get(method)
            if mode is None:
                return Mode()
            if mode.times is not None:
                mode.times -= 1
                if mode.times <= 0:
                    del state.modes[method]
            return mode

    def _forward(self, method: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        up = urlsplit(self.server.state.upstream)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=30)
        try:
            headers = {k: self.headers[k] for k in FORWARDED if self.headers.get(k) is not None}
            conn.request(method, self.path, body=body if method == "POST" else None, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, {k: v for k, v in resp.getheaders()}, data
        finally:
            conn.close()

    def _write(self, data: bytes, entry: Logged) -> bool:
        try:
            self.wfile.write(data)
            entry.sent += len(data)
            return True
        except OSError:
            entry.ended = entry.ended or "client closed"
            return False

    def _head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()

    # -- answers --------------------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        mode = self._take_mode(method)
        entry = Logged(method, urlsplit(self.path).path, mode.kind)
        with self.server.state.lock:
            self.server.state.log.append(entry)
        try:
            self._answer(method, body, mode, entry)
        except OSError:
            entry.ended = entry.ended or "client closed"
        entry.ended = entry.ended or "complete"

    def _answer(self, method: str, body: bytes, mode: Mode, entry: Logged) -> None:
        if mode.kind == "redirect" or not mode.forward or self.server.state.upstream is None:
            status, headers, data = 502, {}, b""
        else:
            status, headers, data = self._forward(method, body)
        kind = mode.kind
        if kind == "pass":
            self._head(status, {"Content-Type": "application/json", "Content-Length": str(len(data))})
            self._write(data, entry)
        elif kind == "redirect":
            self.close_connection = True
            self._head(mode.status, {"Location": mode.location, "Content-Length": "0"})
        elif kind == "replace":
            new = mode.body if isinstance(mode.body, bytes) else _dumps(mode.body(json.loads(data)))
            self._head(200, {"Content-Type": "application/json", "Content-Length": str(len(new))})
            self._write(new, entry)
        elif kind == "reject":
            new = _dumps(_rejecting(json.loads(data), json.loads(body), mode.reject))
            self._head(200, {"Content-Type": "application/json", "Content-Length": str(len(new))})
            self._write(new, entry)
        elif kind == "drip_body":
            self._head(200, {"Content-Type": "application/json", "Content-Length": str(len(data))})
            self._drip(data, mode, entry)
        elif kind == "drip_headers":
            self.close_connection = True
            raw = (
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(data)}\r\n".encode()
                + b"X-Slow: "
                + b"a" * 4000
                + b"\r\n\r\n"
                + data
            )
            self._drip(raw, mode, entry)
        elif kind in ("endless", "declared_huge"):
            self.close_connection = True
            headers = {"Content-Type": "application/json"}
            if kind == "declared_huge":
                headers["Content-Length"] = str(mode.size)
            else:
                headers["Connection"] = "close"  # the body ends when the connection does
            self._head(200 if mode.status == 302 else mode.status, headers)
            self._endless(mode, entry)
        elif kind == "gzip_bomb":
            self.close_connection = True
            bomb = _bomb(mode.size)
            self._head(
                200,
                {
                    "Content-Type": "application/json",
                    "Content-Encoding": "gzip",
                    "Content-Length": str(len(bomb)),
                },
            )
            self._write(bomb, entry)
        else:
            raise ValueError(kind)

    def _drip(self, data: bytes, mode: Mode, entry: Logged) -> None:
        stop = time.monotonic() + mode.max_seconds
        stopping = self.server.state.stopping
        for i in range(len(data)):  # bounded by the data and by max_seconds
            if time.monotonic() > stop or stopping.is_set():
                entry.ended = "time limit"
                self.close_connection = True
                return
            if not self._write(data[i : i + 1], entry):
                return
            stopping.wait(mode.interval)

    def _endless(self, mode: Mode, entry: Logged) -> None:
        head = b'{"code":"0","batchId":"00000000-0000-0000-0000-000000000000","results":['
        item = b'{"recordKey":"' + b"0" * 64 + b'","status":"accepted","errors":[]},'
        block = item * (65536 // len(item))
        if not self._write(head, entry):
            return
        stop = time.monotonic() + mode.max_seconds
        while entry.sent < mode.size:  # bounded by size and by time
            if time.monotonic() > stop or self.server.state.stopping.is_set():
                entry.ended = "time limit"
                return
            if not self._write(block, entry):
                return
        entry.ended = "size limit"


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _rejecting(receipt: dict[str, Any], request: dict[str, Any], reject) -> dict[str, Any]:
    """The sandbox's receipt with the records `reject` names turned into well-formed rejections."""
    by_key = {r["recordKey"]: r for r in request["records"]}
    out = dict(receipt, results=[])
    for result in receipt["results"]:
        errors = reject(by_key[result["recordKey"]]) if reject else None
        if errors:
            result = {"recordKey": result["recordKey"], "status": "rejected", "errors": errors}
        out["results"].append(result)
    return out


_BOMBS: dict[int, bytes] = {}


def _bomb(size: int) -> bytes:
    """gzip of `size` bytes of a repeated receipt item (compressed once per size, in 1 MiB pieces)."""
    if size not in _BOMBS:
        piece = (b'{"recordKey":"' + b"0" * 64 + b'","status":"accepted","errors":[]},') * 9000
        piece = piece[: 1 << 20]
        import io

        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as gz:
            for _ in range(size // len(piece)):
                gz.write(piece)
        _BOMBS[size] = buf.getvalue()
    return _BOMBS[size]


class HostilePlatform:
    """`HostilePlatform(upstream_url)`: `.url`, `.set(method, Mode)`, `.clear()`, `.log`, `.stop()`."""

    def __init__(self, upstream: str | None = None):
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = _State(upstream)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="hostile-platform", daemon=True
        )
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"

    def set(self, method: str, mode: Mode) -> None:
        with self._server.state.lock:
            self._server.state.modes[method] = mode

    def clear(self) -> None:
        with self._server.state.lock:
            self._server.state.modes.clear()

    @property
    def log(self) -> list[Logged]:
        with self._server.state.lock:
            return list(self._server.state.log)

    def requests(self, method: str | None = None, path: str | None = None) -> list[Logged]:
        return [
            e for e in self.log if (method is None or e.method == method) and (path is None or e.path == path)
        ]

    def stop(self) -> None:
        self._server.state.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> HostilePlatform:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
