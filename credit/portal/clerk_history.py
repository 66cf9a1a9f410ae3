"""A unit's history for its clerks: every submission (portal uploads, files put in the inbox, SQL reads)
with where its records stand in the pipeline, read from the store — the submission itself (collected,
quarantined), its versions' verdicts (validated), their push state (in the outbox, sent, accepted or
rejected by 信用湛江 with the platform's reason), and the 撤销清单 requests it made. Always one unit: the
caller passes the logged-in clerk's unit, never one read from the request."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case
from sqlmodel import Session, func, select

from credit.collect.attachments import ATTACHMENT
from credit.files import display_name, unit_folder
from credit.reports.feedback import feedback_name
from credit.settings import Settings
from credit.store import AuditEvent, Record, RecordVersion, RevocationRequest, Submission

PAGE = 20
SENT = ("batched",)
# What a version's push state means for a clerk.
PUSH_LABELS = {
    "queued": "待推送",
    "batched": "已推送，待信用湛江回执",
    "accepted": "信用湛江已接收",
    "duplicate": "信用湛江已接收（重复推送，平台已有）",
    "rejected": "信用湛江已退回",
    "superseded": "已被同一记录的更新版本取代，不再推送",
}
MAX_REASONS = 5


@dataclass
class Entry:
    """One submission as the history page shows it."""

    submission: Submission
    original: str | None  # the clerk's file name, for a portal upload
    uploader: str | None
    stage: str  # the furthest stage reached, in Chinese
    level: str  # "" | "ok" | "bad" | "warn": how the stage is drawn
    valid: int = 0
    invalid: int = 0
    pending: int = 0
    pushes: dict[str, int] = field(default_factory=dict)  # push state -> versions
    rejections: list[str] = field(default_factory=list)  # the platform's reasons, as it gave them
    corrections: int = 0
    corrected_later: int = 0  # invalid versions a later delivery of the same record has replaced
    withdrawals: dict[str, int] = field(default_factory=dict)  # request state -> rows
    withdrawn: int = 0  # deletes the platform applied
    unapplied: int = 0  # 撤销清单 rows that matched nothing
    feedback: bool = False  # the day's 问题数据 workbook exists

    @property
    def reason(self) -> str:
        """A quarantine's reason in Chinese (the store keeps "中文 / English")."""
        return (self.submission.reason or "").split(" / ", 1)[0]

    def push_lines(self) -> list[tuple[str, int]]:
        return [(PUSH_LABELS[s], n) for s, n in self.pushes.items() if n and s in PUSH_LABELS]


def waiting_files(settings, unit: str) -> list[dict]:
    """Files in the unit's inbox the daily run has not collected yet (hidden and partial ones left out)."""
    folder = unit_folder(settings.inbox, unit)
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.startswith(".") or path.name.endswith(".part") or not path.is_file():
            continue
        found.append({"name": display_name(path.name), "size": path.stat().st_size})
    return found


def feedback_path(settings: Settings, unit: str, day: dt.date):
    """Where the daily run wrote the unit's 问题数据 workbook of `day` (credit.steps.report.unit_feedback)."""
    return settings.out / "feedback" / day.isoformat() / feedback_name(unit, day)


def count(session: Session, unit: str) -> int:
    return session.exec(select(func.count()).select_from(Submission).where(Submission.unit == unit)).one()


def page(settings: Settings, session: Session, unit: str, number: int) -> list[Entry]:
    """The `number`-th page (1-based) of the unit's submissions, newest first."""
    subs = session.exec(
        select(Submission)
        .where(Submission.unit == unit)
        .order_by(Submission.received_at.desc(), Submission.id.desc())
        .offset((number - 1) * PAGE)
        .limit(PAGE)
    ).all()
    if not subs:
        return []
    ids = [s.id for s in subs]
    uploads = _uploads(session, unit, [s.file_name for s in subs])
    entries = {s.id: Entry(s, *uploads.get(s.file_name, (None, None)), stage="", level="") for s in subs}
    _versions(session, ids, entries)
    _rejections(session, ids, entries)
    _corrected_later(session, ids, entries)
    _withdrawals(session, ids, entries)
    days = {s.received_date for s in subs}
    with_feedback = {d for d in days if feedback_path(settings, unit, d).is_file()}
    for entry in entries.values():
        entry.feedback = entry.submission.received_date in with_feedback
        entry.stage, entry.level = _stage(entry)
    return [entries[i] for i in ids]


def _uploads(session: Session, unit: str, names: list[str]) -> dict[str, tuple[str, str]]:
    """Stored inbox name -> (the clerk's original name, uploader) for the unit's portal uploads."""
    found = session.exec(
        select(AuditEvent).where(
            AuditEvent.action == "upload",
            AuditEvent.unit == unit,
            AuditEvent.outcome == "ok",
            AuditEvent.target.in_(names),
        )
    ).all()
    return {e.target: ((e.detail or {}).get("original"), e.actor) for e in found}


def _versions(session: Session, ids: list[int], entries: dict[int, Entry]) -> None:
    rows = session.exec(
        select(
            RecordVersion.submission_id,
            RecordVersion.status,
            RecordVersion.push_state,
            func.count(),
            func.sum(case((RecordVersion.version > 1, 1), else_=0)),
        )
        .where(RecordVersion.submission_id.in_(ids))
        .group_by(RecordVersion.submission_id, RecordVersion.status, RecordVersion.push_state)
    ).all()
    for sub_id, status, push_state, n, corrections in rows:
        entry = entries[sub_id]
        if status == "valid":
            entry.valid += n
        elif status == "invalid":
            entry.invalid += n
        else:
            entry.pending += n
        entry.corrections += int(corrections or 0)
        if push_state and push_state != "none":
            entry.pushes[push_state] = entry.pushes.get(push_state, 0) + n


def _corrected_later(session: Session, ids: list[int], entries: dict[int, Entry]) -> None:
    rows = session.exec(
        select(RecordVersion.submission_id, func.count())
        .join(Record, Record.id == RecordVersion.record_id)
        .where(
            RecordVersion.submission_id.in_(ids),
            RecordVersion.status == "invalid",
            Record.current_version > RecordVersion.version,
        )
        .group_by(RecordVersion.submission_id)
    ).all()
    for sub_id, n in rows:
        entries[sub_id].corrected_later = n


def _rejections(session: Session, ids: list[int], entries: dict[int, Entry]) -> None:
    rows = session.exec(
        select(RecordVersion.submission_id, RecordVersion.row, RecordVersion.platform_errors)
        .where(RecordVersion.submission_id.in_(ids), RecordVersion.push_state == "rejected")
        .order_by(RecordVersion.submission_id, RecordVersion.row)
    ).all()
    for sub_id, row, errors in rows:
        entry = entries[sub_id]
        if len(entry.rejections) >= MAX_REASONS:
            continue
        why = "；".join(str(e.get("message") or "") for e in (errors or []) if e.get("message")) or "平台拒收"
        entry.rejections.append(f"第{row}行：{why}" if row else why)


def _withdrawals(session: Session, ids: list[int], entries: dict[int, Entry]) -> None:
    requests = session.exec(
        select(RevocationRequest.submission_id, RevocationRequest.state, RevocationRequest.version_id).where(
            RevocationRequest.submission_id.in_(ids)
        )
    ).all()
    deletes = [v for _, _, v in requests if v is not None]
    applied = set()
    if deletes:
        applied = set(
            session.exec(
                select(RecordVersion.id).where(
                    RecordVersion.id.in_(deletes), RecordVersion.push_state.in_(["accepted", "duplicate"])
                )
            ).all()
        )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for sub_id, state, version_id in requests:
        counts[sub_id][state] = counts[sub_id].get(state, 0) + 1
        if version_id in applied:
            entries[sub_id].withdrawn += 1
    for sub_id, by_state in counts.items():
        entries[sub_id].withdrawals = by_state
    for entry in entries.values():
        entry.unapplied = len(entry.submission.problems or [])


def _stage(e: Entry) -> tuple[str, str]:
    """The furthest stage the submission reached (its records' states are listed beside it)."""
    s = e.submission
    if s.outcome == "quarantined":
        return "已隔离", "bad"
    if s.datasets == ATTACHMENT:
        return "已收取（附件）", "ok"
    if s.outcome == "empty":
        return "已收取，无数据", ""
    if e.withdrawals or e.unapplied:
        if e.withdrawn:
            return "撤销已被信用湛江接收", "ok"
        return "撤销清单已收取", "warn" if e.unapplied or e.withdrawals.get("refused") else ""
    if not s.validated and not (e.valid or e.invalid):
        return "已收取，待校验", ""
    if e.pushes.get("rejected"):
        return "信用湛江已退回", "bad"
    outstanding = e.invalid - e.corrected_later  # faulty rows not yet corrected by a later delivery
    if e.pushes.get("accepted") or e.pushes.get("duplicate"):
        return "信用湛江已接收", "warn" if outstanding else "ok"
    if e.pushes.get("batched"):
        return "已推送", ""
    if e.pushes.get("queued"):
        return "已校验，待推送", "warn" if outstanding else ""
    return "已校验", "warn" if outstanding else ""
