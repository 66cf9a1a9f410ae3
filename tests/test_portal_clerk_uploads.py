"""A clerk's uploads beyond the instant check: the check's result as a workbook to fix offline (own values,
marked cells, another unit's clerk refused), evidence attachments sniffed by the inbox's guarded reader and
stored into the inbox without `credit check`, and the duties page listing what the daily run collected."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from credit.check import run_check
from credit.reports.feedback import RED
from credit.steps.collect import collect
from credit.steps.validate import validate_units
from credit.store import AuditEvent, EvidenceFile, session_scope
from samples.evidence_files import pdf, png, unsafe_pdf
from tests import evidence_files as ef
from tests.portal_harness import add_account, csrf_of, logged_in, portal_settings, serve
from tests.rows import ric, write_xlsx, xzcf_row

PERSON_ID = ric("44088219850312002")
CHECK_LINK = re.compile(r'href="(/unit/checks/[0-9a-f]{32}\.xlsx)">下载检查结果<')


@pytest.fixture
def portal(tmp_path):
    settings = portal_settings(tmp_path / "home")
    add_account(settings, "clerk_a", "clerk", "scjgj")
    add_account(settings, "clerk_b", "clerk", "fgj")
    with serve(settings) as url:
        yield settings, logged_in(url, "clerk_a"), logged_in(url, "clerk_b")


def upload(client, *files):
    token = csrf_of(client.get("/unit"))
    return client.post("/unit/upload", data={"csrf": token}, files=[("files", f) for f in files])


def test_the_checks_workbook_holds_the_faulty_rows_as_sent_with_marked_cells(portal, tmp_path):
    settings, a, b = portal
    path = write_xlsx(
        tmp_path / "处罚.xlsx",
        [xzcf_row(n=1), xzcf_row(n=2, uscc=PERSON_ID, fine_wan="五千元"), xzcf_row(n=3)],
    )
    answer = upload(a, ("十一月处罚.xlsx", path.read_bytes()))
    assert answer.status_code == 200 and PERSON_ID not in answer.text
    [link] = CHECK_LINK.findall(answer.text)
    got = a.get(link)
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    assert "%E6%A3%80%E6%9F%A5%E7%BB%93%E6%9E%9C.xlsx" in got.headers["content-disposition"]  # 检查结果
    book = load_workbook(io.BytesIO(got.content))
    sheet = book["行政处罚"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["原文件", "工作表", "行号", "问题说明"]
    [row] = list(sheet.iter_rows(min_row=2))
    by_header = dict(zip(header, row, strict=True))
    assert by_header["行号"].value == 3 and by_header["原文件"].value == "十一月处罚.xlsx"
    faulty = [c for c in row if c.fill.fgColor.rgb == RED.fgColor.rgb]
    assert {c.value for c in faulty} == {PERSON_ID, "五千元"}  # the unit's own values, unmasked
    assert "规则说明" in book.sheetnames
    # Fixed in the workbook itself and uploaded again as it is: the check passes.
    by_header[next(h for h in header if "统一社会信用代码" in h and "行政相对人" in h)].value = xzcf_row(n=2)[
        next(h for h in header if "统一社会信用代码" in h and "行政相对人" in h)
    ]
    by_header[next(h for h in header if "罚款金额" in h)].value = "0.5"
    fixed = tmp_path / "改正.xlsx"
    book.save(fixed)
    document, code = run_check(fixed, "scjgj", None)
    assert code == 0 and document["rows"] == 1
    # Another unit's clerk cannot fetch it; a forged token is unknown; the download is audited.
    assert b.get(link).status_code == 404
    assert a.get("/unit/checks/../../credit.db").status_code == 404
    assert a.get("/unit/checks/" + "0" * 32 + ".xlsx").status_code == 404
    with session_scope(settings.database_url) as db:
        events = db.exec(select(AuditEvent).where(AuditEvent.action == "download")).all()
    assert [(e.actor, e.target.split(":")[0]) for e in events] == [("clerk_a", "check")]
    # A clean file gets no workbook link.
    clean = write_xlsx(tmp_path / "ok.xlsx", [xzcf_row(n=5)])
    assert not CHECK_LINK.findall(upload(a, ("ok.xlsx", clean.read_bytes())).text)


def test_attachments_are_sniffed_stored_in_the_inbox_and_listed_once_collected(portal):
    settings, a, _ = portal
    answer = upload(a, ("2026年11月 信用承诺公示.pdf", pdf("公示截图")), ("现场照片.png", png()))
    assert answer.status_code == 200
    assert answer.text.count("附件已收到，将在每日收取时检查") == 2
    assert "证明材料表“附件”列请填写此名称" in answer.text  # the space became “_”
    inbox = settings.inbox / "scjgj"
    assert sorted(p.name for p in inbox.iterdir()) == ["2026年11月_信用承诺公示.pdf", "现场照片.png"]
    assert "上传并检查" in answer.text and "合格" not in answer.text  # no `credit check` of an attachment
    # Refused by its bytes: a program named .pdf, a PDF with JavaScript; nothing reaches the inbox.
    refused = upload(a, ("报告.pdf", b"MZ\x90\x00\x03" + bytes(200)), ("通报.pdf", unsafe_pdf("x")))
    assert refused.status_code == 400
    assert "文件内容与扩展名不符" in refused.text and "JavaScript" in refused.text
    assert len(list(inbox.iterdir())) == 2
    assert not list((settings.home / "portal" / "staging").iterdir())
    with session_scope(settings.database_url) as db:
        events = db.exec(select(AuditEvent).where(AuditEvent.action == "upload")).all()
    assert sorted(e.outcome for e in events) == ["ok", "ok", "refused", "refused"]
    assert all(e.detail["attachment"] for e in events)
    # The daily collection checks and stores them; the duties page lists them (no download link).
    collect(settings, "scjgj", dt.date(2026, 11, 26))
    with session_scope(settings.database_url) as db:
        stored = db.exec(select(EvidenceFile).where(EvidenceFile.unit == "scjgj")).all()
    assert sorted(f.state for f in stored) == ["stored", "stored"]
    page = a.get("/unit/duties")
    assert page.status_code == 200
    assert "2026年11月_信用承诺公示.pdf" in page.text and "PDF文档" in page.text and "PNG图片" in page.text
    assert "/evidence/" not in page.text and 'href="/unit/evidence' not in page.text


def test_the_duties_page_lists_the_units_obligations_of_this_and_last_month(portal, monkeypatch, tmp_path):
    settings, a, b = portal
    # The portal's clock on a fixed day (the server runs in this process): 2026-12-05.
    monkeypatch.setattr("credit.portal.clerk_pages.today", lambda request: dt.date(2026, 12, 5))
    page = a.get("/unit/duties").text
    assert "2026-11 到期的任务（截至 2026-12-05）" in page and "2026-12 到期的任务" in page
    rows = [re.sub(r"<[^>]+>|\s+", " ", r) for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "<td" in r]
    # scjgj owes the monthly cases report (t9) and the monthly links (t32): October's were due on
    # 2026-11-06 and nothing came (逾期未报); November's are due on 2026-12-07 (未到期).
    cases = [" ".join(r.split()) for r in rows if "失信惩戒案例报送" in r]
    assert cases == [
        "9 失信惩戒案例报送 2026-10 2026-11-06 逾期未报",
        "9 失信惩戒案例报送 2026-11 2026-12-07 未到期",
    ]
    # November's zero report uploaded through the portal and collected: settled on time.
    sheet = ef.write_evidence(
        tmp_path / "惩戒案例.xlsx", {"dutycases": [{"案例名称": "零报告", "所属期间": "2026-11"}]}
    )
    assert upload(a, ("十一月惩戒案例.xlsx", sheet.read_bytes())).status_code == 200
    collect(settings, "scjgj", dt.date(2026, 12, 3))
    validate_units(settings, ["scjgj"], dt.date(2026, 12, 3))
    page = a.get("/unit/duties").text
    rows = [re.sub(r"<[^>]+>|\s+", " ", r) for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "<td" in r]
    assert [r for r in (" ".join(r.split()) for r in rows) if "失信惩戒案例报送 2026-11" in r] == [
        "9 失信惩戒案例报送 2026-11 2026-12-07 按时报送"
    ]
    assert "还没有收到证明材料附件" in page
    # fgj is not one of the fifteen departments of t9.
    assert "失信惩戒案例报送" not in b.get("/unit/duties").text
