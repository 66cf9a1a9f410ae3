"""The office's Data Docs behind the login (a path resolved only inside the site: `..` raw and encoded,
absolute, backslash, NUL and symbolic links refused; its own sandboxed CSP on that path only) and the rerun
form (CSRF-checked, every attempt audited: refused, failed to reach Prefect). A rerun that really starts
and finishes on a Prefect server is in tests/test_portal_browser_office.py."""

from __future__ import annotations

import http.client
import os
from urllib.parse import urlsplit

import pytest
from sqlmodel import select

from credit.store import AuditEvent, session_scope
from credit.units import collected_units
from deployments.runs import PrefectLauncher
from tests.harness import free_port
from tests.portal_harness import add_account, browser, csrf_of, logged_in, portal_settings, serve

INDEX = b"<!doctype html><html><head><script>var gx = 1;</script><style>body{}</style></head><body>GX</body></html>"


@pytest.fixture
def site(tmp_path):
    settings = portal_settings(tmp_path / "home")
    add_account(settings, "office", "operator")
    add_account(settings, "clerk_a", "clerk", "scjgj")
    docs = settings.out / "data_docs"
    (docs / "validations" / "xzcf").mkdir(parents=True)
    (docs / "static" / "styles").mkdir(parents=True)
    (docs / "index.html").write_bytes(INDEX)
    (docs / "validations" / "xzcf" / "run.html").write_bytes(b"<html><body>page</body></html>")
    (docs / "validations" / "index.html").write_bytes(b"<html><body>validations</body></html>")
    (docs / "static" / "styles" / "gx.css").write_bytes(b"body { color: black; }")
    (docs / "static" / "page.html").write_bytes(b"<html>not an asset</html>")
    secret = tmp_path / "home" / "secret.txt"
    secret.write_text("SECRET OUTSIDE THE SITE", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.html").write_text("SECRET FOLDER", encoding="utf-8")
    os.symlink(secret, docs / "link.html")
    os.symlink(outside, docs / "validations" / "linked")
    os.symlink(secret, docs / "static" / "styles" / "link.css")
    return settings


def raw_get(url: str, path: str, cookies: dict[str, str]) -> tuple[int, bytes]:
    """A GET with the path sent exactly as written (httpx removes `..` segments before sending)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request("GET", path, headers={"Cookie": cookie})
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


def test_data_docs_are_served_behind_the_login_inside_the_site_only(site):
    with serve(site) as url:
        operator = logged_in(url, "office")
        index = operator.get("/office/datadocs/")
        assert index.status_code == 200 and index.content == INDEX
        assert index.headers["content-type"] == "text/html; charset=utf-8"
        [csp] = index.headers.get_list("content-security-policy")
        assert csp.startswith("sandbox allow-scripts") and "allow-same-origin" not in csp
        assert "connect-src 'none'" in csp and "frame-ancestors 'none'" in csp and "form-action 'none'" in csp
        assert index.headers["x-content-type-options"] == "nosniff"
        assert index.headers["cache-control"] == "no-store"
        assert operator.get("/office/datadocs").headers["location"] == "/office/datadocs/"
        assert (
            operator.get("/office/datadocs/validations/xzcf/run.html").text
            == "<html><body>page</body></html>"
        )
        assert "validations" in operator.get("/office/datadocs/validations/").text
        css = operator.get("/office/datadocs/static/styles/gx.css")
        assert css.status_code == 200 and css.headers["content-type"] == "text/css; charset=utf-8"
        # Everywhere else the portal's own policy, without inline script and without sandbox.
        [home_csp] = operator.get("/office").headers.get_list("content-security-policy")
        assert (
            "sandbox" not in home_csp and "script-src 'self';" in home_csp and "unsafe-inline" not in home_csp
        )

        refused = [
            "/office/datadocs/link.html",  # a symbolic link to a file outside
            "/office/datadocs/validations/linked/x.html",  # through a linked folder
            "/office/datadocs/static/styles/link.css",
            "/office/datadocs/..%2Fsecret.txt",
            "/office/datadocs/%2e%2e/secret.txt",
            "/office/datadocs/%2E%2E%2Fsecret.txt",
            "/office/datadocs/validations/%2e%2e/%2e%2e/secret.txt",
            "/office/datadocs/%252e%252e/secret.txt",
            "/office/datadocs/..%5Csecret.txt",
            "/office/datadocs/%2Fetc%2Fpasswd",
            "/office/datadocs//etc/passwd",
            f"/office/datadocs/{site.home}/secret.txt",
            "/office/datadocs/index.html%00.css",
            "/office/datadocs/nothing.html",
            "/office/datadocs/validations",  # a folder without its slash is no file
        ]
        for path in refused:
            answer = operator.get(path)
            assert answer.status_code == 404, path
            assert b"SECRET" not in answer.content and b"root:" not in answer.content, path
        cookies = dict(operator.cookies)
        for path in (
            "/office/datadocs/../../secret.txt",
            "/office/datadocs/validations/../../secret.txt",
            "/office/datadocs/static/../../secret.txt",
            "/office/datadocs/../../../etc/passwd",
            "/office/datadocs/./index.html",
        ):
            status, body = raw_get(url, path, cookies)
            assert status in (303, 404) and b"SECRET" not in body and b"root:" not in body, path

        # Without a login: nothing, GX's own assets included.
        nobody = browser(url)
        for path in ("", "validations/xzcf/run.html", "static/styles/gx.css", "static/page.html"):
            assert nobody.get(f"/office/datadocs/{path}").headers["location"] == "/login", path
        status, body = raw_get(url, "/office/datadocs/../../secret.txt", {})
        assert status == 303 and b"SECRET" not in body
        # A clerk: 403 on the pages, as on every office page.
        clerk = logged_in(url, "clerk_a")
        assert clerk.get("/office/datadocs/").status_code == 403
        assert clerk.get("/office/datadocs/validations/xzcf/run.html").status_code == 403


def _reruns(settings) -> list[AuditEvent]:
    with session_scope(settings.database_url) as db:
        return db.exec(select(AuditEvent).where(AuditEvent.action == "rerun").order_by(AuditEvent.id)).all()


def test_the_rerun_form_is_csrf_checked_and_every_attempt_audited(site):
    # A real launcher pointed at a loopback port where no Prefect server listens.
    launcher = PrefectLauncher(api_url=f"http://127.0.0.1:{free_port()}/api")
    assert launcher.ui.endswith(f":{urlsplit(launcher.api_url).port}")
    with serve(site, launcher) as url:
        operator = logged_in(url, "office")
        form = operator.get("/office/reruns")
        assert form.status_code == 200
        assert form.text.count('type="checkbox" name="units"') == len(collected_units())
        token = csrf_of(form)
        good = {"report_date": "2026-11-25", "units": ["scjgj", "gaj"], "push": "1"}
        # No token, a forged token: 403 and nothing started or recorded.
        assert operator.post("/office/reruns", data=good).status_code == 403
        assert operator.post("/office/reruns", data={**good, "csrf": token[:-2] + "xx"}).status_code == 403
        assert _reruns(site) == []
        # Refused by the form's checks, each audited with its reason.
        for data, reason in (
            ({**good, "report_date": "2026-13-01"}, "报送日期格式"),
            ({**good, "report_date": "2999-01-01"}, "不能晚于今天"),
            ({**good, "units": ["scjgj", "no_such_unit"]}, "不在单位名录"),
            ({"report_date": "2026-11-25"}, "至少选择一个单位"),
        ):
            answer = operator.post("/office/reruns", data={**data, "csrf": token})
            assert answer.status_code == 400 and reason in answer.text, data
        # Valid, but Prefect does not answer: the page says so in Chinese, the attempt is audited as failed.
        answer = operator.post("/office/reruns", data={**good, "csrf": token})
        assert answer.status_code == 502 and "无法连接 Prefect 服务" in answer.text
        events = _reruns(site)
        assert [e.outcome for e in events] == ["refused"] * 4 + ["failed"]
        last = events[-1]
        assert (last.actor, last.client) == ("office", "127.0.0.1") and last.at is not None
        assert last.detail["units"] == ["scjgj", "gaj"] and last.detail["report_date"] == "2026-11-25"
        # A run's page only for the runs started here; no other id is looked up.
        assert operator.get("/office/reruns/2b0c3b4e-8a43-4a4e-9c36-1b7f5d6c1a11").status_code == 404
        assert operator.get("/office/reruns/not-a-uuid").status_code == 404
        # A clerk cannot start one even with their own valid token.
        clerk = logged_in(url, "clerk_a")
        clerk_token = csrf_of(clerk.get("/unit"))
        assert clerk.post("/office/reruns", data={**good, "csrf": clerk_token}).status_code == 403
        assert len(_reruns(site)) == 5


def test_without_prefect_the_reruns_page_says_so(site):
    with serve(site) as url:
        operator = logged_in(url, "office")
        page = operator.get("/office/reruns")
        assert "未连接 Prefect" in page.text and 'name="units"' not in page.text
        answer = operator.post(
            "/office/reruns", data={"report_date": "2026-11-25", "units": ["scjgj"], "csrf": csrf_of(page)}
        )
        assert answer.status_code == 400 and "未连接 Prefect" in answer.text
