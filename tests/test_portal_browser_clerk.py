"""The clerk's whole journey in a real browser (Debian's chromium through Playwright, issue #17): log in,
upload a workbook with errors, see the marked cells, download the check's workbook, fix it as Excel would
and upload it again (valid), run the day's pipeline against the 信用湛江 sandbox on loopback, then see on the
history page that the records were accepted and download the day's 问题数据 workbook. Screenshots in the
test's folder; two of them are the README's (docs/images/portal-clerk-marked-cells.png and
docs/images/portal-clerk-history.png)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox
from credit.settings import Settings
from credit.store import Record, session_scope
from tests.portal_harness import PASSWORD, add_account, serve
from tests.rows import write_xlsx, xzcf_row
from tests.test_portal_clerk_history import UNIT, daily_run

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()), None)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None and not shutil.which("chromium"), reason="chromium is not installed"),
]
DAY = dt.date(2026, 11, 26)
IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"


def fix(path: Path) -> None:
    """Correct the marked cells of the check's workbook, as a clerk does in Excel."""
    book = load_workbook(path)
    sheet = book["行政处罚"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=True))
        if cells["罚款金额（万元）"].value == "五千元":
            cells["罚款金额（万元）"].value = "0.5"
        if cells["处罚决定日期"].value == "2026-13-01":
            cells["处罚决定日期"].value = "2026-11-25"
    book.save(path)


def test_the_clerks_journey_from_a_faulty_file_to_accepted_records(tmp_path):
    sandbox = start_sandbox()
    settings = Settings(
        home=tmp_path / "home",
        portal_secret=secrets.token_urlsafe(48),
        platform_url=sandbox.url,
        platform_app_key=DEMO_APP_KEY,
        platform_app_secret=DEMO_APP_SECRET,
    )
    settings.ensure_dirs()
    add_account(settings, "clerk_a", "clerk", UNIT)
    faulty = write_xlsx(
        tmp_path / "十一月行政处罚.xlsx",
        [xzcf_row(n=1), xzcf_row(n=2, fine_wan="五千元"), xzcf_row(n=3, decision_date="2026-13-01")],
    )
    shots = tmp_path / "screenshots"
    shots.mkdir()
    try:
        with serve(settings) as url, playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--lang=zh-CN"])
            page = browser.new_page(
                viewport={"width": 1400, "height": 900}, locale="zh-CN", accept_downloads=True
            )
            blocked: list[str] = []
            page.on(
                "console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None
            )
            page.goto(f"{url}/login")
            page.fill("input[name=login]", "clerk_a")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{url}/unit")

            # 1. The faulty file: its problem cells marked.
            page.set_input_files("input[type=file]", str(faulty))
            page.click("form.upload button[type=submit]")
            page.wait_for_selector("section.result")
            page.screenshot(path=shots / "1-marked-cells.png", full_page=True)
            marked = page.locator("td.cell-error .value")
            assert sorted(marked.all_inner_texts()) == ["2026-13-01", "五千元"]
            assert "不合格" in page.locator("p.summary").inner_text()

            # 2. The check's workbook, fixed offline, uploaded again: valid.
            with page.expect_download() as info:
                page.click("text=下载检查结果")
            checked = tmp_path / info.value.suggested_filename
            info.value.save_as(checked)
            fix(checked)
            page.set_input_files("input[type=file]", str(checked))
            page.click("form.upload button[type=submit]")
            page.wait_for_selector("section.result")
            page.screenshot(path=shots / "2-fixed-upload.png", full_page=True)
            summary = page.locator("p.summary").inner_text()
            assert "不合格 0 条" in summary and "全部记录可以报送" in summary
            assert page.locator("td.cell-error").count() == 0

            # 3. The day's pipeline, then the history: accepted by 信用湛江.
            page.click("nav.clerk >> text=报送记录")
            assert page.locator("td", has_text="已上传待收取").count() == 2
            daily_run(settings, DAY)
            page.reload()
            page.screenshot(path=shots / "3-history-accepted.png", full_page=True)
            rows = page.locator("table.history tbody tr")
            assert rows.count() == 2
            texts = rows.all_inner_texts()
            assert all("信用湛江已接收" in t for t in texts)
            fixed_row = next(t for t in texts if "十一月行政处罚_检查结果" in t)
            assert "合格 2 条，不合格 0 条" in fixed_row and "更正：其中 2 条" in fixed_row
            first_row = next(t for t in texts if "检查结果" not in t)
            assert "合格 1 条，不合格 2 条" in first_row and "信用湛江已接收：1 条" in first_row
            assert "其中 2 条不合格记录已由本单位之后的报送更正" in first_row

            # 4. The day's 问题数据 workbook (the first file's two faulty rows), downloaded from the history.
            with page.expect_download() as info:
                page.click(f"a[href='/unit/feedback/{DAY}'] >> nth=0")
            feedback = tmp_path / "问题数据.xlsx"
            info.value.save_as(feedback)
            rows_back = list(load_workbook(feedback)["行政处罚"].iter_rows(min_row=2, values_only=True))
            assert len(rows_back) == 2
            page.click("nav.clerk >> text=本单位统计")
            page.goto(f"{url}/unit/numbers?month=2026-11")
            page.screenshot(path=shots / "4-numbers.png", full_page=True)
            assert page.locator("table.numbers").first.locator("tbody tr").count() == 1
            assert (
                page.locator("table.numbers")
                .nth(1)
                .locator("tbody tr")
                .all_inner_texts()[0]
                .startswith("行政处罚")
            )
            page.click("nav.clerk >> text=重点工作任务")
            page.screenshot(path=shots / "5-duties.png", full_page=True)
            assert page.locator("h2", has_text="到期的任务").count() == 2
            assert blocked == []
            browser.close()
        held = {}
        with session_scope(settings.database_url) as db:
            for key in db.exec(select(Record.record_key).where(Record.unit == UNIT)).all():
                held[key] = sandbox.store.held(key)
    finally:
        sandbox.stop()
    # The platform holds the three records, each in its corrected version.
    assert len(held) == 3 and all(held.values())
    if os.environ.get("PORTAL_SCREENSHOTS_TO_DOCS") == "1":  # refresh the README's images
        IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shots / "1-marked-cells.png", IMAGES / "portal-clerk-marked-cells.png")
        shutil.copyfile(shots / "3-history-accepted.png", IMAGES / "portal-clerk-history.png")
    print(f"screenshots: {shots}")
