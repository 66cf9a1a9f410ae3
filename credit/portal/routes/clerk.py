"""A unit's pages, for its clerks: its submissions, its upload with the check at once. Every query is
scoped to the logged-in clerk's unit on the server: no unit code is ever read from the request."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from sqlmodel import select
from starlette.responses import Response

from credit.check import run_check
from credit.files import display_name
from credit.portal import audit, blank, clerk_attachments, clerk_checks, clerk_pages, uploads
from credit.portal.clerk_history import waiting_files  # the office's pages import it from here
from credit.portal.pages import render
from credit.portal.sessions import Visitor, require, settings_of
from credit.portal.verdicts import report
from credit.store import AuditEvent, Submission, session_scope

router = APIRouter(prefix="/unit")
Clerk = Annotated[Visitor, Depends(require("clerk"))]
log = logging.getLogger(__name__)
RECENT = 50
router.include_router(clerk_pages.router)  # history, feedback, numbers, duties, the check's workbook


@router.get("")
def unit_home(request: Request, who: Clerk):
    settings = settings_of(request)
    with session_scope(settings.database_url) as db:
        submissions = db.exec(
            select(Submission)
            .where(Submission.unit == who.unit)
            .order_by(Submission.received_at.desc(), Submission.id.desc())
            .limit(RECENT)
        ).all()
        uploads_done = db.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "upload", AuditEvent.unit == who.unit)
            .order_by(AuditEvent.at.desc())
            .limit(20)
        ).all()
    return render(
        request,
        who,
        "unit_home.html",
        submissions=submissions,
        uploads=uploads_done,
        waiting=waiting_files(settings, who.unit),
        templates=blank.unit_datasets(who.unit),
    )


@router.get("/submissions/{submission_id}")
def unit_submission(request: Request, who: Clerk, submission_id: int):
    settings = settings_of(request)
    with session_scope(settings.database_url) as db:
        found = db.exec(
            select(Submission).where(Submission.id == submission_id, Submission.unit == who.unit)
        ).first()
    if found is None:  # another unit's id is as unknown as an id that does not exist
        raise HTTPException(status_code=404)
    return render(request, who, "submission.html", submission=found, back="/unit")


@router.get("/templates/{dataset_id}.xlsx")
def blank_template(request: Request, who: Clerk, dataset_id: str):
    settings = settings_of(request)
    found = next((ds for ds in blank.unit_datasets(who.unit) if ds.id == dataset_id), None)
    if found is None:  # a dataset the unit does not deliver as files
        raise HTTPException(status_code=404)
    body = blank.workbook(found)
    audit.by_visitor(
        settings.database_url,
        who,
        "download",
        target=f"template:{found.id}",
    )
    name = quote(f"{found.name}_模板.xlsx")
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f"attachment; filename=\"{found.id}.xlsx\"; filename*=UTF-8''{name}"},
    )


@router.post("/upload")
def upload(request: Request, who: Clerk, files: Annotated[list[UploadFile], File()]):
    settings = settings_of(request)
    files = [f for f in files if f.filename or f.size]
    if not files:
        return render(
            request, who, "upload_result.html", status=400, results=[], message="请选择要上传的文件"
        )
    if len(files) > settings.portal_max_files:
        audit.by_visitor(
            settings.database_url,
            who,
            "upload",
            outcome="refused",
            detail={"reason": "too many files", "files": len(files)},
        )
        return render(
            request,
            who,
            "upload_result.html",
            status=400,
            results=[],
            message=f"一次最多上传 {settings.portal_max_files} 个文件",
        )
    results = [
        _attachment(settings, who, f)
        if clerk_attachments.is_attachment(f.filename or "")
        else _one(settings, who, f)
        for f in files
    ]
    status = 200 if all(r["refused"] is None for r in results) else 400
    return render(request, who, "upload_result.html", status=status, results=results, message=None)


def _refused(settings, who: Visitor, original: str, exc: uploads.Refused, **more) -> dict:
    """A file refused before it reached the inbox: audited, and its line on the result page."""
    audit.by_visitor(settings.database_url, who, "upload", outcome="refused", target=original,
                     detail={"reason": str(exc), **more})  # fmt: skip
    return {"name": original, "refused": str(exc), "report": None, "stored": None, **more}


def _stored(settings, who: Visitor, original: str, staged, stored, **more) -> None:
    """A file published into the unit's inbox, audited with what identifies it."""
    detail = {
        "original": original,
        "bytes": staged.size,
        "sha256": staged.sha256,
        "kind": staged.kind,
        **more,
    }
    audit.by_visitor(settings.database_url, who, "upload", target=stored.name, detail=detail)


def _one(settings, who: Visitor, upload_file: UploadFile) -> dict:
    """Stage, publish and check one file; its audit event says what became of it."""
    original = display_name(upload_file.filename or "")
    staging = settings.home / "portal" / "staging"
    try:
        staged = uploads.stage(upload_file.file, original, staging, settings.portal_max_upload_bytes)
    except uploads.Refused as exc:
        return _refused(settings, who, original, exc)
    check = None
    try:
        stored = uploads.publish(
            staged,
            settings.inbox,
            who.unit,
            uploads.stored_name(staged, who.account.login, dt.datetime.now(ZoneInfo(settings.timezone))),
        )
        try:
            document, _code = run_check(staged.path, who.unit, None)
        except Exception:  # the file is delivered; only the instant check failed
            log.exception("portal: checking an upload failed")
            document = {
                "file": staged.path.name,
                "error": {"zh": "即时检查未能完成，文件已收到，每日流程将照常校验", "en": "check failed"},
            }
        if clerk_checks.has_problems(document):
            check = clerk_checks.keep(settings, who.unit, staged.path, staged.kind, original, document)
    finally:
        uploads.discard(staged)
    shown = report(document, original)
    _stored(settings, who, original, staged, stored, rows=shown.rows, invalid=shown.invalid,
            unreadable=shown.error is not None)  # fmt: skip
    return {
        "name": original,
        "refused": None,
        "report": shown,
        "stored": display_name(stored.name),
        "check": check,
    }


def _attachment(settings, who: Visitor, upload_file: UploadFile) -> dict:
    """An evidence attachment: checked by the inbox's guarded reader, stored into the inbox, not `credit check`ed."""
    original = display_name(upload_file.filename or "")
    staging = settings.home / "portal" / "staging"
    limit = min(settings.portal_max_upload_bytes, settings.attachment_max_bytes)
    try:
        staged = clerk_attachments.stage(upload_file.file, original, staging, limit)
    except uploads.Refused as exc:
        return _refused(settings, who, original, exc, attachment=True)
    try:
        stored = clerk_attachments.publish(staged, settings.inbox, who.unit)
    finally:
        uploads.discard(staged)
    _stored(settings, who, original, staged, stored, attachment=True)
    return {
        "name": original,
        "refused": None,
        "report": None,
        "stored": display_name(stored.name),
        "attachment": True,
        "renamed": display_name(stored.name) != original,
    }
