"""The platform's receipt as the contract writes it, parsed in one place (docs/contracts.md, "The 信用湛江 endpoint"):

    {"code":"0","batchId":"…","results":[{"recordKey":"…","status":"accepted"|"rejected"|"duplicate",
     "errors":[{"field":"…","message":"…"}]}]}

Strict: wrong types are not coerced, unknown statuses and missing keys are refused, the batch id must be
the one asked for, and (when the caller knows them) the results must name each record of the batch exactly
once. Anything else is a `MalformedReceipt`: the caller treats it as a transient fault and settles the batch
later by GET, never by re-sending its records as new ones. Extra keys are ignored (the platform may add
fields).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from credit.platform import Receipt, RecordResult


class MalformedReceipt(ValueError):
    """The answer is not a receipt of the contract. The message is short and holds no record contents."""


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class WireError(_Strict):
    field: str
    message: str


class WireResult(_Strict):
    recordKey: str  # the contract's spelling
    status: Literal["accepted", "rejected", "duplicate"]
    errors: list[WireError] = []


class WireReceipt(_Strict):
    code: Literal["0"]
    batchId: str
    results: list[WireResult]


def _first_problem(exc: ValidationError) -> str:
    err = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "(top)"
    return f"{where}: {err.get('type', 'invalid')}"


def parse_receipt_bytes(
    body: bytes, batch_id: str, *, expected_keys: Collection[str] | None = None, http_status: int = 200
) -> Receipt:
    """The receipt in `body` (the whole answer, already bounded in size by the caller)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:  # not JSON, bad UTF-8, nested beyond the parser's depth
        raise MalformedReceipt(f"not JSON ({type(exc).__name__})") from None
    return parse_receipt(data, batch_id, expected_keys=expected_keys, http_status=http_status)


def parse_receipt(
    data: Any, batch_id: str, *, expected_keys: Collection[str] | None = None, http_status: int = 200
) -> Receipt:
    """The receipt in a decoded JSON value, or MalformedReceipt."""
    try:
        wire = WireReceipt.model_validate(data)
    except ValidationError as exc:
        raise MalformedReceipt(f"not a receipt ({_first_problem(exc)})") from None
    except RecursionError:
        raise MalformedReceipt("not a receipt (nested too deep)") from None
    if wire.batchId != batch_id:
        raise MalformedReceipt("receipt of another batch")
    keys = [r.recordKey for r in wire.results]
    if len(set(keys)) != len(keys):
        raise MalformedReceipt("a record named twice in the receipt")
    if expected_keys is not None and set(keys) != set(expected_keys):
        missing = len(set(expected_keys) - set(keys))
        extra = len(set(keys) - set(expected_keys))
        raise MalformedReceipt(f"receipt does not match the batch ({missing} missing, {extra} unknown)")
    results = [
        RecordResult(
            record_key=r.recordKey,
            status=r.status,
            errors=[{"field": e.field, "message": e.message} for e in r.errors],
        )
        for r in wire.results
    ]
    return Receipt(batch_id=batch_id, results=results, raw=data, http_status=http_status)


__all__ = ["MalformedReceipt", "WireReceipt", "parse_receipt", "parse_receipt_bytes"]
