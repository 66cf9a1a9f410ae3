"""The HTTP transport: the 信用湛江 batch endpoint, signed, retried only where the failure is transient.

One `requests.Session` (connection reuse). Every attempt is signed afresh (new nonce and timestamp).
Retried: 5xx, 429 (Retry-After honoured, capped), time-outs and connection errors, with exponential
backoff and jitter, bounded by a number of attempts and a total time budget. Never retried: other 4xx,
which are final (the batch's records are rejected with the platform's message), and 401 AUTH_FAILED,
which is a configuration fault (AuthError). The app secret lives in a SecretStr and is used only to sign;
it is in no log line, exception message or repr.

The platform is not trusted to behave: every attempt has a wall-clock deadline covering the answer's
body too (`deadline.Deadline`), and the whole request never outlives the budget; the answer is streamed
and capped in size; redirects are not followed. A redirect, a status the contract does not name, an
oversized answer or a receipt that cannot be read (`receipt.parse_receipt_bytes`) raise UnexpectedAnswer:
the batch stays in the ledger and is settled later by GET, and its records are never rejected for it.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
import unicodedata
from collections.abc import Callable, Collection
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
    UnexpectedAnswer,
    resolve_secret,
)
from credit.platform.deadline import (
    READ_ERRORS,
    AnswerTooLarge,
    Deadline,
    DeadlineAdapter,
    DeadlineExceeded,
    read_body,
)
from credit.platform.payload import batch_body
from credit.platform.receipt import MalformedReceipt, parse_receipt_bytes
from credit.platform.signing import signed_headers
from credit.standard import datasets

log = logging.getLogger(__name__)

BATCHES_PATH = "/api/v1/datasets/{dataset}/batches"
RECEIPT_PATH = "/api/v1/batches/{batch_id}"
# A receipt for 500 records is tens of KiB; a few MiB leaves room for long error messages.
DEFAULT_MAX_ANSWER_BYTES = 4 * 1024 * 1024
MESSAGE_BYTES = 64 * 1024  # what is read of a final 4xx's body: enough for its message


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    backoff_base: float = 0.5  # seconds; attempt n waits about base * 2**(n-1), jittered
    backoff_max: float = 30.0
    retry_after_cap: float = 60.0  # a Retry-After longer than this is cut to it
    total_budget: float = 300.0  # the whole request (every attempt and wait) ends within this many seconds
    connect_timeout: float = 5.0
    read_timeout: float = 60.0  # one socket read
    request_deadline: float = 120.0  # one attempt, from connecting to the answer's last byte

    def backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    attempts: int


@dataclass(frozen=True)
class _Retry:
    reason: str
    wait: float | None = None
    delivered: bool = False


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
    if seconds != seconds:  # NaN
        return None
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


def printable(text: str, limit: int) -> str:
    """Text from the platform as one harmless line: control and format characters dropped, cut short."""
    kept = "".join(c for c in text[: limit * 2] if unicodedata.category(c)[0] != "C")
    return kept[:limit]


def _message(body: bytes) -> str:
    """The platform's message in a final 4xx answer (best effort: the body may be cut or not JSON)."""
    import json

    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return printable(body.decode("utf-8", errors="replace"), 200)
    if isinstance(data, dict):
        text = data.get("message") or data.get("msg") or data.get("code") or ""
        return printable(text if isinstance(text, str) else str(text), 500)
    return printable(str(data), 200)


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
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
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
        self.max_answer_bytes = max_answer_bytes
        self._sleep = sleep
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "leizhou-credit/0.1"
        for prefix in ("http://", "https://"):
            self._session.mount(prefix, DeadlineAdapter())

    @classmethod
    def from_settings(cls, settings: Any, **kwargs: Any) -> ApiClient:
        kwargs.setdefault("retry", RetryPolicy(max_attempts=getattr(settings, "platform_max_attempts", 6)))
        kwargs.setdefault(
            "max_answer_bytes", getattr(settings, "platform_max_answer_bytes", DEFAULT_MAX_ANSWER_BYTES)
        )
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
        what = f"batch {batch_id}"
        # The dataset folder's `[destination] resource` (the id, unless the platform names it otherwise).
        resource = datasets()[dataset].resource if dataset in datasets() else dataset
        answer = self._request("POST", BATCHES_PATH.format(dataset=resource), body, what=what)
        if answer.status == 200:
            return self._receipt(answer, batch_id, [r["recordKey"] for r in records], what)
        # A final 4xx (401, 429, 5xx, redirects and other statuses never get here): every record is rejected.
        message = _message(answer.body)
        text = (
            f"平台拒绝整批（HTTP {answer.status}）：{message}"
            if message
            else f"平台拒绝整批（HTTP {answer.status}）"
        )
        log.warning("batch %s rejected as a whole: HTTP %s", batch_id, answer.status)
        return Receipt(
            batch_id=batch_id,
            results=[
                RecordResult(r["recordKey"], "rejected", [{"field": "", "message": text}]) for r in records
            ],
            raw={"httpStatus": answer.status, "message": message},
            http_status=answer.status,
            rejected_whole=True,
        )

    def get_receipt(self, batch_id: str, record_keys: Collection[str] | None = None) -> Receipt | None:
        what = f"receipt {batch_id}"
        answer = self._request("GET", RECEIPT_PATH.format(batch_id=batch_id), None, what=what)
        if answer.status == 404:
            return None
        if answer.status == 200:
            return self._receipt(answer, batch_id, record_keys, what)
        raise TransportError(f"查询回执失败（HTTP {answer.status}）receipt query for batch {batch_id} failed")

    def _receipt(self, answer: _Answer, batch_id: str, keys: Collection[str] | None, what: str) -> Receipt:
        try:
            return parse_receipt_bytes(answer.body, batch_id, expected_keys=keys)
        except MalformedReceipt as exc:  # settle later by GET: never re-send the records as new
            log.error("%s: unreadable receipt: %s", what, exc)
            raise UnexpectedAnswer(
                f"平台回执无法解析，批次保留待查询回执（{exc}）unreadable receipt for {what}",
                attempts=answer.attempts,
            ) from None

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
        env["stream"] = True  # the body is read by read_body, bounded in time and size
        return self._session.send(prepared, timeout=timeout, allow_redirects=False, **env)

    def _request(self, method: str, path: str, body: bytes | None, *, what: str) -> _Answer:
        """Send until an answer the caller must read (200, 404 to a GET, a final 4xx) or give up.

        Every attempt ends by its deadline (`request_deadline`, cut to what is left of `total_budget`);
        no attempt or wait runs past the budget."""
        policy = self.retry
        budget_end = time.monotonic() + policy.total_budget
        maybe_delivered = False
        reason = ""
        attempt = 0
        while True:
            attempt += 1
            now = time.monotonic()
            deadline_at = min(now + policy.request_deadline, budget_end)
            remaining = max(0.05, deadline_at - now)
            timeout = (min(policy.connect_timeout, remaining), min(policy.read_timeout, remaining))
            with Deadline(deadline_at) as deadline:
                try:
                    resp = self._send_once(method, path, body, timeout)
                except READ_ERRORS as exc:  # requests' errors, and whatever a broken answer raises beneath
                    if not _connect_failed(exc):
                        maybe_delivered = True
                    outcome: _Answer | _Retry = _Retry(
                        "deadline exceeded" if deadline.passed() else type(exc).__name__
                    )
                else:
                    try:
                        outcome = self._answer(resp, method, deadline, what, attempt, maybe_delivered)
                    finally:
                        resp.close()  # a body left unread closes the connection: nothing more is read
            if isinstance(outcome, _Answer):
                return outcome
            reason = outcome.reason
            maybe_delivered = maybe_delivered or outcome.delivered
            if attempt >= policy.max_attempts:
                break
            delay = outcome.wait if outcome.wait is not None else policy.backoff(attempt)
            if time.monotonic() + delay >= budget_end:
                break
            log.warning("%s %s: %s, retry %d in %.2fs", method, what, reason, attempt, delay)
            self._sleep(delay)
        log.error("%s %s: giving up after %d attempts (%s)", method, what, attempt, reason)
        raise TransientError(
            f"平台暂时不可用：{reason}，已尝试 {attempt} 次（{what}）(platform unavailable)",
            maybe_delivered=maybe_delivered,
            attempts=attempt,
        )

    def _answer(
        self,
        resp: requests.Response,
        method: str,
        deadline: Deadline,
        what: str,
        attempt: int,
        maybe_delivered: bool,
    ) -> _Answer | _Retry:
        """What one answer means: an _Answer to return, a _Retry, or an exception (401, off-contract)."""
        status = resp.status_code
        if status == 401:
            raise AuthError(
                f"平台认证失败（401 AUTH_FAILED）：请检查 CREDIT_PLATFORM_APP_KEY / APP_SECRET 与服务器时钟；"
                f"{what} 未推送 (authentication failed: check app key, secret and clock)",
                maybe_delivered=maybe_delivered,
            )
        if status == 429:
            return _Retry(
                "HTTP 429", _retry_after(resp.headers.get("Retry-After"), self.retry.retry_after_cap)
            )
        if status >= 500:
            return _Retry(f"HTTP {status}", delivered=True)
        if status == 200:
            try:
                data = read_body(resp, deadline, self.max_answer_bytes)
            except DeadlineExceeded:
                return _Retry("deadline exceeded while reading the answer", delivered=True)
            except AnswerTooLarge as exc:
                log.error("%s %s: answer too large (%s), connection closed", method, what, exc)
                raise UnexpectedAnswer(
                    f"平台回复超过 {self.max_answer_bytes} 字节，已断开，批次保留待查询回执"
                    f"（{what}）(answer too large)",
                    attempts=attempt,
                ) from None
            except READ_ERRORS as exc:
                return _Retry(f"answer cut ({type(exc).__name__})", delivered=True)
            return _Answer(200, data, attempt)
        if status == 404 and method == "GET":
            return _Answer(404, b"", attempt)
        if 400 <= status < 500:  # final: the contract's 4xx (413, 400, …); its message, if it comes in time
            try:
                data = read_body(resp, deadline, MESSAGE_BYTES, complete=False)
            except (DeadlineExceeded, *READ_ERRORS):
                data = b""
            return _Answer(status, data, attempt)
        if 300 <= status < 400:
            location = printable(resp.headers.get("Location") or "", 200)
            log.error("%s %s: redirected (HTTP %s to %r), not followed", method, what, status, location)
            raise UnexpectedAnswer(
                f"平台返回重定向（HTTP {status}，Location: {location or '无'}），未跟随；请核对 CREDIT_PLATFORM_URL，"
                f"批次保留待重推（{what}）(redirect not followed)",
                attempts=attempt,
            )
        log.error("%s %s: HTTP %s is not in the contract", method, what, status)
        raise UnexpectedAnswer(
            f"平台返回约定之外的状态（HTTP {status}），批次保留待查询回执（{what}）(unexpected status)",
            attempts=attempt,
        )
