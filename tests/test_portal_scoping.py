"""A clerk sees and changes only their own unit's data, page by page, with two clerks of two units and an
operator; URL tampering, another unit's submission id and forged form fields are refused (issue #17)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from credit.store import AuditEvent, Submission, session_scope
from tests.portal_harness import add_account, csrf_of, logged_in, portal_settings, serve

DAY = dt.date(2026, 11, 26)


@pytest.fixture
def portal(tmp_path):
    settings = portal_settings(tmp_path / "home")
    add_account(settings, "clerk_a", "clerk", "scjgj")
    add_account(settings, "clerk_b", "clerk", "gaj")
    add_account(settings, "office", "operator")
    ids = {}
    with session_scope(settings.database_url) as db:
        for unit, name in (("scjgj", "市监局处罚_11月.xlsx"), ("gaj", "公安局许可_机密.xlsx")):
            row = Submission(
                unit=unit,
                file_name=name,
                sha256=unit * 4,
                received_date=DAY,
                outcome="collected",
                rows=7,
                datasets="xzcf",
            )
            db.add(row)
            db.flush()
            ids[unit] = row.id
    with serve(settings) as url:
        yield settings, url, ids


def test_each_clerk_sees_only_their_units_submissions(portal):
    _, url, ids = portal
    a, b = logged_in(url, "clerk_a"), logged_in(url, "clerk_b")
    home_a, home_b = a.get("/unit").text, b.get("/unit").text
    assert "市监局处罚_11月.xlsx" in home_a and "公安局许可_机密.xlsx" not in home_a and "行政处罚" in home_a
    assert "公安局许可_机密.xlsx" in home_b and "市监局处罚_11月.xlsx" not in home_b
    assert a.get(f"/unit/submissions/{ids['scjgj']}").status_code == 200
    # Another unit's id answers exactly as an id that does not exist.
    for path in (f"/unit/submissions/{ids['gaj']}", "/unit/submissions/99999"):
        answer = a.get(path)
        assert answer.status_code == 404 and "公安局许可" not in answer.text
    # The office's pages, which name every unit's files, are closed to clerks.
    for path in (
        "/office",
        f"/office?day={DAY}",
        f"/office/units/gaj?day={DAY}",
        f"/office/submissions/{ids['gaj']}",
    ):
        answer = a.get(path)
        assert answer.status_code == 403 and "公安局许可" not in answer.text
    # A unit code smuggled into the query string changes nothing.
    assert "公安局许可" not in a.get("/unit?unit=gaj").text


def test_an_upload_with_a_forged_unit_field_lands_in_the_clerks_own_inbox(portal):
    settings, url, _ = portal
    a = logged_in(url, "clerk_a")
    token = csrf_of(a.get("/unit"))
    answer = a.post(
        "/unit/upload",
        data={"csrf": token, "unit": "gaj"},
        files={"files": ("处罚.csv", "行政相对人名称\n某公司\n".encode(), "text/csv")},
    )
    assert answer.status_code == 200
    own = [p.name for p in (settings.inbox / "scjgj").iterdir()]
    assert len(own) == 1 and own[0].endswith("_clerk_a_处罚.csv")
    assert not (settings.inbox / "gaj").exists() or not any((settings.inbox / "gaj").iterdir())
    with session_scope(settings.database_url) as db:
        upload = db.exec(select(AuditEvent).where(AuditEvent.action == "upload")).one()
    assert (upload.actor, upload.unit, upload.target, upload.outcome) == ("clerk_a", "scjgj", own[0], "ok")
    # The other clerk's page does not show it.
    page_b = logged_in(url, "clerk_b").get("/unit").text
    assert own[0] not in page_b and "处罚.csv" not in page_b


def test_the_operator_sees_every_unit_and_clerks_pages_are_not_theirs(portal):
    _, url, ids = portal
    office = logged_in(url, "office")
    day = office.get(f"/office?day={DAY}")
    assert day.status_code == 200 and "雷州市公安局" in day.text and "雷州市市场监督管理局" in day.text
    assert "公安局许可_机密.xlsx" in office.get(f"/office/units/gaj?day={DAY}").text
    assert office.get(f"/office/submissions/{ids['scjgj']}").status_code == 200
    assert office.get("/unit").status_code == 403
    assert office.get("/office?day=not-a-date").status_code == 400
    assert office.get("/office/units/..%2F..%2Fetc?day=2026-11-26").status_code == 404
