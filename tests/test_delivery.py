"""Delivery to 信用湛江 (credit.delivery + credit.platform.client) against the sandbox over loopback HTTP:
every record accepted exactly once under every fault, a killed push, two pushes at once; pushing again
sends nothing new. Count what the receiver got (docs/architecture.md "House style" 8)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from credit.delivery import (
    RevokeError,
    platform_rejections,
    push,
    queue_valid,
    revoke,
)
from credit.keys import business_key, record_key
from credit.platform import AuthError
from credit.platform.client import ApiClient, RetryPolicy
from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox
from credit.store import Batch, BatchItem, Record, RecordVersion, Submission, init_db, session_scope

PROJECT = Path(__file__).resolve().parent.parent
DAY = dt.date(2026, 11, 26)
FAST = RetryPolicy(
    max_attempts=8,
    backoff_base=0.01,
    backoff_max=0.05,
    retry_after_cap=0.05,
    total_budget=15,
    connect_timeout=1,
    read_timeout=0.4,
)


def record_data(n: int, unit: str = "U01", **overrides) -> dict:
    data = {
        "counterpart_name": f"雷州市测试贸易有限公司{n}",
        "counterpart_category": "法人及非法人组织",
        "uscc": f"91440882MA4W{n:06d}",
        "legal_rep_name": "陈大文",
        "legal_rep_id_no": "44088219800101001X",
        "decision_doc_no": f"雷市监罚〔2026〕{n}号",
        "violation_type": "销售不合格产品",
        "violation_facts": "当事人销售的产品经抽检不合格。",
        "legal_basis": "《中华人民共和国产品质量法》第四十九条",
        "penalty_categories": "警告;罚款",
        "penalty_content": "罚款人民币5000元",
        "fine_wan": "0.5",
        "decision_date": "2026-11-25",
        "penalty_valid_until": "2027-11-25",
        "authority": "雷州市市场监督管理局",
        "authority_uscc": "11440882MB2C12345X",
        "source_unit": "雷州市市场监督管理局",
        "source_unit_uscc": "11440882MB2C12345X",
        "remark": "",
    }
    data.update(overrides)
    return data


def seed(
    url: str, n: int, *, unit: str = "U01", start: int = 0, status: str = "valid", **overrides
) -> list[int]:
    """Insert n records with one version each (Core executemany: fast enough for 20k); returns version ids."""
    engine = init_db(url)
    rtab, vtab = Record.__table__, RecordVersion.__table__
    records, versions = [], []
    for i in range(start, start + n):
        data = record_data(i, unit, **overrides)
        bkey = business_key(
            "xzcf",
            data["decision_doc_no"],
            data["uscc"],
            None,
            data["counterpart_name"],
            data["authority_uscc"],
        )
        records.append(
            {
                "dataset": "xzcf",
                "unit": unit,
                "business_key": bkey,
                "record_key": record_key(unit, bkey),
                "decision_doc_no": data["decision_doc_no"],
                "decision_date": dt.date(2026, 11, 25),
                "first_received": DAY,
                "current_version": 1,
                "revoked": False,
            }
        )
        versions.append({"data": data, "raw": dict(data)})
    with engine.begin() as conn:
        conn.execute(insert(rtab), records)
        keys = [r["record_key"] for r in records]
        ids = (
            dict(conn.execute(select(rtab.c.record_key, rtab.c.id).where(rtab.c.record_key.in_(keys))).all())
            if len(keys) < 30000
            else {}
        )
        rows = [
            {
                "record_id": ids[r["record_key"]],
                "version": 1,
                "content_hash": r["record_key"],
                "received_date": DAY,
                "data": v["data"],
                "raw": v["raw"],
                "status": status,
                "push_state": "none",
            }
            for r, v in zip(records, versions, strict=True)
        ]
        conn.execute(insert(vtab), rows)
        rids = list(ids.values())
        return list(conn.execute(select(vtab.c.id).where(vtab.c.record_id.in_(rids))).scalars())


def add_version(url: str, version_id: int, status: str = "valid", **changes) -> int:
    """A new version (a correction) of the record that `version_id` belongs to."""
    with session_scope(url) as s:
        old = s.get(RecordVersion, version_id)
        rec = s.get(Record, old.record_id)
        rec.current_version += 1
        data = dict(old.data, **changes)
        v = RecordVersion(
            record_id=rec.id,
            version=rec.current_version,
            content_hash=f"h{rec.current_version}",
            received_date=DAY,
            data=data,
            raw=dict(data),
            status=status,
        )
        s.add(v)
        s.add(rec)
        s.flush()
        return v.id


def queue(url: str, ids=None) -> int:
    with session_scope(url) as s:
        return queue_valid(s, ids)


def client(handle, secret: str = DEMO_APP_SECRET, **kw) -> ApiClient:
    return ApiClient(handle.url, DEMO_APP_KEY, secret, retry=kw.pop("retry", FAST), **kw)


def states(url: str) -> dict[str, int]:
    with session_scope(url) as s:
        rows = s.execute(
            select(RecordVersion.push_state, func.count()).group_by(RecordVersion.push_state)
        ).all()
    return dict(rows)


def assert_exactly_once(url: str, handle, expected: int) -> None:
    st = handle.state()
    assert st["accepted_total"] == expected
    counts = handle.accepted_counts()
    assert len(counts) == expected and set(counts.values()) == {1}
    with session_scope(url) as s:
        items = s.execute(select(BatchItem.version_id, func.count()).group_by(BatchItem.version_id)).all()
        assert all(c == 1 for _, c in items)
        assert (
            s.execute(select(func.count()).select_from(Batch).where(Batch.state != "settled")).scalar_one()
            == 0
        )


# -- outbox ---------------------------------------------------------------------------------------------


def test_queue_valid_ops_supersede_and_corrections(db):
    ids = seed(db, 3)
    invalid = seed(db, 1, start=10, status="invalid")
    assert queue(db) == 3
    assert queue(db) == 0  # twice: nothing new
    with session_scope(db) as s:
        assert {v.op for v in s.exec(select(RecordVersion).where(RecordVersion.id.in_(ids))).scalars()} == {
            "I"
        }
        assert s.get(RecordVersion, invalid[0]).push_state == "none"
    # a queued, never-sent version superseded by a newer valid one: only the newest goes
    v2 = add_version(db, ids[0], counterpart_name="更正后名称")
    assert queue(db) == 1
    with session_scope(db) as s:
        assert s.get(RecordVersion, ids[0]).push_state == "superseded"
        assert (s.get(RecordVersion, v2).push_state, s.get(RecordVersion, v2).op) == ("queued", "I")
    # an invalid correction supersedes nothing
    add_version(db, ids[1], status="invalid")
    queue(db)
    with session_scope(db) as s:
        assert s.get(RecordVersion, ids[1]).push_state == "queued"


def test_push_once_then_nothing_new(db, sandbox):
    seed(db, 1100)
    queue(db)
    with client(sandbox) as c:
        summary = push(c, report_date=DAY, database_url=db)
        assert (summary.pushed, summary.accepted, summary.batches, summary.failed) == (1100, 1100, 3, False)
        assert states(db) == {"accepted": 1100}
        # same day twice, and an old day: nothing new is sent
        assert push(c, report_date=DAY, database_url=db).pushed == 0
        assert push(c, report_date=dt.date(2026, 1, 5), database_url=db).pushed == 0
    assert_exactly_once(db, sandbox, 1100)
    assert sandbox.state()["batches"] == 3
    with session_scope(db) as s:
        b = s.exec(select(Batch)).scalars().first()
        assert b.report_date == DAY and b.state == "settled" and b.transport == "api"
        r = s.exec(select(Record)).scalars().first()
        assert r.accepted_version == 1
    # the platform got standard codes, YYYY/MM/DD dates, labels; the blank remark omitted
    held = sandbox.store.held(r.record_key)
    assert held["CF_JDRQ"] == "2026/11/25" and held["CF_CFLB"] == "警告;罚款" and held["CF_NR_FK"] == "0.5"
    assert "BZ" not in held and "CF_XDR_MC" in held


def test_batches_split_by_size(db, sandbox):
    seed(db, 30, violation_facts="违" * 3000)  # ≈ 9 KB per record
    queue(db)
    with client(sandbox) as c:
        summary = push(c, report_date=DAY, database_url=db, max_bytes=100_000)
    assert summary.batches >= 3 and summary.accepted == 30
    with session_scope(db) as s:
        for b in s.exec(select(Batch)).scalars():
            items = s.exec(select(BatchItem).where(BatchItem.batch_id == b.batch_id)).scalars().all()
            body = json.dumps(
                {"batchId": b.batch_id, "unitCode": b.unit, "records": [i.payload for i in items]},
                ensure_ascii=False,
                separators=(",", ":"),
            )
            assert len(body.encode()) <= 100_000


FAULTS = {
    "5xx burst": {"fail_5xx": 5},
    "429 with Retry-After": {"rate_limit_429": 4, "retry_after": 30},
    "slow answers (time-outs)": {"delay_s": 1.0, "slow": 3},
    "lost answers (dropped)": {"lose_answer": 2},
    "lost answers (502)": {"lose_answer": 2, "lose_answer_mode": "502"},
    "connection resets": {"reset": 4},
    "everything": {"fail_5xx": 2, "rate_limit_429": 2, "retry_after": 1, "lose_answer": 1, "reset": 2},
}


@pytest.mark.reliability
@pytest.mark.parametrize("faults", FAULTS.values(), ids=FAULTS.keys())
def test_exactly_once_under_faults(db, sandbox, faults):
    seed(db, 1200)
    queue(db)
    sandbox.set_faults(**faults)
    sleeps: list[float] = []
    with client(sandbox, sleep=lambda s: (sleeps.append(s), time.sleep(s))) as c:
        summary = push(c, report_date=DAY, database_url=db)
    assert not summary.failed, summary.failed_batches
    assert summary.accepted + summary.duplicate == 1200
    assert states(db) == {"accepted": 1200}
    assert_exactly_once(db, sandbox, 1200)
    left = sandbox.state()["faults"]
    assert all(
        left[k] == 0 for k in ("fail_5xx", "rate_limit_429", "lose_answer", "reset", "slow") if k in faults
    )
    if "rate_limit_429" in faults:  # Retry-After honoured, capped by the policy
        assert FAST.retry_after_cap in sleeps


@pytest.mark.reliability
def test_outage_leaves_batch_in_ledger_and_next_push_settles_it(db, sandbox):
    seed(db, 700)
    queue(db)
    sandbox.set_faults(lose_answer=1000)  # processed and stored, but every answer lost
    with client(sandbox) as c:
        summary = push(c, report_date=DAY, database_url=db)
        assert summary.failed and summary.pending == 500 and summary.accepted == 0
        assert "平台暂时不可用" in summary.failed_batches[0]["error"]
        assert states(db) == {"batched": 500, "queued": 200}  # the run stopped at the outage
        sandbox.set_faults(clear=True)
        again = push(c, report_date=DAY + dt.timedelta(days=1), database_url=db)
    assert (
        again.resettled == 1 and not again.failed and again.pushed == 200
    )  # the old batch: GET, not re-sent
    assert_exactly_once(db, sandbox, 700)


@pytest.mark.reliability
def test_batch_that_never_arrived_is_resent_under_its_own_id(db, sandbox):
    seed(db, 10)
    queue(db)
    sandbox.set_faults(reset=1000)
    with client(sandbox, retry=RetryPolicy(max_attempts=2, backoff_base=0.01, total_budget=2)) as c:
        assert push(c, report_date=DAY, database_url=db).failed
        with session_scope(db) as s:
            batch_id = s.exec(select(Batch.batch_id)).scalars().one()
        sandbox.set_faults(clear=True)
        again = push(c, report_date=DAY, database_url=db)
    assert again.resettled == 1 and again.pushed == 10 and again.batches == 0
    assert sandbox.store.receipt(batch_id) is not None
    assert_exactly_once(db, sandbox, 10)


CHILD = """
import datetime as dt, sys
from credit.delivery import push
from credit.platform.client import ApiClient, RetryPolicy
url, db = sys.argv[1], sys.argv[2]
policy = RetryPolicy(max_attempts=3, backoff_base=0.01, total_budget=60, read_timeout=30)
with ApiClient(url, "demo-key", "demo-secret", retry=policy) as c:
    s = push(c, report_date=dt.date(2026, 11, 26), database_url=db)
print(s.to_dict())
"""


def run_child(url: str, db: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, url, db],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )


def wait_until(predicate, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    raise TimeoutError("condition not reached")


@pytest.mark.reliability
@pytest.mark.parametrize("when", ["after processing", "before processing"])
def test_killed_push_then_rerun(db, sandbox, when):
    seed(db, 1200)
    queue(db)
    if when == "after processing":
        sandbox.set_faults(delay_s=30)  # the platform has stored batch 1; its answer is slow
        child = run_child(sandbox.url, db)
        wait_until(lambda: sandbox.state()["batches"] >= 1)
    else:
        sandbox.set_faults(stall_s=30)  # the request is in, not yet processed
        child = run_child(sandbox.url, db)
        wait_until(lambda: sandbox.state()["counters"].get("requests", 0) >= 1)
    child.send_signal(signal.SIGKILL)
    child.wait(10)
    assert child.returncode == -signal.SIGKILL
    sandbox.set_faults(clear=True)
    assert states(db) == {"batched": 500, "queued": 700}
    with client(sandbox) as c:
        summary = push(c, report_date=DAY, database_url=db)
    assert not summary.failed and summary.resettled == 1
    if when == "before processing":
        time.sleep(0.1)  # the stalled request may still land: it would be answered from the stored receipt
    assert states(db) == {"accepted": 1200}
    assert_exactly_once(db, sandbox, 1200)


def _concurrent_pushes(url: str, handle, n: int) -> None:
    seed(url, n)
    queue(url)
    handle.set_faults(fail_5xx=3, lose_answer=2, reset=2)
    errors: list[BaseException] = []

    def run():
        try:
            with client(handle) as c:
                push(c, report_date=DAY, database_url=url, max_records=100)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    with client(handle) as c:  # anything a racing push left unsettled
        push(c, report_date=DAY, database_url=url)
    assert states(url) == {"accepted": n}
    assert_exactly_once(url, handle, n)


@pytest.mark.reliability
def test_two_pushes_at_once_sqlite(db, sandbox):
    _concurrent_pushes(db, sandbox, 1500)


def _concurrent_processes(url: str, handle, n: int) -> None:
    seed(url, n)
    queue(url)
    handle.set_faults(fail_5xx=2, lose_answer=2)
    children = [run_child(handle.url, url) for _ in range(2)]
    for child in children:
        _out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err.decode()[-2000:]
    with client(handle) as c:
        push(c, report_date=DAY, database_url=url)
    assert states(url) == {"accepted": n}
    assert_exactly_once(url, handle, n)


@pytest.mark.reliability
def test_two_pushes_at_once_sqlite_processes(db, sandbox):
    _concurrent_processes(db, sandbox, 1500)


@pytest.mark.postgres
@pytest.mark.reliability
def test_two_pushes_at_once_postgres_processes(pg_url, sandbox):
    _concurrent_processes(pg_url, sandbox, 1500)


@pytest.mark.postgres
@pytest.mark.reliability
def test_two_pushes_at_once_postgres_threads(pg_url, sandbox):
    _concurrent_pushes(pg_url, sandbox, 1500)


# -- corrections, revocations, rejections ---------------------------------------------------------------


def test_correction_goes_as_update_and_revocation_as_delete(db, sandbox):
    ids = seed(db, 2)
    queue(db)
    with client(sandbox) as c:
        push(c, report_date=DAY, database_url=db)
        v2 = add_version(db, ids[0], fine_wan="0.8")
        assert queue(db) == 1
        summary = push(c, report_date=DAY, database_url=db)
        assert summary.accepted == 1
        with session_scope(db) as s:
            assert s.get(RecordVersion, v2).op == "U"
            rec = s.get(Record, s.get(RecordVersion, v2).record_id)
            assert rec.accepted_version == 2
            key, bkey = rec.record_key, rec.business_key
        assert sandbox.store.held(key)["CF_NR_FK"] == "0.8"
        # revoke by business key; twice returns the same queued D
        with session_scope(db) as s:
            d = revoke(s, "xzcf", bkey, "决定已被依法撤销", unit="U01")
            assert revoke(s, "xzcf", key, "重复请求", unit="U01").id == d.id
            assert (d.op, d.push_state, d.version) == ("D", "queued", 3)
        push(c, report_date=DAY, database_url=db)
        assert sandbox.store.held(key) is None
        with session_scope(db) as s:
            rec = s.exec(select(Record).where(Record.record_key == key)).scalars().one()
            assert rec.revoked and rec.accepted_version == 3
            with pytest.raises(RevokeError):
                revoke(s, "xzcf", key, "again", unit="U01")
        # a new version after the revocation goes as I again
        v4 = add_version(db, v2, fine_wan="0.9")
        queue(db)
        assert push(c, report_date=DAY, database_url=db).accepted == 1
        with session_scope(db) as s:
            assert s.get(RecordVersion, v4).op == "I"
            assert not s.exec(select(Record).where(Record.record_key == key)).scalars().one().revoked
    assert [h["op"] for h in sandbox.history(key)] == ["I", "U", "D", "I"]


def test_rejected_then_corrected_goes_as_insert_and_feedback(db, sandbox):
    with session_scope(db) as s:
        sub = Submission(
            unit="U01",
            file_name="行政处罚_11月.xlsx",
            sha256="f" * 64,
            received_date=DAY,
            outcome="collected",
            columns={"Sheet1": {"legal_basis": "处罚依据", "counterpart_name": "行政相对人名称"}},
        )
        s.add(sub)
        s.flush()
        sub_id = sub.id
    ids = seed(
        db,
        1,
        legal_basis="",
        counterpart_category="自然人",
        uscc="",
        id_type="身份证",
        id_no="440882198001010012",
    )
    with session_scope(db) as s:
        v = s.get(RecordVersion, ids[0])
        v.submission_id, v.sheet, v.row = sub_id, "Sheet1", 7
        s.add(v)
    queue(db)
    with client(sandbox) as c:
        summary = push(c, report_date=DAY, database_url=db)
        assert (summary.rejected, summary.accepted) == (1, 0)
        with session_scope(db) as s:
            items = platform_rejections(s, "U01", DAY)
            assert platform_rejections(s, "U01", DAY + dt.timedelta(days=1)) == []
        assert len(items) == 1
        item = items[0]
        assert (item["file_name"], item["sheet"], item["row"], item["dataset"]) == (
            "行政处罚_11月.xlsx",
            "Sheet1",
            7,
            "xzcf",
        )
        err = item["errors"][0]
        assert (err["rule"], err["field"], err["column"]) == ("PLATFORM", "CF_YJ", "处罚依据")
        assert "CF_YJ" in err["message"] and item["warnings"] == []
        text = json.dumps(items, ensure_ascii=False)
        assert "440882198001010012" not in text and "44088219800101001X" not in text
        assert item["raw"]["id_no"] == "440882********0012" and "legal_rep_id_no" not in item["raw"]
        # the unit corrects it: never accepted, so it goes as I
        v2 = add_version(db, ids[0], legal_basis="《产品质量法》第四十九条")
        queue(db)
        assert push(c, report_date=DAY, database_url=db).accepted == 1
    with session_scope(db) as s:
        assert s.get(RecordVersion, v2).op == "I"


def test_whole_batch_rejected_by_a_final_4xx(db, sandbox):
    # one record over 5 MiB on its own: sent alone (never dropped), the platform answers 413, a final 4xx
    seed(db, 1, violation_facts="违" * 1_800_000)
    seed(db, 2, start=1)
    queue(db)
    with client(sandbox) as c:
        summary = push(c, report_date=DAY, database_url=db)
    assert (summary.rejected, summary.accepted, summary.failed) == (1, 2, False)
    with session_scope(db) as s:
        v = s.exec(select(RecordVersion).where(RecordVersion.push_state == "rejected")).scalars().one()
        assert "413" in v.platform_errors[0]["message"]
    assert sandbox.state()["counters"].get("faults_5xx", 0) == 0


def test_in_flight_version_settles_before_its_correction(db, sandbox):
    ids = seed(db, 1)
    queue(db)
    sandbox.set_faults(lose_answer=100)
    with client(sandbox, retry=RetryPolicy(max_attempts=2, backoff_base=0.01, total_budget=2)) as c:
        assert push(c, report_date=DAY, database_url=db).failed
        add_version(db, ids[0], fine_wan="0.7")
        queue(db)  # v2 queued as I (v1's answer is unknown)
        sandbox.set_faults(clear=True)
        summary = push(c, report_date=DAY, database_url=db)
    assert summary.resettled == 1 and summary.accepted == 2
    with session_scope(db) as s:
        rec = s.exec(select(Record)).scalars().one()
        ops = [v.op for v in s.exec(select(RecordVersion).order_by(RecordVersion.version)).scalars()]
    assert ops == ["I", "U"] and rec.accepted_version == 2
    assert sandbox.store.held(rec.record_key)["CF_NR_FK"] == "0.7"


# -- configuration faults and secrets -------------------------------------------------------------------


SECRET = "Zx9-very-secret-app-secret-value"


@pytest.mark.reliability
def test_auth_failure_stops_push_and_leaves_records_queued(db, caplog):
    handle = start_sandbox(app_secret=SECRET)
    try:
        seed(db, 3)
        queue(db)
        caplog.set_level(logging.DEBUG)
        with client(handle, secret="wrong-" + SECRET) as c, pytest.raises(AuthError) as info:
            push(c, report_date=DAY, database_url=db)
        assert "AUTH_FAILED" in str(info.value) and SECRET not in str(info.value)
        assert states(db) == {"queued": 3}
        with session_scope(db) as s:
            assert s.execute(select(func.count()).select_from(Batch)).scalar_one() == 0
        handle.set_faults(fail_5xx=2, rate_limit_429=1, retry_after=0)
        with client(handle, secret=SECRET) as c:
            assert SECRET not in repr(c) and SECRET not in str(c)
            summary = push(c, report_date=DAY, database_url=db)
        assert summary.accepted == 3
        handle.set_faults(fail_5xx=100)
        with client(handle, secret=SECRET, retry=RetryPolicy(max_attempts=2, backoff_base=0.01)) as c:
            seed(db, 1, start=50)
            queue(db)
            failed = push(c, report_date=DAY, database_url=db)
        assert failed.failed and SECRET not in json.dumps(failed.to_dict(), ensure_ascii=False)
        assert SECRET not in caplog.text
        with session_scope(db) as s:
            for b in s.exec(select(Batch)).scalars():
                assert SECRET not in json.dumps(b.model_dump(mode="json"), ensure_ascii=False)
    finally:
        handle.stop()


def test_push_without_platform_keeps_records_queued(settings):
    seed(settings.database_url, 2)
    queue(settings.database_url)
    summary = push(settings, report_date=DAY)
    assert summary.skipped and summary.queued_left == 2 and summary.pushed == 0


def test_push_from_settings(settings, sandbox, monkeypatch):
    from credit.settings import load_settings

    monkeypatch.setenv("CREDIT_PLATFORM_URL", sandbox.url)
    monkeypatch.setenv("CREDIT_PLATFORM_APP_KEY", DEMO_APP_KEY)
    monkeypatch.setenv("CREDIT_PLATFORM_APP_SECRET", DEMO_APP_SECRET)
    s = load_settings()
    assert s.platform_verify_tls is True
    seed(s.database_url, 5)
    queue(s.database_url)
    assert push(s, report_date=DAY).accepted == 5
