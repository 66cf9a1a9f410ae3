"""The sandbox receiver implements the endpoint contract: limits, per-record semantics, stored receipts,
switchable faults through the admin endpoint, state that survives a restart."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
import requests

from credit.platform.client import ApiClient, RetryPolicy
from credit.platform.payload import platform_data
from credit.platform.signing import signed_headers
from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox
from tests.test_delivery import record_data

NO_RETRY = RetryPolicy(max_attempts=1, total_budget=5)


def key(n: int) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def rec(n: int, op: str = "I", **changes) -> dict:
    return {"recordKey": key(n), "op": op, "data": platform_data("xzcf", record_data(n, **changes))}


def post(handle, records, batch_id=None, dataset="xzcf"):
    body = json.dumps(
        {"batchId": batch_id or str(uuid.uuid4()), "unitCode": "U01", "records": records}, ensure_ascii=False
    ).encode()
    path = f"/api/v1/datasets/{dataset}/batches"
    headers = signed_headers(DEMO_APP_KEY, DEMO_APP_SECRET, "POST", path, body)
    return requests.post(handle.url + path, data=body, headers=headers, timeout=10)


@pytest.fixture
def sandbox():
    handle = start_sandbox()
    yield handle
    handle.stop()


def statuses(resp) -> list[str]:
    assert resp.status_code == 200, resp.text
    return [r["status"] for r in resp.json()["results"]]


def test_record_semantics(sandbox):
    assert statuses(post(sandbox, [rec(1), rec(2)])) == ["accepted", "accepted"]
    assert statuses(post(sandbox, [rec(1)])) == ["duplicate"]  # I for a key already accepted
    r = post(sandbox, [rec(3, "U")])  # U for an unknown key
    assert statuses(r) == ["rejected"] and "无法更新" in r.json()["results"][0]["errors"][0]["message"]
    assert statuses(post(sandbox, [rec(1, "U", fine_wan="0.9")])) == ["accepted"]
    assert sandbox.store.held(key(1))["CF_NR_FK"] == "0.9"
    assert statuses(post(sandbox, [{"recordKey": key(2), "op": "D", "data": {}}])) == ["accepted"]
    assert sandbox.store.held(key(2)) is None
    assert statuses(post(sandbox, [{"recordKey": key(2), "op": "D", "data": {}}])) == ["rejected"]
    bad = post(
        sandbox, [{"recordKey": "ABC", "op": "I", "data": {}}, {**rec(5), "op": "X"}, rec(6, legal_basis="")]
    )
    assert statuses(bad) == ["rejected"] * 3
    assert bad.json()["results"][2]["errors"] == [{"field": "CF_YJ", "message": "必填字段 CF_YJ 缺失"}]
    wrong_date = rec(7)
    wrong_date["data"]["CF_JDRQ"] = "2026-11-25"
    assert statuses(post(sandbox, [wrong_date, rec(7)])) == ["rejected", "rejected"]  # bad date; repeated key
    st = sandbox.state()
    assert st["accepted_total"] == 4 and st["records_held"] == 1
    assert [h["op"] for h in sandbox.history(key(1))] == ["I", "I", "U"]


def test_same_batch_id_is_processed_once(sandbox):
    batch_id = str(uuid.uuid4())
    first = post(sandbox, [rec(1), rec(2)], batch_id)
    second = post(sandbox, [rec(1), rec(2), rec(3)], batch_id)  # even with other content
    assert first.json() == second.json() and statuses(second) == ["accepted", "accepted"]
    assert sandbox.state()["accepted_total"] == 2 and sandbox.state()["counters"]["reposts"] == 1
    with ApiClient(sandbox.url, DEMO_APP_KEY, DEMO_APP_SECRET) as c:
        assert [r.status for r in c.get_receipt(batch_id).results] == ["accepted", "accepted"]
        assert c.get_receipt(str(uuid.uuid4())) is None


def test_limits_413_and_bad_requests(sandbox):
    r = post(sandbox, [rec(i) for i in range(501)])
    assert r.status_code == 413
    r = post(sandbox, [rec(1, violation_facts="违" * (2 * 1024 * 1024))])
    assert r.status_code == 413
    assert post(sandbox, [rec(1)], batch_id="not-a-uuid").status_code == 400
    assert post(sandbox, [rec(1)], dataset="nope").status_code == 404
    assert sandbox.state()["batches"] == 0
    with ApiClient(sandbox.url, DEMO_APP_KEY, DEMO_APP_SECRET, retry=NO_RETRY) as c:
        receipt = c.send_batch("xzcf", str(uuid.uuid4()), "U01", [rec(i) for i in range(501)])
    assert receipt.rejected_whole and receipt.http_status == 413 and len(receipt.results) == 501
    assert "413" in receipt.results[0].errors[0]["message"]


def test_admin_faults_over_http(sandbox):
    r = requests.post(
        sandbox.url + "/__admin/faults",
        json={"fail_5xx": 1, "rate_limit_429": 1, "retry_after": 7},
        timeout=5,
    )
    assert r.json()["faults"]["fail_5xx"] == 1
    assert post(sandbox, [rec(1)]).status_code == 503
    r = post(sandbox, [rec(1)])
    assert r.status_code == 429 and r.headers["Retry-After"] == "7"
    assert statuses(post(sandbox, [rec(1)])) == ["accepted"]
    requests.post(
        sandbox.url + "/__admin/faults", json={"lose_answer": 1, "lose_answer_mode": "502"}, timeout=5
    )
    batch_id = str(uuid.uuid4())
    assert post(sandbox, [rec(2)], batch_id).status_code == 502
    assert sandbox.store.receipt(batch_id) is not None  # processed before the answer was lost
    requests.post(sandbox.url + "/__admin/faults", json={"reset": 1}, timeout=5)
    with pytest.raises(requests.ConnectionError):
        post(sandbox, [rec(3)])
    state = requests.get(sandbox.url + "/__admin/state", timeout=5).json()
    assert state["accepted_total"] == 2 and state["counters"]["faults_reset"] == 1
    hist = requests.get(sandbox.url + f"/__admin/records/{key(2)}", timeout=5).json()
    assert hist["history"][0]["batchId"] == batch_id
    assert requests.post(sandbox.url + "/__admin/faults", json={"nope": 1}, timeout=5).status_code == 400


def test_state_survives_restart(tmp_path):
    path = str(tmp_path / "sandbox.db")
    first = start_sandbox(state_path=path)
    batch_id = str(uuid.uuid4())
    try:
        assert statuses(post(first, [rec(1), rec(2)], batch_id)) == ["accepted", "accepted"]
    finally:
        first.stop()
    second = start_sandbox(state_path=path)
    try:
        assert second.state()["accepted_total"] == 2
        assert statuses(post(second, [rec(1)])) == ["duplicate"]
        assert statuses(post(second, [rec(9)], batch_id)) == ["accepted", "accepted"]  # stored receipt
    finally:
        second.stop()
