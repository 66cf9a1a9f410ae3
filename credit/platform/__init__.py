"""Delivery to 信用湛江: one `Transport` interface, two transports (the HTTP API and the 前置库).

`credit.delivery` (outbox, ledger, settle) speaks only to this interface (`transports.make_transport` picks
one); `client.ApiClient` speaks the
endpoint contract of docs/contracts.md, `frontdb.FrontDbTransport` writes exchange tables. If the real platform
differs from the contract, adapt it in one module here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from pydantic import SecretStr

FINAL_STATUSES = ("accepted", "rejected", "duplicate")


@dataclass(frozen=True)
class RecordResult:
    record_key: str
    status: str  # accepted | rejected | duplicate | pending (前置库 rows not yet processed)
    errors: list[dict[str, Any]] = field(default_factory=list)  # [{"field": code, "message": 中文}]


@dataclass(frozen=True)
class Receipt:
    """The platform's answer for one batch. `final` receipts settle the batch; `pending` ones do not."""

    batch_id: str
    results: list[RecordResult]
    raw: dict[str, Any] | None = None  # the answer as received (kept in the ledger)
    http_status: int | None = None
    rejected_whole: bool = False  # a final 4xx: every record rejected with the platform's message

    @property
    def pending(self) -> bool:
        return any(r.status not in FINAL_STATUSES for r in self.results)

    def by_key(self) -> dict[str, RecordResult]:
        return {r.record_key: r for r in self.results}


class TransportError(Exception):
    """A delivery fault. Messages never carry the secret, a signature or record contents."""


class ConfigurationError(TransportError):
    """The transport is not configured (no URL, no credentials)."""


class AuthError(TransportError):
    """401 AUTH_FAILED: credentials or clock are wrong. A configuration fault: stop pushing.

    `maybe_delivered` is True when an earlier attempt of the same request may have reached the platform
    (then the batch must stay in the ledger to be settled later, never be sent again in a new batch)."""

    def __init__(self, message: str, *, maybe_delivered: bool = False):
        super().__init__(message)
        self.maybe_delivered = maybe_delivered


class TransientError(TransportError):
    """5xx, 429, time-outs or connection errors that outlasted the retries: try again later."""

    def __init__(self, message: str, *, maybe_delivered: bool = True, attempts: int = 0):
        super().__init__(message)
        self.maybe_delivered = maybe_delivered
        self.attempts = attempts


class UnexpectedAnswer(TransientError):
    """An answer outside the contract: a redirect, a status it does not name, a receipt that cannot be
    read (not JSON, wrong shape, another batch) or one larger than the cap. Not retried at once (it would
    come again); the batch stays in the ledger (it may have been processed) and a later push settles it by
    GET. Raised after `attempts` attempts of the request."""


@runtime_checkable
class Transport(Protocol):
    """How batches reach the platform. Both calls are idempotent by `batch_id`."""

    name: str  # stored in Batch.transport: "api" | "frontdb"

    def send_batch(self, dataset: str, batch_id: str, unit: str, records: list[dict[str, Any]]) -> Receipt:
        """Deliver `records` ([{"recordKey","op","data"}]) as batch `batch_id`; sending the same batch id
        again must not process it twice. Raises AuthError, TransientError (UnexpectedAnswer included); a
        final rejection is a Receipt with `rejected_whole`."""
        ...

    def get_receipt(self, batch_id: str, record_keys: Collection[str] | None = None) -> Receipt | None:
        """The receipt of a batch, or None when the platform never received it. `record_keys`, when
        given, are the batch's records: a transport that can tell refuses a receipt naming others."""
        ...

    def close(self) -> None: ...


# A hook for secrets kept elsewhere (a Prefect Secret block, a vault): the orchestration layer registers
# a resolver; the domain never imports it.
_secret_resolver: Callable[[], Any] | None = None


def register_secret_resolver(resolver: Callable[[], Any] | None) -> None:
    """Register a callable returning the app secret (str or SecretStr), or None to unregister."""
    global _secret_resolver
    _secret_resolver = resolver


def resolve_secret(settings: Any = None):
    """The platform app secret as a SecretStr: the settings' own, else the registered resolver's (a secret
    kept elsewhere stands in only for one the settings do not carry)."""
    value = getattr(settings, "platform_app_secret", None) if settings is not None else None
    if value is None and _secret_resolver is not None:
        value = _secret_resolver()
    if value is None or isinstance(value, SecretStr):
        return value
    return SecretStr(str(value))


__all__ = [
    "FINAL_STATUSES",
    "AuthError",
    "ConfigurationError",
    "Receipt",
    "RecordResult",
    "TransientError",
    "Transport",
    "TransportError",
    "UnexpectedAnswer",
    "register_secret_resolver",
    "resolve_secret",
]
