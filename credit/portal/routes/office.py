"""The credit office's pages (operators and admins): every unit's day, a unit's submissions, one
submission; the month's dashboard, the bulletins, the Data Docs, the quarantine and reruns
(credit.portal.office_*)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from sqlmodel import select
from starlette.responses import FileResponse, RedirectResponse, Response

from credit.portal import audit, office_datadocs, office_files, office_reruns
from credit.portal.clerk_history import feedback_path
from credit.portal.office_feedback import masked_feedback
from credit.portal.office_month import month_page, valid_month
from credit.portal.pages import render, today
from credit.portal.routes.clerk import waiting_files
from credit.portal.sessions import Visitor, require, settings_of
from credit.reports.feedback import feedback_name
from credit.store import AuditEvent, DailyStat, Submission, session_scope
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
        feedback=feedback_path(settings, code, date).is_file(),
        submissions=submissions,
        waiting=waiting_files(settings, code),
    )


@router.get("/units/{code}/feedback/{day}")
def office_unit_feedback(request: Request, who: Office, code: str, day: str):
    """The unit's 问题数据 workbook of the day, ID numbers masked; audited."""
    settings = settings_of(request)
    if code not in all_units():
        raise HTTPException(status_code=404)
    date = _day(request, day)
    data = masked_feedback(settings, code, date)
    audit.by_visitor(
        settings.database_url,
        who,
        "download",
        target=f"feedback:{code}:{date.isoformat()}",
        outcome="ok" if data is not None else "missing",
    )
    if data is None:
        raise HTTPException(status_code=404)
    name = feedback_name(code, date)
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": office_files.attachment(name, f"feedback_{code}_{date:%Y%m%d}.xlsx")},
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


@router.get("/month")
def office_month_now(request: Request, who: Office):
    return RedirectResponse(f"/office/month/{today(request):%Y-%m}", status_code=303)


@router.get("/month/{month}")
def office_month(request: Request, who: Office, month: str):
    if not valid_month(month):
        raise HTTPException(status_code=400)
    return render(request, who, "office_month.html", **month_page(settings_of(request), month))


@router.get("/bulletins")
def office_bulletins(request: Request, who: Office):
    found = office_files.bulletins(settings_of(request))
    return render(request, who, "office_bulletins.html", bulletins=found)


@router.get("/bulletins/{name}")
def office_bulletin_download(request: Request, who: Office, name: str):
    settings = settings_of(request)
    month, _, kind = name.rpartition(".")
    path = office_files.bulletin_file(settings, month, kind)
    if path is None:
        raise HTTPException(status_code=404)
    with session_scope(settings.database_url) as db:
        audit.record(
            db, "download", actor=who.account.login, client=who.client, target=f"bulletin:{month}.{kind}"
        )
    return FileResponse(
        path,
        media_type=office_files.KINDS[kind],
        headers={
            "content-disposition": office_files.attachment(path.name, f"bulletin-{month}.{kind}"),
        },
    )


@router.get("/datadocs")
def office_datadocs_root(who: Office):
    return RedirectResponse(office_datadocs.PREFIX, status_code=303)


@router.get("/datadocs/{requested:path}")
def office_datadocs_file(request: Request, who: Office, requested: str):
    path = office_datadocs.resolve(settings_of(request), requested)
    if path is None:
        raise HTTPException(status_code=404)
    return FileResponse(path, media_type=office_datadocs.content_type(path))


@router.get("/quarantine")
def office_quarantine(request: Request, who: Office, day: Annotated[str | None, Query(max_length=10)] = None):
    date = _day(request, day)
    found = office_files.quarantined(settings_of(request), date)
    return render(
        request,
        who,
        "office_quarantine.html",
        date=date,
        files=found,
        previous=date - dt.timedelta(days=1),
        next=date + dt.timedelta(days=1),
    )


def _reruns_page(request: Request, who: Visitor, status: int = 200, message: str | None = None, **chosen):
    settings = settings_of(request)
    with session_scope(settings.database_url) as db:
        started = db.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "rerun", AuditEvent.outcome == "ok")
            .order_by(AuditEvent.at.desc())
            .limit(30)
        ).all()
    return render(
        request,
        who,
        "office_reruns.html",
        status=status,
        message=message,
        available=request.app.state.launcher is not None,
        units=office_reruns.unit_choices(),
        started=started,
        day=chosen.get("day") or (today(request) - dt.timedelta(days=1)).isoformat(),
        chosen=set(chosen.get("units") or []),
        push=chosen.get("push", True),
    )


@router.get("/reruns")
def office_reruns_page(request: Request, who: Office):
    return _reruns_page(request, who)


@router.post("/reruns")
def office_rerun_start(
    request: Request,
    who: Office,
    report_date: Annotated[str, Form(max_length=10)] = "",
    units: Annotated[list[str] | None, Form(max_length=32)] = None,
    push: Annotated[str | None, Form(max_length=4)] = None,
):
    settings = settings_of(request)
    units = units or []
    asked = {"report_date": report_date, "units": units[:200], "push": push is not None}
    launcher = request.app.state.launcher
    parsed = office_reruns.parse_form(report_date, units, push is not None, today(request))
    if launcher is None:
        parsed = "本门户未连接 Prefect（未配置 PREFECT_API_URL），不能启动重新运行"
    if isinstance(parsed, str):
        audit.by_visitor(
            settings.database_url,
            who,
            "rerun",
            outcome="refused",
            detail={**asked, "reason": parsed},
        )
        return _reruns_page(request, who, 400, parsed, day=report_date, units=units, push=push is not None)
    try:
        run = launcher.start(parsed.report_date, parsed.units, parsed.push)
    except office_reruns.LaunchError as exc:
        audit.by_visitor(
            settings.database_url,
            who,
            "rerun",
            outcome="failed",
            detail={**asked, "reason": str(exc)},
        )
        return _reruns_page(request, who, 502, str(exc), day=report_date, units=units, push=parsed.push)
    audit.by_visitor(
        settings.database_url,
        who,
        "rerun",
        target=run.id,
        detail={
            "report_date": parsed.report_date.isoformat(),
            "units": parsed.units,
            "push": parsed.push,
        },
    )
    return RedirectResponse(f"/office/reruns/{run.id}", status_code=303)


@router.get("/reruns/{run_id}")
def office_rerun(request: Request, who: Office, run_id: str):
    settings = settings_of(request)
    run_id = office_reruns.valid_run_id(run_id)
    launcher = request.app.state.launcher
    if run_id is None or launcher is None:
        raise HTTPException(status_code=404)
    with session_scope(settings.database_url) as db:
        started = db.exec(
            select(AuditEvent).where(
                AuditEvent.action == "rerun", AuditEvent.outcome == "ok", AuditEvent.target == run_id
            )
        ).first()
    if started is None:  # only the runs started here: the page is no window onto every Prefect run
        raise HTTPException(status_code=404)
    try:
        run, problem = launcher.read(run_id), None
    except office_reruns.LaunchError as exc:
        run, problem = None, str(exc)
    return render(
        request,
        who,
        "office_rerun.html",
        run=run,
        problem=problem,
        started=started,
        refresh=office_reruns.REFRESH_SECONDS if run is None or not run.final else None,
    )
