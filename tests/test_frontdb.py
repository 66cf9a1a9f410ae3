"""The 前置库 transport against real databases (an SQLite file; PostgreSQL where it answers): idempotent
writes, receipts read back, and the same exactly-once ledger through credit.delivery.push."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, update

from credit.delivery import push
from credit.platform import Transport
from credit.platform.frontdb import FrontDbTransport
from credit.sandbox.frontdb import process_frontdb
from tests.test_delivery import DAY, queue, seed, states


def _rows(transport: FrontDbTransport) -> int:
    with transport.engine.connect() as conn:
        return sum(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in transport.metadata.tables.values()
        )


def _roundtrip(front_url: str) -> None:
    t = FrontDbTransport(front_url)
    try:
        assert isinstance(t, Transport)
        batch_id = str(uuid.uuid4())
        records = [
            {
                "recordKey": "a" * 64,
                "op": "I",
                "data": {"CF_XDR_MC": "甲公司", "CF_XDR_LB": "法人及非法人组织"},
            },
            {"recordKey": "b" * 64, "op": "I", "data": {"CF_XDR_MC": "张三", "CF_XDR_LB": "自然人"}},
        ]
        assert t.get_receipt(batch_id) is None
        first = t.send_batch("xzcf", batch_id, "U01", records)
        assert first.pending and {r.status for r in first.results} == {"pending"}
        t.send_batch("xzcf", batch_id, "U01", records)  # again: nothing added
        assert _rows(t) == 2
        with t.engine.connect() as conn:
            assert conn.execute(select(t.table("xzcf", "ZRR").c["CF_XDR_MC"])).scalar_one() == "张三"
        with t.engine.begin() as conn:
            table = t.table("xzcf", "FR")
            conn.execute(update(table).values(STATUS="rejected", ERROR_FIELD="CF_WSH", MESSAGE="文书号缺失"))
        receipt = t.get_receipt(batch_id)
        by = receipt.by_key()
        assert by["a" * 64].status == "rejected" and by["a" * 64].errors == [
            {"field": "CF_WSH", "message": "文书号缺失"}
        ]
        assert by["b" * 64].status == "pending" and receipt.pending
        assert "postgres" not in repr(t) or "@" not in repr(t)
    finally:
        t.close()


def test_frontdb_roundtrip_sqlite(tmp_path):
    _roundtrip(f"sqlite:///{tmp_path}/front.db")


@pytest.mark.postgres
def test_frontdb_roundtrip_postgres(pg_url):
    _roundtrip(pg_url)


def _push_through_frontdb(store_url: str, front_url: str) -> None:
    seed(store_url, 1200)
    queue(store_url)
    t = FrontDbTransport(front_url)
    try:
        first = push(t, report_date=DAY, database_url=store_url)
        assert first.pushed == 1200 and first.pending == 1200 and first.accepted == 0
        assert states(store_url) == {"batched": 1200}
        again = push(t, report_date=DAY, database_url=store_url)  # platform has not processed: nothing new
        assert again.pushed == 0 and again.pending == 1200
        assert process_frontdb(front_url) == 1200
        settled = push(t, report_date=DAY, database_url=store_url)
        assert settled.accepted == 1200 and settled.resettled == 3 and settled.pushed == 0
        assert states(store_url) == {"accepted": 1200}
        assert _rows(t) == 1200
        assert push(t, report_date=DAY, database_url=store_url).pushed == 0
    finally:
        t.close()


def test_push_through_frontdb_sqlite(tmp_path):
    store = f"sqlite:///{tmp_path}/t.db"
    _push_through_frontdb(store, f"sqlite:///{tmp_path}/front.db")


@pytest.mark.postgres
def test_push_through_frontdb_postgres(pg_url, tmp_path):
    _push_through_frontdb(f"sqlite:///{tmp_path}/t.db", pg_url)
