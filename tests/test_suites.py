"""The committed suites: GX keeps every expectation, every §3 rule is covered, metas match rules.csv."""

from __future__ import annotations

import json

import pytest

from credit.standard import dataset, labels
from credit.validation import load_suite_json, rules
from credit.validation.suites import SUITES_DIR

STANDARD_RULES = {
    "REQ-1", "ENUM-1", "LEN-1", "TXT-1", "ID-1", "ID-2", "ID-3", "ID-4", "ID-5", "ID-6", "ID-7", "DRV-1", "SRC-1",
    "DATE-1", "DATE-2", "DATE-3", "DATE-4", "DATE-5", "DATE-6", "DATE-7", "AMT-1", "AMT-2", "AMT-3", "AMT-4", "AMT-5",
    "AMT-6", "DOC-2", "DUP-1",
}  # fmt: skip
# The evidence sheets of the plan's duties (credit/datasets/duty*/): links, counts, periods, attachments.
EVIDENCE_RULES = {"EVD-1", "EVD-2", "EVD-3", "EVD-4"}
NOT_FOR = {
    "xzxk": {
        "DATE-5",
        "DATE-6",
        "DATE-7",
        "AMT-1",
        "AMT-2",
        "AMT-3",
        "AMT-4",
        "AMT-5",
        "AMT-6",
        *EVIDENCE_RULES,
    },
    "xzcf": {"DATE-3", "DATE-4", "DATE-7", "DOC-2", *EVIDENCE_RULES},
}


def test_rules_csv_is_the_standard():
    assert set(rules()) == STANDARD_RULES | EVIDENCE_RULES
    assert all(
        r.severity in ("error", "warning") and r.name and r.message and r.explanation
        for r in rules().values()
    )


@pytest.mark.parametrize("ds", ["xzxk", "xzcf"])
def test_gx_keeps_every_expectation(ds):
    import great_expectations as gx

    from credit.validation.gx import build_suite

    raw = json.loads((SUITES_DIR / f"{ds}.json").read_text(encoding="utf-8"))
    assert len(build_suite(ds).expectations) == len(raw["expectations"])
    # …and the reason for the check: an unknown type is dropped silently.
    bogus = [*raw["expectations"], {"type": "expect_no_such_thing", "kwargs": {"column": "x"}, "meta": {}}]
    assert len(gx.ExpectationSuite(name="bogus", expectations=bogus).expectations) == len(raw["expectations"])


def test_build_suite_fails_on_a_dropped_expectation(monkeypatch):
    from credit.validation import gx as gxmod
    from credit.validation.gx import SuiteLoadError

    raw = load_suite_json("xzcf")
    fake = {
        **raw,
        "expectations": [
            *raw["expectations"],
            {"type": "expect_no_such_thing", "kwargs": {"column": "x"}, "meta": {}},
        ],
    }
    monkeypatch.setattr(gxmod, "load_suite_json", lambda ds: fake)
    with pytest.raises(SuiteLoadError, match="expect_no_such_thing"):
        gxmod.build_suite("xzcf")


@pytest.mark.parametrize("ds", ["xzxk", "xzcf"])
def test_every_rule_has_an_expectation_with_its_default_severity(ds):
    suite = load_suite_json(ds)
    covered = {e["meta"]["rule_id"] for e in suite["expectations"]}
    assert covered == (STANDARD_RULES | EVIDENCE_RULES) - NOT_FOR[ds]
    keys = set(dataset(ds).keys)
    for e in suite["expectations"]:
        meta = e["meta"]
        assert meta["severity"] == rules()[meta["rule_id"]].severity, e
        fields = [meta["field"]] if isinstance(meta["field"], str) else meta["field"]
        assert set(fields) <= keys, e


@pytest.mark.parametrize("ds", ["xzxk", "xzcf"])
def test_suites_follow_the_standard_data(ds):
    d = dataset(ds)
    suite = load_suite_json(ds)
    req = next(e for e in suite["expectations"] if e["meta"]["rule_id"] == "REQ-1")
    assert req["kwargs"]["column_list"] == d.required_keys
    for e in suite["expectations"]:
        if e["meta"]["rule_id"] == "ENUM-1":
            field = d.field(e["kwargs"]["column"])
            assert e["kwargs"]["value_set"] == labels(field.code_list)
    enum_fields = {e["kwargs"]["column"] for e in suite["expectations"] if e["meta"]["rule_id"] == "ENUM-1"}
    assert enum_fields == {f.key for f in d.fields if f.code_list}
    lengths = next(e for e in suite["expectations"] if e["meta"]["rule_id"] == "LEN-1")["kwargs"][
        "max_lengths"
    ]
    assert lengths == {f.key: f.max_len for f in d.fields if f.max_len and f.type in ("str", "text")}
