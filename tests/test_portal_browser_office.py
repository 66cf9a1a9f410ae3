"""The office's journey in a real browser (Debian's chromium through Playwright) on a real Prefect server
(tests.harness.server_stack: server, deployments, a process worker): two generated days collected by the
`daily-pipeline/daily` deployment, November's bulletin built by `monthly-bulletin/monthly`; an operator
logs in, opens the month's dashboard, downloads the bulletin, starts a rerun of a day for two units and sees
it finish (issue #17). Screenshots in the test's folder; two copied to docs/images/."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlmodel import select

from credit.reports.bulletin import file_stem
from credit.store import AuditEvent, session_scope
from credit.units import collected_units
from tests.harness import PROJECT, server_stack
from tests.portal_harness import PASSWORD, add_account, portal_settings, serve

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = next((p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()), None)
pytestmark = [
    pytest.mark.server,
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None and not shutil.which("chromium"), reason="chromium is not installed"),
]

UNITS = ["scjgj", "zjj", "gaj", "leicheng"]
DAYS = [dt.date(2026, 10, 29), dt.date(2026, 11, 26)]
MONTH = "2026-11"
RERUN = ["scjgj", "gaj"]
IMAGES = PROJECT / "docs" / "images"


def test_an_operator_opens_the_month_downloads_the_bulletin_and_sees_a_rerun_finish(tmp_path):
    from prefect.deployments import run_deployment

    from deployments.runs import PrefectLauncher
    from samples.generator import generate_day

    shots = tmp_path / "screenshots"
    shots.mkdir()
    (tmp_path / "stack").mkdir()
    with server_stack(tmp_path / "stack") as stack:
        home = stack["home"]
        for day in DAYS:
            generate_day(home, day, units=UNITS, seed=day.toordinal(), defect_rate=0.2, late_rate=0.1)
            if day == DAYS[-1]:
                (home / "inbox" / "zjj" / "许可_坏文件.xlsx").write_bytes(b"not a workbook")
            run = run_deployment(
                "daily-pipeline/daily",
                parameters={"report_date": day.isoformat(), "units": UNITS, "push": True},
                timeout=300,
            )
            assert run.state.is_completed(), stack["worker"].tail()
        run = run_deployment("monthly-bulletin/monthly", parameters={"month": MONTH}, timeout=300)
        assert run.state.is_completed(), stack["worker"].tail()
        settings = portal_settings(home)
        docx = settings.out / "bulletins" / MONTH / f"{file_stem(MONTH)}.docx"
        add_account(settings, "fgj_wang", "operator")
        launcher = PrefectLauncher(api_url=stack["api"])
        with serve(settings, launcher) as url, playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--lang=zh-CN"])
            context = browser.new_context(
                viewport={"width": 1400, "height": 1000}, locale="zh-CN", accept_downloads=True
            )
            page = context.new_page()
            blocked: list[str] = []
            page.on(
                "console",
                lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
            )
            page.goto(f"{url}/login")
            page.fill("input[name=login]", "fgj_wang")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{url}/office")

            # The day's page links to its month's dashboard.
            page.goto(f"{url}/office?day={DAYS[-1]}")
            page.click(f"a[href='/office/month/{MONTH}']")
            page.wait_for_url(f"{url}/office/month/{MONTH}")
            assert "2026年11月" in page.locator("h1").inner_text()
            chart = page.locator("figure.chart svg.trend")
            assert chart.count() == 1 and chart.bounding_box()["width"] > 600
            assert page.locator("svg.trend polyline").count() >= 2  # October and November joined
            assert page.locator("table.month tbody tr").count() >= len(UNITS)
            page.screenshot(path=shots / "1-month.png", full_page=True)

            # The bulletins: the docx downloaded under its Chinese name, the same bytes as built.
            page.click("nav.office a[href='/office/bulletins']")
            page.wait_for_url(f"{url}/office/bulletins")
            page.screenshot(path=shots / "2-bulletins.png", full_page=True)
            with page.expect_download() as info:
                page.click(f"a[href='/office/bulletins/{MONTH}.docx']")
            download = info.value
            assert download.suggested_filename == f"{file_stem(MONTH)}.docx"
            saved = tmp_path / download.suggested_filename
            download.save_as(saved)
            assert saved.read_bytes() == docx.read_bytes()

            # A rerun of the November day for two units, followed until it is finished.
            page.click("nav.office a[href='/office/reruns']")
            page.wait_for_url(f"{url}/office/reruns")
            page.fill("input[name=report_date]", DAYS[-1].isoformat())
            for code in RERUN:
                page.check(f"input[name=units][value={code}]")
            page.screenshot(path=shots / "3-rerun-form.png", full_page=True)
            page.click("form.rerun button[type=submit]")
            page.wait_for_url(f"{url}/office/reruns/*")
            run_id = page.url.rsplit("/", 1)[1]
            page.screenshot(path=shots / "4-rerun-started.png", full_page=True)
            # The page refreshes itself (meta refresh, no script) until the run is final.
            playwright.expect(page.locator("dd.state-completed")).to_be_visible(timeout=300_000)
            assert page.locator("meta[http-equiv=refresh]").count() == 0
            link = page.locator("a[href*='/runs/flow-run/']")
            assert link.get_attribute("href") == f"{stack['api'].removesuffix('/api')}/runs/flow-run/{run_id}"
            page.screenshot(path=shots / "5-rerun-finished.png", full_page=True)
            page.click("a[href^='/office/quarantine?day=']")
            assert "许可_坏文件.xlsx" in page.locator("table").inner_text()
            page.screenshot(path=shots / "6-quarantine.png", full_page=True)
            page.click("nav.office a[href='/office/reruns']")
            assert page.locator(f"a[href='/office/reruns/{run_id}']").count() == 1
            page.screenshot(path=shots / "7-reruns.png", full_page=True)
            assert blocked == []

            # The Data Docs the daily runs built, behind the login, sandboxed.
            page.click("nav.office a[href='/office/datadocs/']")
            page.wait_for_url(f"{url}/office/datadocs/")
            assert "xzcf" in page.content() or "xzxk" in page.content()
            page.screenshot(path=shots / "8-datadocs.png", full_page=False)
            browser.close()

        finished = launcher.read(run_id)
        assert finished.state_type == "COMPLETED" and finished.name == f"daily {DAYS[-1].isoformat()}"
        in_registry_order = [u.code for u in collected_units() if u.code in RERUN]
        assert finished.parameters["units"] == in_registry_order
        with session_scope(settings.database_url) as db:
            events = db.exec(select(AuditEvent).where(AuditEvent.action.in_(["rerun", "download"]))).all()
        rerun = next(e for e in events if e.action == "rerun")
        assert (rerun.actor, rerun.target, rerun.outcome, rerun.client) == (
            "fgj_wang",
            run_id,
            "ok",
            "127.0.0.1",
        )
        assert rerun.detail == {"report_date": DAYS[-1].isoformat(), "units": in_registry_order, "push": True}
        assert any(e.target == f"bulletin:{MONTH}.docx" for e in events)

    for name in ("1-month.png", "5-rerun-finished.png"):
        assert (shots / name).stat().st_size > 10_000
    IMAGES.mkdir(parents=True, exist_ok=True)
    shutil.copy(shots / "1-month.png", IMAGES / "portal-office-month.png")
    shutil.copy(shots / "5-rerun-finished.png", IMAGES / "portal-office-rerun.png")
    print(f"screenshots: {shots}")
