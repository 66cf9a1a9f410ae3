"""The portal's logins over real HTTP: success and failure, lock-out of an account and of a client address,
CSRF on every form, no session fixation, logout, security headers (issue #17)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import select

from credit.portal import accounts, sessions_store
from credit.portal.app import PortalConfigError, create_app
from credit.portal.sessions import COOKIE
from credit.settings import Settings
from credit.store import AuditEvent, get_engine, session_scope
from tests.portal_harness import (
    PASSWORD,
    add_account,
    browser,
    csrf_of,
    log_in,
    logged_in,
    portal_settings,
    serve,
)


@pytest.fixture
def portal(tmp_path):
    settings = portal_settings(tmp_path / "home")
    add_account(settings, "clerk_a", "clerk", "scjgj")
    add_account(settings, "office", "operator")
    with serve(settings) as url:
        yield settings, url


def events(settings, action):
    with session_scope(settings.database_url) as db:
        return db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def test_a_clerk_logs_in_to_the_unit_page_and_a_wrong_password_is_refused(portal):
    settings, url = portal
    with browser(url) as client:
        refused = log_in(client, "clerk_a", "wrong password!")
        assert refused.status_code == 401
        assert "登录名或密码不正确" in refused.text
        unknown = log_in(client, "nobody", "wrong password!")
        assert (
            unknown.status_code == 401 and "登录名或密码不正确" in unknown.text
        )  # same words: no enumeration
        ok = log_in(client, "clerk_a")
        assert ok.status_code == 303 and ok.headers["location"] == "/unit"
        home = client.get("/unit")
        assert home.status_code == 200 and "雷州市市场监督管理局" in home.text
    failed = events(settings, "login_failed")
    assert [(e.actor, e.client, e.outcome) for e in failed] == [
        ("clerk_a", "127.0.0.1", "refused"),
        ("nobody", "127.0.0.1", "refused"),
    ]
    assert [(e.actor, e.unit, e.client) for e in events(settings, "login")] == [
        ("clerk_a", "scjgj", "127.0.0.1")
    ]
    with browser(url) as office:
        assert log_in(office, "office").headers["location"] == "/office"


def test_five_failures_lock_the_account_until_an_admin_resets_it(portal):
    settings, url = portal
    with browser(url) as client:
        for _ in range(settings.portal_lock_after):
            assert log_in(client, "clerk_a", "wrong password!").status_code == 401
        locked = log_in(client, "clerk_a")  # the right password, too late
        assert locked.status_code == 401 and "锁定" in locked.text
    with session_scope(settings.database_url) as db:
        assert accounts.find(db, "clerk_a").locked_until is not None
        accounts.reset(db, "clerk_a", PASSWORD + "2", by="test")
    with browser(url) as client:
        assert log_in(client, "clerk_a", PASSWORD + "2").status_code == 303


def test_an_address_with_too_many_failures_is_throttled_for_every_account(tmp_path):
    settings = portal_settings(tmp_path / "home", portal_lock_after=1)  # an address may fail 4 times
    add_account(settings, "clerk_a", "clerk", "scjgj")
    with serve(settings) as url, browser(url) as client:
        for n in range(4):
            assert log_in(client, f"guess{n}", "wrong password!").status_code == 401
        throttled = log_in(client, "clerk_a")
        assert throttled.status_code == 429 and "稍后再试" in throttled.text
    with session_scope(settings.database_url) as db:
        assert accounts.find(db, "clerk_a").failed_attempts == 0  # refused before its password was looked at


def test_forms_without_or_with_a_forged_csrf_token_are_refused(portal):
    settings, url = portal
    with browser(url) as client:
        client.get("/login")
        for token in (
            None,
            "forged",
            csrf_of(browser(url).get("/login")),
        ):  # missing, made up, another browser's
            data = {"login": "clerk_a", "password": PASSWORD} | ({"csrf": token} if token else {})
            assert client.post("/login", data=data).status_code == 403
    assert events(settings, "login") == []
    clerk = logged_in(url, "clerk_a")
    assert clerk.post("/logout", data={}).status_code == 403
    assert clerk.post("/logout", data={"csrf": "forged"}).status_code == 403
    assert clerk.get("/unit").status_code == 200  # still logged in
    inbox = settings.inbox / "scjgj"
    refused = clerk.post("/unit/upload", files={"files": ("a.csv", b"x,y\n1,2\n", "text/csv")})
    assert refused.status_code == 403 and not (inbox.exists() and any(inbox.iterdir()))
    token = csrf_of(clerk.get("/unit"))
    assert clerk.post("/logout", data={"csrf": token}).status_code == 303
    assert clerk.get("/unit").status_code == 303  # logged out


def test_login_issues_a_new_session_id_and_old_or_forged_cookies_open_nothing(portal):
    settings, url = portal
    client = browser(url)
    client.get("/login")
    before = client.cookies[COOKIE]
    assert log_in(client, "clerk_a").status_code == 303
    after = client.cookies[COOKIE]
    assert after != before and after.startswith("s.")
    # The cookie from before the login (a planted one) is still nobody's.
    planted = browser(url)
    planted.cookies.set(COOKIE, before)
    assert planted.get("/unit").status_code == 303
    # A session id with a made-up signature, or a changed one, is nobody's either.
    _, session_id, mac = after.split(".")
    changed = session_id[:-1] + ("x" if session_id[-1] != "x" else "y")
    for forged in (f"s.{session_id}.{'A' * len(mac)}", f"s.{changed}.{mac}", f"s.{session_id}"):
        stranger = browser(url)
        stranger.cookies.set(COOKIE, forged)
        assert stranger.get("/unit").status_code == 303
    # The stolen cookie itself works until logout, and never after.
    thief = browser(url)
    thief.cookies.set(COOKIE, after)
    assert thief.get("/unit").status_code == 200
    assert client.post("/logout", data={"csrf": csrf_of(client.get("/unit"))}).status_code == 303
    assert thief.get("/unit").status_code == 303
    assert [e.actor for e in events(settings, "logout")] == ["clerk_a"]


def test_every_page_carries_the_security_headers_and_personal_pages_are_not_cached(portal):
    _, url = portal
    clerk = logged_in(url, "clerk_a")
    pages = [
        clerk.get("/unit"),
        clerk.get("/login"),
        clerk.get("/unit/submissions/999"),
        clerk.get("/office"),
        browser(url).get("/login"),
        clerk.get("/static/portal.css"),
    ]
    assert [p.status_code for p in pages] == [200, 303, 404, 403, 200, 200]
    for page in pages:
        csp = page.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "same-origin"
    for page in pages[:5]:
        assert page.headers["cache-control"] == "no-store"
    for page in pages[:5]:  # nothing the CSP would have to allow: no script, no handler, no inline style
        assert not re.search(r"<script|\son[a-z]+\s*=|\sstyle\s*=", page.text, re.I)
    cookie = pages[4].headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_cookies_are_secure_behind_https_and_the_portal_refuses_to_start_without_a_secret(tmp_path):
    with pytest.raises(PortalConfigError, match="CREDIT_PORTAL_SECRET"):
        create_app(Settings(home=tmp_path / "bare"))
    settings = portal_settings(tmp_path / "home", portal_url="https://credit.example.gov.cn")
    with serve(settings) as url:
        page = browser(url).get("/login")
    assert "; secure" in page.headers["set-cookie"].lower()
    assert page.headers["strict-transport-security"].startswith("max-age=")


@pytest.mark.postgres
def test_logins_lock_out_and_audit_on_postgresql(tmp_path, pg_url):
    settings = portal_settings(tmp_path / "home", database_url=pg_url, portal_lock_after=2)
    add_account(settings, "clerk_a", "clerk", "scjgj")
    with serve(settings) as url:
        assert logged_in(url, "clerk_a").get("/unit").status_code == 200
        with browser(url) as client:
            for _ in range(2):
                assert log_in(client, "clerk_a", "wrong password!").status_code == 401
            assert "锁定" in log_in(client, "clerk_a").text
    with session_scope(pg_url) as db:
        assert accounts.find(db, "clerk_a").locked_until > accounts.utcnow()
    assert [e.outcome for e in events(settings, "login_failed")] == ["refused"] * 3


def test_a_session_ends_after_its_idle_time_and_with_its_account(tmp_path):
    settings = portal_settings(tmp_path / "home")
    add_account(settings, "clerk_a", "clerk", "scjgj")
    with session_scope(settings.database_url) as db:
        session_id, _ = sessions_store.start(db, accounts.find(db, "clerk_a"), "127.0.0.1")
    later = accounts.utcnow() + dt.timedelta(minutes=settings.portal_session_minutes - 1)
    with session_scope(settings.database_url) as db:
        assert sessions_store.load(db, session_id, settings.portal_session_minutes, later) is not None
    much_later = later + dt.timedelta(minutes=settings.portal_session_minutes + 1)
    with session_scope(settings.database_url) as db:
        assert sessions_store.load(db, session_id, settings.portal_session_minutes, much_later) is None
    with session_scope(settings.database_url) as db:  # and it is gone for good
        assert sessions_store.load(db, session_id, settings.portal_session_minutes) is None


def test_a_failure_inside_the_portal_is_a_chinese_page_with_the_security_headers(portal):
    settings, url = portal
    clerk = logged_in(url, "clerk_a")
    with get_engine(settings.database_url).begin() as conn:  # the store loses a table under the portal
        conn.exec_driver_sql("DROP TABLE portal_session")
    answer = clerk.get("/unit")
    assert answer.status_code == 500 and "系统出错了" in answer.text
    assert answer.headers["x-frame-options"] == "DENY" and answer.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in answer.headers["content-security-policy"]
    assert "portal_session" not in answer.text  # no traceback or SQL shown
