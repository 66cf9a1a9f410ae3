"""Collect the attachments of the evidence sheets (.pdf, .docx, .jpg/.jpeg, .png) from a unit's inbox, and say
what is wrong with the attachments a row names (EVD-4, read by the validate step).

A file is checked by `credit.readers.attachments` (never opened by another program): a safe one is stored
content-addressed and read-only at `$CREDIT_HOME/evidence/<unit>/<sha256><ext>` and the delivered file is
archived like any; an unsafe one is quarantined with its reason, as unreadable workbooks are (a Submission row
marks it for the quarantine digest and the unit's feedback). Either way one `EvidenceFile` row is stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import unicodedata
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from credit.collect.outcomes import Arrival, FileOutcome, add_submission
from credit.files import move_into, quarantine, unit_folder
from credit.readers.attachments import KINDS, check_attachment
from credit.readers.base import UnreadableFile
from credit.settings import Settings
from credit.store import EvidenceFile, session_scope

log = logging.getLogger(__name__)

SUFFIXES = tuple(KINDS)
ATTACHMENT = "attachment"  # FileOutcome.datasets / Submission.datasets of an attachment
_SEPARATORS = re.compile(r"[；;、\n]")


def is_attachment(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def _store(settings: Settings, unit: str, sha: str, suffix: str, data: bytes) -> Path:
    """The content-addressed copy, written once (a temporary name, then renamed) and made read-only."""
    folder = unit_folder(settings.evidence, unit)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{sha}{suffix}"
    if not target.exists():
        tmp = folder / f".{sha}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o444)
        os.replace(tmp, target)
    return target


def collect_attachment(settings: Settings, unit: str, path: Path, arrival: Arrival) -> FileOutcome:
    """One attachment of `unit`'s inbox (a regular file, not a link: `collect_file` made sure)."""
    day = arrival.report_date.isoformat()
    name, suffix = arrival.name, path.suffix.lower()
    before = path.stat()
    try:
        found, data = check_attachment(path, settings.attachment_max_bytes)
    except UnreadableFile as exc:
        found, data, reason = None, b"", (exc.reason_zh, exc.reason_en)
    else:
        reason = None
    after = path.stat()
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        return FileOutcome(name, "skipped", "文件仍在写入，下次运行再收取 / still being written")
    sha = arrival.sha
    row = EvidenceFile(
        unit=unit,
        file_name=name,
        kind=found.kind if found else KINDS[suffix],
        size=found.size if found else after.st_size,
        sha256=sha,
        received_date=arrival.report_date,
        state="stored" if reason is None else "quarantined",
        reason=" / ".join(reason) if reason else None,
    )
    if reason is not None:
        target = quarantine(path, unit_folder(settings.quarantine, unit) / day, sha[:8], *reason)
        row.stored_path = str(target)
        with session_scope(settings.database_url) as session:
            try:
                add_submission(
                    session, arrival, outcome="quarantined", datasets=ATTACHMENT, reason=row.reason,
                    stored_path=str(target),
                )  # fmt: skip
            except IntegrityError:  # the same bad file again: one submission row is enough
                session.rollback()
        _add(settings, row)
        return FileOutcome(name, "quarantined", reason[0], datasets=[ATTACHMENT], stored_path=str(target))
    stored = _store(settings, unit, sha, suffix, data)
    row.stored_path = str(stored)
    new = _add(settings, row)
    archived = move_into(path, unit_folder(settings.archive, unit) / day, sha[:8])
    if not new:
        return FileOutcome(
            name, "duplicate", "与已收取的附件内容相同", datasets=[ATTACHMENT], stored_path=str(archived)
        )
    return FileOutcome(name, "collected", None, datasets=[ATTACHMENT], stored_path=str(stored))


def _add(settings: Settings, row: EvidenceFile) -> bool:
    """Store the row; False when this unit already delivered this content under this name."""
    with session_scope(settings.database_url) as session:
        known = session.exec(
            select(EvidenceFile.id).where(
                EvidenceFile.unit == row.unit,
                EvidenceFile.sha256 == row.sha256,
                EvidenceFile.file_name == row.file_name,
            )
        ).first()
        if known is not None:
            return False
        session.add(row)
        try:
            session.flush()
        except IntegrityError:  # a concurrent run stored it first
            session.rollback()
            return False
    return True


# ---------------------------------------------------------------- what a row's 附件 cites


def cited(text: object) -> list[str]:
    """The file names a 附件 cell lists (separated by ；, ;, 、 or line breaks)."""
    return [p.strip() for p in _SEPARATORS.split(str(text or "")) if p.strip()]


def _form(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def attachment_problems(session, unit: str, rows: list[tuple[object, dt.date]]) -> list[str | None]:
    """Per row (its 附件 cell, the day it arrived): what is wrong with the attachments it cites (Chinese), or
    None. A cited name matches a delivered file of the same unit received that day or earlier, by its full
    name or, when the cell leaves out the extension, by its stem; a stored file wins over a quarantined one."""
    if not rows:
        return []
    latest = max(day for _, day in rows)
    files = session.exec(
        select(EvidenceFile).where(EvidenceFile.unit == unit, EvidenceFile.received_date <= latest)
    ).all()
    out: list[str | None] = []
    for cell, day in rows:
        problems = []
        for name in cited(cell):
            want = _form(name)
            matches = [
                f
                for f in files
                if f.received_date <= day
                and (_form(f.file_name) == want or _form(Path(f.file_name).stem) == want)
            ]
            if any(f.state == "stored" for f in matches):
                continue
            if matches:
                why = (matches[-1].reason or "").split(" / ", 1)[0].removeprefix("附件不安全，已隔离：")
                why = why.split("，请", 1)[0]  # what is wrong; what to do follows once, below
                problems.append(f"附件“{name}”不安全，已被隔离（{why}），请处理后与本表一并重新报送")
            else:
                problems.append(
                    f"附件“{name}”未收到，请将该文件与本表同日或更早放入本单位收件箱，并重新报送本表"
                )
        out.append("；".join(problems) or None)
    return out
