"""Rendering a page: the Jinja2 environment (autoescape on, every shown value masked), the common context
(the visitor, its CSRF token) and the cookie a first visit gets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from credit import escape
from credit.portal.sessions import Visitor, set_cookie, settings_of
from credit.standard import DATASET_NAMES
from credit.units import all_units

TEMPLATES = Path(__file__).resolve().parent / "templates"
ROLE_NAMES = {"clerk": "报送员", "operator": "操作员", "admin": "管理员"}


def shown(value) -> str:
    """A value as a page shows it: ID numbers masked, invisible characters visible (HTML escaping is the
    environment's autoescape)."""
    return escape.visible(escape.mask(value))


def unit_name(code: str | None) -> str:
    if not code:
        return ""
    found = all_units().get(code)
    return found.name if found else code


def dataset_names(ids: str | None) -> str:
    """ "xzcf,xzxk" as 行政处罚、行政许可."""
    return "、".join(DATASET_NAMES.get(i, i) for i in (ids or "").split(",") if i)


def environment(timezone: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
    )
    zone = ZoneInfo(timezone)
    env.filters["shown"] = shown
    env.filters["unit_name"] = unit_name
    env.filters["dataset_names"] = dataset_names
    env.filters["local"] = lambda t: "" if t is None else t.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    env.globals["ROLE_NAMES"] = ROLE_NAMES
    return env


def render(request: Request, who: Visitor, template: str, status: int = 200, **context) -> HTMLResponse:
    env: Environment = request.app.state.jinja
    settings = settings_of(request)
    limits = {"files": settings.portal_max_files, "mb": max(1, settings.portal_max_upload_bytes // (1 << 20))}
    html = env.get_template(template).render(who=who, csrf=who.csrf, limits=limits, **context)
    response = HTMLResponse(html, status_code=status)
    if who.new_cookie:
        set_cookie(response, settings, who.new_cookie)
    return response


def today(request: Request) -> dt.date:
    return dt.datetime.now(ZoneInfo(settings_of(request).timezone)).date()
