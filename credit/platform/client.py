"""The HTTP transport: the 信用湛江 batch endpoint, signed, retried only where the failure is transient.

One `requests.Session` (connection reuse). Every attempt is signed afresh (new nonce and timestamp).
Retried: 5xx, 429 (Retry-After honoured, capped), time-outs and connection errors, with exponential
backoff and jitter, bounded by a number of attempts and a total time budget. Never retried: other 4xx,
which are final (the batch's records are rejected with the platform's message), and 401 AUTH_FAILED,
which is a configuration fault (AuthError). The app secret lives in a SecretStr and is used only to sign;
it is in no log line, exception message or repr.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from pydantic import SecretStr

from credit.platform import (
    AuthError,
    ConfigurationError,
    Receipt,
    RecordResult,
    TransientError,
    TransportError,
    resolve_secret,
)
from credit.platform.payload import batch_body
from credit.platform.signing import signed_headers

log = logging.getLogger(__name__)

BATCHES_PATH = "/api/v1/datasets/{dataset}/batches"
RECEIPT_PATH = "/api/v1/batches/{batch_id}"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    backoff_base: float = 0.5  # seconds; attempt n waits about base * 2**(n-1), jittered
    backoff_max: float = 30.0
    retry_after_cap: float = 60.0  # a Retry-After longer than this is cut to it
    total_budget: float = 300.0  # no new attempt starts after this many seconds
    connect_timeout: float = 5.0
    read_timeout: float = 60.0

    def backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def _retry_after(value: str | None, cap: float) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return max(0.0, min(seconds, cap))


def _connect_failed(exc: BaseException) -> bool:
    """True when the request certainly never reached the server (refused, DNS, connect time-out)."""
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    seen = 0
    current: Any = exc
    while current is not None and seen < 6:
        if isinstance(current, NewConnectionError | ConnectTimeoutError | ConnectionRefusedError):
            return True
        nxt = getattr(current, "reason", None)
        if nxt is None and getattr(current, "args", None):
            nxt = current.args[0] if isinstance(current.args[0], BaseException) else None
        current, seen = nxt, seen + 1
    return False


def _message(resp: requests.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return (resp.text or "")[:200]
    if isinstance(body, dict):
        return str(body.get("message") or body.get("msg") or body.get("code") or "")[:500]
    return str(body)[:200]


def parse_receipt(body: Any, batch_id: str, http_status: int | None = None) -> Receipt:
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise ValueError("receipt without results")
    results = []
    for item in body["results"]:
        errors = item.get("errors") or []
        results.append(
            RecordResult(
                record_key=str(item.get("recordKey")),
                status=str(item.get("status")),
                errors=[
                    {"field": str(e.get("field") or ""), "message": str(e.get("message") or "")}
                    for e in errors
                    if isinstance(e, dict)
                ],
            )
        )
    return Receipt(
        batch_id=str(body.get("batchId") or batch_id), results=results, raw=body, http_status=http_status
    )


class ApiClient:
    """The real platform client (Transport "api")."""

    name = "api"

    def __init__(
        self,
        base_url: str,
        app_key: str,
        app_secret: SecretStr | str,
        *,
        verify_tls: bool = True,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if not base_url:
            raise ConfigurationError("未配置平台地址 CREDIT_PLATFORM_URL (platform URL not set)")
        if not app_key or not app_secret:
            raise ConfigurationError(
                "未配置平台凭据 CREDIT_PLATFORM_APP_KEY / CREDIT_PLATFORM_APP_SECRET (credentials not set)"
            )
        self.base_url = base_url.rstrip("/")
        self.app_key = app_key
        self._secret = app_secret if isinstance(app_secret, SecretStr) else SecretStr(app_secret)
        self.verify_tls = verify_tls
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "leizhou-credit/0.1"

    @classmethod
    def from_settings(cls, settings: Any, **kwargs: Any) -> ApiClient:
        kwargs.setdefault("retry", RetryPolicy(max_attempts=getattr(settings, "platform_max_attempts", 6)))
        return cls(
            settings.platform_url or "",
            settings.platform_app_key or "",
            resolve_secret(settings) or "",
            verify_tls=settings.platform_verify_tls,
            **kwargs,
        )

    def __repr__(self) -> str:
        return f"ApiClient(url={self.base_url!r}, app_key={self.app_key!r}, verify_tls={self.verify_tls})"

    __str__ = __repr__

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the two calls of the contract ---------------------------------------------------------------

    def send_batch(self, dataset: str, batch_id: str, unit: str, records: list[dict[str, Any]]) -> Receipt:
        body = batch_body(batch_id, unit, records)
        resp = self._request("POST", BATCHES_PATH.format(dataset=dataset), body, what=f"batch {batch_id}")
        if resp.status_code == 200:
            try:
                return parse_receipt(resp.json(), batch_id, 200)
            except ValueError as exc:  # a 200 we cannot read: settle later by GET
                raise TransientError(f"平台回执无法解析 unreadable receipt for batch {batch_id}") from exc
        # A final 4xx (the 401 and retryable statuses never get here): every record is rejected.
        message = _message(resp)
        text = (
            f"平台拒绝整批（HTTP {resp.status_code}）：{message}"
            if message
            else f"平台拒绝整批（HTTP {resp.status_code}）"
        )
        log.warning("batch %s rejected as a whole: HTTP %s", batch_id, resp.status_code)
        return Receipt(
            batch_id=batch_id,
            results=[
                RecordResult(r["recordKey"], "rejected", [{"field": "", "message": text}]) for r in records
            ],
            raw={"httpStatus": resp.status_code, "message": message},
            http_status=resp.status_code,
            rejected_whole=True,
        )

    def get_receipt(self, batch_id: str) -> Receipt | None:
        resp = self._request("GET", RECEIPT_PATH.format(batch_id=batch_id), None, what=f"receipt {batch_id}")
        if resp.status_code == 404:
            return None
        if resp.status_code == 200:
            try:
                return parse_receipt(resp.json(), batch_id, 200)
            except ValueError as exc:
                raise TransientError(f"平台回执无法解析 unreadable receipt for batch {batch_id}") from exc
        raise TransportError(
            f"查询回执失败（HTTP {resp.status_code}）receipt query for batch {batch_id} failed"
        )

    # -- transport -----------------------------------------------------------------------------------

    def _send_once(self, method: str, path: str, body: bytes | None, timeout: tuple[float, float]):
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        prepared = self._session.prepare_request(
            requests.Request(method, self.base_url + path, data=body, headers=headers)
        )
        sent_path = prepared.path_url.split("?", 1)[0]
        prepared.headers.update(
            signed_headers(self.app_key, self._secret.get_secret_value(), method, sent_path, body)
        )
        env = self._session.merge_environment_settings(prepared.url, {}, None, self.verify_tls, None)
        return self._session.send(prepared, timeout=timeout, allow_redirects=False, **env)

    def _request(self, method: str, path: str, body: bytes | None, *, what: str) -> requests.Response:
        policy = self.retry
        deadline = time.monotonic() + policy.total_budget
        maybe_delivered = False
        reason = ""
        attempt = 0
        while True:
            attempt += 1
            remaining = max(0.1, deadline - time.monotonic())
            timeout = (min(policy.connect_timeout, remaining), min(policy.read_timeout, remaining))
            wait: float | None = None
            try:
                resp = self._send_once(method, path, body, timeout)
            except requests.exceptions.RequestException as exc:
                if not _connect_failed(exc):
                    maybe_delivered = True
                reason = type(exc).__name__
            else:
                status = resp.status_code
                if status == 401:
                    resp.close()
                    raise AuthError(
                        f"平台认证失败（401 AUTH_FAILED）：请检查 CREDIT_PLATFORM_APP_KEY / APP_SECRET 与服务器时钟；"
                        f"{what} 未推送 (authentication failed: check app key, secret and clock)",
                        maybe_delivered=maybe_delivered,
                    )
                if status == 429:
                    wait = _retry_after(resp.headers.get("Retry-After"), policy.retry_after_cap)
                    reason = "HTTP 429"
                elif status >= 500:
                    maybe_delivered = True
                    reason = f"HTTP {status}"
                else:
                    return resp
                resp.close()
            if attempt >= policy.max_attempts:
                break
            delay = wait if wait is not None else policy.backoff(attempt)
            if time.monotonic() + delay > deadline:
                break
            log.warning("%s %s: %s, retry %d in %.2fs", method, what, reason, attempt, delay)
            self._sleep(delay)
        log.error("%s %s: giving up after %d attempts (%s)", method, what, attempt, reason)
        raise TransientError(
            f"平台暂时不可用：{reason}，已尝试 {attempt} 次（{what}）(platform unavailable)",
            maybe_delivered=maybe_delivered,
            attempts=attempt,
        )
