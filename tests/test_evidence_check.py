"""The evidence sheets as datasets: the headers of the spec, written once (the duty table names the dataset),
recognised by the reader from their headers, checked by `credit check` with Chinese messages, and the same
verdicts on the GX path as without it — one-column expectations included."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from credit.check import run_check
from credit.datasets import catalogue
from credit.duties.plan import plan_for
from credit.duties.rules import load_duties
from credit.validation import validate_frame
from tests import evidence_files as ef

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2026, 11, 4)


def test_the_evidence_datasets_have_the_spec_headers_and_settle_the_plan_duties():
    evidence = catalogue().evidence
    assert {ds: [f.header for f in d.fields] for ds, d in evidence.items()} == ef.SPEC_HEADERS
    duties = load_duties(plan_for(2026))
    # Written once each way and checked on load: the duty names its dataset, the dataset lists the duty.
    assert {d.id: d.dataset for d in duties} == {
        "t4-bulletin": "dutybulletin", "t9-cases": "dutycases", "t17-checks": "dutychecks",
        "t32-links": "dutylinks", "t32-activity-town": "dutyactivity", "t32-activity-dept": "dutyactivity",
    }  # fmt: skip
    assert sorted(d for ds in evidence.values() for d in ds.evidence) == sorted(d.id for d in duties)
    for duty in duties:
        ds = evidence[duty.dataset]
        # A duty asking for attachments: its sheet requires 附件 (unless 零报告).
        required = {
            k for e in ds.suite_extras if e["type"] == "expect_evidence_fields_to_be_filled"
            for k in e["kwargs"]["column_list"]
        }  # fmt: skip
        assert ("attachments" in required) == bool(duty.attachments), duty.id


def test_a_duty_naming_a_dataset_that_does_not_settle_it_fails_the_load(tmp_path):
    from credit.duties.plan import PlanError

    plan = plan_for(2026)
    text = (plan.folder / "duties.csv").read_text(encoding="utf-8")
    bad = tmp_path / "duties.csv"
    bad.write_text(text.replace("workday:5,dutycases", "workday:5,dutylinks"), encoding="utf-8")
    with pytest.raises(PlanError, match=r"t9-cases.*dutylinks 的 \[evidence\] duties 未列出本事项"):
        load_duties(plan, bad)


def test_credit_check_on_an_evidence_workbook_speaks_chinese(tmp_path):
    path = ef.write_evidence(
        tmp_path / "宣传材料.xlsx",
        {
            "dutyactivity": [
                {"活动名称": "信用知识进校园", "日期": "2026-10-31", "地点": "雷州一中", "参与人数": "约200人",
                 "形式": "讲座", "附件": "总结.pdf", "所属期间": "2026年第13季度"},
                {"活动名称": "零报告", "所属期间": "2026-10"},
            ],
            "dutylinks": [{"标题": "诚信建设万里行", "发布日期": "2026-10-09", "链接": "ftp://example.org/a"}],
        },
        title="2026年10月信用宣传材料",
    )  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CREDIT_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "cli", "check", str(path), "--unit", "leicheng"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    text = done.stdout
    assert "信用宣传活动" in text and "信用宣传链接" in text
    assert "「参与人数」的“约200人”不是规范的整数" in text
    assert "「所属期间」的“2026年第13季度”不是有效的期间" in text
    assert "「链接」的“ftp://example.org/a”不是有效的网址" in text
    assert "第4行" not in text  # the 零报告 row (row 4: title, header, first row) needs nothing else


def test_gx_and_the_direct_runner_agree_on_evidence_and_on_one_column_expectations():
    """GX refuses a multicolumn domain of one column and reported it as a success: a dataset with one date
    (xzjl's DATE-1) or one amount (AMT-4) passed anything on the GX path. Both paths now flag the same."""
    case = {"case_name": "案", "punished": "某公司", "subject_uscc": "91440882MA4W0R9N4Y", "measure": "限制",
            "basis": "条例", "action_date": "2026-02-30", "link": "见官网", "period": "2026-13"}  # fmt: skip
    frames = {
        "dutycases": pd.DataFrame([case, {"case_name": "零报告", "period": "2026-Q3"}], index=[2, 3]),
        "xzjl": pd.DataFrame([{"decision_date": "2026-02-30", "award_amount_wan": "5千元"}], index=[2]),
    }
    for ds, frame in frames.items():
        gx = validate_frame(ds, frame, unit_code=None, report_date=DAY)
        direct = validate_frame(ds, frame, unit_code=None, report_date=DAY, engine="direct")
        pd.testing.assert_frame_equal(direct.issues, gx.issues)
        flagged = set(zip(gx.issues["rule"], gx.issues["key"], strict=True))
        if ds == "dutycases":
            assert {("EVD-1", "link"), ("EVD-3", "period"), ("DATE-1", "action_date"),
                    ("ID-2", "subject_uscc")} <= flagged  # fmt: skip
            assert not set(gx.issues[gx.issues["row"] == 3]["rule"])  # 零报告: nothing else required
        else:
            assert {("DATE-1", "decision_date"), ("AMT-4", "award_amount_wan")} <= flagged


def test_run_check_gives_the_same_document_with_and_without_gx(tmp_path):
    path = ef.write_evidence(
        tmp_path / "排查.xlsx",
        {"dutychecks": [{"排查期间": "2026年第三季度", "排查事项": "违背市场准入负面清单", "发现案例数": "-1",
                         "附件": "排查报告.docx", "所属期间": "2026-Q3"}]},
    )  # fmt: skip
    direct, code = run_check(path, "swj", DAY)
    gx, code_gx = run_check(path, "swj", DAY, docs_dir=tmp_path / "docs")
    assert direct == gx and code == code_gx == 1
    [row] = direct["results"]
    assert [e["rule"] for e in row["errors"]] == ["EVD-2"] and "“-1”不是规范的整数" in row["errors"][0][
        "message"
    ]
