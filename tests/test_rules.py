"""Every rule of docs/standard.md §3, positive and negative, through the GX suites, on both datasets."""

from __future__ import annotations

import pytest

from credit.validation import validate_frame
from tests.test_validation_samples import CASES, REPORT_DATE, UNIT, base_row, case_frame


@pytest.fixture(scope="module")
def verdicts():
    out = {}
    for ds in ("xzxk", "xzcf"):
        frame, where = case_frame(ds)
        out[ds] = (validate_frame(ds, frame, unit_code=UNIT, report_date=REPORT_DATE), where, frame)
    return out


def _issues(v, row):
    return {(r.rule, r.key): r.severity for r in v.issues[v.issues["row"] == row].itertuples()}


@pytest.mark.parametrize("ds", ["xzxk", "xzcf"])
def test_base_row_is_clean(verdicts, ds):
    v, where, _ = verdicts[ds]
    assert _issues(v, where["base"]) == {}
    assert bool(v.valid()[where["base"]])


CASE_PARAMS = [pytest.param(ds, case, id=f"{ds}-{case[0]}") for case in CASES for ds in case[1]]


@pytest.mark.parametrize(("ds", "case"), CASE_PARAMS)
def test_rule_case(verdicts, ds, case):
    name, _datasets, _changes, rule, key, fires = case
    v, where, _ = verdicts[ds]
    found = _issues(v, where[name])
    if fires:
        assert (rule, key) in found, f"{rule}/{key} expected on {name}, got {found}"
        from credit.validation import rules

        assert found[(rule, key)] == rules()[rule].severity
        assert bool(v.valid()[where[name]]) == (
            rules()[rule].severity != "error" and not any(s == "error" for s in found.values())
        )
    else:
        assert not any(r == rule for r, _k in found), f"{rule} not expected on {name}, got {found}"


@pytest.mark.parametrize("ds", ["xzxk", "xzcf"])
def test_dup1_flags_every_row_of_the_group(verdicts, ds):
    v, where, _ = verdicts[ds]
    assert ("DUP-1", "decision_doc_no") in _issues(v, where["dup-a"])
    assert ("DUP-1", "decision_doc_no") in _issues(v, where["dup-b"])
    assert ("DUP-1", "decision_doc_no") not in _issues(v, where["dup-other-party"])
    assert not v.valid()[where["dup-a"]] and not v.valid()[where["dup-b"]]


@pytest.mark.parametrize("ds", ["xzxk", "xzcf"])
def test_src1_skipped_without_unit(ds):
    import pandas as pd

    frame = pd.DataFrame([{**base_row(ds), "source_unit": "别的单位"}], index=[7])
    v = validate_frame(ds, frame, unit_code=None, report_date=REPORT_DATE)
    assert "SRC-1" not in set(v.issues["rule"])
    v = validate_frame(ds, frame, unit_code=UNIT, report_date=REPORT_DATE)
    assert list(v.issues["rule"]) == ["SRC-1"] and list(v.issues["row"]) == [7]


def test_severity_override_changes_validity():
    import pandas as pd

    frame = pd.DataFrame(
        [{**base_row("xzcf"), "counterpart_name": "很" * 201}, base_row("xzcf")], index=[2, 3]
    )
    frame.loc[3, "decision_doc_no"] = "other"
    v = validate_frame("xzcf", frame, unit_code=UNIT, report_date=REPORT_DATE)
    assert list(v.valid()) == [True, True]
    v = validate_frame("xzcf", frame, unit_code=UNIT, report_date=REPORT_DATE, severity={"LEN-1": "error"})
    assert list(v.valid()) == [False, True]
    assert set(v.issues["rule"]) == {"LEN-1"} and set(v.issues["severity"]) == {"error"}
    frame.loc[2, "counterpart_name"] = None
    v = validate_frame("xzcf", frame, unit_code=UNIT, report_date=REPORT_DATE, severity={"REQ-1": "warning"})
    assert list(v.valid()) == [True, True]
    with pytest.raises(ValueError):
        validate_frame("xzcf", frame, unit_code=UNIT, report_date=REPORT_DATE, severity={"REQ-1": "fatal"})


def test_missing_columns_are_blank_and_index_kept():
    import pandas as pd

    row = base_row("xzxk")
    del row["status"]
    v = validate_frame("xzxk", pd.DataFrame([row], index=[41]), unit_code=None, report_date=REPORT_DATE)
    assert list(v.index) == [41]
    assert [(r.row, r.rule, r.key) for r in v.issues.itertuples()] == [(41, "REQ-1", "status")]


def test_empty_frame():
    import pandas as pd

    v = validate_frame(
        "xzcf", pd.DataFrame(columns=["counterpart_name"]), unit_code=None, report_date=REPORT_DATE
    )
    assert v.issues.empty and v.valid().empty
