"""A unit's pages beyond its home, for its clerks: the history of its submissions, its 问题数据 workbook of a
day, the instant check's workbook, its numbers of a month, its duties. Included by credit.portal.routes.clerk
(prefix /unit). The unit is always the logged-in clerk's; a path on disk is built only from it and a
validated date or token, never from other request text."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.responses import Response

from credit.portal import audit, clerk_checks, clerk_duties, clerk_history, clerk_numbers
from credit.portal.pages import render, today
from credit.portal.sessions import Visitor, require, settings_of
from credit.reports.feedback import feedback_name
from credit.store import session_scope

router = APIRouter()
Clerk = Annotated[Visitor, Depends(require("clerk"))]
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(body: bytes, ascii_name: str, shown_name: str) -> Response:
    return Response(
        body,
        media_type=XLSX,
        headers={
            "content-disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(shown_name)}"
        },
    )


@router.get("/history")
def history(request: Request, who: Clerk, page: int = 1):
    settings = settings_of(request)
    with session_scope(settings.database_url) as db:
        total = clerk_history.count(db, who.unit)
        pages = max(1, -(-total // clerk_history.PAGE))
        number = min(max(1, page), pages)
        entries = clerk_history.page(settings, db, who.unit, number)
    return render(
        request,
        who,
        "unit_history.html",
        entries=entries,
        total=total,
        number=number,
        pages=pages,
        waiting=clerk_history.waiting_files(settings, who.unit),
    )


@router.get("/feedback/{day}")
def feedback(request: Request, who: Clerk, day: str):
    settings = settings_of(request)
    try:
        date = dt.date.fromisoformat(day) if DAY.fullmatch(day) else None
    except ValueError:
        date = None
    if date is None:
        raise HTTPException(status_code=404)
    path = clerk_history.feedback_path(settings, who.unit, date)
    found = path.is_file()
    audit.by_visitor(
        settings.database_url,
        who,
        "download",
        target=f"feedback:{date.isoformat()}",
        outcome="ok" if found else "missing",
    )
    if not found:
        return render(request, who, "unit_feedback_missing.html", status=404, date=date.isoformat())
    return _attachment(path.read_bytes(), f"feedback_{date:%Y%m%d}.xlsx", feedback_name(who.unit, date))


@router.get("/checks/{token}.xlsx")
def check_workbook(request: Request, who: Clerk, token: str):
    settings = settings_of(request)
    found = clerk_checks.workbook(settings, who.unit, token)
    if found is None:  # another unit's token is as unknown as one never issued
        raise HTTPException(status_code=404)
    path, original = found
    audit.by_visitor(
        settings.database_url,
        who,
        "download",
        target=f"check:{token}",
        detail={"original": original},
    )
    stem = original.rsplit(".", 1)[0] or "上传文件"
    return _attachment(path.read_bytes(), "check.xlsx", f"{stem}_检查结果.xlsx")


@router.get("/numbers")
def numbers(request: Request, who: Clerk, month: str | None = None):
    settings = settings_of(request)
    chosen = clerk_numbers.parse_month(month, today(request))
    if chosen is None:
        raise HTTPException(status_code=404)
    with session_scope(settings.database_url) as db:
        found = clerk_numbers.month_numbers(db, who.unit, chosen)
    return render(request, who, "unit_numbers.html", m=found, headers=clerk_numbers.HEADERS)


@router.get("/duties")
def duties(request: Request, who: Clerk):
    settings = settings_of(request)
    day = today(request)
    months = clerk_duties.unit_duties(settings, who.unit, day)
    with session_scope(settings.database_url) as db:
        files = clerk_duties.evidence_files(db, who.unit)
    return render(
        request,
        who,
        "unit_duties.html",
        months=months,
        files=files,
        day=day.isoformat(),
        kind_label=clerk_duties.kind_label,
    )
