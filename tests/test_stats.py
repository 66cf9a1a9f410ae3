"""日统计: every definition of docs/contracts.md "Daily statistics" pinned on hand-computed cases."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from itertools import count

import pytest
from sqlmodel import select

from credit.reports.daily import write_daily
from credit.stats import compute_daily, daily_markdown, daily_table, parse_doc_no, save_daily
from credit.store import (
    Batch,
    BatchItem,
    DailyStat,
    Record,
    RecordVersion,
    ReferenceDecision,
    init_db,
    session_scope,
)
from credit.units import all_units, reporting_units
from credit.workdays import CalendarGap, WorkCalendar, _override

D = dt.date
DAY = D(2026, 10, 10)  # a Saturday, 调休 working day
CAL = WorkCalendar()
_seq = count(1)


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path}/t.db"
    init_db(url)
    return url


def add_record(
    s,
    unit: str,
    doc_no: str | None,
    decision: D | None,
    received: D,
    status: str = "valid",
    dataset: str = "xzcf",
    data_decision: str | None = None,
) -> Record:
    """A record with its first version (status = the first version's verdict)."""
    key = f"{dataset}|{doc_no}|{next(_seq)}"
    rec = Record(
        dataset=dataset,
        unit=unit,
        business_key=key,
        record_key=hashlib.sha256(key.encode()).hexdigest(),
        decision_doc_no=doc_no,
        decision_date=decision,
        first_received=received,
    )
    s.add(rec)
    s.flush()
    dd = data_decision if data_decision is not None else (decision.isoformat() if decision else None)
    add_version(s, rec, 1, received, status, dd)
    return rec


def add_version(s, rec: Record, version: int, received: D, status: str = "valid", dd: str | None = None):
    v = RecordVersion(
        record_id=rec.id,
        version=version,
        content_hash=uuid.uuid4().hex,
        received_date=received,
        data={"decision_date": dd, "decision_doc_no": rec.decision_doc_no},
        raw={},
        status=status,
    )
    s.add(v)
    rec.current_version = version
    s.add(rec)
    s.flush()
    return v


def add_reference(s, unit: str, doc_no: str, decision: D, dataset: str = "xzcf", n: int = 3):
    s.add(
        ReferenceDecision(
            dataset=dataset,
            unit=unit,
            decision_doc_no=doc_no,
            decision_date=decision,
            deadline=CAL.deadline(decision, n),
        )
    )
    s.flush()


def reported_rows(units=None) -> int:
    """Rows a day's statistics list for these units (default: the units compute_daily lists by default): one
    per dataset each reports (the folders' [reporters])."""
    import credit.units
    from credit.standard import datasets

    if units is None:  # the registry's units that report a dataset (the 49 双公示 units where that is all)
        units = getattr(credit.units, "collected_units", reporting_units)()
    return sum(1 for u in units for ds in datasets().values() if ds.reporters.includes(u))


def row(report, unit: str, dataset: str = "xzcf") -> dict:
    return next(r.as_dict() for r in report.rows if r.unit == unit and r.dataset == dataset)


def daily(s, day=DAY, n=3, **kw):
    return compute_daily(s, day, calendar=CAL, deadline_workdays=n, **kw)


def test_counts_and_rates_hand_computed(db):
    with session_scope(db) as s:
        add_record(s, "scjgj", "雷市监罚〔2026〕1号", D(2026, 9, 30), DAY)  # 3 working days: on time
        add_record(s, "scjgj", "雷市监罚〔2026〕2号", D(2026, 9, 29), DAY)  # 4 working days: late
        add_record(s, "scjgj", "雷市监罚〔2026〕3号", D(2026, 9, 29), DAY, "invalid")  # invalid AND late
        add_record(s, "scjgj", "雷市监罚〔2026〕4号", D(2026, 10, 9), DAY, "invalid")  # invalid only
        add_record(s, "scjgj", "雷市监罚〔2026〕5号", None, DAY, data_decision="2026-02-30")  # date unknown
        old = add_record(s, "scjgj", "雷市监罚〔2026〕6号", D(2026, 9, 30), D(2026, 10, 9), "invalid")
        add_version(s, old, 2, DAY)  # a correction received on D: not a new record
        add_reference(s, "scjgj", "雷市监罚[2026]1号", D(2026, 9, 30))  # received (other brackets)
        add_reference(s, "scjgj", "雷市监罚〔2026〕9号", D(2026, 9, 30))  # due on D, not received: missing
        add_reference(s, "scjgj", "雷市监罚〔2026〕8号", D(2026, 9, 29))  # due on 10-09: not today
    with session_scope(db) as s:
        report = daily(s)
    r = row(report, "scjgj")
    assert (r["received"], r["invalid"], r["late"], r["invalid_or_late"]) == (5, 2, 2, 3)
    assert (r["missing"], r["corrections"]) == (1, 1)
    assert r["error_rate"] == pytest.approx(2 / 5)
    assert r["late_rate"] == pytest.approx(2 / 5)
    assert r["timely_rate"] == pytest.approx(3 / 5)
    assert r["missing_rate"] == pytest.approx(1 / 6)
    assert r["compliance_rate"] == pytest.approx((5 - 3) / 6)  # the invalid-and-late record counts once
    assert r["three_zero"] is False
    # the day before: the record received 10-09 counts there, its correction does not
    with session_scope(db) as s:
        before = row(daily(s, D(2026, 10, 9)), "scjgj")
    assert (before["received"], before["invalid"], before["corrections"], before["missing"]) == (1, 1, 0, 1)


def test_every_unit_and_dataset_listed_zero_denominator_is_null(db):
    with session_scope(db) as s:
        add_record(s, "zjj", "雷住建许〔2026〕1号", D(2026, 10, 9), DAY, dataset="xzxk")
        report = daily(s)
    assert len(report.rows) == reported_rows()
    shuanggongshi = [r for r in report.counted_rows if all_units()[r.unit].shuanggongshi]
    assert len(shuanggongshi) == 49 * 2  # 双公示: the totals and 三清零
    assert [r.unit for r in shuanggongshi[::2]] == [u.code for u in reporting_units()]
    empty = row(report, "dag")
    assert empty["received"] == 0 and empty["three_zero"] is True
    for rate in ("error_rate", "late_rate", "missing_rate", "timely_rate", "compliance_rate"):
        assert empty[rate] is None
    one = row(report, "zjj", "xzxk")
    assert one["compliance_rate"] == 1.0 and one["error_rate"] == 0.0 and one["timely_rate"] == 1.0
    total = report.as_dict()["total"]
    assert total["received"] == 1 and total["missing_rate"] == 0.0


def test_missing_counted_on_deadline_day_only(db):
    with session_scope(db) as s:
        add_reference(s, "gaj", "雷公罚〔2026〕5号", D(2026, 9, 30))  # deadline Sat 2026-10-10
    with session_scope(db) as s:
        got = {d: row(daily(s, d), "gaj")["missing"] for d in (D(2026, 10, 9), DAY, D(2026, 10, 12))}
    assert got == {D(2026, 10, 9): 0, DAY: 1, D(2026, 10, 12): 0}
    # It arrives on Monday: late that day; the deadline day still shows it missing.
    with session_scope(db) as s:
        add_record(s, "gaj", "雷公罚〔2026〕5号", D(2026, 9, 30), D(2026, 10, 12))
    with session_scope(db) as s:
        monday = row(daily(s, D(2026, 10, 12)), "gaj")
        assert (monday["received"], monday["late"], monday["missing"]) == (1, 1, 0)
        assert row(daily(s), "gaj")["missing"] == 1
    # Received by D (even invalid) -> not missing.
    with session_scope(db) as s:
        add_reference(s, "gaj", "雷公罚〔2026〕6号", D(2026, 9, 30))
        add_record(s, "gaj", "雷公罚（2026）6号", D(2026, 9, 30), D(2026, 10, 8), "invalid")
    with session_scope(db) as s:
        assert row(daily(s), "gaj")["missing"] == 1


def test_late_across_holidays_2023():
    # 2023-09-28 reported 2023-10-08 took 2 working days: not late with N=3, late with N=1.
    from credit.stats.compute import _is_late

    assert not _is_late(CAL, D(2023, 9, 28), D(2023, 10, 8), 3)
    assert _is_late(CAL, D(2023, 9, 28), D(2023, 10, 8), 1)
    assert not _is_late(CAL, None, D(2023, 10, 8), 1)
    assert not _is_late(CAL, D(2023, 10, 9), D(2023, 10, 8), 1)  # a future decision date is not late


def test_pushed_accepted_rejected(db):
    with session_scope(db) as s:
        versions = [
            add_record(s, "swuj", f"雷税罚〔2026〕{i}号", D(2026, 10, 9), D(2026, 10, 9)) for i in range(5)
        ]
        now = dt.datetime.now(dt.UTC)
        s.add(
            Batch(
                batch_id="b1", dataset="xzcf", unit="swuj", state="settled", report_date=DAY, created_at=now
            )
        )
        s.add(
            Batch(
                batch_id="b0",
                dataset="xzcf",
                unit="swuj",
                state="settled",
                report_date=D(2026, 10, 9),
                created_at=now,
            )
        )
        s.flush()
        ids = [
            s.exec(select(RecordVersion.id).where(RecordVersion.record_id == r.id)).one() for r in versions
        ]
        for vid, status in zip(ids, ["accepted", "duplicate", "rejected", "pending"], strict=False):
            s.add(BatchItem(batch_id="b1", version_id=vid, record_key="k", op="I", status=status))
        s.add(BatchItem(batch_id="b0", version_id=ids[4], record_key="k", op="I", status="accepted"))
    with session_scope(db) as s:
        r = row(daily(s), "swuj")
    assert (r["pushed"], r["accepted"], r["rejected"]) == (4, 2, 1)  # duplicate counts as accepted
    assert r["received"] == 0


def test_suspected_gaps_listed_not_counted(db):
    with session_scope(db) as s:
        for doc in (
            "雷市监罚〔2026〕12号",
            "雷市监罚〔2026〕14号",
            "雷市监罚[2026]17号",
            "雷市监罚〔2024〕1号",
            "雷市监罚〔2024〕5号",
        ):
            add_record(s, "scjgj", doc, D(2026, 10, 9), D(2026, 10, 9))
        add_record(s, "scjgj", "雷市监许〔2026〕3号", D(2026, 10, 9), D(2026, 10, 9), dataset="xzxk")
        add_record(s, "scjgj", "雷市监许〔2026〕5号", D(2026, 10, 9), D(2026, 10, 9), dataset="xzxk")
        add_record(s, "scjgj", "雷市监罚〔2026〕20号", D(2026, 10, 9), D(2026, 10, 11))  # after D: not seen
        s.add(
            ReferenceDecision(
                dataset="xzcf", unit="scjgj", decision_doc_no="雷市监罚〔2026〕16号",
                decision_date=D(2026, 10, 9), deadline=D(2026, 10, 14),
            )
        )  # fmt: skip
    with session_scope(db) as s:
        report = daily(s)
    r = row(report, "scjgj")
    assert r["suspected_gaps"] == [
        "雷市监罚〔2026〕13号",
        "雷市监罚〔2026〕15号",
    ]  # 16号 is known from the feed
    assert r["missing"] == 0 and r["three_zero"] is True
    assert row(report, "scjgj", "xzxk")["suspected_gaps"] == ["雷市监许〔2026〕4号"]


def test_parse_doc_no_brackets():
    assert parse_doc_no("雷市监罚〔2026〕12号") == ("雷市监罚", 2026, 12)
    assert parse_doc_no("雷市监罚[2026]12号") == ("雷市监罚", 2026, 12)
    assert parse_doc_no("雷市监罚（2026）第012号") == ("雷市监罚", 2026, 12)
    assert parse_doc_no("雷市监罚 (2026) 12 号") == ("雷市监罚", 2026, 12)
    assert parse_doc_no("许可证 440882-001") is None


def test_recompute_is_idempotent_and_outputs(db, tmp_path):
    with session_scope(db) as s:
        add_record(s, "scjgj", "雷市监罚〔2026〕1号", D(2026, 9, 29), DAY)
        add_record(s, "zjj", "雷住建许〔2026〕1号", D(2026, 10, 9), DAY, "invalid", dataset="xzxk")
        add_reference(s, "gaj", "雷公罚〔2026〕5号", D(2026, 9, 30))
    outputs = []
    for _ in range(2):
        with session_scope(db) as s:
            report = daily(s)
            save_daily(s, report)
        paths = write_daily(report, tmp_path / "out")
        outputs.append(paths["json"].read_text(encoding="utf-8"))
    assert outputs[0] == outputs[1]
    with session_scope(db) as s:
        stats = s.exec(select(DailyStat).where(DailyStat.date == DAY)).all()
        assert len(stats) == reported_rows()
        assert sum(x.received for x in stats) == 2 and sum(x.missing for x in stats) == 1
    doc = json.loads(outputs[0])
    assert set(doc) == {"date", "deadline_workdays", "units", "total", "revision"} and doc["revision"] == 1
    assert doc["date"] == "2026-10-10" and doc["deadline_workdays"] == 3
    assert doc["units"][0]["error_rate"] is None  # JSON null
    assert "null" in outputs[0]
    assert doc["total"]["received"] == 2 and doc["total"]["late"] == 1 and doc["total"]["invalid"] == 1
    assert paths["json"] == tmp_path / "out" / "daily" / "2026-10-10" / "stats.json"
    assert paths["xlsx"].name == "日统计_20261010.xlsx"

    from openpyxl import load_workbook

    ws = load_workbook(paths["xlsx"])["日统计"]
    assert [c.value for c in ws[3]][:3] == ["单位", "数据类别", "新增"]
    first = [c.value for c in ws[4]]
    assert first[0] in ("市公安局", "市市场监管局", "市住建局") and first[-1] == "否"  # short of 三清零 first
    assert ws.cell(4, 11).number_format == "0.00%" or ws.cell(4, 11).value == "—"

    md = daily_markdown(report)
    assert "未实现“三清零”的单位（3个）" in md and md.index("市市场监管局") < md.index("全市新增")
    table = daily_table(report)
    assert table[-1]["单位"] == "合计" and table[0]["三清零"] == "否"


@pytest.mark.skipif(2027 in _override(None)[1], reason="the shipped override already covers 2027")
def test_2027_needs_an_override(db, tmp_path):
    with session_scope(db) as s, pytest.raises(CalendarGap, match="CREDIT_CALENDAR_OVERRIDE"):
        compute_daily(s, D(2027, 3, 1), calendar=WorkCalendar(), deadline_workdays=3)
    override = tmp_path / "o.csv"
    override.write_text("date,kind\n2027-01-01,year\n", encoding="utf-8")
    with session_scope(db) as s:
        add_record(s, "scjgj", "雷市监罚〔2027〕1号", D(2027, 2, 24), D(2027, 3, 1))  # Wed -> Mon: 3 days
        add_record(s, "scjgj", "雷市监罚〔2027〕2号", D(2027, 2, 23), D(2027, 3, 1))  # Tue -> Mon: 4 days
        r = compute_daily(s, D(2027, 3, 1), calendar=WorkCalendar(override), deadline_workdays=3)
    assert row(r, "scjgj")["received"] == 2 and row(r, "scjgj")["late"] == 1


def test_units_subset_and_unknown_unit(db):
    with session_scope(db) as s:
        add_record(s, "notregistered", "X〔2026〕1号", D(2026, 10, 9), DAY)
        add_record(s, "scjgj", "雷市监罚〔2026〕1号", D(2026, 10, 9), DAY)
        full = daily(s)
        subset = daily(s, units=["scjgj"])
    # A unit outside the registry reports the 双公示 datasets only.
    assert full.rows[-1].unit == "notregistered" and len(full.rows) == reported_rows() + 2
    assert [r.unit for r in subset.counted_rows] == ["scjgj", "scjgj"] and subset.total.received == 1
    assert {r.unit for r in subset.rows} == {"scjgj"}


def test_counts_grouped_by_decision_date_and_verdict(db):
    """The statistics count per unit, dataset and decision date in SQL: groups mixing verdicts, undated
    records with and without a readable date in their data, and outside units in order of first receipt."""
    with session_scope(db) as s:
        for status in ("valid", "invalid", "valid", "invalid", "invalid"):
            add_record(s, "scjgj", None, D(2026, 9, 29), DAY, status)  # late: all five, invalid: three
        for status in ("valid", "invalid"):
            add_record(s, "scjgj", None, D(2026, 10, 9), DAY, status)  # on time: invalid one
        add_record(s, "scjgj", None, None, DAY, "invalid", data_decision="2026-09-29")  # undated, late
        add_record(s, "scjgj", None, None, DAY, "valid", data_decision="不详")  # undated, unknown: on time
        add_record(s, "zz2", None, D(2026, 10, 9), DAY)
        add_record(s, "zz1", None, D(2026, 10, 9), DAY)
        add_record(s, "zz2", None, D(2026, 10, 9), DAY, dataset="xzxk")
    with session_scope(db) as s:
        report = daily(s)
    r = row(report, "scjgj")
    assert (r["received"], r["invalid"], r["late"], r["invalid_or_late"]) == (9, 5, 6, 7)
    assert [x.unit for x in report.rows[-4:]] == ["zz2", "zz2", "zz1", "zz1"]
    assert row(report, "zz2", "xzxk")["received"] == 1


def test_document_number_fast_path_equals_doc_no_key():
    from credit.reference_feed import doc_no_key
    from credit.stats.doc_numbers import _doc_key, _parse_key

    for doc in (
        "雷市监罚〔2026〕12号",
        "雷市监罚[2026] 12号",
        "雷市监罚（2026）第012号",
        "雷市监罚\u3000〔2026〕1号",
        "ＡＢ〔2026〕1号",
        "e \u0301〔2026〕1号",  # removing the space lets NFKC compose: doc_no_key is not idempotent here
        "",
    ):
        assert _doc_key(doc) == doc_no_key(doc)
        assert _parse_key(doc_no_key(doc)) == parse_doc_no(doc_no_key(doc))


def test_daily_workbook_marks_exactly_the_rows_short_of_three_zero_and_prints(db, tmp_path):
    """Red fill on exactly the rows that say 三清零 否 (not on a unit's other, empty dataset row); the 疑似漏报
    sheet styled and frozen with the true count; both sheets print landscape on the page width."""
    from openpyxl import load_workbook

    from credit.reports.daily_workbook import RED, write_daily_workbook

    with session_scope(db) as s:
        add_record(s, "scjgj", "雷市监罚〔2026〕1号", D(2026, 9, 29), DAY)  # late: scjgj 行政处罚 否
        add_record(s, "zjj", "雷住建许〔2026〕1号", D(2026, 10, 9), DAY, "invalid", dataset="xzxk")
        add_record(s, "gaj", "雷公罚〔2026〕1号", D(2026, 10, 9), DAY)  # on time, valid: 是
        report = daily(s)
    gaps = [f"雷市监罚〔2026〕{n}号" for n in range(2, 52)]
    target = next(r for r in report.rows if (r.unit, r.dataset) == ("scjgj", "xzcf"))
    target.suspected_gaps, target.suspected_gaps_total = gaps, 653  # the list is capped, the count is not
    path = write_daily_workbook(report, tmp_path / "日统计.xlsx")
    wb = load_workbook(path)
    ws = wb["日统计"]
    assert [c.value for c in ws[3]][-1] == "三清零"
    red, said_no = set(), set()
    for r in range(4, ws.max_row + 1):
        fills = {ws.cell(r, c).fill.fgColor.rgb for c in range(1, 17)}
        if RED.fgColor.rgb in fills:
            assert fills == {RED.fgColor.rgb}, r  # the whole row
            red.add(r)
        if ws.cell(r, 16).value == "否":
            said_no.add(r)
    assert red == said_no and len(said_no) == 3  # scjgj 行政处罚, zjj 行政许可, 合计
    names = {(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in red}
    assert ("市市场监管局", "行政许可") not in names and ("市市场监管局", "行政处罚") in names
    for sheet, title_rows in ((ws, "$1:$3"), (wb["疑似漏报"], "$1:$1")):
        assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == title_rows
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    gap_ws = wb["疑似漏报"]
    assert gap_ws.freeze_panes == "A2" and all(
        c.font.b and c.fill.fgColor.rgb.endswith("D9E1F2") for c in gap_ws[1]
    )
    [row] = [[c.value for c in r] for r in gap_ws.iter_rows(min_row=2)]
    assert row[:3] == ["市市场监管局", "行政处罚", 653]
    assert row[3].startswith("雷市监罚〔2026〕2号、") and row[3].endswith("等653个（此处列出前50个）")
