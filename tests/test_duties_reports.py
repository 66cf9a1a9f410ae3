"""The plan's duties as reported: the 月通报's section 重点工作任务落实情况 (docx and pdf text) and the year-end
任务完成情况表 (`credit duties --year`: rows, JSON, the printable xlsx). Deliveries are hand-built mappings
{(unit, duty id, period): day settled}, passed to the pure functions or put behind
`credit.duties.deliveries.load` for the integration paths."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from cli.main import main
from credit.duties import deliveries as evidence
from credit.duties.plan import plan_for
from credit.duties.rules import load_duties
from credit.duties.yearly import HEADERS, year_document, year_rows
from credit.reports.bulletin import build_bulletin
from credit.reports.bulletin.duties import month_duties
from credit.settings import BulletinSettings
from credit.store import session_scope
from credit.workdays import WorkCalendar
from tests.test_bulletin import store  # noqa: F401  (a September 2026 of daily statistics)
from tests.test_duties_cli import run_cli

D = dt.date
DUTIES = {d.id: d for d in load_duties(plan_for(2026))}


def _month_end(period: str) -> D:
    year, month = int(period[:4]), int(period[5:7])
    return D(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _quarter_end(period: str) -> D:
    return _month_end(f"{period[:4]}-{3 * int(period[-1]):02d}")


def _deliver_all(duty_ids, periods, skip=()) -> dict:
    """Every unit's obligation of these duties and periods settled the day after the period ends (always on
    time: a due date is at least a working day later), except the keys in `skip`."""
    found = {}
    for duty_id in duty_ids:
        duty = DUTIES[duty_id]
        for period in periods(duty.cadence):
            end = _quarter_end(period) if "Q" in period else _month_end(period)
            for unit in duty.units:
                if (unit, duty_id, period) not in skip:
                    found[(unit, duty_id, period)] = end + dt.timedelta(days=1)
    return found


# --- the bulletin's section ----------------------------------------------------------------------------------

# September 2026: due are August's t9 cases (Sep 7), t32 links and town activities (Sep 7), t4 (Sep 15).
MISSING_SEPT = {("mzj", "t9-cases", "2026-08"), ("fucheng", "t32-links", "2026-08"),
                ("nanxing", "t32-links", "2026-08")}  # fmt: skip
LATE_SEPT = {
    ("gaj", "t9-cases", "2026-08"): D(2026, 9, 10),
    ("leicheng", "t32-activity-town", "2026-08"): D(2026, 9, 20),
}


def september_deliveries() -> dict:
    found = _deliver_all(DUTIES, lambda cadence: ["2026-08"] if cadence == "monthly" else [],
                         skip=MISSING_SEPT | set(LATE_SEPT))  # fmt: skip
    return {**found, **LATE_SEPT}


EXPECTED_LINES = [
    "（一）失信惩戒案例报送（第9项，2026年8月）。逾期报送1个单位：市公安局；逾期未报1个单位：市民政局。",
    "（二）信用宣传链接（第32项，2026年8月）。逾期未报2个单位：附城镇、南兴镇。",
    "（三）信用宣传活动报告（第32项，2026年8月）。逾期报送1个单位：雷城街道。",
    "（四）“双公示”月通报（第4项，2026年8月）。应报单位均已按时报送。",
]
INTRO = "2026年9月到期的定期报送事项4项，应报87个单位次。截至2026年10月8日，按时报送82个，逾期报送2个，逾期未报3个。"


def _pdf_text(path) -> str:
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    else:
        from pypdf import PdfReader

        text = "".join(page.extract_text() for page in PdfReader(str(path)).pages)
    # page numbers (— 3 —) between the lines of a paragraph broken over a page
    return re.sub(r"\s+", "", re.sub(r"—\s*\d+\s*—", "", text))


def test_bulletin_section_names_late_and_missing_units(store, tmp_path):  # noqa: F811
    with session_scope(store) as s:
        paths = build_bulletin(s, "2026-09", tmp_path / "out", issued=D(2026, 10, 8), settings=BulletinSettings(),
                               deliveries=september_deliveries())  # fmt: skip
    from docx import Document

    doc = Document(str(paths.docx))
    paragraphs = [p.text for p in doc.paragraphs if p.text.strip()]
    # after what was collected, before praise and criticism
    heads = [p for p in paragraphs if re.match(r"^[一二三四五六七]、", p)]
    assert heads[1:4] == ["二、其他信用信息归集情况", "三、重点工作任务落实情况", "四、表扬"], heads
    section = paragraphs[paragraphs.index("三、重点工作任务落实情况") + 1 :]
    assert INTRO in section[0]
    assert section[1 : 1 + len(EXPECTED_LINES)] == EXPECTED_LINES
    assert section[1 + len(EXPECTED_LINES)] == "逾期未报的单位要尽快补报，并说明逾期原因。"
    assert section[2 + len(EXPECTED_LINES)] == "四、表扬"
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "任务")
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["任务", "事项", "期间", "截止日期", "应报", "按时报送", "逾期报送", "逾期未报"]
    assert rows[1:] == [
        ["第9项", "失信惩戒案例报送", "8月", "9月7日", "15", "13", "1", "1"],
        ["第32项", "信用宣传链接", "8月", "9月7日", "50", "48", "0", "2"],
        ["第32项", "信用宣传活动报告", "8月", "9月7日", "21", "20", "1", "0"],
        ["第4项", "“双公示”月通报", "8月", "9月15日", "1", "1", "0", "0"],
    ]
    assert not any("重点工作任务" in p and p.startswith("附件") for p in paragraphs)  # short: no 附件

    pdf = _pdf_text(paths.pdf)
    assert "三、重点工作任务落实情况" in pdf and INTRO in pdf
    for line in EXPECTED_LINES:
        assert line in pdf, line
    assert "第9项失信惩戒案例报送8月9月7日151311" in pdf  # the table's row, read across
    assert "duties" not in json.loads(paths.json.read_text(encoding="utf-8"))  # bulletin.json as before


def test_bulletin_section_long_list_goes_to_an_annex(store, tmp_path, monkeypatch):  # noqa: F811
    # Nothing delivered, through the seam the bulletin reads by default: 87 units named, too many for the body.
    asked = []
    monkeypatch.setattr(evidence, "settled", lambda session, up_to: asked.append(up_to) or {})
    with session_scope(store) as s:
        paths = build_bulletin(
            s, "2026-09", tmp_path / "out", issued=D(2026, 10, 8), settings=BulletinSettings()
        )
    assert asked == [D(2026, 10, 8)]  # status as of the issue date
    from docx import Document

    doc = Document(str(paths.docx))
    paragraphs = [p.text for p in doc.paragraphs]
    text = "\n".join(paragraphs)
    # 附件1 unit table, 附件2 疑似漏报 (this store has gaps), so the duties' list is 附件3
    assert "逾期报送和逾期未报的单位名单见附件3" in text
    assert "（一）失信惩戒案例报送（第9项，2026年8月）。逾期未报15个单位（名单见附件3）。" in text
    assert "3. 2026年9月重点工作任务逾期报送和逾期未报单位名单" in text.replace("附件：", "")
    assert "附件3" in paragraphs
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "序号" and t.rows[0].cells[1].text == "单位"
                 and len(t.rows[0].cells) == 6)  # fmt: skip
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert len(rows) == 87
    assert rows[0] == ["1", "市科工贸和信息化局", "第9项 失信惩戒案例报送", "8月", "9月7日", "逾期未报"]
    pdf = _pdf_text(paths.pdf)
    assert "2026年9月重点工作任务逾期报送和逾期未报单位名单" in pdf and "名单见附件3" in pdf


# --- the year-end table --------------------------------------------------------------------------------------

MONTHS_2026 = [f"2026-{m:02d}" for m in range(1, 13)]
QUARTERS_2026 = [f"2026-Q{q}" for q in range(1, 5)]
MISSING_YEAR = {("mzj", "t9-cases", "2026-05"), ("mzj", "t9-cases", "2026-06"),
                ("sfj", "t17-checks", "2026-Q3"), ("xihu", "t32-activity-town", "2026-02")}  # fmt: skip
LATE_YEAR = {
    ("gaj", "t9-cases", "2026-03"): D(2026, 5, 20),
    ("fucheng", "t32-links", "2026-07"): D(2026, 9, 9),
}


def year_deliveries(up_to: D) -> dict:
    """A year of deliveries: everything on time but four missing and two late; only what arrived by `up_to`."""
    found = _deliver_all(DUTIES, lambda cadence: MONTHS_2026 if cadence == "monthly" else QUARTERS_2026,
                         skip=MISSING_YEAR | set(LATE_YEAR))  # fmt: skip
    return {k: v for k, v in {**found, **LATE_YEAR}.items() if v <= up_to}


def _by_task(rows):
    return {r.task.number: r for r in rows}


def test_year_rows_on_5_december_2026():
    as_of = D(2026, 12, 5)
    rows = _by_task(year_rows(plan_for(2026), 2026, as_of, WorkCalendar(), year_deliveries(as_of)))
    assert sorted(rows) == list(range(1, 35))
    # task 9: 15 units × Jan–Oct due; November falls due on 7 December but was delivered on 1 December; December
    # has not ended
    nine = rows[9]
    assert nine.counts == {"open": 15, "delivered": 162, "late": 1, "missing": 2}
    assert nine.label == "进行中（按时162、逾期1、未报2、未到期15）" and nine.state == "ongoing"
    assert nine.cells()[9] == "未报2期：市民政局"
    assert nine.evidence == "失信惩戒案例（每月反馈市发展和改革局）。已收163份，逾期未报2份"
    assert nine.cells()[6] == "持续开展"
    # task 17: 21 units × Q1–Q3 due, Q4 not ended
    seventeen = rows[17]
    assert seventeen.counts == {"open": 21, "delivered": 62, "late": 0, "missing": 1}
    assert seventeen.label == "进行中（按时62、逾期0、未报1、未到期21）"
    assert seventeen.cells()[9] == "未报1期：市司法局"
    assert seventeen.cells()[6] == "2026年12月"  # the 2023 plan's 2023年12月, held over into 2026
    # task 32: links 50 × 11 + town activities 21 × 11 + department activities 29 × 3 settled or missing
    t32 = rows[32]
    assert t32.duties == ("t32-links", "t32-activity-town", "t32-activity-dept")
    assert t32.counts == {"open": 50 + 21 + 29, "delivered": 549 + 230 + 87, "late": 1, "missing": 1}
    assert t32.label == "进行中（按时866、逾期1、未报1、未到期100）"
    assert t32.cells()[9] == "未报1期：西湖街道"
    # 持续开展 without tracked duties; a dated one not yet due
    assert (rows[5].state, rows[5].label, rows[5].cells()[9], rows[5].counts) == (
        "continuous",
        "持续开展",
        "",
        None,
    )
    assert rows[34].label == "持续开展"  # monthly in the plan's words, but no duty tracked
    assert rows[1].label == "未到期" and rows[1].cells()[6] == "2026年12月" and rows[1].state == "not_due"
    cells = rows[7].cells()
    assert cells[:3] == (7, "三、完善新型信用监管机制\n(四)创新事前环节信用监管", "应用信用报告")
    assert cells[4] == "市财政局" and cells[5].startswith("市政务服务数据管理局、市市场监督管理局")


def test_year_rows_after_the_year(tmp_path):
    # In March 2027 every period has fallen due (December's in January 2027: a calendar for 2027 is given).
    override = tmp_path / "calendar.csv"
    override.write_text("date,kind\n2027-01-01,holiday\n2027-01-01,year\n", encoding="utf-8")
    as_of = D(2027, 3, 1)
    rows = _by_task(year_rows(plan_for(2026), 2026, as_of, WorkCalendar(override), year_deliveries(as_of)))
    assert rows[9].label == "部分完成（按时177、逾期1、未报2）" and rows[9].state == "partial"
    assert (
        rows[4].label == "已完成（按时12、逾期0、未报0）"
        and rows[4].state == "done"
        and rows[4].cells()[9] == ""
    )
    assert rows[1].label == "已到期" and rows[1].state == "due"
    nothing = _by_task(year_rows(plan_for(2026), 2026, as_of, WorkCalendar(override), {}))
    assert nothing[17].label == "未完成（按时0、逾期0、未报84）" and nothing[17].state == "not_done"
    assert nothing[17].cells()[9].startswith("未报4期：市发展和改革局、市科工贸和信息化局、")


def test_year_json_document():
    as_of = D(2026, 12, 5)
    plan = plan_for(2026)
    doc = year_document(
        2026, plan, as_of, year_rows(plan, 2026, as_of, WorkCalendar(), year_deliveries(as_of))
    )
    assert list(doc) == ["year", "plan", "as_of", "tasks"] and (doc["year"], doc["plan"]) == (2026, 2023)
    nine = doc["tasks"][8]
    assert list(nine) == ["task", "area", "group", "title", "lead", "co", "deadline", "duties", "state", "label",
                          "counts", "evidence", "behind"]  # fmt: skip
    assert nine["task"] == 9 and nine["lead"] == ["jtj"] and nine["behind"] == [{"unit": "mzj", "missing": 2}]
    assert nine["counts"] == {"open": 15, "delivered": 162, "late": 1, "missing": 2}
    json.dumps(doc, ensure_ascii=False)


def test_year_command_writes_the_printable_workbook(tmp_path):
    done = run_cli(tmp_path, "duties", "--year", "2026", "--today", "2026-12-05")
    assert done.returncode == 0, done.stderr
    assert (
        "2026年社会信用体系建设工作任务完成情况（2023年工作方案，34项任务，截至 2026-12-05）" in done.stdout
    )
    assert "第9项 依法开展失信惩戒并每月反馈案例：进行中（按时0、逾期0、未报150、未到期30）" in done.stdout
    path = tmp_path / "out" / "duties" / "2026" / "任务完成情况表_2026.xlsx"
    assert f"文件：{path}" in done.stdout
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "2026年雷州市社会信用体系建设工作任务完成情况表"
    assert rows[2] == HEADERS and len(rows) == 3 + 34
    assert [r[0] for r in rows[3:]] == list(range(1, 35))
    assert rows[3 + 8][7] == "进行中（按时0、逾期0、未报150、未到期30）"
    # printable: A4 landscape, one page wide, header row on every page, grid, wrapped, page numbers
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows.replace("$", "") == "3:3" and "&P" in ws.oddFooter.center.text
    cell = ws.cell(row=12, column=4)
    assert cell.alignment.wrap_text and cell.border.left.style == "thin" and cell.data_type == "s"
    assert ws.row_dimensions[12].height > 15  # a row as high as its wrapped text


def test_year_command_reads_the_deliveries_seam(home, capsys, monkeypatch):
    monkeypatch.setattr(evidence, "load", lambda settings, up_to: year_deliveries(up_to))
    assert main(["duties", "--year", "2026", "--today", "2026-12-05", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    seventeen = doc["tasks"][16]
    assert seventeen["label"] == "进行中（按时62、逾期0、未报1、未到期21）"
    assert seventeen["behind"] == [{"unit": "sfj", "missing": 1}]


def test_year_and_month_are_exclusive(home, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["duties", "--year", "2026", "--month", "2026-10"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        main(["duties", "--year", "26"])
    assert "YYYY" in capsys.readouterr().err


def test_month_duties_before_any_plan_and_without_a_calendar():
    assert (
        month_duties("2022-05", D(2022, 6, 1), WorkCalendar(), {}) is None
    )  # no section before the first plan
    # January 2027: last December's obligations fall due on 2027 working days, a schedule not known yet
    section = month_duties("2027-01", D(2027, 2, 1), WorkCalendar(), {})
    assert section.lines == [] and section.unknown_year == 2027
    [para] = section.blocks(None)
    assert para.text == "2027年法定节假日安排未知，无法计算重点工作任务的截止日期，本月暂不通报。"
    quarter = month_duties("2026-10", D(2026, 11, 2), WorkCalendar(), {})
    assert [(x.duty, x.period, x.due, x.count("missing")) for x in quarter.lines if x.task == 17] == [
        ("t17-checks", "2026-Q3", D(2026, 10, 20), 21)  # 10th working day: 10 October is a 调休 workday
    ]
    assert quarter.period_cell("2026-Q3") == "第三季度" and quarter.period_cell("2025-12") == "2025年12月"
