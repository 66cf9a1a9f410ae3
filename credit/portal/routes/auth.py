"""Login, logout and the home address, which sends each role to its own pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import RedirectResponse

from credit.portal import accounts, audit, sessions_store
from credit.portal.pages import render
from credit.portal.sessions import SESSION, Who, anonymous, set_cookie, settings_of, sign
from credit.portal.throttle import address_blocked
from credit.store import session_scope

router = APIRouter()


def home_of(role: str) -> str:
    return "/unit" if role == "clerk" else "/office"


@router.get("/")
def home(request: Request, who: Who):
    if who.account is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(home_of(who.account.role), status_code=303)


@router.get("/login")
def login_page(request: Request, who: Who):
    if who.account is not None:
        return RedirectResponse(home_of(who.account.role), status_code=303)
    return render(request, who, "login.html", message=None, login="")


@router.post("/login")
def login(
    request: Request,
    who: Who,
    login: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
):
    settings = settings_of(request)

    def throttle(db):
        blocked = address_blocked(db, who.client, settings)
        return "此地址登录失败次数过多，请稍后再试" if blocked else None

    result = accounts.authenticate(
        settings.database_url,
        login.strip(),
        password,
        client=who.client,
        lock_after=settings.portal_lock_after,
        lock_minutes=settings.portal_lock_minutes,
        extra_check=throttle,
    )
    if result.account is None:
        status = 429 if result.throttled else 401
        return render(request, who, "login.html", status=status, message=result.reason, login=login.strip())
    with session_scope(settings.database_url) as db:
        if who.session_id:  # a second login in the same browser: the old session ends
            sessions_store.end(db, who.session_id)
        sessions_store.sweep(db, settings.portal_session_minutes)  # forget expired sessions
        session_id, _ = sessions_store.start(db, result.account, who.client)
    response = RedirectResponse(home_of(result.account.role), status_code=303)
    set_cookie(response, settings, sign(settings, SESSION, session_id))
    return response


@router.post("/logout")
def logout(request: Request, who: Who):
    settings = settings_of(request)
    if who.account is not None:
        with session_scope(settings.database_url) as db:
            sessions_store.end(db, who.session_id)
            audit.record(db, "logout", actor=who.account.login, unit=who.account.unit, client=who.client)
    response = RedirectResponse("/login", status_code=303)
    set_cookie(response, settings, anonymous(settings, who.client).new_cookie)
    return response
