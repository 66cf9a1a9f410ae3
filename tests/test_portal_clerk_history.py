"""A clerk's history, feedback download and numbers after real daily runs (collect → validate → outbox → push
to the sandbox on loopback → statistics → 问题数据 workbooks): each submission's stage in Chinese, the
platform's acceptance and its rejection with its reason, a correction and a withdrawal explained, the
unit's own workbook downloaded unmasked and audited, another unit's clerk seeing none of it (issue #17)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox
from credit.settings import Settings
from credit.steps.collect import collect
from credit.steps.count import daily_statistics
from credit.steps.deliver import fill_outbox, push
from credit.steps.report import unit_feedback
from credit.steps.validate import validate_units
from credit.store import AuditEvent, session_scope
from tests.portal_harness import add_account, csrf_of, logged_in, serve
from tests.rows import ric, write_csv, write_xlsx, xzcf_row
from tests.test_revocations import write_list

UNIT = "scjgj"
DAY1, DAY2, DAY3 = dt.date(2026, 11, 26), dt.date(2026, 11, 27), dt.date(2026, 11, 30)
PERSON_ID = ric("44088219850312002")


def settings_on(home, sandbox, database_url: str | None = None) -> Settings:
    import secrets

    settings = Settings(
        home=home,
        **({"database_url": database_url} if database_url else {}),
        portal_secret=secrets.token_urlsafe(48),
        platform_url=sandbox.url,
        platform_app_key=DEMO_APP_KEY,
        platform_app_secret=DEMO_APP_SECRET,
    )
    settings.ensure_dirs()
    return settings


def daily_run(settings: Settings, day: dt.date) -> None:
    """The daily pipeline's steps for one unit, as the flow runs them (flows/daily.py)."""
    collect(settings, UNIT, day)
    validate_units(settings, [UNIT], day)
    fill_outbox(settings, [UNIT], day)
    push(settings, UNIT, day)
    daily_statistics(settings, day)
    unit_feedback(settings, UNIT, day)


def rows_of(page: str) -> list[str]:
    """The history table's rows, tags stripped."""
    body = page.split("已收取的报送", 1)[1]
    rows = [r for r in re.findall(r"<tr>(.*?)</tr>", body, re.S) if "<td" in r]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)) for r in rows]


@pytest.fixture(params=["sqlite", "postgresql"])
def journey(tmp_path, request):
    database_url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    sandbox = start_sandbox()
    settings = settings_on(tmp_path / "home", sandbox, database_url)
    add_account(settings, "clerk_a", "clerk", UNIT)
    add_account(settings, "clerk_b", "clerk", "fgj")
    try:
        with serve(settings) as url:
            yield settings, url, sandbox
    finally:
        sandbox.stop()


def test_history_follows_each_submission_through_the_pipeline(journey, tmp_path):
    settings, url, _ = journey
    a, b = logged_in(url, "clerk_a"), logged_in(url, "clerk_b")
    # Day 1: a portal upload with one faulty row (an ID number as the credit code), a broken file dropped in.
    faulty = write_xlsx(
        tmp_path / "十一月处罚.xlsx", [xzcf_row(n=1), xzcf_row(n=2, uscc=PERSON_ID), xzcf_row(n=3)]
    )
    token = csrf_of(a.get("/unit"))
    answer = a.post(
        "/unit/upload", data={"csrf": token}, files=[("files", ("十一月处罚.xlsx", faulty.read_bytes()))]
    )
    assert answer.status_code == 200
    (settings.inbox / UNIT / "坏文件.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    waiting = a.get("/unit/history").text
    assert waiting.count("<td>已上传待收取</td>") == 2 and "还没有已收取的报送" in waiting

    daily_run(settings, DAY1)
    page = a.get("/unit/history")
    assert page.status_code == 200
    rows = rows_of(page.text)
    assert len(rows) == 2
    [upload_row] = [r for r in rows if "十一月处罚" in r]
    [broken_row] = [r for r in rows if "坏文件" in r]
    assert "已隔离" in broken_row and "原因：" in broken_row and "收件箱" in broken_row
    assert "门户上传（clerk_a）" in upload_row and "原文件名：十一月处罚.xlsx" in upload_row
    assert "信用湛江已接收" in upload_row and "合格 2 条，不合格 1 条" in upload_row
    assert "信用湛江已接收：2 条" in upload_row and f'href="/unit/feedback/{DAY1}"' in page.text
    assert PERSON_ID not in page.text

    # Day 2: a correction of row 1 and a 撤销清单 withdrawing row 3 (one line matching nothing).
    write_csv(settings.inbox / UNIT / "更正.csv", [xzcf_row(n=1, penalty_content="罚款人民币6000元")])
    write_list(
        settings.inbox / UNIT / "撤销.csv",
        [["行政处罚", "雷市监罚〔2026〕3号", "雷州市测试贸易有限公司3", "录入错误"],
         ["行政处罚", "雷市监罚〔2026〕99号", "无此公司", "录入错误"]],
    )  # fmt: skip
    daily_run(settings, DAY2)
    text = "\n".join(rows_of(a.get("/unit/history").text))
    assert "更正：其中 1 条是对本单位以前报送的同一记录的更正" in text
    assert "撤销：这是一份撤销清单，1 行找到了本单位已报送的记录并申请撤销，其中 1 条已被信用湛江删除" in text
    assert "1 行未能执行" in text and "撤销已被信用湛江接收" in text

    # Day 3: the platform lost its data (a fresh sandbox): a further correction is rejected, with its reason.
    fresh = start_sandbox()
    try:
        day3 = settings.model_copy(update={"platform_url": fresh.url})
        write_csv(settings.inbox / UNIT / "再更正.csv", [xzcf_row(n=1, penalty_content="罚款人民币7000元")])
        daily_run(day3, DAY3)
    finally:
        fresh.stop()
    [newest] = [r for r in rows_of(a.get("/unit/history").text) if "再更正" in r]
    assert "信用湛江已退回" in newest and "退回原因 第2行：" in newest and "平台无此记录" in newest

    # The other unit's clerk sees none of it.
    other = b.get("/unit/history").text
    assert "十一月处罚" not in other and "坏文件" not in other and "还没有已收取的报送" in other


def test_the_units_feedback_workbook_downloads_unmasked_and_audited_and_only_its_own(journey, tmp_path):
    settings, url, _ = journey
    write_csv(settings.inbox / UNIT / "处罚.csv", [xzcf_row(n=1), xzcf_row(n=2, uscc=PERSON_ID)])
    daily_run(settings, DAY1)
    a, b = logged_in(url, "clerk_a"), logged_in(url, "clerk_b")
    answer = a.get(f"/unit/feedback/{DAY1}")
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    assert answer.headers["cache-control"] == "no-store"
    on_disk = settings.out / "feedback" / DAY1.isoformat() / f"{UNIT}_问题数据_{DAY1:%Y%m%d}.xlsx"
    assert answer.content == on_disk.read_bytes()
    book = load_workbook(io.BytesIO(answer.content))
    values = {c.value for row in book["行政处罚"].iter_rows() for c in row}
    assert PERSON_ID in values  # the unit's own value as sent (docs/standard.md §7)
    # A day without a workbook: a Chinese 404 page; malformed dates never reach the disk.
    missing = a.get("/unit/feedback/2026-11-20")
    assert missing.status_code == 404 and "没有本单位的问题数据表" in missing.text
    for bad in ("2026-13-01", "26-11-26", "..%2F..%2Fout", "2026-11-26.xlsx"):
        assert a.get(f"/unit/feedback/{bad}").status_code == 404
    # The other unit's clerk: the same URL is their own unit's day (none); the office's copy is refused.
    theirs = b.get(f"/unit/feedback/{DAY1}")
    assert theirs.status_code == 404 and PERSON_ID not in theirs.text
    for path in (f"/office/units/{UNIT}?day={DAY1}", f"/office/units/{UNIT}/feedback/{DAY1}"):
        refused = b.get(path)
        assert refused.status_code == 403 and refused.content != answer.content
    # The office's copy: the same workbook, every ID number masked, linked from the unit's day.
    add_account(settings, "office_wang", "operator")
    office = logged_in(url, "office_wang")
    assert (
        f'href="/office/units/{UNIT}/feedback/{DAY1}"' in office.get(f"/office/units/{UNIT}?day={DAY1}").text
    )
    copy = office.get(f"/office/units/{UNIT}/feedback/{DAY1}")
    assert copy.status_code == 200 and "attachment" in copy.headers["content-disposition"]
    masked = load_workbook(io.BytesIO(copy.content))
    cells = [c.value for row in masked["行政处罚"].iter_rows() for c in row if isinstance(c.value, str)]
    assert PERSON_ID not in "".join(cells) and any(PERSON_ID[:6] in v and "*" in v for v in cells)
    assert masked.sheetnames == book.sheetnames
    assert office.get(f"/office/units/{UNIT}/feedback/2026-11-20").status_code == 404
    with session_scope(settings.database_url) as db:
        events = db.exec(select(AuditEvent).where(AuditEvent.action == "download")).all()
    seen = {(e.actor, e.unit, e.target, e.outcome) for e in events}
    assert ("clerk_a", UNIT, f"feedback:{DAY1}", "ok") in seen
    assert ("clerk_a", UNIT, "feedback:2026-11-20", "missing") in seen
    assert ("clerk_b", "fgj", f"feedback:{DAY1}", "missing") in seen
    assert ("office_wang", None, f"feedback:{UNIT}:{DAY1}", "ok") in seen


def test_the_units_numbers_of_a_month(journey):
    settings, url, _ = journey
    write_csv(
        settings.inbox / UNIT / "处罚.csv",
        [xzcf_row(n=1), xzcf_row(n=2, uscc=PERSON_ID), xzcf_row(n=3), xzcf_row(n=4)],
    )
    daily_run(settings, DAY1)
    a, b = logged_in(url, "clerk_a"), logged_in(url, "clerk_b")
    page = a.get("/unit/numbers?month=2026-11")
    assert page.status_code == 200
    cells = re.findall(r"<td(?: class=\"num\")?>([^<]*)</td>", page.text.split("每日数字", 1)[1])
    day = cells[: cells.index("合计") if "合计" in cells else None]
    assert day[:3] == [DAY1.isoformat(), "4", "1"]  # 新增 4, 错误 1
    assert "25.00%" in page.text  # 错误率 1/4
    assert 'href="/unit/numbers?month=2026-10"' in page.text and "本月按数据集合计" in page.text
    assert "行政处罚" in page.text
    assert a.get("/unit/numbers?month=2026-13").status_code == 404
    assert "本月还没有日统计" in a.get("/unit/numbers?month=2026-10").text
    other = b.get("/unit/numbers?month=2026-11").text
    assert "25.00%" not in other


def test_history_is_paginated_and_holds_only_the_units_own_submissions(tmp_path):
    from credit.store import Submission
    from tests.portal_harness import portal_settings

    settings = portal_settings(tmp_path / "home")
    add_account(settings, "clerk_a", "clerk", UNIT)
    with session_scope(settings.database_url) as db:
        for n in range(25):
            db.add(Submission(unit=UNIT, file_name=f"本单位{n:02d}.csv", sha256=f"{n:064d}",
                              received_date=DAY1, outcome="collected"))  # fmt: skip
        db.add(Submission(unit="fgj", file_name="他单位.csv", sha256="f" * 64, received_date=DAY1,
                          outcome="collected"))  # fmt: skip
    with serve(settings) as url:
        a = logged_in(url, "clerk_a")
        first, second = a.get("/unit/history").text, a.get("/unit/history?page=2").text
        assert "共 25 份" in first and "第 1 / 2 页" in first and 'href="/unit/history?page=2"' in first
        assert len(rows_of(first)) == 20 and len(rows_of(second)) == 5
        shown = {re.search(r"本单位\d\d", r).group(0) for r in rows_of(first) + rows_of(second)}
        assert len(shown) == 25
        assert "他单位" not in first + second
        assert "第 2 / 2 页" in a.get("/unit/history?page=99").text  # beyond the last: the last
        assert a.get("/unit/history?page=x").status_code == 400
        assert "已收取，待校验" in first
