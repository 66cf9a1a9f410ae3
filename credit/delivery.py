"""Delivery to 信用湛江: the outbox (queued versions), the ledger (batches written before they are sent),
push and settle. Exactly once, whatever fails:

- A version is claimed into a batch by a conditional UPDATE (`push_state='queued'` → `'batched'`, checked
  by RETURNING / rowcount; `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL) in the same transaction that
  writes the Batch and its BatchItems (with the exact records to send); that commits BEFORE anything is
  sent. A version is in at most one batch ever (unique `batch_item.version_id`), so two pushes at once
  cannot send one record in two batches.
- A batch that was written but not settled (the process died, the answer was lost, the platform was down)
  is settled first on the next push: GET its receipt; 404 means it never arrived, so the same batch id is
  POSTed again with the same stored records. The platform never processes one batch id twice.
- Retries of transient failures live in the transport; a batch that still fails stays in the ledger
  unsettled, reported in the PushSummary (no exception). So does a batch whose answer is outside the
  contract (a redirect, an unreadable or oversized receipt: UnexpectedAnswer) or whose exchange failed in a
  way nobody foresaw: it is settled by GET on a later push, its records are never rejected for it. A final
  4xx rejects the batch's records; 401 AUTH_FAILED stops the push (AuthError) and leaves the records queued.

The functions take a Session (queue_valid, revoke, platform_rejections; the caller commits, e.g. with
`credit.store.session_scope`) or a database URL (push: it commits in short transactions of its own).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import bindparam, delete, exists, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session
from sqlmodel import select as orm_select

from credit.identifiers import mask_id
from credit.platform import (
    FINAL_STATUSES,
    AuthError,
    Receipt,
    TransientError,
    Transport,
    TransportError,
    make_transport,
)
from credit.platform.payload import MAX_BYTES, MAX_RECORDS, platform_record, split_batches
from credit.standard import dataset as get_dataset
from credit.store.db import init_db
from credit.store.models import Batch, BatchItem, Record, RecordVersion, Submission

log = logging.getLogger(__name__)

RV = RecordVersion.__table__
R = Record.__table__
B = Batch.__table__
BI = BatchItem.__table__

UNSETTLED = ("open", "sent")
# Fields a revocation (op D) carries so the platform and people can tell which record it is.
IDENTITY_KEYS = (
    "counterpart_name",
    "counterpart_category",
    "uscc",
    "id_type",
    "id_no",
    "decision_doc_no",
    "decision_date",
    "authority",
    "authority_uscc",
    "source_unit",
    "source_unit_uscc",
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)  # UTCDateTime columns want aware datetimes


# -- outbox ---------------------------------------------------------------------------------------------


def _op_for(accepted_version: int | None, revoked: bool | None) -> str:
    return "I" if accepted_version is None or revoked else "U"


def queue_valid(session: Session, version_ids: Iterable[int] | None = None) -> int:
    """Queue every valid, not-yet-queued version (optionally only `version_ids`): push_state 'none' →
    'queued', op 'I' when the platform holds no accepted version of its record (also after a rejection or
    a revocation), else 'U'. Per record only the newest valid unsent version goes; older queued or
    never-sent ones become 'superseded'. Returns how many versions were queued. The caller commits."""
    q = orm_select(RecordVersion.record_id).where(
        RecordVersion.status == "valid", RecordVersion.push_state == "none"
    )
    if version_ids is not None:
        ids = list(version_ids)
        if not ids:
            return 0
        q = q.where(RecordVersion.id.in_(ids))
    record_ids = sorted(set(session.exec(q).all()))
    queued = 0
    for start in range(0, len(record_ids), 500):
        chunk = record_ids[start : start + 500]
        rows = session.execute(
            select(
                RV.c.id,
                RV.c.record_id,
                RV.c.version,
                RV.c.status,
                RV.c.push_state,
                RV.c.op,
                R.c.accepted_version,
                R.c.revoked,
            )
            .join(R, R.c.id == RV.c.record_id)
            .where(RV.c.record_id.in_(chunk))
        ).all()
        by_record: dict[int, list[Any]] = {}
        for row in rows:
            by_record.setdefault(row.record_id, []).append(row)
        to_queue: dict[str, list[int]] = {"I": [], "U": []}
        supersede: list[int] = []
        for versions in by_record.values():
            sent = [v.version for v in versions if v.push_state in ("batched", "accepted", "duplicate")]
            pool = [v for v in versions if v.status == "valid" and v.push_state in ("none", "queued")]
            if not pool:
                continue
            newest = max(pool, key=lambda v: v.version)
            for v in pool:
                if v is not newest or (sent and newest.version < max(sent)):
                    supersede.append(v.id)
            if newest.id in supersede or newest.push_state != "none":
                continue
            to_queue[_op_for(newest.accepted_version, newest.revoked)].append(newest.id)
        for op, ids in to_queue.items():
            if ids:
                result = session.execute(
                    update(RV)
                    .where(RV.c.id.in_(ids), RV.c.push_state == "none")
                    .values(push_state="queued", op=op)
                )
                queued += result.rowcount
        if supersede:
            session.execute(
                update(RV)
                .where(RV.c.id.in_(supersede), RV.c.push_state.in_(("none", "queued")))
                .values(push_state="superseded")
            )
    session.flush()
    return queued


class RevokeError(ValueError):
    """A revocation that cannot be queued (unknown record, never accepted, already revoked)."""


def revoke(
    session: Session,
    dataset: str,
    key: str,
    reason: str,
    *,
    unit: str,
    report_date: dt.date | None = None,
) -> RecordVersion:
    """Queue a revocation (撤销, op D) of a record of `unit` the platform has accepted.

    `key` is the record's `record_key` (hex SHA-256) or its business key; only the unit's own records are
    found (a unit revokes nothing it did not send). A new RecordVersion is added
    (status 'valid', push_state 'queued', op 'D') whose data is the identity fields of the last accepted
    version plus `remark` = "撤销：<reason>"; its raw holds {"revoke_reason": reason}. Unsent versions of the
    record are superseded. Idempotent: a revocation already queued or in flight is returned as is. When the
    platform accepts it, Record.revoked becomes True (a later new version then goes as I). Raises
    RevokeError (Chinese message) for an unknown, never accepted or already revoked record. The caller
    commits."""
    record = session.exec(
        orm_select(Record).where(
            Record.dataset == dataset,
            Record.unit == unit,
            or_(Record.record_key == key, Record.business_key == key),
        )
    ).first()
    if record is None:
        raise RevokeError(f"撤销失败：数据集 {dataset} 中没有该记录")
    pending = session.exec(
        orm_select(RecordVersion).where(
            RecordVersion.record_id == record.id,
            RecordVersion.op == "D",
            RecordVersion.push_state.in_(("queued", "batched")),
        )
    ).first()
    if pending is not None:
        return pending
    if record.accepted_version is None or record.revoked:
        raise RevokeError("撤销失败：该记录尚未被平台接受或已撤销，无需撤销（未报送的版本不会再报送）")
    accepted = session.exec(
        orm_select(RecordVersion).where(
            RecordVersion.record_id == record.id, RecordVersion.version == record.accepted_version
        )
    ).one()
    data = {k: accepted.data[k] for k in IDENTITY_KEYS if accepted.data.get(k) not in (None, "")}
    data["remark"] = f"撤销：{reason}"
    session.execute(
        update(RV)
        .where(RV.c.record_id == record.id, RV.c.push_state.in_(("none", "queued")))
        .values(push_state="superseded")
    )
    max_version = session.exec(
        orm_select(func.max(RecordVersion.version)).where(RecordVersion.record_id == record.id)
    ).one()
    version_no = max(record.current_version, max_version or 0) + 1
    version = RecordVersion(
        record_id=record.id,
        version=version_no,
        content_hash=hashlib.sha256(
            json.dumps({"op": "D", "data": data}, ensure_ascii=False, sort_keys=True).encode()
        ).hexdigest(),
        received_date=report_date or dt.date.today(),
        data=data,
        raw={"revoke_reason": reason},
        status="valid",
        push_state="queued",
        op="D",
    )
    session.add(version)
    record.current_version = version_no
    session.add(record)
    session.flush()
    return version


# -- push -----------------------------------------------------------------------------------------------


@dataclass
class PushSummary:
    """What a push did. `failed_batches` non-empty (or `auth_failed`) → the flow emits credit.push.failed."""

    report_date: dt.date
    transport: str | None = None
    pushed: int = 0  # records sent in this run (new batches and re-sent ones)
    accepted: int = 0
    rejected: int = 0
    duplicate: int = 0
    pending: int = 0  # records in batches left unsettled (to be settled by a later push)
    batches: int = 0  # batches sent in this run
    resettled: int = 0  # older unsettled batches settled in this run
    queued_left: int = 0  # versions still queued after the run
    failed_batches: list[dict[str, Any]] = field(default_factory=list)
    skipped: str | None = None  # why nothing was pushed (no platform configured)

    @property
    def failed(self) -> bool:
        return bool(self.failed_batches)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["report_date"] = self.report_date.isoformat()
        out["failed"] = self.failed
        return out


def _as_list(value: str | Iterable[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


def push(
    settings_or_transport: Any,
    *,
    unit: str | Iterable[str] | None = None,
    dataset: str | None = None,
    report_date: dt.date,
    database_url: str | None = None,
    max_records: int = MAX_RECORDS,
    max_bytes: int = MAX_BYTES,
    send_new: bool = True,
) -> PushSummary:
    """Push queued versions (optionally of some units / one dataset) for `report_date`.

    `settings_or_transport`: a Settings (its platform URL or 前置库 URL chooses the transport, its
    database_url the store) or a Transport (then `database_url` is required). First every unsettled
    batch of the ledger is settled (GET receipt; 404 → re-POST under the same batch id); then, unless
    `send_new` is False (the push-retry flow), queued versions are claimed into new batches, written to
    the ledger, sent and settled. Transient outages end the run early and are reported in the summary;
    AuthError (401) is raised after leaving the records queued."""
    owns_transport = False
    if hasattr(settings_or_transport, "send_batch"):
        transport: Transport | None = settings_or_transport
        if database_url is None:
            raise ValueError("push(transport, …) needs database_url")
    else:
        settings = settings_or_transport
        database_url = database_url or settings.database_url
        transport = make_transport(settings)
        owns_transport = transport is not None
    engine = init_db(database_url)
    units = _as_list(unit)
    summary = PushSummary(report_date=report_date, transport=getattr(transport, "name", None))
    if transport is None:
        summary.skipped = (
            "未配置 CREDIT_PLATFORM_URL（或前置库）：不推送，记录保持排队 (no platform configured)"
        )
        summary.queued_left = _count_queued(engine, units, dataset)
        log.warning("push skipped: %s", summary.skipped)
        return summary
    try:
        ok = _settle_unsettled(engine, transport, units, dataset, report_date, summary)
        if ok and send_new:
            _send_queued(engine, transport, units, dataset, report_date, summary, max_records, max_bytes)
    finally:
        summary.queued_left = _count_queued(engine, units, dataset)
        if owns_transport:
            transport.close()
    log.info(
        "push %s: pushed %d, accepted %d, rejected %d, duplicate %d, pending %d, failed batches %d",
        report_date,
        summary.pushed,
        summary.accepted,
        summary.rejected,
        summary.duplicate,
        summary.pending,
        len(summary.failed_batches),
    )
    return summary


def _filters(units: list[str] | None, dataset: str | None, unit_col: Any, dataset_col: Any) -> list[Any]:
    conds = []
    if units is not None:
        conds.append(unit_col.in_(units))
    if dataset is not None:
        conds.append(dataset_col == dataset)
    return conds


def _count_queued(engine: Engine, units: list[str] | None, dataset: str | None) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(func.count())
            .select_from(RV.join(R, R.c.id == RV.c.record_id))
            .where(RV.c.push_state == "queued", *_filters(units, dataset, R.c.unit, R.c.dataset))
        ).scalar_one()


def _fail(summary: PushSummary, engine: Engine, batch: Any, exc: Exception, attempts: int = 1) -> None:
    message = str(exc)
    with engine.begin() as conn:
        conn.execute(
            update(B)
            .where(B.c.batch_id == batch.batch_id, B.c.state.in_(UNSETTLED))
            .values(state="sent", attempts=B.c.attempts + attempts, last_error=message[:500], sent_at=_now())
        )
    summary.pending += batch.records
    summary.failed_batches.append(
        {
            "batch_id": batch.batch_id,
            "unit": batch.unit,
            "dataset": batch.dataset,
            "records": batch.records,
            "error": message,
        }
    )
    log.warning("batch %s (%s/%s) left unsettled: %s", batch.batch_id, batch.unit, batch.dataset, message)


def _unforeseen(exc: Exception) -> TransientError:
    return TransientError(f"与平台交互出错，批次保留待查询回执（{type(exc).__name__}）(unexpected fault)")


def _settle_unsettled(
    engine: Engine,
    transport: Transport,
    units: list[str] | None,
    dataset: str | None,
    report_date: dt.date,
    summary: PushSummary,
) -> bool:
    """Settle the ledger's open batches. False when the platform is unavailable (stop the run)."""
    with engine.connect() as conn:
        batches = conn.execute(
            select(B.c.batch_id, B.c.dataset, B.c.unit, B.c.records, B.c.transport)
            .where(B.c.state.in_(UNSETTLED), *_filters(units, dataset, B.c.unit, B.c.dataset))
            .order_by(B.c.created_at, B.c.batch_id)
        ).all()
    for batch in batches:
        if batch.transport != transport.name:
            summary.pending += batch.records
            continue
        with engine.connect() as conn:
            keys = (
                conn.execute(select(BI.c.record_key).where(BI.c.batch_id == batch.batch_id)).scalars().all()
            )
        try:
            receipt = transport.get_receipt(batch.batch_id, keys)
            if receipt is None:
                with engine.connect() as conn:
                    records = _stored_records(conn, batch.batch_id)
                log.info(
                    "batch %s never arrived: sending it again (%d records)", batch.batch_id, len(records)
                )
                receipt = transport.send_batch(batch.dataset, batch.batch_id, batch.unit, records)
                summary.pushed += len(records)
        except AuthError:
            raise  # an older batch may have been delivered: it stays in the ledger as it is
        except TransientError as exc:
            _fail(summary, engine, batch, exc, exc.attempts or 1)
            return False
        except TransportError as exc:
            _fail(summary, engine, batch, exc)
            continue
        except Exception as exc:  # a fault of the exchange we did not foresee: the batch stays, settled later
            log.exception("settling batch %s failed", batch.batch_id)
            _fail(summary, engine, batch, _unforeseen(exc))
            return False
        summary.resettled += _settle(engine, batch.batch_id, receipt, report_date, summary)
    return True


def _stored_records(conn: Connection, batch_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(BI.c.payload).where(BI.c.batch_id == batch_id).order_by(BI.c.id)).all()
    return [row.payload for row in rows]


def _send_queued(
    engine: Engine,
    transport: Transport,
    units: list[str] | None,
    dataset: str | None,
    report_date: dt.date,
    summary: PushSummary,
    max_records: int,
    max_bytes: int,
) -> None:
    rv2 = RV.alias("rv2")
    in_flight = exists().where(rv2.c.record_id == RV.c.record_id, rv2.c.push_state == "batched")
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                RV.c.id,
                RV.c.record_id,
                RV.c.version,
                RV.c.op,
                RV.c.data,
                R.c.record_key,
                R.c.dataset,
                R.c.unit,
                R.c.accepted_version,
                R.c.revoked,
            )
            .join(R, R.c.id == RV.c.record_id)
            .where(
                RV.c.push_state == "queued",
                ~in_flight,
                *_filters(units, dataset, R.c.unit, R.c.dataset),
            )
            .order_by(R.c.dataset, R.c.unit, RV.c.id)
        ).all()
    newest: dict[int, Any] = {}
    stale: list[int] = []
    for row in rows:  # one version per record: the newest (queue_valid already ensures it)
        old = newest.get(row.record_id)
        if old is None or row.version > old.version:
            if old is not None:
                stale.append(old.id)
            newest[row.record_id] = row
        else:
            stale.append(row.id)
    if stale:
        with engine.begin() as conn:
            conn.execute(
                update(RV)
                .where(RV.c.id.in_(stale), RV.c.push_state == "queued")
                .values(push_state="superseded")
            )
    groups: dict[tuple[str, str], list[tuple[Any, dict[str, Any]]]] = {}
    for row in sorted(newest.values(), key=lambda r: (r.dataset, r.unit, r.id)):
        op = "D" if row.op == "D" else _op_for(row.accepted_version, row.revoked)
        record = platform_record(row.dataset, row.record_key, op, row.data or {})
        groups.setdefault((row.dataset, row.unit), []).append(((row.id, op, row.record_key), record))
    for (ds, unit_code), items in groups.items():
        for chunk in split_batches(items, max_records=max_records, max_bytes=max_bytes):
            claimed = _claim(engine, transport.name, ds, unit_code, chunk)
            if claimed is None:
                continue
            batch_id, records = claimed
            batch = _BatchRef(batch_id, ds, unit_code, len(records))
            try:
                receipt = transport.send_batch(ds, batch_id, unit_code, records)
            except AuthError as exc:
                if exc.maybe_delivered:
                    _fail(summary, engine, batch, exc)
                else:
                    _release(engine, batch_id)
                raise
            except TransientError as exc:
                _fail(summary, engine, batch, exc, exc.attempts or 1)
                return
            except TransportError as exc:
                _fail(summary, engine, batch, exc)
                return
            except Exception as exc:  # unforeseen: the claimed batch stays in the ledger, settled by GET
                log.exception("sending batch %s failed", batch_id)
                _fail(summary, engine, batch, _unforeseen(exc))
                return
            summary.pushed += len(records)
            summary.batches += 1
            _settle(engine, batch_id, receipt, report_date, summary)


@dataclass(frozen=True)
class _BatchRef:
    batch_id: str
    dataset: str
    unit: str
    records: int


def _claim(
    engine: Engine, transport_name: str, dataset: str, unit: str, chunk: list[tuple[Any, dict[str, Any]]]
) -> tuple[str, list[dict[str, Any]]] | None:
    """Atomically claim the chunk's still-queued versions into a new ledger batch (committed on return)."""
    ids = [tag[0] for tag, _ in chunk]
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            locked = (
                conn.execute(
                    select(RV.c.id)
                    .where(RV.c.id.in_(ids), RV.c.push_state == "queued")
                    .order_by(RV.c.id)
                    .with_for_update(skip_locked=True)
                )
                .scalars()
                .all()
            )
            got = set(locked)
            if got:
                result = conn.execute(
                    update(RV)
                    .where(RV.c.id.in_(got), RV.c.push_state == "queued")
                    .values(push_state="batched")
                )
                if result.rowcount != len(got):
                    raise RuntimeError("claim lost a race it held the locks for")
        else:
            got = set(
                conn.execute(
                    update(RV)
                    .where(RV.c.id.in_(ids), RV.c.push_state == "queued")
                    .values(push_state="batched")
                    .returning(RV.c.id)
                )
                .scalars()
                .all()
            )
        if not got:
            return None
        mine = [(tag, record) for tag, record in chunk if tag[0] in got]
        conn.execute(
            update(RV).where(RV.c.id == bindparam("b_id")).values(op=bindparam("b_op")),
            [{"b_id": tag[0], "b_op": tag[1]} for tag, _ in mine],
        )
        batch_id = str(uuid.uuid4())
        conn.execute(
            insert(B).values(
                batch_id=batch_id,
                dataset=dataset,
                unit=unit,
                transport=transport_name,
                state="open",
                attempts=0,
                records=len(mine),
                created_at=_now(),
            )
        )
        conn.execute(
            insert(BI),
            [
                {
                    "batch_id": batch_id,
                    "version_id": tag[0],
                    "record_key": tag[2],
                    "op": tag[1],
                    "status": "pending",
                    "payload": record,
                }
                for tag, record in mine
            ],
        )
    return batch_id, [record for _, record in mine]


def _release(engine: Engine, batch_id: str) -> None:
    """Undo a claim whose batch certainly never reached the platform (401 on the first attempt)."""
    with engine.begin() as conn:
        vids = conn.execute(select(BI.c.version_id).where(BI.c.batch_id == batch_id)).scalars().all()
        conn.execute(delete(BI).where(BI.c.batch_id == batch_id))
        conn.execute(delete(B).where(B.c.batch_id == batch_id))
        if vids:
            conn.execute(
                update(RV).where(RV.c.id.in_(vids), RV.c.push_state == "batched").values(push_state="queued")
            )


def _settle(
    engine: Engine, batch_id: str, receipt: Receipt, report_date: dt.date, summary: PushSummary
) -> int:
    """Apply a receipt to the ledger and the outbox. Idempotent. Returns 1 when the batch is now settled."""
    results = receipt.by_key()
    with engine.begin() as conn:
        items = conn.execute(
            select(
                BI.c.id, BI.c.version_id, BI.c.record_key, BI.c.op, BI.c.status, RV.c.version, RV.c.record_id
            )
            .join(RV, RV.c.id == BI.c.version_id)
            .where(BI.c.batch_id == batch_id)
        ).all()
        item_rows, version_rows, record_rows = [], [], []
        still_pending = 0
        for it in items:
            if it.status != "pending":
                continue
            res = results.get(it.record_key)
            if res is None or res.status not in FINAL_STATUSES:
                still_pending += 1
                continue
            errors = res.errors or None
            item_rows.append({"b_id": it.id, "b_status": res.status, "b_errors": errors})
            version_rows.append(
                {
                    "b_id": it.version_id,
                    "b_state": res.status,
                    "b_errors": errors if res.status == "rejected" else None,
                }
            )
            if res.status == "accepted":
                summary.accepted += 1
            elif res.status == "duplicate":
                summary.duplicate += 1
            else:
                summary.rejected += 1
            if res.status in ("accepted", "duplicate"):
                record_rows.append({"b_id": it.record_id, "b_version": it.version, "b_revoked": it.op == "D"})
        if item_rows:
            conn.execute(
                update(BI)
                .where(BI.c.id == bindparam("b_id"), BI.c.status == "pending")
                .values(status=bindparam("b_status"), errors=bindparam("b_errors")),
                item_rows,
            )
            conn.execute(
                update(RV)
                .where(RV.c.id == bindparam("b_id"), RV.c.push_state == "batched")
                .values(push_state=bindparam("b_state"), platform_errors=bindparam("b_errors")),
                version_rows,
            )
        if record_rows:
            conn.execute(
                update(R)
                .where(
                    R.c.id == bindparam("b_id"),
                    or_(R.c.accepted_version.is_(None), R.c.accepted_version <= bindparam("b_version")),
                )
                .values(accepted_version=bindparam("b_version"), revoked=bindparam("b_revoked")),
                record_rows,
            )
        now = _now()
        values: dict[str, Any] = {"receipt": receipt.raw, "last_error": None, "attempts": B.c.attempts + 1}
        if still_pending:
            values.update(state="sent", sent_at=now)
            summary.pending += still_pending
        else:
            values.update(state="settled", settled_at=now, report_date=report_date)
        conn.execute(update(B).where(B.c.batch_id == batch_id, B.c.state.in_(UNSETTLED)).values(**values))
    return 0 if still_pending else 1


# -- feedback -------------------------------------------------------------------------------------------


def _masked_raw(raw: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in (raw or {}).items():
        if key == "legal_rep_id_no":
            continue  # never shown (STANDARD.md §7)
        out[key] = mask_id(value) if key == "id_no" and value not in (None, "") else value
    return out


def platform_rejections(
    session: Session, unit: str, report_date: dt.date, *, masked: bool = True
) -> list[dict[str, Any]]:
    """The unit's versions the platform rejected in batches settled on `report_date`, as feedback items
    `{"dataset","file_name","sheet","row","columns","raw","errors":[{"rule":"PLATFORM","field","column",
    "value","message"}],"warnings":[]}`; values masked per STANDARD.md §7 (`masked=False`: `raw` as the unit
    sent it, for the unit's own 问题数据 workbook only)."""
    rows = session.execute(
        select(
            RV.c.id,
            RV.c.sheet,
            RV.c.row,
            RV.c.raw,
            RV.c.data,
            RV.c.platform_errors,
            RV.c.submission_id,
            R.c.dataset,
        )
        .join(R, R.c.id == RV.c.record_id)
        .join(BI, BI.c.version_id == RV.c.id)
        .join(B, B.c.batch_id == BI.c.batch_id)
        .where(R.c.unit == unit, RV.c.push_state == "rejected", B.c.report_date == report_date)
        .order_by(RV.c.submission_id, RV.c.sheet, RV.c.row, RV.c.id)
    ).all()
    submissions: dict[int, Any] = {}
    items = []
    for row in rows:
        sub = None
        if row.submission_id is not None:
            if row.submission_id not in submissions:
                submissions[row.submission_id] = session.get(Submission, row.submission_id)
            sub = submissions[row.submission_id]
        # The unit's own headers for the sheet the row came from; CSV files and SQL sources are stored
        # under "" (they have no sheet). Always a mapping: a revocation or an unknown sheet gives {}.
        columns: dict[str, str] = {}
        if sub is not None and isinstance(sub.columns, dict):
            found = sub.columns.get(row.sheet or "")
            columns = dict(found) if isinstance(found, dict) else {}
        ds = get_dataset(row.dataset)
        by_code = {f.code: f for f in ds.fields}
        raw = _masked_raw(row.raw or {}) if masked else dict(row.raw or {})
        errors = []
        for err in row.platform_errors or [{"field": "", "message": "平台拒收"}]:
            code = err.get("field") or ""
            f = by_code.get(code)
            value = None
            column = None
            if f is not None:
                column = columns.get(f.key) or f.header
                if f.key != "legal_rep_id_no":
                    value = raw.get(f.key, (row.data or {}).get(f.key))
                    if f.key == "id_no" and value not in (None, "") and f.key not in raw:
                        value = mask_id(value)
            errors.append(
                {
                    "rule": "PLATFORM",
                    "field": code,
                    "column": column,
                    "value": value,
                    "message": f"信用湛江平台拒收：{err.get('message') or ''}",
                }
            )
        items.append(
            {
                "dataset": row.dataset,
                "file_name": sub.file_name if sub is not None else None,
                "sheet": row.sheet,
                "row": row.row,
                "columns": columns,
                "raw": raw,
                "errors": errors,
                "warnings": [],
            }
        )
    return items


__all__ = [
    "PushSummary",
    "RevokeError",
    "platform_rejections",
    "push",
    "queue_valid",
    "revoke",
]
