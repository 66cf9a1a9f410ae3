"""Templates as units' systems really export them (issue #15 item 6): the earlier national 双公示 layouts.

The header rows of tests/data/layouts/ are those of public export code (README.md there names it); the rows
are ours. The 2019 layouts have no 行政相对人类别 (nor 法定代表人证件类型): the reader derives it from the row
(credit/data/derivations.csv) and every derived value is a DRV-1 warning; the 2016 layouts lack columns no
row determines and are refused, naming them.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from credit.check import run_check
from credit.identifiers import is_valid_ric
from credit.readers import read_file
from credit.validation import validate_frame

LAYOUTS = Path(__file__).parent / "data" / "layouts"
UNIT = "scjgj"  # the rows' 数据来源单位
REPORT_DATE = dt.date(2026, 12, 1)
CATEGORY = "行政相对人类别"


def _check(path, unit=UNIT):
    return run_check(path, unit, REPORT_DATE)


def _rules(entry, level):
    return [(i["rule"], i["column"]) for i in entry[level]]


def _no_plain_ids(text: str):
    found = [m for m in re.findall(r"[0-9]{17}[0-9X]", text) if is_valid_ric(m)]
    assert not found, found


def _rewrite(src, dst, change):
    """The layout file with `change(header, rows)` applied (returns header, rows)."""
    with open(src, encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    header, rows = change(header, rows)
    with open(dst, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return dst


def test_xzcf_2019_layout_is_read_with_derived_categories():
    doc, code = _check(LAYOUTS / "xzcf_2019.csv")
    assert code == 0, doc
    assert (doc["dataset"], doc["rows"], doc["valid"], doc["invalid"]) == ("xzcf", 3, 3, 0)
    results = {r["row"]: r for r in doc["results"]}
    for r in results.values():
        assert r["errors"] == []
        assert ("DRV-1", CATEGORY) in _rules(r, "warnings")
        assert "AMT-1" not in {i["rule"] for i in r["errors"] + r["warnings"]}
    messages = {
        row: next(w["message"] for w in r["warnings"] if w["column"] == CATEGORY)
        for row, r in results.items()
    }
    assert "“法人及非法人组织”" in messages[2] and "不以92开头" in messages[2]
    assert "“个体工商户”" in messages[3] and "以92开头" in messages[3]
    assert "“自然人”" in messages[4] and "证件号码" in messages[4]
    assert all(f"增加「{CATEGORY}」列" in m for m in messages.values())
    # Row 2 has a 法定代表人身份证号 and no 法定代表人证件类型 column: 身份证, derived too (no ID-5).
    assert ("DRV-1", "法定代表人证件类型") in _rules(results[2], "warnings")
    _no_plain_ids(json.dumps(doc, ensure_ascii=False))


def test_xzcf_2019_amounts_are_recognised():
    [sheet] = read_file(LAYOUTS / "xzcf_2019.csv")
    data = sheet.data
    assert sheet.columns["fine_wan"] == "处罚金额（万元）"
    assert sheet.columns["confiscation_wan"] == "没收违法所得、没收非法财务的金额（万元）"
    assert data["fine_wan"].tolist()[0] == "2" and data["confiscation_wan"].tolist()[0] == "0.15"
    assert data["counterpart_category"].tolist() == ["法人及非法人组织", "个体工商户", "自然人"]
    assert data["derived"].tolist() == [
        "counterpart_category,legal_rep_id_type",
        "counterpart_category",
        "counterpart_category",
    ]
    assert data["legal_rep_id_type"].tolist()[0] == "身份证"
    assert any("数据导出时间" in n for n in sheet.notes)  # an export column the standard has not: ignored
    assert any("行政相对人类别" in n and "推断" in n for n in sheet.notes)


def test_with_the_category_column_added_there_is_nothing_derived_and_no_amt1(tmp_path):
    """The issue's second finding: the column added, the amounts were still not recognised (AMT-1)."""

    def add_category(header, rows):
        cats = ["法人及非法人组织", "个体工商户", "自然人"]
        return [CATEGORY, *header], [[c, *r] for c, r in zip(cats, rows, strict=True)]

    doc, code = _check(_rewrite(LAYOUTS / "xzcf_2019.csv", tmp_path / "cf.csv", add_category))
    assert code == 0, doc
    issues = [i for r in doc["results"] for i in r["errors"] + r["warnings"]]
    assert [(i["rule"], i["column"]) for i in issues] == [("DRV-1", "法定代表人证件类型")]


def test_a_row_whose_category_cannot_be_derived_fails_req1(tmp_path):
    def drop_identifiers(header, rows):
        uscc, id_no = header.index("行政相对人代码_1（统一社会信用代码）"), header.index("证件号码")
        rows[1][uscc] = ""  # 个体工商户 without its code: nothing tells the category
        rows[2][id_no] = ""  # 自然人 without a number
        return header, rows

    doc, code = _check(_rewrite(LAYOUTS / "xzcf_2019.csv", tmp_path / "cf.csv", drop_identifiers))
    assert code == 1
    results = {r["row"]: r for r in doc["results"]}
    assert results[2]["status"] == "valid"
    for row in (3, 4):
        assert results[row]["status"] == "invalid"
        assert ("REQ-1", CATEGORY) in _rules(results[row], "errors")
        assert ("DRV-1", CATEGORY) not in _rules(results[row], "warnings")


def test_xzxk_2019_layout_is_read_with_derived_categories():
    doc, code = _check(LAYOUTS / "xzxk_2019.csv")
    assert code == 0, doc
    assert (doc["dataset"], doc["valid"]) == ("xzxk", 2)
    assert all(_rules(r, "warnings") == [("DRV-1", CATEGORY)] for r in doc["results"])


@pytest.mark.parametrize(
    ("name", "missing", "kept"),
    [
        (
            "xzcf_2016.csv",
            [
                "违法行为类型",
                "处罚类别",
                "处罚有效期",
                "处罚机关统一社会信用代码",
                "数据来源单位",
                "数据来源单位统一社会信用代码",
            ],
            ["处罚事由", "处罚结果"],  # read as 违法事实 and 处罚内容: not missing
        ),
        (
            "xzxk_2016.csv",
            [
                "行政许可决定文书名称",
                "有效期自",
                "许可机关统一社会信用代码",
                "数据来源单位",
                "数据来源单位统一社会信用代码",
            ],
            ["审批类别", "许可截止期"],  # read as 许可类别 and 有效期至
        ),
    ],
)
def test_2016_layouts_are_refused_naming_the_columns_no_row_gives(name, missing, kept):
    doc, code = _check(LAYOUTS / name)
    assert code == 2
    zh = doc["error"]["zh"]
    listed = re.search(r"缺少必填列：(.*?)。", zh).group(1)
    assert re.findall(r"“([^”]+)”", listed) == missing
    assert CATEGORY not in listed  # derivable from the identifiers: never a reason to refuse
    assert "无法从文件中的其他列推断" in zh
    assert not any(k in listed for k in kept)
    if name.startswith("xzcf"):
        assert "“处罚类别1”、“处罚类别2”请合并为一列" in zh


def test_the_cli_prints_the_derived_warning(capsys):
    from cli.main import main

    path = LAYOUTS / "xzcf_2019.csv"
    code = main(["check", str(path), "--unit", UNIT, "--date", REPORT_DATE.isoformat(), "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["valid"] == 3
    assert all("DRV-1" in {w["rule"] for w in r["warnings"]} for r in doc["results"])


def test_gx_and_direct_agree_on_derived_rows():
    [sheet] = read_file(LAYOUTS / "xzcf_2019.csv")
    kw = {"unit_code": UNIT, "report_date": REPORT_DATE}
    gx = validate_frame("xzcf", sheet.data, engine="gx", **kw).issues
    direct = validate_frame("xzcf", sheet.data, engine="direct", **kw).issues
    assert gx.to_dict("records") == direct.to_dict("records")
    assert (gx["rule"] == "DRV-1").sum() == 4


def test_the_daily_run_stores_pushes_and_feeds_back_the_derived_values(settings, monkeypatch, tmp_path):
    from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox
    from credit.settings import load_settings
    from credit.steps.collect import collect
    from credit.steps.deliver import fill_outbox, push
    from credit.steps.report import unit_feedback
    from credit.steps.validate import validate_units
    from credit.store import Record, RecordVersion, session_scope

    def one_underivable(header, rows):
        rows[2][header.index("证件号码")] = ""  # row 4: a 自然人 without a number, REQ-1
        return header, rows

    inbox = settings.inbox / UNIT
    inbox.mkdir(parents=True, exist_ok=True)
    _rewrite(LAYOUTS / "xzcf_2019.csv", inbox / "案件系统导出.csv", one_underivable)
    sandbox = start_sandbox()
    try:
        monkeypatch.setenv("CREDIT_PLATFORM_URL", sandbox.url)
        monkeypatch.setenv("CREDIT_PLATFORM_APP_KEY", DEMO_APP_KEY)
        monkeypatch.setenv("CREDIT_PLATFORM_APP_SECRET", DEMO_APP_SECRET)
        s = load_settings()
        assert collect(s, UNIT, REPORT_DATE).new_versions == 3
        [result] = validate_units(s, [UNIT], REPORT_DATE).values()
        assert (result.checked, result.valid, result.invalid) == (3, 2, 1)
        assert result.rules["DRV-1"] == 3  # two categories and one 法定代表人证件类型
        with session_scope(s.database_url) as session:
            found = session.exec(select(RecordVersion, Record.record_key).join(Record)).all()
            versions = {v.row: v for v, _ in found}
            keys = {v.row: key for v, key in found}
            assert versions[2].data["counterpart_category"] == "法人及非法人组织"
            assert [w["rule"] for w in versions[3].warnings] == ["DRV-1"]
            assert {e["rule"] for e in versions[4].errors} == {"REQ-1"}
        assert fill_outbox(s, [UNIT], REPORT_DATE).queued == 2
        assert push(s, UNIT, REPORT_DATE).accepted == 2
        assert sandbox.store.held(keys[2])["CF_XDR_LB"] == "法人及非法人组织"
        assert sandbox.store.held(keys[3])["CF_XDR_LB"] == "个体工商户"
        workbook = unit_feedback(s, UNIT, REPORT_DATE)
        ws = load_workbook(workbook)["行政处罚"]
        problems = {ws.cell(r, 3).value: ws.cell(r, 4).value for r in range(2, ws.max_row + 1)}
        assert "[DRV-1]" in problems[2] and "推断为“法人及非法人组织”" in problems[2]
        assert "[REQ-1]" in problems[4]
    finally:
        sandbox.stop()


def test_a_2016_xzcf_file_with_the_missing_columns_added_is_read(tmp_path):
    """What a unit does on the refusal: the 2016 columns keep their meaning (代码_2 is the 组织机构代码 there, _5
    the 居民身份证号), and 行政相对人类别 and 证件类型 are derived."""
    added = {
        "违法行为类型": ["经营不符合食品安全标准的食品", "无照经营"],
        "处罚类别": ["罚款;没收违法所得", "罚款"],
        "处罚金额（万元）": ["2", "0.05"],
        "没收违法所得、没收非法财务的金额（万元）": ["0.15", ""],
        "处罚有效期": ["2017/11/20", "2017/11/22"],
        "处罚机关统一社会信用代码": ["11440882626505414U"] * 2,
        "数据来源单位": ["雷州市市场监督管理局"] * 2,
        "数据来源单位统一社会信用代码": ["11440882626505414U"] * 2,
    }

    def add(header, rows):
        return [*header, *added], [[*r, *(v[i] for v in added.values())] for i, r in enumerate(rows)]

    path = _rewrite(LAYOUTS / "xzcf_2016.csv", tmp_path / "cf2016.csv", add)
    [sheet] = read_file(path)
    data = sheet.data
    assert data["org_code"].tolist()[0] == "MA4W01010"
    assert data["violation_facts"].notna().all() and data["penalty_content"].notna().all()
    assert data["counterpart_category"].tolist() == ["法人及非法人组织", "自然人"]
    assert data["id_type"].isna().tolist()[0] and data["id_type"].tolist()[1] == "身份证"
    assert any("处罚类别1" in n and "处罚名称" in n for n in sheet.notes)  # ignored, and said so
    doc, code = run_check(path, UNIT, dt.date(2016, 12, 1))
    assert code == 0, [(r["row"], r["errors"]) for r in doc["results"]]
    results = {r["row"]: r for r in doc["results"]}
    assert ("DRV-1", CATEGORY) in _rules(results[2], "warnings")
    assert {("DRV-1", CATEGORY), ("DRV-1", "证件类型")} <= set(_rules(results[3], "warnings"))
    assert not [e for r in doc["results"] for e in r["errors"] if e["rule"] in ("ID-1", "ID-4", "REQ-1")]
