"""The browser's side of a portal session: one signed cookie (HttpOnly, SameSite=Lax, Secure behind https)
holding either an anonymous nonce (before login: it binds the login form's CSRF token) or a server-side
session id (credit.portal.sessions_store). Logging in always issues a new id, so an id planted before the
login is worth nothing after it (no session fixation)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from starlette.responses import Response

from credit.portal import sessions_store
from credit.settings import Settings
from credit.store import session_scope
from credit.store.accounts import Account

COOKIE = "credit_portal"
ANONYMOUS, SESSION = "a", "s"


def _mac(secret: bytes, purpose: str, value: str) -> str:
    digest = hmac.new(secret, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _secret(settings: Settings) -> bytes:
    return settings.portal_secret.get_secret_value().encode()


def sign(settings: Settings, kind: str, value: str) -> str:
    payload = f"{kind}.{value}"
    return f"{payload}.{_mac(_secret(settings), 'cookie', payload)}"


def unsign(settings: Settings, cookie: str | None) -> tuple[str, str] | None:
    """(kind, value) of a cookie this portal signed; None for anything else."""
    if not cookie or cookie.count(".") != 2:
        return None
    kind, value, mac = cookie.split(".")
    if kind not in (ANONYMOUS, SESSION) or not value:
        return None
    if not hmac.compare_digest(mac, _mac(_secret(settings), "cookie", f"{kind}.{value}")):
        return None
    return kind, value


@dataclass
class Visitor:
    """Who sent this request: an account with its session, or nobody (with the nonce of its cookie)."""

    account: Account | None
    session_id: str | None
    csrf: str
    nonce: str | None = None
    new_cookie: str | None = None  # a cookie to set on the response (a first visit)
    client: str | None = None

    @property
    def unit(self) -> str | None:
        return self.account.unit if self.account is not None else None


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def client_of(request: Request) -> str | None:
    return request.client.host if request.client else None


def anonymous(settings: Settings, client: str | None, nonce: str | None = None) -> Visitor:
    fresh = nonce is None
    nonce = nonce or secrets.token_urlsafe(24)
    return Visitor(
        account=None,
        session_id=None,
        csrf=_mac(_secret(settings), "csrf", nonce),
        nonce=nonce,
        new_cookie=sign(settings, ANONYMOUS, nonce) if fresh else None,
        client=client,
    )


def visitor(request: Request) -> Visitor:
    """The request's visitor (a FastAPI dependency, resolved once per request)."""
    settings = settings_of(request)
    client = client_of(request)
    parsed = unsign(settings, request.cookies.get(COOKIE))
    if parsed is None:
        return anonymous(settings, client)
    kind, value = parsed
    if kind == ANONYMOUS:
        return anonymous(settings, client, value)
    with session_scope(settings.database_url) as db:
        found = sessions_store.load(db, value, settings.portal_session_minutes)
        if found is None:
            return anonymous(settings, client)
        row, account = found
        return Visitor(account=account, session_id=value, csrf=row.csrf, client=client)


Who = Annotated[Visitor, Depends(visitor)]


def set_cookie(response: Response, settings: Settings, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        httponly=True,
        samesite="lax",
        secure=bool(settings.portal_url and settings.portal_url.lower().startswith("https://")),
        path="/",
    )


class LoginRequired(Exception):
    """No one is logged in: the browser is sent to the login page."""


def require(*roles: str):
    """A dependency: the logged-in visitor, whose role is one of `roles` (else 403)."""

    def dependency(who: Who) -> Visitor:
        if who.account is None:
            raise LoginRequired()
        if who.account.role not in roles:
            raise HTTPException(status_code=403)
        return who

    return dependency


async def csrf_guard(request: Request, who: Who) -> None:
    """Every state-changing request carries the visitor's CSRF token in its form (field `csrf`)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = request.headers.get("content-type", "")
    sent = ""
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form(max_files=settings_of(request).portal_max_files + 1)
        sent = form.get("csrf") or ""
    if not isinstance(sent, str) or not sent or not hmac.compare_digest(sent, who.csrf):
        raise HTTPException(status_code=403, detail="csrf")
