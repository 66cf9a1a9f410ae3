"""A clerk's upload over real HTTP: stored whole into the unit's inbox under a name the portal makes,
checked at once by `credit check`'s code, the problem cells marked with their Chinese verdicts and ID
numbers masked; limits on count, size and type, the type sniffed from the bytes (issue #17)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from credit.check import run_check
from credit.standard import dataset
from credit.store import AuditEvent, session_scope
from tests.portal_harness import add_account, csrf_of, logged_in, portal_settings, serve
from tests.rows import ric, write_xlsx, xzcf_row

PERSON_ID = ric("44088219850312002")


@pytest.fixture
def portal(tmp_path):
    settings = portal_settings(tmp_path / "home", portal_max_upload_bytes=64 * 1024, portal_max_files=3)
    add_account(settings, "clerk_a", "clerk", "scjgj")
    with serve(settings) as url:
        yield settings, url, logged_in(url, "clerk_a")


def upload(client, *files, **fields):
    token = csrf_of(client.get("/unit"))
    return client.post("/unit/upload", data={"csrf": token, **fields}, files=[("files", f) for f in files])


def cells(page: str, kind: str) -> list[str]:
    """The texts of the cells marked `kind` (cell-error | cell-warning)."""
    return re.findall(rf'<td class="{kind}">\s*<span class="value">([^<]*)</span>', page)


def test_an_xlsx_with_errors_is_stored_checked_and_its_problem_cells_marked(portal, tmp_path):
    settings, _, clerk = portal
    rows = [
        xzcf_row(n=1),
        xzcf_row(n=2, uscc=PERSON_ID, fine_wan="五千元"),  # an ID number where the credit code belongs
        xzcf_row(n=3),
    ]
    path = write_xlsx(tmp_path / "十一月处罚.xlsx", rows)
    answer = upload(clerk, ("十一月处罚.xlsx", path.read_bytes()))
    assert answer.status_code == 200, answer.text
    page = answer.text
    assert '共 3 条记录，合格 <strong>2</strong> 条，不合格 <strong class="bad-text">1</strong> 条' in page
    marked = cells(page, "cell-error")
    assert len(marked) == 2 and "五千元" in marked
    masked = next(c for c in marked if c != "五千元")
    assert "*" in masked and masked[:6] == PERSON_ID[:6] and PERSON_ID not in masked
    assert PERSON_ID not in page  # masked on the page
    assert "统一社会信用代码" in page and "不是规范的金额" in page  # the verdicts in Chinese
    assert re.search(r'<th scope="row" class="num">3</th>', page)  # the spreadsheet's row number
    # Stored whole, under the portal's name, with the same verdicts `credit check` gives.
    stored = list((settings.inbox / "scjgj").iterdir())
    assert len(stored) == 1 and stored[0].name.endswith("_clerk_a_十一月处罚.xlsx")
    assert stored[0].read_bytes() == path.read_bytes()
    document, code = run_check(stored[0], "scjgj", None)
    assert code == 1 and document["invalid"] == 1
    assert not list((settings.home / "portal" / "staging").iterdir())  # nothing left behind
    with session_scope(settings.database_url) as db:
        event = db.exec(select(AuditEvent).where(AuditEvent.action == "upload")).one()
    assert event.detail["original"] == "十一月处罚.xlsx" and event.detail["invalid"] == 1
    assert event.client == "127.0.0.1" and event.target == stored[0].name


def test_several_files_at_once_and_a_hostile_name_never_becomes_a_path(portal, tmp_path):
    settings, _, clerk = portal
    good = write_xlsx(tmp_path / "ok.xlsx", [xzcf_row(n=1)]).read_bytes()
    answer = upload(
        clerk,
        ("../../../etc/passwd.xlsx", good),
        ("..\\..\\a.xlsx", good),
        (f"/abs/{PERSON_ID} a b.csv", b"a,b\n1,2\n"),
    )
    assert answer.status_code == 200
    stored = sorted(p.name for p in (settings.inbox / "scjgj").iterdir())
    assert len(stored) == 3 and all("/" not in n and ".." not in n and PERSON_ID not in n for n in stored)
    assert sorted(n.rsplit(".", 1)[1] for n in stored) == ["csv", "xlsx", "xlsx"]
    assert sorted(p.name for p in settings.inbox.iterdir()) == ["scjgj"]  # nothing outside the unit's folder
    assert not (settings.home / "etc").exists()
    assert answer.text.count("文件已收到") == 3 and PERSON_ID not in answer.text


def test_too_many_files_too_large_a_file_and_a_file_that_is_not_a_spreadsheet_are_refused(portal):
    settings, _, clerk = portal
    inbox = settings.inbox / "scjgj"
    csv = b"a,b\n1,2\n"
    too_many = upload(clerk, *[(f"{n}.csv", csv) for n in range(4)])
    assert too_many.status_code == 400 and "一次最多上传 3 个文件" in too_many.text
    big = upload(clerk, ("big.csv", b"a,b\n" + b"1,2\n" * 20_000))  # 80 kB > 64 kB
    assert big.status_code == 400 and "超过大小上限" in big.text
    png = upload(clerk, ("处罚.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100))
    assert png.status_code == 400 and "只接受 Excel" in png.text
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("word/document.xml", "<w/>")
        z.writestr("[Content_Types].xml", "<Types/>")
    docx = upload(clerk, ("处罚.xlsx", zipped.getvalue()))
    assert docx.status_code == 400 and "只接受 Excel" in docx.text
    huge = clerk.post(
        "/unit/upload",
        content=b"x" * (3 * 64 * 1024 + 300 * 1024),
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert huge.status_code == 413
    token = csrf_of(clerk.get("/unit"))
    boundary = b"--x\r\n"
    head = (
        boundary
        + b'Content-Disposition: form-data; name="csrf"\r\n\r\n'
        + token.encode()
        + b"\r\n"
        + boundary
    )
    head += (
        b'Content-Disposition: form-data; name="files"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n'
    )
    streamed = clerk.post(  # no Content-Length: cut off while it streams
        "/unit/upload",
        content=iter([head] + [b"1,2\n" * 16384] * 60),
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert streamed.status_code == 413
    assert not inbox.exists() or not any(inbox.iterdir())
    with session_scope(settings.database_url) as db:
        refused = db.exec(select(AuditEvent).where(AuditEvent.outcome == "refused")).all()
    assert len(refused) == 4  # each refusal audited (the 413 never reached the portal's code)


def test_an_unreadable_workbook_is_received_and_its_reason_shown(portal):
    settings, _, clerk = portal
    book = Workbook()
    book.active.append(["这不是", "标准表头"])
    book.active.append(["1", "2"])
    data = io.BytesIO()
    book.save(data)
    answer = upload(clerk, ("随便.xlsx", data.getvalue()))
    assert answer.status_code == 200 and "文件无法读取" in answer.text
    assert (
        len(list((settings.inbox / "scjgj").iterdir())) == 1
    )  # the daily run quarantines it with its reason


def test_a_blank_template_downloaded_and_filled_in_passes_the_check(portal, tmp_path):
    settings, _, clerk = portal
    home = clerk.get("/unit").text
    assert 'href="/unit/templates/xzcf.xlsx"' in home and 'href="/unit/templates/djzc.xlsx"' not in home
    answer = clerk.get("/unit/templates/xzcf.xlsx")
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers == [f.header for f in dataset("xzcf").fields]
    assert "必填" in [c.value for c in book["填写说明"]["B"]]
    row = xzcf_row(n=7)
    sheet.append([row.get(h) for h in headers])
    filled = io.BytesIO()
    book.save(filled)
    checked = upload(clerk, ("行政处罚_模板.xlsx", filled.getvalue()))
    assert checked.status_code == 200
    assert "共 1 条记录，合格 <strong>1</strong> 条" in checked.text and "全部记录可以报送" in checked.text
    # A dataset the unit does not deliver as files, or no dataset at all, is not there.
    assert clerk.get("/unit/templates/djzc.xlsx").status_code == 404
    assert clerk.get("/unit/templates/..%2Fxzcf.xlsx").status_code == 404
    with session_scope(settings.database_url) as db:
        downloads = db.exec(select(AuditEvent).where(AuditEvent.action == "download")).all()
    assert [(d.actor, d.unit, d.target) for d in downloads] == [("clerk_a", "scjgj", "template:xzcf")]
