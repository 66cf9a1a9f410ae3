"""The sandbox's HTTP side: stdlib ThreadingHTTPServer speaking the endpoint contract of docs/contracts.md.

Its signature check is written here independently of credit.platform.signing (the receiver must not
share the client's mistakes), on the same reading of the contract: an empty body hashes as "".
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import socket
import struct
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from credit.sandbox.state import SandboxState, dataset_of_resource

log = logging.getLogger(__name__)

MAX_RECORDS = 500
MAX_BYTES = 5 * 1024 * 1024
MAX_READ = 64 * 1024 * 1024
CLOCK_SKEW_MS = 300_000
POST_PATH = re.compile(r"^/api/v1/datasets/([^/]+)/batches$")
GET_PATH = re.compile(r"^/api/v1/batches/([^/]+)$")


def expected_signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    digest = hashlib.sha256(body).hexdigest() if body else ""
    text = f"{method}\n{path}\n{timestamp}\n{nonce}\n{digest}"
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SandboxState, app_key: str, app_secret: str):
        super().__init__(address, SandboxHandler)
        self.state = state
        self.app_key = app_key
        self._app_secret = app_secret
        self.closing = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A request still sleeping in a fault (stall, delay) when the sandbox stops finds its state closed:
        # expected, not worth a traceback on stderr.
        if self.closing:
            log.debug("sandbox: request from %s ended by shutdown", client_address)
            return
        super().handle_error(request, client_address)

    def check_auth(self, method: str, path: str, headers: Any, body: bytes) -> bool:
        key = headers.get("X-App-Key")
        ts = headers.get("X-Timestamp") or ""
        nonce = headers.get("X-Nonce") or ""
        sig = headers.get("X-Signature") or ""
        if key != self.app_key or not nonce or not ts.isdigit():
            return False
        if abs(int(time.time() * 1000) - int(ts)) > CLOCK_SKEW_MS:
            return False
        want = expected_signature(self._app_secret, method, path, ts, nonce, body)
        if not hmac.compare_digest(want, sig.lower()):
            return False
        return self.state.use_nonce(nonce)


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SandboxServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet; debug only
        log.debug("sandbox %s - %s", self.address_string(), format % args)

    # -- plumbing ------------------------------------------------------------------------------------

    def _read_body(self) -> bytes | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_READ:
            self._abort()
            return None
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _abort(self) -> None:
        """Drop the connection with a TCP reset, answering nothing."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    # -- routing -------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/__admin/"):
            self._admin("GET", path, b"")
            return
        self._api("GET", path)

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path.startswith("/__admin/"):
            body = self._read_body()
            if body is not None:
                self._admin("POST", path, body)
            return
        self._api("POST", path)

    def _admin(self, method: str, path: str, body: bytes) -> None:
        state = self.server.state
        try:
            if method == "GET" and path == "/__admin/state":
                self._send(200, state.snapshot())
            elif method == "POST" and path == "/__admin/faults":
                self._send(200, {"faults": state.set_faults(json.loads(body or b"{}"))})
            elif method == "GET" and path.startswith("/__admin/records/"):
                key = path.rsplit("/", 1)[1]
                self._send(200, {"recordKey": key, "held": state.held(key), "history": state.history(key)})
            else:
                self._send(404, {"code": "NOT_FOUND"})
        except (ValueError, TypeError) as exc:
            self._send(400, {"code": "BAD_REQUEST", "message": str(exc)})

    def _api(self, method: str, path: str) -> None:
        server, state = self.server, self.server.state
        body = self._read_body() if method == "POST" else b""
        if body is None:
            return
        state.bump("requests")
        if state.take_fault("reset"):
            state.bump("faults_reset")
            self._abort()
            return
        if state.take_fault("fail_5xx"):
            state.bump("faults_5xx")
            self._send(503, {"code": "UNAVAILABLE", "message": "服务暂时不可用"})
            return
        if state.take_fault("rate_limit_429"):
            state.bump("faults_429")
            self._send(
                429,
                {"code": "RATE_LIMITED", "message": "请求过于频繁"},
                {"Retry-After": str(state.faults["retry_after"])},
            )
            return
        if method == "POST" and len(body) > MAX_BYTES:
            self._send(413, {"code": "PAYLOAD_TOO_LARGE", "message": "请求体超过 5 MiB"})
            return
        if not server.check_auth(method, path, self.headers, body):
            state.bump("auth_failed")
            self._send(401, {"code": "AUTH_FAILED", "message": "签名、时间戳或随机数校验失败"})
            return
        stall, delay = state.take_slow()
        if stall:
            time.sleep(stall)
        if method == "GET":
            m = GET_PATH.match(path)
            receipt = state.receipt(m.group(1)) if m else None
            if delay:
                time.sleep(delay)
            if receipt is None:
                self._send(404, {"code": "NOT_FOUND", "message": "批次不存在"})
            else:
                self._send(200, receipt)
            return
        m = POST_PATH.match(path)
        dataset = dataset_of_resource(m.group(1)) if m else None
        if dataset is None:
            self._send(404, {"code": "NOT_FOUND", "message": "数据集不存在"})
            return
        try:
            payload = json.loads(body)
            uuid.UUID(str(payload["batchId"]))
            if not isinstance(payload.get("unitCode"), str) or not isinstance(payload.get("records"), list):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            self._send(400, {"code": "BAD_REQUEST", "message": "请求体格式错误（batchId/unitCode/records）"})
            return
        if len(payload["records"]) > MAX_RECORDS:
            self._send(413, {"code": "PAYLOAD_TOO_LARGE", "message": "单批记录超过 500 条"})
            return
        receipt, _ = state.process(dataset, payload)
        if delay:
            time.sleep(delay)
        if state.take_fault("lose_answer"):
            state.bump("faults_lost")
            if state.faults["lose_answer_mode"] == "502":
                self._send(502, {"code": "BAD_GATEWAY", "message": "网关错误"})
            else:
                self._abort()
            return
        self._send(200, receipt)


class SandboxHandle:
    """A running sandbox (tests, the demo): `.url`, `.stop()`, `.state()`, `.set_faults(...)`."""

    def __init__(self, server: SandboxServer, thread: threading.Thread):
        self._server = server
        self._thread = thread
        host, port = server.server_address[:2]
        self.host, self.port = host, port
        self.url = f"http://{host}:{port}"
        self.app_key = server.app_key

    @property
    def store(self) -> SandboxState:
        return self._server.state

    def state(self) -> dict[str, Any]:
        return self._server.state.snapshot()

    def set_faults(self, **faults: Any) -> dict[str, Any]:
        return self._server.state.set_faults(faults)

    def history(self, record_key: str) -> list[dict[str, Any]]:
        return self._server.state.history(record_key)

    def accepted_counts(self) -> dict[str, int]:
        return self._server.state.accepted_counts()

    def stop(self) -> None:
        self._server.closing = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server.state.close()

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"SandboxHandle(url={self.url!r})"
