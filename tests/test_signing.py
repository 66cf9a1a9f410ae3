"""Request signing (docs/contracts.md "The 信用湛江 endpoint"), checked against a hand-computed vector and the
sandbox, which verifies signatures with its own code."""

from __future__ import annotations

import hashlib
import hmac
import uuid

import pytest
import requests

from credit.platform import AuthError
from credit.platform.client import ApiClient, RetryPolicy
from credit.platform.signing import body_hash, signature, signed_headers, string_to_sign
from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox

FAST = RetryPolicy(max_attempts=5, backoff_base=0.01, backoff_max=0.02, retry_after_cap=0.02, total_budget=10)


def test_string_to_sign_and_vector():
    body = b'{"a":1}'
    text = string_to_sign("post", "/gw/api/v1/datasets/xzcf/batches?x=1", "1764000000000", "n1", body)
    assert (
        text
        == "POST\n/gw/api/v1/datasets/xzcf/batches\n1764000000000\nn1\n" + hashlib.sha256(body).hexdigest()
    )
    want = hmac.new(b"k", text.encode(), hashlib.sha256).hexdigest()
    assert signature("k", "POST", "/gw/api/v1/datasets/xzcf/batches", "1764000000000", "n1", body) == want


def test_empty_body_hashes_as_the_empty_string():
    # The contract: "an empty body hashes as the empty string" — the last line is "", not sha256(b"").
    assert body_hash(b"") == "" and body_hash(None) == ""
    assert string_to_sign("GET", "/api/v1/batches/x", "1", "n", b"").endswith("\nn\n")


def test_headers_fresh_each_time():
    a = signed_headers("key", "secret", "GET", "/p", None)
    b = signed_headers("key", "secret", "GET", "/p", None)
    assert a["X-Nonce"] != b["X-Nonce"] and a["X-Signature"] != b["X-Signature"]
    assert a["X-Timestamp"].isdigit() and len(a["X-Timestamp"]) == 13


@pytest.fixture
def sandbox():
    handle = start_sandbox()
    yield handle
    handle.stop()


def _raw(handle, method, path, body=b"", **headers):
    return requests.request(method, handle.url + path, data=body, headers=headers, timeout=5)


def test_sandbox_accepts_the_clients_signature_and_rejects_variants(sandbox):
    path = f"/api/v1/batches/{uuid.uuid4()}"
    good = signed_headers(DEMO_APP_KEY, DEMO_APP_SECRET, "GET", path, b"")
    assert _raw(sandbox, "GET", path, **good).status_code == 404  # authenticated: the batch is unknown
    assert _raw(sandbox, "GET", path, **good).json() == {
        "code": "AUTH_FAILED",
        "message": "签名、时间戳或随机数校验失败",
    }  # nonce reused
    # the other reading of "empty body" (hex sha256 of b"") is refused by the sandbox
    import time

    ts, nonce = str(int(time.time() * 1000)), uuid.uuid4().hex
    text = f"GET\n{path}\n{ts}\n{nonce}\n{hashlib.sha256(b'').hexdigest()}"
    other = hmac.new(DEMO_APP_SECRET.encode(), text.encode(), hashlib.sha256).hexdigest()
    r = _raw(
        sandbox,
        "GET",
        path,
        **{"X-App-Key": DEMO_APP_KEY, "X-Timestamp": ts, "X-Nonce": nonce, "X-Signature": other},
    )
    assert r.status_code == 401
    stale = signed_headers(
        DEMO_APP_KEY, DEMO_APP_SECRET, "GET", path, b"", timestamp_ms=int(time.time() * 1000) - 301_000
    )
    assert _raw(sandbox, "GET", path, **stale).status_code == 401
    future = signed_headers(
        DEMO_APP_KEY, DEMO_APP_SECRET, "GET", path, b"", timestamp_ms=int(time.time() * 1000) + 250_000
    )
    assert _raw(sandbox, "GET", path, **future).status_code == 404
    wrong_key = signed_headers("other", DEMO_APP_SECRET, "GET", path, b"")
    assert _raw(sandbox, "GET", path, **wrong_key).status_code == 401
    tampered = signed_headers(DEMO_APP_KEY, DEMO_APP_SECRET, "POST", "/api/v1/datasets/xzcf/batches", b"{}")
    assert _raw(sandbox, "POST", "/api/v1/datasets/xzcf/batches", b"{ }", **tampered).status_code == 401


def test_every_retry_is_signed_afresh(sandbox):
    sandbox.set_faults(fail_5xx=3)  # a reused nonce would turn the 4th attempt into a 401
    with ApiClient(sandbox.url, DEMO_APP_KEY, DEMO_APP_SECRET, retry=FAST) as c:
        assert c.get_receipt(str(uuid.uuid4())) is None
    assert sandbox.state()["counters"]["faults_5xx"] == 3


def test_wrong_secret_is_an_auth_error_not_retried(sandbox):
    with (
        ApiClient(sandbox.url, DEMO_APP_KEY, "not-the-secret", retry=FAST) as c,
        pytest.raises(AuthError) as info,
    ):
        c.get_receipt(str(uuid.uuid4()))
    assert "not-the-secret" not in str(info.value)
    assert sandbox.state()["counters"]["auth_failed"] == 1
