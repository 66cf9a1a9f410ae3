"""Deliveries of evidence settle the plan's obligations: real workbooks and attachments in a real inbox, the
collect and validate steps (GX), then `credit.duties.deliveries.load` and the obligations' status. Also the
pure settlement rule (credit.duties.settle) and what evidence never becomes: pushed, counted, generated."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from credit.datasets import catalogue
from credit.duties import deliveries
from credit.duties.obligations import duty_obligations
from credit.duties.plan import plan_for
from credit.duties.rules import load_duties
from credit.duties.settle import EvidenceDelivery, Owed, settle
from credit.duties.status import status
from credit.steps.collect import collect
from credit.steps.count import daily_statistics
from credit.steps.deliver import fill_outbox
from credit.steps.report import unit_feedback
from credit.steps.validate import validate_units
from credit.workdays import WorkCalendar
from samples.generator.datasets import generic_datasets
from tests import evidence_files as ef

SENT = dt.date(2026, 11, 4)  # October's obligations (workday:5) fall due on Friday 6 November 2026
LATE = dt.date(2026, 11, 10)
ASKED = dt.date(2026, 11, 20)

CASE = {"案例名称": "某建筑公司拖欠农民工工资案", "惩戒对象": "雷州市某建筑工程有限公司",
        "统一社会信用代码": "91440882MA4W0R9N40", "惩戒措施": "限制参与政府投资项目招投标",
        "依据": "《保障农民工工资支付条例》第四十八条", "实施日期": "2026-10-15",
        "链接": "https://www.leizhou.gov.cn/xyxx/2026/10/15.html"}  # fmt: skip


def activity(attachments: str, **more) -> dict:
    return {"活动名称": "诚信兴商宣传进社区", "日期": "2026-10-20", "地点": "雷城街道文化广场", "参与人数": "120",
            "形式": "现场宣讲、派发资料", "附件": attachments, **more}  # fmt: skip


def run_day(settings, day, units):
    for unit in units:
        collect(settings, unit, day)
    validate_units(settings, units, day)


def obligation(unit: str, duty_id: str, period: str):
    duty = next(d for d in load_duties(plan_for(2026)) if d.id == duty_id)
    cal = WorkCalendar(None)
    found = duty_obligations(duty, 2026, cal, ending_before=dt.date(2026, 12, 1))
    return next(o for o in found if o.unit == unit and o.period == period)


@pytest.fixture
def delivered(settings):
    """A month of deliveries: on time, late, with a row error, a missing and an unsafe attachment."""
    inbox = settings.inbox
    # gaj: 零报告 for October, on time. kgm: a case for October, late. mzj: a case with a broken link.
    ef.write_evidence(inbox / "gaj" / "十月惩戒案例.xlsx", {"dutycases": [{"案例名称": "零报告", "所属期间": "2026-10"}]},
                      title="雷州市公安局2026年10月失信惩戒案例报送表")  # fmt: skip
    ef.write_evidence(
        inbox / "mzj" / "惩戒案例.xlsx", {"dutycases": [CASE | {"链接": "见官网", "所属期间": "2026年10月"}]}
    )
    # Towns: xincheng with its attachments (a docx and a photo, one cited without its extension);
    # leicheng cites a summary it never sent; xihu's summary carries JavaScript.
    ef.write_evidence(
        inbox / "xincheng" / "宣传活动.xlsx",
        {"dutyactivity": [activity("活动方案.docx；现场照片", 所属期间="2026-10")]},
    )
    ef.good_docx(inbox / "xincheng" / "活动方案.docx")
    ef.good_jpg(inbox / "xincheng" / "现场照片.jpg")
    ef.write_evidence(
        inbox / "leicheng" / "宣传活动.xlsx", {"dutyactivity": [activity("活动总结.pdf", 所属期间="2026-10")]}
    )
    ef.write_evidence(
        inbox / "xihu" / "宣传活动.xlsx",
        {"dutyactivity": [activity("活动总结.pdf、照片.png", 所属期间="2026年10月")]},
    )
    ef.pdf_with_javascript(inbox / "xihu" / "活动总结.pdf")
    ef.good_png(inbox / "xihu" / "照片.png")
    run_day(settings, SENT, ["gaj", "mzj", "xincheng", "leicheng", "xihu"])
    ef.write_evidence(inbox / "kgm" / "惩戒案例.xlsx", {"dutycases": [CASE | {"所属期间": "2026-10"}]})
    # leicheng's summary arrives after its sheet: the sheet stays unsettled until it is sent again.
    ef.good_pdf(inbox / "leicheng" / "活动总结.pdf")
    run_day(settings, LATE, ["kgm", "leicheng"])
    return settings


def test_load_gives_delivered_late_and_not_settled(delivered):
    found = deliveries.load(delivered, ASKED)
    expect = {
        ("gaj", "t9-cases", "2026-10"): "delivered",
        ("kgm", "t9-cases", "2026-10"): "late",
        ("mzj", "t9-cases", "2026-10"): "missing",  # a row error settles nothing
        ("xincheng", "t32-activity-town", "2026-10"): "delivered",
        ("leicheng", "t32-activity-town", "2026-10"): "missing",  # its attachment came later
        ("xihu", "t32-activity-town", "2026-10"): "missing",  # its attachment is unsafe
    }
    got = {key: status(obligation(*key), ASKED, found) for key in expect}
    assert got == expect
    assert found[("gaj", "t9-cases", "2026-10")] == SENT
    assert found[("kgm", "t9-cases", "2026-10")] == LATE
    assert deliveries.load(delivered, SENT - dt.timedelta(days=1)) == {}  # nothing before it arrived


def test_a_sheet_sent_again_once_its_attachment_is_in_settles_late(delivered):
    again = dt.date(2026, 11, 12)
    ef.write_evidence(
        delivered.inbox / "leicheng" / "宣传活动（补报）.xlsx",
        {"dutyactivity": [activity("活动总结.pdf", 所属期间="2026-10")]},
        title="雷城街道2026年10月信用宣传活动（补报）",
    )
    run_day(delivered, again, ["leicheng"])
    key = ("leicheng", "t32-activity-town", "2026-10")
    found = deliveries.load(delivered, ASKED)
    assert found[key] == again and status(obligation(*key), ASKED, found) == "late"


def test_the_rows_with_attachment_problems_go_back_in_the_feedback_workbook(delivered):
    def messages(unit, day):
        path = unit_feedback(delivered, unit, day)
        assert path is not None
        wb = load_workbook(path)
        return "\n".join(
            str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c
        )

    xihu = messages("xihu", SENT)
    assert "附件“活动总结.pdf”不安全，已被隔离（PDF含有JavaScript脚本" in xihu
    assert "照片.png" not in xihu.split("不安全")[1].split("\n")[0]  # the safe photo is not blamed
    assert "附件“活动总结.pdf”未收到，请将该文件与本表同日或更早放入本单位收件箱，并重新报送本表" in messages(
        "leicheng", SENT
    )
    assert "「链接」的“见官网”不是有效的网址" in messages("mzj", SENT)


def test_evidence_is_never_pushed_nor_counted(delivered):
    assert fill_outbox(delivered, None, SENT).queued == 0
    report = daily_statistics(delivered, SENT).report
    assert not {row.dataset for row in report.rows} & set(catalogue().evidence)
    assert set(catalogue().evidence) == {
        "dutycases",
        "dutychecks",
        "dutylinks",
        "dutyactivity",
        "dutybulletin",
    }
    assert not set(catalogue().evidence) & set(catalogue().datasets)
    assert not {ds.id for ds in generic_datasets()} & set(catalogue().evidence)  # the sample generator


def test_the_same_zero_report_sent_again_settles_the_next_period(settings):
    """No 所属期间: the earliest ended period not yet settled (within reach: last year's Q4 from January on);
    the same rows again settle the next one, since an evidence row is never a repeat. (A byte-identical file
    is another matter: the inbox archives it as a duplicate, so each file here has its own title row.)"""
    for day in (dt.date(2026, 1, 12), dt.date(2026, 3, 4), dt.date(2026, 7, 13)):
        ef.write_evidence(
            settings.inbox / "swj" / "负面清单排查.xlsx",
            {"dutychecks": [{"排查期间": "零报告"}]},
            title=f"市税务局负面清单案例排查记录（{day.isoformat()}报送）",
        )
        run_day(settings, day, ["swj"])
    found = deliveries.load(settings, dt.date(2026, 7, 31))
    assert {k: v for k, v in found.items() if k[0] == "swj"} == {
        ("swj", "t17-checks", "2025-Q4"): dt.date(2026, 1, 12),
        ("swj", "t17-checks", "2026-Q1"): dt.date(2026, 3, 4),  # no ended period left: the running one
        ("swj", "t17-checks", "2026-Q2"): dt.date(2026, 7, 13),
    }


# ---------------------------------------------------------------- the pure rule


def owed(unit="u", duty="t9", cadence="monthly", year=2026):
    labels = (
        [f"{year}-{m:02d}" for m in range(1, 13)]
        if cadence == "monthly"
        else [f"{year}-Q{q}" for q in range(1, 5)]
    )
    return [Owed(unit, duty, p, cadence) for p in labels]


def test_settle_explicit_blank_and_invalid():
    d = dt.date
    found = settle(
        [
            EvidenceDelivery("u", ("t9",), d(2026, 5, 6), ("2026年4月",), True, 1),
            EvidenceDelivery(
                "u", ("t9",), d(2026, 5, 7), (None,), True, 2
            ),  # → last December (earlier: out of reach)
            EvidenceDelivery("u", ("t9",), d(2026, 5, 8), ("2026-02",), False, 3),  # an error: nothing
            EvidenceDelivery("u", ("t9",), d(2026, 5, 9), ("2026-04",), True, 4),  # already settled
        ],
        owed(year=2025) + owed(),
    )
    assert found == {("u", "t9", "2026-04"): d(2026, 5, 6), ("u", "t9", "2025-12"): d(2026, 5, 7)}


def test_settle_a_month_given_for_a_quarterly_duty_and_duties_the_unit_does_not_owe():
    d = dt.date
    found = settle(
        [EvidenceDelivery("dept", ("town-duty", "dept-duty"), d(2026, 10, 12), ("2026-08",), True)],
        owed("dept", "dept-duty", "quarterly"),
    )
    assert found == {("dept", "dept-duty", "2026-Q3"): d(2026, 10, 12)}


def test_evidence_on_postgresql(pg_settings):
    """The same path on PostgreSQL: record.dataset holds the longer ids (migration 0006), attachments stored."""
    inbox = pg_settings.inbox
    ef.write_evidence(
        inbox / "baisha" / "宣传活动.xlsx", {"dutyactivity": [activity("总结.pdf", 所属期间="2026-10")]}
    )
    ef.good_pdf(inbox / "baisha" / "总结.pdf")
    run_day(pg_settings, SENT, ["baisha"])
    found = deliveries.load(pg_settings, ASKED)
    assert found == {("baisha", "t32-activity-town", "2026-10"): SENT}
