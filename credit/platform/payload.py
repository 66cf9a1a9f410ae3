"""From a stored RecordVersion to the platform's record: standard codes, `YYYY/MM/DD` dates, amounts as
decimal strings in 万元, coded values as labels; absent or blank fields omitted. And the batching rules:
at most 500 records and 5 MiB of body per batch."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from credit.standard import dataset as get_dataset

MAX_RECORDS = 500
MAX_BYTES = 5 * 1024 * 1024
# {"batchId":"<36>","unitCode":"<unit>","records":[…]} without the records; generous for any unit code.
ENVELOPE_BYTES = 256


def dumps(obj: Any) -> bytes:
    """The one JSON encoding of the project's requests (compact UTF-8, so sizes are predictable)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _date(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.strftime("%Y/%m/%d")
    text = str(value).strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # the store's form: the fast path
        return text.replace("-", "/")
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(text[:10] if fmt != "%Y%m%d" else text, fmt).strftime("%Y/%m/%d")
        except ValueError:
            continue
    return text  # not a date we know: send as stored, the platform will say so


def _decimal(value: Any) -> str:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return str(value).strip()
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def platform_data(dataset_id: str, data: dict[str, Any]) -> dict[str, str]:
    """Normalised values by field key -> the platform's `data` by standard code."""
    out: dict[str, str] = {}
    for f in get_dataset(dataset_id).fields:
        value = data.get(f.key)
        if value is None or (isinstance(value, float) and value != value):
            continue
        if isinstance(value, str):
            value = value.strip()
            if not value:
                continue
        if f.type == "date":
            out[f.code] = _date(value)
        elif f.type == "decimal":
            out[f.code] = _decimal(value)
        elif f.type == "multienum" and isinstance(value, list | tuple):
            out[f.code] = ";".join(str(v) for v in value)
        else:
            out[f.code] = str(value)
    return out


def platform_record(dataset_id: str, record_key: str, op: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"recordKey": record_key, "op": op, "data": platform_data(dataset_id, data)}


def batch_body(batch_id: str, unit: str, records: list[dict[str, Any]]) -> bytes:
    return dumps({"batchId": batch_id, "unitCode": unit, "records": records})


def record_size(record: dict[str, Any]) -> int:
    """Bytes the record adds to a body (its JSON plus the separating comma)."""
    return len(dumps(record)) + 1


def split_batches(
    items: Iterable[tuple[Any, dict[str, Any]]],
    *,
    max_records: int = MAX_RECORDS,
    max_bytes: int = MAX_BYTES,
) -> Iterator[list[tuple[Any, dict[str, Any]]]]:
    """Group (tag, record) pairs into batches within both limits, in order. A single record larger than
    the byte limit goes alone (the platform will answer 413; it is never silently dropped)."""
    chunk: list[tuple[Any, dict[str, Any]]] = []
    size = ENVELOPE_BYTES
    for tag, record in items:
        n = record_size(record)
        if chunk and (len(chunk) >= max_records or size + n > max_bytes):
            yield chunk
            chunk, size = [], ENVELOPE_BYTES
        chunk.append((tag, record))
        size += n
    if chunk:
        yield chunk
