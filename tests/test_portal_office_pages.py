"""The office's pages on real data (issue #17): two generated days of November and one of October through
the daily steps (collect, GX validation with its Data Docs, 日统计), November's bulletin built, a file that
cannot be read quarantined; the month dashboard, the bulletins and their audited downloads, the quarantine,
each for an operator and refused (403) to a clerk."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import unquote

import pytest
from sqlmodel import select

from credit.collect import collect_unit
from credit.reports.bulletin import title_of
from credit.steps.collect import load_references
from credit.steps.count import daily_statistics
from credit.steps.report import monthly_bulletin
from credit.steps.validate import validate_unit
from credit.store import AuditEvent, session_scope
from samples.generator import generate_day
from tests.portal_harness import add_account, logged_in, portal_settings, serve

UNITS = ["scjgj", "zjj", "gaj"]
DAYS = [dt.date(2026, 10, 28), dt.date(2026, 11, 24), dt.date(2026, 11, 25)]
MONTH = "2026-11"
ID_NUMBER = "440882198503120027"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    home = tmp_path_factory.mktemp("office")
    settings = portal_settings(home)
    for day in DAYS:
        generate_day(home, day, units=UNITS, seed=day.toordinal(), defect_rate=0.2, late_rate=0.1)
        if day == DAYS[-1]:
            (settings.inbox / "zjj" / f"许可_{ID_NUMBER}.xlsx").write_bytes(b"not a workbook")
        load_references(settings)
        for unit in UNITS:
            collect_unit(settings, unit, day)
            validate_unit(settings, unit, day)
        daily_statistics(settings, day)
    paths = monthly_bulletin(settings, MONTH)
    add_account(settings, "office", "operator")
    add_account(settings, "clerk_a", "clerk", "scjgj")
    with serve(settings) as url:
        yield settings, url, paths


def test_the_month_dashboard_shows_the_bulletins_numbers(office):
    _, url, paths = office
    operator = logged_in(url, "office")
    page = operator.get(f"/office/month/{MONTH}")
    assert page.status_code == 200, page.text
    numbers = json.loads(paths.json.read_text(encoding="utf-8"))
    total = numbers["total"]
    html = page.text
    assert "2026年11月" in html and "全市合计" in html and "三清零" in html
    # The city's totals row is the bulletin's: same received, invalid and late.
    foot = html.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0]
    cells = [c.split("<", 1)[0] for c in foot.split('<td class="num">')[1:]]
    assert cells[:3] == [str(total["received"]), str(total["invalid"]), str(total["late"])]
    assert total["received"] > 0 and total["invalid"] > 0
    # Every unit of the month is in the ranking, with its short name.
    for unit in numbers["units"]:
        if unit["received"]:
            assert unit["name"] in html
    # The trend: an SVG drawn on the server, October and November, escaped text, no script.
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "2026年10月" in svg and "2026年11月" in svg and "<polyline" in svg
    assert "<script" not in html.lower() and "style=" not in html
    assert ID_NUMBER not in html
    # The day page links to its month; /office/month goes to the current month; a bad month is refused.
    assert f'href="/office/month/{MONTH}"' in operator.get(f"/office?day={DAYS[-1]}").text
    assert operator.get("/office/month").headers["location"].startswith("/office/month/20")
    empty = operator.get("/office/month/2025-01")
    assert empty.status_code == 200 and "暂无统计数据" in empty.text and "<polyline" not in empty.text
    for bad in ("2026-13", "2026-1", "x", "2026-11-01"):
        assert operator.get(f"/office/month/{bad}").status_code in (400, 404), bad


def test_bulletins_are_listed_and_downloaded_with_their_chinese_name_and_audited(office):
    settings, url, paths = office
    operator = logged_in(url, "office")
    listing = operator.get("/office/bulletins")
    assert listing.status_code == 200 and title_of(MONTH) in listing.text
    assert f'href="/office/bulletins/{MONTH}.docx"' in listing.text
    for kind, source in (("docx", paths.docx), ("pdf", paths.pdf)):
        answer = operator.get(f"/office/bulletins/{MONTH}.{kind}")
        assert answer.status_code == 200
        assert answer.content == source.read_bytes()
        disposition = answer.headers["content-disposition"]
        assert disposition.startswith("attachment;") and f'filename="bulletin-{MONTH}.{kind}"' in disposition
        assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == source.name
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.content.startswith(b"%PDF")
    with session_scope(settings.database_url) as db:
        events = db.exec(select(AuditEvent).where(AuditEvent.action == "download")).all()
    targets = [(e.actor, e.target, e.client) for e in events]
    assert ("office", f"bulletin:{MONTH}.docx", "127.0.0.1") in targets
    assert ("office", f"bulletin:{MONTH}.pdf", "127.0.0.1") in targets
    # A month never built, a month that is no month, a kind that is not served.
    for path in ("2026-10.docx", "2026-13.pdf", "..%2F2026-11.docx", f"{MONTH}.json", f"{MONTH}.xlsx"):
        assert operator.get(f"/office/bulletins/{path}").status_code == 404, path


def test_the_quarantine_lists_the_unreadable_file_with_its_reason_masked(office):
    _, url, _ = office
    page = logged_in(url, "office").get(f"/office/quarantine?day={DAYS[-1]}")
    assert page.status_code == 200
    assert "雷州市住房和城乡建设局" in page.text or "住建" in page.text
    assert "许可_" in page.text and ID_NUMBER not in page.text
    row = page.text.split("许可_", 1)[1].split("</tr>", 1)[0]
    assert 'class="bad-text"' in row and "Reason" not in row and " / " not in row
    # The file itself is not served anywhere.
    assert "/quarantine/" not in page.text.replace("/office/quarantine?", "")
    assert "没有被隔离" in logged_in(url, "office").get(f"/office/quarantine?day={DAYS[0]}").text


def test_a_clerk_gets_403_on_every_office_page(office):
    _, url, _ = office
    clerk = logged_in(url, "clerk_a")
    for path in (
        f"/office/month/{MONTH}",
        "/office/month",
        "/office/bulletins",
        f"/office/bulletins/{MONTH}.docx",
        f"/office/bulletins/{MONTH}.pdf",
        "/office/datadocs/",
        "/office/datadocs/index.html",
        f"/office/quarantine?day={DAYS[-1]}",
        "/office/reruns",
        "/office/reruns/2b0c3b4e-8a43-4a4e-9c36-1b7f5d6c1a11",
    ):
        answer = clerk.get(path)
        assert answer.status_code == 403, path
        assert "许可_" not in answer.text and "通报" not in answer.text.split("<main>", 1)[1]
    assert clerk.post("/office/reruns", data={"report_date": "2026-11-25"}).status_code == 403
    with session_scope(office[0].database_url) as db:
        assert not db.exec(
            select(AuditEvent).where(AuditEvent.actor == "clerk_a", AuditEvent.action == "download")
        ).all()
