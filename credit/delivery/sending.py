"""push: settle the ledger's open batches, then claim queued versions into new batches and send them through
the transport the settings choose (`credit.platform`: the 信用湛江 API or the 前置库)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.engine import Engine

from credit.delivery.ledger import (
    BatchRef,
    claim,
    count_queued,
    fail,
    filters,
    release,
    settle,
    stored_records,
)
from credit.delivery.summary import PushSummary
from credit.delivery.tables import BI, RV, UNSETTLED, B, R, op_for
from credit.platform import AuthError, TransientError, Transport, TransportError
from credit.platform.payload import MAX_BYTES, MAX_RECORDS, platform_record, split_batches
from credit.platform.transports import make_transport
from credit.store.db import init_db

log = logging.getLogger(__name__)


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
        summary.queued_left = count_queued(engine, units, dataset)
        log.warning("push skipped: %s", summary.skipped)
        return summary
    try:
        run = _Run(engine, transport, units, dataset, report_date, summary)
        if _settle_unsettled(run) and send_new:
            _send_queued(run, max_records, max_bytes)
    finally:
        summary.queued_left = count_queued(engine, units, dataset)
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


def _unforeseen(exc: Exception) -> TransientError:
    return TransientError(f"与平台交互出错，批次保留待查询回执（{type(exc).__name__}）(unexpected fault)")


@dataclass(frozen=True)
class _Run:
    """One push: the store, the transport, which records (units, dataset), for which day, and its summary."""

    engine: Engine
    transport: Transport
    units: list[str] | None
    dataset: str | None
    report_date: dt.date
    summary: PushSummary

    def unpacked(self) -> tuple[Engine, Transport, list[str] | None, str | None, dt.date, PushSummary]:
        return self.engine, self.transport, self.units, self.dataset, self.report_date, self.summary


def _settle_unsettled(run: _Run) -> bool:
    """Settle the ledger's open batches. False when the platform is unavailable (stop the run)."""
    engine, transport, units, dataset, report_date, summary = run.unpacked()
    with engine.connect() as conn:
        batches = conn.execute(
            select(B.c.batch_id, B.c.dataset, B.c.unit, B.c.records, B.c.transport)
            .where(B.c.state.in_(UNSETTLED), *filters(units, dataset, B.c.unit, B.c.dataset))
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
                    records = stored_records(conn, batch.batch_id)
                log.info(
                    "batch %s never arrived: sending it again (%d records)", batch.batch_id, len(records)
                )
                receipt = transport.send_batch(batch.dataset, batch.batch_id, batch.unit, records)
                summary.pushed += len(records)
        except AuthError:
            raise  # an older batch may have been delivered: it stays in the ledger as it is
        except TransientError as exc:
            fail(summary, engine, batch, exc, exc.attempts or 1)
            return False
        except TransportError as exc:
            fail(summary, engine, batch, exc)
            continue
        except Exception as exc:  # a fault of the exchange we did not foresee: the batch stays, settled later
            log.exception("settling batch %s failed", batch.batch_id)
            fail(summary, engine, batch, _unforeseen(exc))
            return False
        summary.resettled += settle(engine, batch.batch_id, receipt, report_date, summary)
    return True


def _send_queued(run: _Run, max_records: int, max_bytes: int) -> None:
    """Claim queued versions into new batches, one unit and dataset each, send and settle them; a failed
    batch ends the run (it stays in the ledger)."""
    engine, transport, units, dataset, report_date, summary = run.unpacked()
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
                *filters(units, dataset, R.c.unit, R.c.dataset),
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
        op = "D" if row.op == "D" else op_for(row.accepted_version, row.revoked)
        record = platform_record(row.dataset, row.record_key, op, row.data or {})
        groups.setdefault((row.dataset, row.unit), []).append(((row.id, op, row.record_key), record))
    for (ds, unit_code), items in groups.items():
        for chunk in split_batches(items, max_records=max_records, max_bytes=max_bytes):
            claimed = claim(engine, transport.name, ds, unit_code, chunk)
            if claimed is None:
                continue
            batch_id, records = claimed
            batch = BatchRef(batch_id, ds, unit_code, len(records))
            try:
                receipt = transport.send_batch(ds, batch_id, unit_code, records)
            except AuthError as exc:
                if exc.maybe_delivered:
                    fail(summary, engine, batch, exc)
                else:
                    release(engine, batch_id)
                raise
            except TransientError as exc:
                fail(summary, engine, batch, exc, exc.attempts or 1)
                return
            except TransportError as exc:
                fail(summary, engine, batch, exc)
                return
            except Exception as exc:  # unforeseen: the claimed batch stays in the ledger, settled by GET
                log.exception("sending batch %s failed", batch_id)
                fail(summary, engine, batch, _unforeseen(exc))
                return
            summary.pushed += len(records)
            summary.batches += 1
            settle(engine, batch_id, receipt, report_date, summary)
