"""The month of generated evidence deliveries (samples.duties_month): a manifest that agrees with itself and
with the files on disk, workbooks with exactly the evidence spec's headers (read back with openpyxl), and
attachments that are what their extension says (magic bytes, and decoded) — all safe but one.

October 2026 (tests/test_duties_obligations.py): 137 obligations fall due — 10-13: 15 惩戒案例, 50 宣传链接,
21 town/street 宣传活动 (September); 10-15: 1 月通报; 10-20: 21 负面清单核查, 29 department 宣传活动 (Q3)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import load_workbook

from credit.duties.obligations import due_in_month
from credit.duties.plan import plan_for
from credit.duties.rules import load_duties
from credit.workdays import WorkCalendar
from samples.duties_month import deliver, generate_duties_month

MONTH = "2026-10"
# docs/contracts.md "Evidence of the plan's duties", written out again on purpose: the generator derives them from duties.csv.
SPEC = {
    "dutycases": ["案例名称", "惩戒对象", "统一社会信用代码", "惩戒措施", "依据", "实施日期", "链接", "所属期间"],
    "dutychecks": [
        "排查期间", "排查事项", "发现案例数", "案例名称", "涉及主体", "统一社会信用代码", "违背事项", "处理情况", "附件",
        "所属期间",
    ],
    "dutylinks": ["标题", "发布日期", "发布平台", "链接", "所属期间"],
    "dutyactivity": ["活动名称", "日期", "地点", "参与人数", "形式", "链接", "附件", "所属期间"],
    "dutybulletin": ["通报名称", "通报日期", "统计期间", "链接", "附件", "所属期间"],
}  # fmt: skip
MAGIC = {".pdf": b"%PDF-", ".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff", ".docx": b"PK\x03\x04"}
UNSAFE_PDF = (b"/JavaScript", b"/OpenAction", b"/JS", b"/Launch", b"/EmbeddedFile", b"/AA")


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    return generate_duties_month(MONTH, tmp_path_factory.mktemp("duties") / "month", seed=7)


def period_of(text: str) -> str:
    """所属期间 as written (2026-09, 2026-Q3, 2026年9月, 2026年第3季度) → the label."""
    if m := re.fullmatch(r"(\d{4})年第([1-4])季度", text):
        return f"{m[1]}-Q{m[2]}"
    if m := re.fullmatch(r"(\d{4})年(\d{1,2})月", text):
        return f"{m[1]}-{int(m[2]):02d}"
    assert re.fullmatch(r"\d{4}-(0[1-9]|1[0-2]|Q[1-4])", text), text
    return text


def test_the_manifest_covers_every_obligation_due_in_the_month_in_fixed_shares(month):
    calendar = WorkCalendar()
    due = due_in_month(load_duties(plan_for(2026)), MONTH, calendar)
    entries = month.manifest["obligations"]
    assert len(due) == len(entries) == 137
    assert [(o.unit, o.duty, o.period, o.due.isoformat()) for o in due] == [
        (e["unit"], e["duty"], e["period"], e["due"]) for e in entries
    ]
    fates = Counter(e["fate"] for e in entries)
    # 15% of 137 is 20.55: 21 late and 21 missing; one of the on-time deliveries carries the unsafe file.
    assert fates == {"on_time": 94, "unsafe": 1, "late": 21, "missing": 21}
    assert month.manifest["fates"] == dict(fates)
    # Once everything has arrived: the unsafe delivery settles nothing.
    assert Counter(e["expected"] for e in entries) == {"delivered": 94, "late": 21, "missing": 22}
    assert month.manifest["as_of"] > max(e["day"] or e["due"] for e in entries)


def test_each_fate_arrives_when_it_says(month):
    calendar = WorkCalendar()
    for e in month.manifest["obligations"]:
        due = dt.date.fromisoformat(e["due"])
        if e["fate"] == "missing":
            assert e["day"] is None and e["workbook"] is None and e["attachments"] == []
            continue
        day = dt.date.fromisoformat(e["day"])
        assert calendar.is_workday(day)
        if e["fate"] == "late":
            assert 1 <= calendar.workdays_between(due, day) <= 4, e
        else:
            period_end = dt.date(2026, 9, 30)  # September and Q3 both end there
            assert period_end < day <= due, e
    expected = {"on_time": "delivered", "unsafe": "missing", "late": "late", "missing": "missing"}
    assert all(e["expected"] == expected[e["fate"]] for e in month.manifest["obligations"])


def test_files_are_grouped_by_delivery_day_and_all_exist(month):
    listed = [(day, unit, path) for day, files in month.days.items() for unit, path in files]
    paths = [p for *_, p in listed]
    assert len(paths) == len(set(paths))
    on_disk = {p for p in month.root.rglob("*") if p.is_file() and p.name != "manifest.json"}
    assert set(paths) == on_disk
    for day, unit, path in listed:
        assert path.parent == month.root / day.isoformat() / unit
    assert sorted(month.days) == sorted(dt.date.fromisoformat(d) for d in month.manifest["days"])
    for e in (e for e in month.manifest["obligations"] if e["day"]):
        day = dt.date.fromisoformat(e["day"])
        names = {p.name for unit, p in month.days[day] if unit == e["unit"]}
        assert Path(e["workbook"]).name in names
        assert set(e["attachments"]) <= names
        # Attachments come before the workbook that names them.
        order = [p.name for unit, p in month.days[day] if unit == e["unit"]]
        assert all(order.index(a) < order.index(Path(e["workbook"]).name) for a in e["attachments"])


def test_workbooks_have_exactly_the_spec_headers_and_name_their_attachments(month):
    by_book: dict[str, list[dict]] = {}
    for e in month.manifest["obligations"]:
        if e["workbook"]:
            by_book.setdefault(e["workbook"], []).append(e)
    kinds, zero_reports = Counter(), 0
    for book, entries in by_book.items():
        wb = load_workbook(month.root / book)
        assert sorted(wb.sheetnames) == sorted(e["sheet"] for e in entries)  # one sheet per duty
        for e in entries:
            rows = list(wb[e["sheet"]].iter_rows(values_only=True))
            assert list(rows[0]) == SPEC[e["dataset"]], (book, e["sheet"])
            assert len(rows) >= 2
            header = rows[0]
            for row in rows[1:]:
                cells = dict(zip(header, row, strict=True))
                assert period_of(cells["所属期间"]) == e["period"]
                zero_reports += cells[header[0]] == "零报告"
                # Nothing is dated after the day it arrived (an activity, a link, a 通报).
                dates = [v.date() for v in row if isinstance(v, dt.datetime)]
                assert all(d <= dt.date.fromisoformat(e["day"]) for d in dates), (book, row)
                if "附件" in header:
                    assert re.split("[；;、]", cells["附件"]) == e["attachments"]
                    folder = (month.root / book).parent
                    assert all((folder / name).is_file() for name in e["attachments"])
            kinds[e["dataset"]] += 1
    assert set(kinds) == set(SPEC)  # every evidence kind delivered at least once
    assert zero_reports > 0


def test_attachments_are_what_their_extension_says_and_exactly_one_is_unsafe(month):
    from docx import Document
    from PIL import Image

    attachments = [p for files in month.days.values() for _, p in files if p.suffix != ".xlsx"]
    assert {p.suffix for p in attachments} == set(MAGIC)
    unsafe = []
    for path in attachments:
        data = path.read_bytes()
        assert data.startswith(MAGIC[path.suffix]), path
        if path.suffix in (".png", ".jpg"):
            image = Image.open(io.BytesIO(data))
            image.load()  # decodes every pixel
            assert image.format == {".png": "PNG", ".jpg": "JPEG"}[path.suffix]
        elif path.suffix == ".docx":
            assert Document(io.BytesIO(data)).paragraphs[0].text
        else:
            assert data.rstrip().endswith(b"%%EOF") and b"/Type /Page " in data
            if any(marker in data for marker in UNSAFE_PDF):
                unsafe.append(path)
    (bad,) = unsafe
    data = bad.read_bytes()
    assert b"/OpenAction" in data and b"/S /JavaScript" in data
    where = month.manifest["unsafe"]
    assert bad.relative_to(month.root).as_posix() == where["file"]
    (entry,) = [e for e in month.manifest["obligations"] if e["fate"] == "unsafe"]
    assert (entry["unit"], entry["duty"], entry["period"]) == (where["unit"], where["duty"], where["period"])
    assert entry["workbook"].endswith("_补充.xlsx")  # a workbook apart: it spoils no other sheet
    assert bad.name in entry["attachments"]


def test_the_same_seed_gives_the_same_month_and_another_seed_another(month, tmp_path):
    again = generate_duties_month(MONTH, tmp_path / "again", seed=7)
    assert again.manifest == month.manifest
    other = generate_duties_month(MONTH, tmp_path / "other", seed=8)
    assert [e["fate"] for e in other.manifest["obligations"]] != [
        e["fate"] for e in month.manifest["obligations"]
    ]


def test_at_least_one_of_each_fate_whatever_the_shares(tmp_path):
    shares = {"on_time": 0.99, "late": 0.005, "missing": 0.005}
    fates = generate_duties_month("2026-11", tmp_path, seed=1, shares=shares).manifest["fates"]
    assert fates["late"] == fates["missing"] == fates["unsafe"] == 1 and fates["on_time"] >= 1


def test_a_day_is_dropped_into_the_units_inbox_folders(month, tmp_path):
    day = min(month.days)
    copied = deliver(month, day, tmp_path / "inbox")
    assert len(copied) == len(month.days[day])
    for (unit, source), target in zip(month.days[day], copied, strict=True):
        assert target == tmp_path / "inbox" / unit / source.name
        assert target.read_bytes() == source.read_bytes()
    assert deliver(month, dt.date(2026, 10, 1), tmp_path / "inbox") == []  # 国庆: nothing arrives


def test_read_as_deliveries_the_month_escalates_exactly_what_was_not_on_time(month):
    """What the reminders will say once the evidence intake reads these files (credit.duties.deliveries): on
    the 1st working day after each due date, every obligation not yet arrived — the late ones not yet in, the
    missing ones and the unsafe one — and none delivered on time."""
    from credit.duties import reminders

    calendar = WorkCalendar()
    entries = month.manifest["obligations"]
    settled = {
        (e["unit"], e["duty"], e["period"]): dt.date.fromisoformat(e["day"])
        for e in entries
        if e["expected"] != "missing"
    }
    obligations = due_in_month(load_duties(plan_for(2026)), MONTH, calendar)
    total = 0
    for due in sorted({o.due for o in obligations}):
        day = calendar.add_workdays(due, 1)
        found = reminders.notices(obligations, day, calendar, {k: v for k, v in settled.items() if v <= day})
        escalated = {
            (n.obligation.unit, n.obligation.duty, n.obligation.period) for n in found if n.kind == "escalate"
        }
        expected = {
            (e["unit"], e["duty"], e["period"])
            for e in entries
            if e["due"] == due.isoformat()
            and (e["day"] is None or e["fate"] == "unsafe" or e["day"] > day.isoformat())
        }
        assert escalated == expected, due
        total += len(expected)
    assert total > 22  # the missing and the unsafe, and late ones not yet in
