"""The credit office's pages (operators and admins): every unit's day, a unit's submissions, one
submission."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlmodel import select

from credit.portal.pages import render, today
from credit.portal.routes.clerk import waiting_files
from credit.portal.sessions import Visitor, require, settings_of
from credit.store import DailyStat, Submission, session_scope
from credit.units import all_units, collected_units

router = APIRouter(prefix="/office")
Office = Annotated[Visitor, Depends(require("operator", "admin"))]
STAT_FIELDS = ("received", "invalid", "late", "missing")


def _day(request: Request, day: str | None) -> dt.date:
    if not day:
        return today(request)
    try:
        return dt.date.fromisoformat(day)
    except ValueError:
        raise HTTPException(status_code=400, detail="日期格式应为 YYYY-MM-DD") from None


@router.get("")
def office_home(request: Request, who: Office, day: Annotated[str | None, Query(max_length=10)] = None):
    settings = settings_of(request)
    date = _day(request, day)
    with session_scope(settings.database_url) as db:
        submissions = db.exec(select(Submission).where(Submission.received_date == date)).all()
        stats = db.exec(select(DailyStat).where(DailyStat.date == date)).all()
    rows = {
        u.code: {
            "unit": u,
            "files": 0,
            "collected": 0,
            "quarantined": 0,
            "records": 0,
            "waiting": 0,
            **dict.fromkeys(STAT_FIELDS, 0),
        }
        for u in collected_units()
    }
    for s in submissions:
        row = rows.get(s.unit)
        if row is None:
            continue
        row["files"] += 1
        row["records"] += s.rows
        if s.outcome in ("collected", "quarantined"):
            row[s.outcome] += 1
    for stat in stats:
        if stat.unit in rows:
            for name in STAT_FIELDS:
                rows[stat.unit][name] += getattr(stat, name)
    for code, row in rows.items():
        row["waiting"] = len(waiting_files(settings, code))
    totals = {
        k: sum(r[k] for r in rows.values())
        for k in ("files", "collected", "quarantined", "records", "waiting", *STAT_FIELDS)
    }
    return render(
        request,
        who,
        "office_home.html",
        date=date,
        rows=list(rows.values()),
        totals=totals,
        previous=date - dt.timedelta(days=1),
        next=date + dt.timedelta(days=1),
    )


@router.get("/units/{code}")
def office_unit(
    request: Request, who: Office, code: str, day: Annotated[str | None, Query(max_length=10)] = None
):
    settings = settings_of(request)
    if code not in all_units():
        raise HTTPException(status_code=404)
    date = _day(request, day)
    with session_scope(settings.database_url) as db:
        submissions = db.exec(
            select(Submission)
            .where(Submission.unit == code, Submission.received_date == date)
            .order_by(Submission.id)
        ).all()
    return render(
        request,
        who,
        "office_unit.html",
        unit=all_units()[code],
        date=date,
        submissions=submissions,
        waiting=waiting_files(settings, code),
    )


@router.get("/submissions/{submission_id}")
def office_submission(request: Request, who: Office, submission_id: int):
    settings = settings_of(request)
    with session_scope(settings.database_url) as db:
        found = db.get(Submission, submission_id)
    if found is None:
        raise HTTPException(status_code=404)
    return render(
        request,
        who,
        "submission.html",
        submission=found,
        back=f"/office/units/{found.unit}?day={found.received_date.isoformat()}",
    )
