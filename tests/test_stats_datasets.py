"""日统计 and 月通报 per dataset (issue #15 item 4): every dataset a unit reports has its row; the totals and
三清零 cover the 双公示 datasets unless CREDIT_THREE_ZERO_DATASETS says otherwise; the bulletin shows the other
datasets in its section 其他信用信息归集情况. Real files: collect → validate → push (sandbox) → statistics."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import subprocess

import pytest

from credit.standard import dataset
from credit.units import unit
from tests.rows import uscc, write_csv, xzcf_row

DAY = dt.date(2026, 11, 27)  # a Friday
UNIT = "scjgj"  # 市市场监管局: reports 行政处罚 and, as a 双公示 unit, 信用承诺


def xycn_row(n: int, **overrides: str) -> dict[str, str]:
    """A clean 信用承诺 row of UNIT keyed by its G3 header (credit/datasets/xycn/fields.csv); overrides by key."""
    u = unit(UNIT)
    values = {
        "counterpart_name": f"雷州市承诺测试有限公司{n}",
        "counterpart_category": "法人及非法人组织",
        "uscc": uscc(f"91440882MA6Y{n:04d}"),
        "legal_rep_name": "吴建国",
        "commitment_no": f"LZCN2026{n:05d}",
        "commitment_type": "审批替代型",
        "commitment_matter": "食品经营许可告知承诺",
        "commitment_content": "本单位承诺所提交材料真实有效，如有不实愿承担相应法律责任。",
        "commitment_date": "2026-11-25",
        "acceptor_name": u.name,
        "acceptor_uscc": u.uscc,
        "fulfilment_status": "履约中",
        "source_unit": u.name,
        "source_unit_uscc": u.uscc,
    }
    values.update(overrides)
    headers = {f.key: f.header for f in dataset("xycn").fields}
    return {headers[k]: v for k, v in values.items()}


@pytest.fixture
def day_run(home, monkeypatch):
    """One day of UNIT: 2 valid 行政处罚 and 3 信用承诺 (one invalid: 未履约 without 未履约情形), through the
    sandbox; returns the settings and the day's DailyCount."""
    from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox
    from credit.settings import load_settings
    from credit.steps.collect import collect
    from credit.steps.count import daily_statistics
    from credit.steps.deliver import fill_outbox, push
    from credit.steps.validate import validate_units

    monkeypatch.delenv("CREDIT_THREE_ZERO_DATASETS", raising=False)
    sandbox = start_sandbox()
    try:
        monkeypatch.setenv("CREDIT_PLATFORM_URL", sandbox.url)
        monkeypatch.setenv("CREDIT_PLATFORM_APP_KEY", DEMO_APP_KEY)
        monkeypatch.setenv("CREDIT_PLATFORM_APP_SECRET", DEMO_APP_SECRET)
        settings = load_settings()
        settings.ensure_dirs()
        inbox = settings.inbox / UNIT
        write_csv(inbox / "行政处罚.csv", [xzcf_row(UNIT, 1), xzcf_row(UNIT, 2)])
        write_csv(
            inbox / "信用承诺.csv",
            [
                xycn_row(1),
                xycn_row(2, fulfilment_status="已履约", fulfilment_check_date="2026-11-26"),
                xycn_row(3, fulfilment_status="未履约", fulfilment_check_date="2026-11-26"),  # REQ-1
            ],
            dataset_id="xycn",
        )
        assert collect(settings, UNIT, DAY).new_versions == 5
        [result] = validate_units(settings, [UNIT], DAY).values()
        assert (result.checked, result.invalid) == (5, 1)
        fill_outbox(settings, [UNIT], DAY)
        assert push(settings, UNIT, DAY).accepted == 4
        yield settings, daily_statistics(settings, DAY)
    finally:
        sandbox.stop()


def _rows(payload: dict) -> dict[tuple[str, str], dict]:
    return {(u["unit"], u["dataset"]): u for u in payload["units"]}


def test_stats_json_has_a_row_per_dataset_and_totals_cover_shuanggongshi(day_run, monkeypatch):
    from credit.settings import load_settings
    from credit.steps.count import daily_statistics

    _, count = day_run
    payload = json.loads(count.json.read_text(encoding="utf-8"))
    rows = _rows(payload)
    xzcf, xycn = rows[(UNIT, "xzcf")], rows[(UNIT, "xycn")]
    assert set(xycn) == set(xzcf)  # the same keys per row, whatever the dataset
    assert (xzcf["received"], xzcf["invalid"], xzcf["accepted"]) == (2, 0, 2)
    assert (xycn["received"], xycn["invalid"], xycn["accepted"]) == (3, 1, 2)
    assert xycn["three_zero"] is False  # the row itself says what it is
    # The city's total is 双公示 only; the invalid 信用承诺 does not cost the unit its 三清零.
    assert (payload["total"]["received"], payload["total"]["invalid"]) == (2, 0)
    assert set(payload) == {"date", "deadline_workdays", "units", "total", "revision"}  # shape kept
    assert UNIT not in count.report.short_of_three_zero()
    assert count.report.unit_totals()[UNIT].three_zero

    # Configured to cover 信用承诺 too: the total counts it, and the unit falls short of 三清零.
    monkeypatch.setenv("CREDIT_THREE_ZERO_DATASETS", "xzxk,xzcf,xycn")
    assert load_settings().three_zero_datasets == ("xzxk", "xzcf", "xycn")
    again = daily_statistics(load_settings(), DAY)
    payload = json.loads(again.json.read_text(encoding="utf-8"))
    assert (payload["total"]["received"], payload["total"]["invalid"]) == (5, 1)
    assert _rows(payload)[(UNIT, "xycn")] == xycn  # the rows themselves do not change
    assert again.report.short_of_three_zero() == [UNIT]
    assert payload["revision"] == 1  # the same numbers per unit and dataset: no restatement


def test_daily_workbook_and_summary_show_the_other_datasets_apart(day_run):
    from openpyxl import load_workbook

    from credit.stats import daily_markdown, daily_table

    _, count = day_run
    wb = load_workbook(count.xlsx)
    assert wb.sheetnames == ["日统计", "其他信用信息", "疑似漏报"]
    main = [[c.value for c in r] for r in wb["日统计"].iter_rows(min_row=4)]
    assert {r[1] for r in main} == {"行政许可", "行政处罚", "双公示"}
    assert main[-1][:3] == ["合计", "双公示", 2]
    assert "其他信用信息" in wb["日统计"]["A2"].value
    other = [[c.value for c in r] for r in wb["其他信用信息"].iter_rows(min_row=3)]
    assert other[0][:5] == ["数据类别", "单位", "新增", "错误", "迟报"]
    assert other[1][:5] == ["信用承诺", "市市场监管局", 3, 1, 0]
    assert other[2][:4] == ["信用承诺", "小计", 3, 1] and other[2][-1] == "7个工作日"  # xycn's deadline
    assert len(other) == 3  # only what happened that day

    md = daily_markdown(count.report)
    assert "全部单位当日实现“三清零”" in md and "其他信用信息（不计入“三清零”）：信用承诺3条（错误1条）" in md
    table = daily_table(count.report)
    assert [r["数据类别"] for r in table] == ["行政处罚", "双公示", "信用承诺"]
    assert table[-1]["三清零"] == "—"


def _other_tables(doc) -> list:
    """The docx tables of 其他信用信息: 单位 over two header rows."""
    return [
        t
        for t in doc.tables
        if len(t.rows) > 2 and t.rows[0].cells[0].text == t.rows[1].cells[0].text == "单位"
    ]


def _pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


def test_bulletin_has_the_section_and_table_of_other_credit_information(day_run):
    from docx import Document

    from credit.reports.bulletin import build_bulletin
    from credit.store import session_scope

    settings, _ = day_run
    with session_scope(settings.database_url) as s:
        paths = build_bulletin(s, "2026-11", settings.out, issued=dt.date(2026, 12, 1))
    doc = Document(str(paths.docx))
    text = "\n".join(p.text for p in doc.paragraphs)
    heads = [p.text for p in doc.paragraphs if p.text[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")]
    assert heads == [
        "一、总体情况",
        "二、其他信用信息归集情况",
        "三、重点工作任务落实情况",
        "四、表扬",
        "五、存在问题",
        "六、整改要求",
    ]
    section = text[text.index("二、其他信用信息归集情况") : text.index("三、重点工作任务落实情况")]
    assert "共新增3条，其中错误1条" in section and "信用承诺3条（1个单位，错误1条、迟报0条）" in section
    assert "共新增报送“双公示”数据2条，其中错误0条" in text  # the totals: 双公示 only
    praise = text[text.index("四、表扬") : text.index("五、存在问题")]
    assert "市市场监管局" in praise  # at 三清零 despite its invalid 信用承诺
    [table] = _other_tables(doc)
    cells = [[c.text for c in r.cells] for r in table.rows]
    assert cells[0] == ["单位", "信用承诺", "信用承诺", "信用承诺"]  # the category over its columns (merged)
    assert cells[1] == ["单位", "新增", "错误", "迟报"]  # 单位 over both header rows
    assert cells[2:] == [["市市场监管局", "3", "1", "0"], ["合计", "3", "1", "0"]]
    data = json.loads(paths.json.read_text(encoding="utf-8"))
    assert data["total"]["received"] == 2 and data["three_zero_datasets"] == ["xzxk", "xzcf"]
    assert data["other_units"][0]["by_dataset"]["xycn"]["received"] == 3

    pdf = _pdf_text(paths.pdf)
    assert "二、其他信用信息归集情况" in pdf and "信用承诺" in pdf
    assert "信用承诺3条（1个单位，错误1条、迟报0条）" in pdf.replace("\n", "").replace(" ", "")
    table = pdf[pdf.index("二、其他信用信息归集情况") :]
    assert ["市市场监管局", "3", "1", "0"] in [x.split() for x in table.splitlines()]


def test_a_long_other_table_goes_to_an_annex_and_an_empty_month_says_so(tmp_path):
    """Many units with other datasets: the body keeps the totals per category, the table goes to an 附件."""
    from docx import Document

    from credit.reports.bulletin import build_bulletin, month_summary
    from credit.store import DailyStat, init_db, session_scope
    from credit.units import reporting_units

    url = f"sqlite:///{tmp_path}/t.db"
    init_db(url)
    rng = random.Random(3)
    with session_scope(url) as s:
        for u in reporting_units()[:20]:
            for ds in ("xzxk", "xzcf", "xycn", "xzjc"):
                received = rng.randint(1, 5)
                s.add(DailyStat(date=dt.date(2026, 10, 9), unit=u.code, dataset=ds, deadline_workdays=3,
                                received=received, pushed=received, accepted=received))  # fmt: skip
    with session_scope(url) as s:
        summary = month_summary(s, "2026-10")
        paths = build_bulletin(s, "2026-10", tmp_path / "out", issued=dt.date(2026, 11, 2))
    assert set(summary.other_by_dataset) == {"xycn", "xzjc"} and len(summary.other_units) == 20
    assert summary.total.received == sum(u.by_dataset["xzxk"].received + u.by_dataset["xzcf"].received
                                         for u in summary.units)  # fmt: skip
    doc = Document(str(paths.docx))
    text = "\n".join(p.text for p in doc.paragraphs)
    section = text[text.index("二、其他信用信息归集情况") : text.index("三、重点工作任务落实情况")]
    assert (
        "见附件2" in section and "附件：1. " in text and "2. 2026年10月各单位其他信用信息归集情况表" in text
    )
    annex = text[text.index("附件2\n") :]
    assert "各单位其他信用信息" in annex
    [table] = _other_tables(doc)
    assert len(table.rows) == 2 + 20 + 1 and table.rows[0].cells[1].text in ("行政检查", "信用承诺")

    # A month without other data: one sentence, no table.
    with session_scope(url) as s:
        s.add(
            DailyStat(date=dt.date(2026, 9, 9), unit="scjgj", dataset="xzcf", deadline_workdays=3, received=1)
        )
    with session_scope(url) as s:
        paths = build_bulletin(s, "2026-09", tmp_path / "out", issued=dt.date(2026, 10, 9))
    doc = Document(str(paths.docx))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert (
        "二、其他信用信息归集情况\n本月各单位无“双公示”以外的其他信用信息报送。\n三、重点工作任务落实情况"
        in text
    )
    assert not _other_tables(doc)


def test_an_unknown_dataset_in_the_setting_is_refused(monkeypatch):
    from credit.stats.report import three_zero_datasets

    monkeypatch.setenv("CREDIT_THREE_ZERO_DATASETS", "xzxk, xzcf，XYCN")
    assert three_zero_datasets() == ("xzxk", "xzcf", "xycn")
    monkeypatch.setenv("CREDIT_THREE_ZERO_DATASETS", "xzxk,nosuch")
    with pytest.raises(ValueError, match=r"CREDIT_THREE_ZERO_DATASETS.*nosuch"):
        three_zero_datasets()
    monkeypatch.delenv("CREDIT_THREE_ZERO_DATASETS")
    assert three_zero_datasets() == ("xzxk", "xzcf")
