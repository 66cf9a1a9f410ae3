"""Collect, into the store: one sheet's rows as records and record versions.

A new business key is a new Record, the same key with the same content a repeat (nothing stored), the same key
with new content a correction (a new version).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, bindparam, func, insert, or_, update
from sqlmodel import Session, select

from credit.keys import business_keys, record_key
from credit.standard import dataset as get_dataset
from credit.store import Record, RecordVersion, Submission

R = Record.__table__
V = RecordVersion.__table__

_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # json.dumps(...) builds one per call
# Keys per IN (...) lookup and rows per insert statement: under SQLite's bound-parameter limit, and small
# enough that a huge sheet never holds all its statement parameters at once.
LOOKUP_CHUNK = 500
INSERT_CHUNK = 2_000


def content_hash(values: dict) -> str:
    return hashlib.sha256(_ENCODER.encode(values).encode("utf-8")).hexdigest()


def _row_dicts(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts without blanks (None/NaN are not stored), in column order."""
    names = list(frame.columns)
    cells = frame.to_numpy(dtype=object, na_value=None)  # None, NaN and NA all become None
    return [{k: v for k, v in zip(names, row, strict=True) if v is not None} for row in cells.tolist()]


def _column(frame: pd.DataFrame, name: str) -> list:
    """One column as _row_dicts sees its cells (None for blanks, and for a column the frame lacks)."""
    if name not in frame:
        return [None] * len(frame)
    return frame[name].to_numpy(dtype=object, na_value=None).tolist()


def _decision_date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Known:
    """What deciding repeat or correction needs of a stored record (no JSON is loaded)."""

    id: int
    current_version: int
    decision_date: dt.date | None
    current_hash: str | None = None  # the current version's
    current_status: str | None = None
    current_op: str | None = None
    content_hash: str | None = None  # the newest version with content (not a revocation), if revoked


def _known_records(conn: Connection, dataset: str, unit: str, keys: list[str]) -> dict[str, _Known]:
    """The unit's own stored records among `keys` with their current version's state, in a few set-based
    queries. Another unit's record with the same business key is never seen: a unit cannot correct it."""
    known: dict[str, _Known] = {}
    for chunk in _chunks(keys, LOOKUP_CHUNK):
        rows = conn.execute(
            select(R.c.id, R.c.business_key, R.c.current_version, R.c.decision_date).where(
                R.c.dataset == dataset, R.c.unit == unit, R.c.business_key.in_(chunk)
            )
        )
        for rid, key, cur, date in rows:
            known[key] = _Known(rid, cur, date)
    by_id = {k.id: k for k in known.values()}
    for chunk in _chunks(list(by_id), LOOKUP_CHUNK):
        rows = conn.execute(
            select(V.c.record_id, V.c.content_hash, V.c.status, V.c.op)
            .join(R, R.c.id == V.c.record_id)
            .where(V.c.record_id.in_(chunk), V.c.version == R.c.current_version)
        )
        for rid, digest, status, op in rows:
            k = by_id[rid]
            k.current_hash, k.current_status, k.current_op = digest, status, op
    # A revoked record's repeat is judged against its newest content version (rare: only those are read).
    revoked = [k.id for k in by_id.values() if k.current_op == "D"]
    for chunk in _chunks(revoked, LOOKUP_CHUNK):
        has_content = or_(V.c.op.is_(None), V.c.op != "D")
        newest = (
            select(V.c.record_id, func.max(V.c.version).label("version"))
            .where(V.c.record_id.in_(chunk), has_content)
            .group_by(V.c.record_id)
            .subquery()
        )
        rows = conn.execute(
            select(V.c.record_id, V.c.content_hash).join(
                newest, (V.c.record_id == newest.c.record_id) & (V.c.version == newest.c.version)
            )
        )
        for rid, digest in rows:
            by_id[rid].content_hash = digest
    return known


def _returning(table, *natural_key):
    """A multi-row INSERT that returns each new id with its natural key. SQLAlchemy can only promise RETURNING
    rows in parameter order on SQLite by sending one row per statement, so rows are matched by key instead."""
    return insert(table).returning(table.c.id, *natural_key)


def _is_repeat(k: _Known | None, digest: str) -> bool:
    if k is None or k.current_hash is None:
        return False
    if k.current_op == "D":
        # A revoked record sent again unchanged (units often resend their whole ledger) stays revoked; only
        # changed content publishes it again.
        return k.content_hash == digest
    # An identical resend of a record whose current version passed is a repeat; an identical resend of a
    # rejected one is stored again so it is re-validated (its verdict may depend on the day).
    return k.current_hash == digest and k.current_status != "invalid"


def store_sheet(
    session: Session, submission: Submission, sheet, report_date: dt.date
) -> tuple[list[int], int]:
    """Store one sheet's rows; returns (new version ids, in row order, and repeats).

    Set-based (Core selects in chunks, executemany inserts and updates), so a province-sized sheet costs
    seconds, not an ORM flush per row. The caller's transaction holds it all: on SQLite BEGIN IMMEDIATE
    already serialises writers; on PostgreSQL a racing run hits uq_record_unit_key or
    uq_version_record_version and the caller treats its IntegrityError as "collected by the other run".
    """
    data: pd.DataFrame = sheet.data
    if data.empty:
        return [], 0
    dataset = sheet.dataset
    key_series = business_keys(dataset, data)
    keys: list[str] = key_series.tolist()
    # Rows of one delivery sharing a key (DUP-1) are all kept as versions so validation sees each of them.
    in_file_dup = key_series.duplicated(keep=False).tolist()
    # Row dicts exist one chunk at a time (here for the hash, below again for the rows stored): a dict per
    # row and frame is ~1 KB, too much to hold for a province-sized sheet.
    digests = [
        content_hash(v)
        for lo in range(0, len(data), INSERT_CHUNK)
        for v in _row_dicts(data.iloc[lo : lo + INSERT_CHUNK])
    ]
    # The record's document number and the date its deadline runs from (decision_doc_no/decision_date in the
    # store, whatever the dataset calls them).
    ds = get_dataset(dataset)
    doc_nos, decision_dates = _column(data, ds.doc_no or ""), _column(data, ds.deadline_field or "")
    session.flush()  # Core statements below do not autoflush what the caller left pending
    conn = session.connection()
    unit = submission.unit
    known = _known_records(conn, dataset, unit, list(dict.fromkeys(keys)))

    # Which rows become versions. A key appearing once is judged against the store alone; rows sharing a
    # key are all stored, so no row depends on another row's outcome. An evidence sheet has no repeats: the
    # same 零报告 sent again settles another period (credit.duties.settle), so every row is a version.
    stored: list[int] = []
    repeats = 0
    for i, (key, dup, digest) in enumerate(zip(keys, in_file_dup, digests, strict=True)):
        if not dup and not ds.is_evidence and _is_repeat(known.get(key), digest):
            repeats += 1
        else:
            stored.append(i)
    if not stored:
        return [], repeats

    # Version numbers continue each record's; a record's decision date is its first readable one.
    version_no: list[int] = []
    counts: dict[str, int] = {}
    dates: dict[str, dt.date | None] = {}
    first_row: dict[str, int] = {}
    for i in stored:
        key = keys[i]
        n = counts.get(key, 0) + 1
        counts[key] = n
        k = known.get(key)
        version_no.append((k.current_version if k else 0) + n)
        if key not in first_row:
            first_row[key] = i
            dates[key] = k.decision_date if k else None
        if dates[key] is None:
            dates[key] = _decision_date(decision_dates[i])

    record_ids: dict[str, int] = {k: v.id for k, v in known.items()}
    new_keys = [key for key in first_row if key not in known]
    for chunk in _chunks(new_keys, INSERT_CHUNK):
        rows = [
            {
                "dataset": dataset,
                "unit": unit,
                "business_key": key,
                "record_key": record_key(unit, key),
                "decision_doc_no": doc_nos[first_row[key]],
                "decision_date": dates[key],
                "first_received": report_date,
                "current_version": counts[key],
                "accepted_version": None,
                "revoked": False,
            }
            for key in chunk
        ]
        record_ids.update((key, rid) for rid, key in conn.execute(_returning(R, R.c.business_key), rows))

    # Stored records: the new current version, and a decision date where they had none.
    bumped, dated = [], []
    for key in first_row:
        k = known.get(key)
        if k is None:
            continue
        cv = k.current_version + counts[key]
        if k.decision_date is None and dates[key] is not None:
            dated.append({"rid": k.id, "cv": cv, "dd": dates[key]})
        else:
            bumped.append({"rid": k.id, "cv": cv})
    by_id = R.c.id == bindparam("rid")
    for chunk in _chunks(bumped, INSERT_CHUNK):
        conn.execute(update(R).where(by_id).values(current_version=bindparam("cv")), chunk)
    for chunk in _chunks(dated, INSERT_CHUNK):
        conn.execute(
            update(R).where(by_id).values(current_version=bindparam("cv"), decision_date=bindparam("dd")),
            chunk,
        )

    raw_frame = sheet.raw if sheet.raw.index.equals(data.index) else sheet.raw.reindex(index=data.index)
    row_numbers = data.index.tolist()
    new_ids: list[int] = []
    for lo in range(0, len(stored), INSERT_CHUNK):
        part = stored[lo : lo + INSERT_CHUNK]
        values, raws = _row_dicts(data.iloc[part]), _row_dicts(raw_frame.iloc[part])
        rows = [
            {
                "record_id": record_ids[keys[i]],
                "version": version_no[lo + j],
                "content_hash": digests[i],
                "submission_id": submission.id,
                "sheet": sheet.sheet,
                "row": int(row_numbers[i]),
                "received_date": report_date,
                "data": value,
                "raw": raw,
                "status": "pending",
                "push_state": "none",
                # JSON null, as the ORM wrote them: readers of the store see what they always saw.
                "errors": None,
                "warnings": None,
                "platform_errors": None,
            }
            for j, (i, value, raw) in enumerate(zip(part, values, raws, strict=True))
        ]
        made = {
            (rid, n): vid for vid, rid, n in conn.execute(_returning(V, V.c.record_id, V.c.version), rows)
        }
        new_ids += [made[row["record_id"], row["version"]] for row in rows]
    return new_ids, repeats
