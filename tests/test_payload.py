"""The platform record: standard codes, YYYY/MM/DD dates, 万元 decimals, labels, blanks omitted; batching
within 500 records and 5 MiB."""

from __future__ import annotations

import datetime as dt
import json

from credit.platform.payload import (
    MAX_BYTES,
    MAX_RECORDS,
    batch_body,
    platform_data,
    platform_record,
    split_batches,
)


def test_platform_data_xzcf():
    data = {
        "counterpart_name": " 雷州市某某店 ",
        "counterpart_category": "个体工商户",
        "penalty_categories": "警告;罚款",
        "fine_wan": "0.500000",
        "confiscation_wan": "12",
        "decision_date": "2026-11-25",
        "penalty_valid_until": dt.date(2027, 11, 25),
        "publicity_end_date": None,
        "remark": "  ",
        "business_reg_no": "",
        "not_a_field": "x",
    }
    out = platform_data("xzcf", data)
    assert out == {
        "CF_XDR_MC": "雷州市某某店",
        "CF_XDR_LB": "个体工商户",
        "CF_CFLB": "警告;罚款",
        "CF_NR_FK": "0.5",
        "CF_NR_WFFF": "12",
        "CF_JDRQ": "2026/11/25",
        "CF_YXQ": "2027/11/25",
    }


def test_platform_data_xzxk_long_term_and_labels():
    out = platform_data("xzxk", {"valid_to": "2099-12-31", "permit_category": "其他-备案", "status": "有效"})
    assert out == {"XK_YXQZI": "2099/12/31", "XK_XKLB": "其他-备案", "XK_ZT": "有效"}


def test_record_and_body():
    rec = platform_record("xzcf", "a" * 64, "I", {"counterpart_name": "甲"})
    assert rec == {"recordKey": "a" * 64, "op": "I", "data": {"CF_XDR_MC": "甲"}}
    body = json.loads(batch_body("b", "U01", [rec]))
    assert body == {"batchId": "b", "unitCode": "U01", "records": [rec]}


def test_split_by_count_and_size():
    small = [(i, {"recordKey": f"{i:064x}", "op": "I", "data": {"x": "y"}}) for i in range(1201)]
    chunks = list(split_batches(small))
    assert [len(c) for c in chunks] == [MAX_RECORDS, MAX_RECORDS, 201]
    assert [t for c in chunks for t, _ in c] == list(range(1201))  # order kept, nothing lost
    big = [(i, {"recordKey": f"{i:064x}", "op": "I", "data": {"x": "字" * 400_000}}) for i in range(12)]
    chunks = list(split_batches(big))
    assert len(chunks) == 3
    for c in chunks:
        assert len(batch_body("00000000-0000-0000-0000-000000000000", "U01", [r for _, r in c])) <= MAX_BYTES
    lone = list(split_batches([(0, {"data": "x" * (MAX_BYTES + 1)})]))
    assert len(lone) == 1  # never dropped; the platform answers 413
