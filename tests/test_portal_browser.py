"""A clerk's journey in a real browser (Debian's chromium through Playwright): log in, upload a workbook with
errors by the file field, see the problem cells marked; screenshots saved in the test's folder (issue #17)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.portal_harness import PASSWORD, add_account, portal_settings, serve
from tests.rows import ric, write_xlsx, xzcf_row

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()), None)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None and not shutil.which("chromium"), reason="chromium is not installed"),
]


def test_a_clerk_logs_in_uploads_a_workbook_with_errors_and_sees_the_marked_cells(tmp_path):
    settings = portal_settings(tmp_path / "home")
    add_account(settings, "clerk_a", "clerk", "scjgj")
    person = ric("44088219850312002")
    workbook = write_xlsx(
        tmp_path / "十一月行政处罚.xlsx",
        [
            xzcf_row(n=1),
            xzcf_row(n=2, uscc=person, fine_wan="五千元"),
            xzcf_row(n=3, decision_date="2026-13-01"),
        ],
    )
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with serve(settings) as url, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--lang=zh-CN"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"{url}/login")
        page.screenshot(path=shots / "1-login.png")
        page.fill("input[name=login]", "clerk_a")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/unit")
        assert page.locator("h1").inner_text() == "雷州市市场监督管理局"
        page.set_input_files("input[type=file]", str(workbook))
        page.click("form.upload button[type=submit]")
        page.wait_for_selector("section.result")
        page.screenshot(path=shots / "2-verdicts.png", full_page=True)
        marked = page.locator("td.cell-error")
        assert marked.count() == 3
        texts = [marked.nth(i).locator(".value").inner_text() for i in range(marked.count())]
        assert "五千元" in texts and "2026-13-01" in texts and person not in page.content()
        # The marked cell is really drawn differently (the style sheet loaded, nothing blocked).
        plain = page.locator("table.verdicts td").first.evaluate("e => getComputedStyle(e).backgroundColor")
        red = marked.first.evaluate("e => getComputedStyle(e).backgroundColor")
        assert red != plain and red != "rgba(0, 0, 0, 0)"
        assert blocked == []
        browser.close()
    assert len(list((settings.inbox / "scjgj").iterdir())) == 1
    assert (shots / "2-verdicts.png").stat().st_size > 10_000
    print(f"screenshots: {shots}")
