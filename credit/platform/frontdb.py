"""The 前置库 transport: batches written to exchange tables in a front-end database that the platform
reads, instead of the HTTP API. Same Transport interface, same exactly-once ledger in credit.delivery.

Layout (one table per dataset and subject, as the public 前置库 layouts split them):
`T_XZXK_FR`, `T_XZXK_ZRR`, `T_XZCF_FR`, `T_XZCF_ZRR` (法人及非法人组织 and 个体工商户 → FR, 自然人 → ZRR), each with
`ID`, `BATCH_ID`, `RECORD_KEY`, `OP` (I/U/D), `UNIT_CODE`, one text column per standard code
(`CF_XDR_MC`, …, values formatted as for the API), `SUBMIT_TIME`, and the columns the platform fills:
`STATUS` (NULL = not yet processed; accepted | rejected | duplicate), `ERROR_FIELD`, `MESSAGE`,
`PROCESS_TIME`. Unique on (`BATCH_ID`, `RECORD_KEY`): writing a batch twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from functools import cached_property
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    insert,
    select,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from credit.platform import Receipt, RecordResult, TransientError
from credit.standard import datasets

log = logging.getLogger(__name__)

SUBJECTS = ("FR", "ZRR")


def table_name(dataset: str, subject: str) -> str:
    """The dataset folder's `[destination] table`, split by subject (`T_XZCF_FR`)."""
    return f"{datasets()[dataset].table}_{subject}"


def build_metadata() -> MetaData:
    """The exchange tables (kept apart from the store's metadata: Alembic never sees them)."""
    metadata = MetaData()
    for ds_id, ds in sorted(datasets().items()):
        for subject in SUBJECTS:
            name = table_name(ds_id, subject)
            Table(
                name,
                metadata,
                Column("ID", Integer, primary_key=True, autoincrement=True),
                Column("BATCH_ID", String(36), nullable=False, index=True),
                Column("RECORD_KEY", String(64), nullable=False, index=True),
                Column("OP", String(1), nullable=False),
                Column("UNIT_CODE", String(32), nullable=False),
                *[Column(f.code, Text) for f in ds.fields],
                Column("SUBMIT_TIME", DateTime, nullable=False),
                Column("STATUS", String(16)),
                Column("ERROR_FIELD", String(64)),
                Column("MESSAGE", Text),
                Column("PROCESS_TIME", DateTime),
                UniqueConstraint("BATCH_ID", "RECORD_KEY", name=f"UQ_{name}_BATCH_RECORD"),
            )
    return metadata


def subject_of(dataset: str, data: dict[str, Any]) -> str:
    ds = datasets()[dataset]
    category = data.get(ds.code_of("counterpart_category")) if ds.has_identity else None
    return "ZRR" if category == "自然人" else "FR"


class FrontDbTransport:
    """Transport "frontdb", configured by an SQLAlchemy URL (CREDIT_FRONTDB_URL)."""

    name = "frontdb"

    def __init__(self, url: str, *, create_tables: bool = True, engine: Engine | None = None):
        self._url = url
        self._engine = engine
        self.metadata = build_metadata()
        if create_tables:
            self.metadata.create_all(self.engine)

    @cached_property
    def engine(self) -> Engine:
        if self._engine is not None:
            return self._engine
        if make_url(self._url).get_backend_name() == "sqlite":
            return create_engine(self._url, connect_args={"timeout": 30})
        return create_engine(self._url, pool_pre_ping=True)

    def __repr__(self) -> str:  # the URL may carry a password: show only the backend and host
        url = make_url(self._url)
        return f"FrontDbTransport({url.get_backend_name()}://{url.host or ''}/{url.database or ''})"

    def close(self) -> None:
        self.engine.dispose()

    def table(self, dataset: str, subject: str) -> Table:
        return self.metadata.tables[table_name(dataset, subject)]

    def send_batch(self, dataset: str, batch_id: str, unit: str, records: list[dict[str, Any]]) -> Receipt:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        rows: dict[str, list[dict[str, Any]]] = {}
        for rec in records:
            subject = subject_of(dataset, rec.get("data") or {})
            row = {
                "BATCH_ID": batch_id,
                "RECORD_KEY": rec["recordKey"],
                "OP": rec["op"],
                "UNIT_CODE": unit,
                "SUBMIT_TIME": now,
                **(rec.get("data") or {}),
            }
            rows.setdefault(subject, []).append(row)
        try:
            with self.engine.begin() as conn:
                for subject, subject_rows in rows.items():
                    table = self.table(dataset, subject)
                    known = set(
                        conn.execute(
                            select(table.c.RECORD_KEY).where(table.c["BATCH_ID"] == batch_id)
                        ).scalars()
                    )
                    fresh = [r for r in subject_rows if r["RECORD_KEY"] not in known]
                    if fresh:
                        conn.execute(insert(table), [self._only_columns(table, r) for r in fresh])
        except SQLAlchemyError as exc:
            # A unique violation from a concurrent writer of the same batch is harmless: read back.
            receipt = self._try_receipt(batch_id)
            if receipt is not None and len(receipt.results) >= len(records):
                return receipt
            raise TransientError(f"前置库写入失败 front DB write failed: {type(exc).__name__}") from exc
        log.info("batch %s: %d records written to the front DB", batch_id, len(records))
        return self.get_receipt(batch_id) or Receipt(batch_id, [])

    @staticmethod
    def _only_columns(table: Table, row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k in table.c}

    def _try_receipt(self, batch_id: str) -> Receipt | None:
        try:
            return self.get_receipt(batch_id)
        except TransientError:
            return None

    def get_receipt(self, batch_id: str, record_keys: Collection[str] | None = None) -> Receipt | None:
        # record_keys: not needed here; the rows of a batch are written in one transaction.
        results: list[RecordResult] = []
        try:
            with self.engine.connect() as conn:
                for table in self.metadata.tables.values():
                    for row in conn.execute(
                        select(table.c.RECORD_KEY, table.c.STATUS, table.c.ERROR_FIELD, table.c.MESSAGE)
                        .where(table.c["BATCH_ID"] == batch_id)
                        .order_by(table.c.ID)
                    ):
                        status = (row.STATUS or "").strip().lower() or "pending"
                        errors = (
                            [{"field": row.ERROR_FIELD or "", "message": row.MESSAGE or ""}]
                            if status == "rejected"
                            else []
                        )
                        results.append(RecordResult(row.RECORD_KEY, status, errors))
        except SQLAlchemyError as exc:
            raise TransientError(f"前置库读取失败 front DB read failed: {type(exc).__name__}") from exc
        if not results:
            return None
        raw = {"batchId": batch_id, "results": [r.__dict__ for r in results]}
        return Receipt(batch_id, results, raw=raw)
