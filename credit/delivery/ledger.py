"""The ledger: batches written (claimed) before they are sent, released when they certainly never left,
failed with what went wrong, and settled from the platform's receipt. Every function commits its own short
transaction."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine

from credit.delivery.summary import PushSummary
from credit.delivery.tables import BI, RV, UNSETTLED, B, R, now
from credit.platform import FINAL_STATUSES, Receipt

log = logging.getLogger(__name__)


def filters(units: list[str] | None, dataset: str | None, unit_col: Any, dataset_col: Any) -> list[Any]:
    conds = []
    if units is not None:
        conds.append(unit_col.in_(units))
    if dataset is not None:
        conds.append(dataset_col == dataset)
    return conds


def count_queued(engine: Engine, units: list[str] | None, dataset: str | None) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(func.count())
            .select_from(RV.join(R, R.c.id == RV.c.record_id))
            .where(RV.c.push_state == "queued", *filters(units, dataset, R.c.unit, R.c.dataset))
        ).scalar_one()


def fail(summary: PushSummary, engine: Engine, batch: Any, exc: Exception, attempts: int = 1) -> None:
    message = str(exc)
    with engine.begin() as conn:
        conn.execute(
            update(B)
            .where(B.c.batch_id == batch.batch_id, B.c.state.in_(UNSETTLED))
            .values(state="sent", attempts=B.c.attempts + attempts, last_error=message[:500], sent_at=now())
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


def stored_records(conn: Connection, batch_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(BI.c.payload).where(BI.c.batch_id == batch_id).order_by(BI.c.id)).all()
    return [row.payload for row in rows]


@dataclass(frozen=True)
class BatchRef:
    batch_id: str
    dataset: str
    unit: str
    records: int


def claim(
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
                created_at=now(),
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


def release(engine: Engine, batch_id: str) -> None:
    """Undo a claim whose batch certainly never reached the platform (401 on the first attempt)."""
    with engine.begin() as conn:
        vids = conn.execute(select(BI.c.version_id).where(BI.c.batch_id == batch_id)).scalars().all()
        conn.execute(delete(BI).where(BI.c.batch_id == batch_id))
        conn.execute(delete(B).where(B.c.batch_id == batch_id))
        if vids:
            conn.execute(
                update(RV).where(RV.c.id.in_(vids), RV.c.push_state == "batched").values(push_state="queued")
            )


def settle(
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
        at = now()
        values: dict[str, Any] = {"receipt": receipt.raw, "last_error": None, "attempts": B.c.attempts + 1}
        if still_pending:
            values.update(state="sent", sent_at=at)
            summary.pending += still_pending
        else:
            values.update(state="settled", settled_at=at, report_date=report_date)
        conn.execute(update(B).where(B.c.batch_id == batch_id, B.c.state.in_(UNSETTLED)).values(**values))
    return 0 if still_pending else 1
