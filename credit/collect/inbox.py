"""Collect, from a unit's inbox folder: every file into the store.

Per file: hash it; a file already collected is archived again without touching the data; an unreadable one
is quarantined with a reason; a readable one becomes a Submission whose rows become records
(credit.collect.records); a 撤销清单 becomes withdrawal requests (credit.revocations). The database commit
comes before the file is moved, so a crash in between leaves a file whose hash is known: the next run only
archives it. Nothing is deleted. An attachment of the evidence sheets (.pdf, .docx, .jpg/.jpeg, .png) is not a
workbook: it is checked and stored, or quarantined, by credit.collect.attachments.
"""

from __future__ import annotations

import datetime as dt
import logging
import stat
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from credit.collect.attachments import collect_attachment, is_attachment
from credit.collect.outcomes import Arrival, FileOutcome, add_submission
from credit.collect.records import store_sheet
from credit.files import LinkedFolder, display_name, move_into, quarantine, sha256_file, unit_folder
from credit.readers import ReaderUnavailable, UnreadableFile, read_unit_file
from credit.readers.contained import warm_up
from credit.readers.revocation import RevocationTable
from credit.revocations import request_revocations, revocation_rows
from credit.settings import Settings
from credit.store import Submission, session_scope

log = logging.getLogger(__name__)

# Office lock files and partial downloads are not deliveries; they are left where they are.
TRANSIENT_PREFIXES = ("~$", ".~lock")
DATA_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls")
TRANSIENT_SUFFIXES = (".tmp", ".part", ".crdownload", ".swp", "#")


@dataclass
class UnitCollect:
    unit: str
    report_date: dt.date
    files: list[FileOutcome] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # Chinese lines for the run's log (credit.collect.sql)

    @property
    def new_versions(self) -> int:
        return sum(f.new_versions for f in self.files)

    @property
    def quarantined(self) -> list[FileOutcome]:
        return [f for f in self.files if f.outcome == "quarantined"]

    @property
    def nothing_new(self) -> bool:
        return self.new_versions == 0 and not self.quarantined

    def summary(self) -> dict:
        counts: dict[str, int] = {}
        for f in self.files:
            counts[f.outcome] = counts.get(f.outcome, 0) + 1
        return {
            "unit": self.unit,
            "date": self.report_date.isoformat(),
            "files": counts,
            "rows": sum(f.rows for f in self.files),
            "new_versions": self.new_versions,
            "repeats": sum(f.repeats for f in self.files),
        }


def _is_transient(path: Path) -> bool:
    """Lock files, partial downloads and hidden system files (.DS_Store) are not deliveries. A hidden name
    that ends like a data file (`.处罚.csv`, `..\\处罚.csv`) is a delivery and is collected."""
    name = path.name
    if name.startswith(TRANSIENT_PREFIXES) or name.endswith(TRANSIENT_SUFFIXES):
        return True
    return name.startswith(".") and not name.lower().endswith(DATA_SUFFIXES)


def collect_file(settings: Settings, unit: str, path: Path, report_date: dt.date) -> FileOutcome:

    day = report_date.isoformat()
    # A linked archive or quarantine folder would carry the unit's files out of the tree: LinkedFolder, and
    # the file stays in the inbox.
    archive_dir = unit_folder(settings.archive, unit) / day
    quarantine_dir = unit_folder(settings.quarantine, unit) / day
    name = display_name(path.name)  # an undecodable byte in a name must not stop the store
    outcome = FileOutcome(name=name, outcome="collected")

    if path.is_symlink():
        target = quarantine(
            path,
            quarantine_dir,
            "link",
            "收件箱中的文件是符号链接，系统不读取链接指向的文件。请直接放入文件本身。",
            "The inbox entry is a symbolic link; links are never followed. Deliver the file itself.",
        )
        return FileOutcome(name, "quarantined", "symlink", stored_path=str(target))
    if not stat.S_ISREG(path.lstat().st_mode):
        # A pipe would block the hash forever, a device never ends: moved aside unopened.
        target = quarantine(
            path,
            quarantine_dir,
            "special",
            "收件箱中的条目不是普通文件（管道、套接字或设备），未打开。请放入文件本身。",
            "The inbox entry is not a regular file (a pipe, socket or device); it was not opened.",
        )
        return FileOutcome(name, "quarantined", "不是普通文件 / not a regular file", stored_path=str(target))

    before = path.stat()
    sha = sha256_file(path)
    tag = sha[:8]
    arrival = Arrival(unit, name, sha, report_date)
    if is_attachment(
        path
    ):  # an evidence sheet's attachment: checked, never parsed (credit.collect.attachments)
        return collect_attachment(settings, unit, path, arrival)
    with session_scope(settings.database_url) as session:
        known = session.exec(
            select(Submission).where(Submission.unit == unit, Submission.sha256 == sha)
        ).first()
        if known is not None:
            if known.outcome == "quarantined":
                target = quarantine(path, quarantine_dir, tag, *(known.reason or " / ").split(" / ", 1))
                return FileOutcome(name, "quarantined", known.reason, known.id, stored_path=str(target))
            target = move_into(path, archive_dir, tag)
            return FileOutcome(name, "duplicate", "与已收取的文件内容相同", known.id, stored_path=str(target))

    # The one way a unit's file is read: guarded, then parsed in a child process that native code may crash
    # without harm. It tells a 撤销清单 from its first rows.
    content, sheets = None, []
    try:
        content = read_unit_file(path)
        sheets = content.sheets
    except UnreadableFile as exc:
        reason = (exc.reason_zh, exc.reason_en)
    except ReaderUnavailable:
        raise  # the machine, not the file: the file stays in the inbox (collect_unit reports it)
    except Exception as exc:  # a reader bug must not stop the other files and units
        log.exception("reader failed on %s/%s", unit, name)
        reason = (
            f"文件无法读取（{type(exc).__name__}）",
            f"The file could not be read ({type(exc).__name__}).",
        )
    else:
        reason = None

    after = path.stat()
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        return FileOutcome(name, "skipped", "文件仍在写入，下次运行再收取 / still being written")

    if content is not None and content.revocations is not None:
        return _collect_revocations(settings, path, arrival, content.revocations)

    if reason is not None:
        target = quarantine(path, quarantine_dir, tag, *reason)
        with session_scope(settings.database_url) as session:
            try:
                add_submission(
                    session,
                    arrival,
                    outcome="quarantined",
                    reason=" / ".join(reason),
                    stored_path=str(target),
                )
            except IntegrityError:
                session.rollback()
        return FileOutcome(name, "quarantined", reason[0], stored_path=str(target))

    try:
        with session_scope(settings.database_url) as session:
            sub = add_submission(
                session,
                arrival,
                outcome="collected",
                datasets=",".join(dict.fromkeys(s.dataset for s in sheets)),
                rows=sum(len(s.data) for s in sheets),
                encoding=next((s.encoding for s in sheets if s.encoding), None),
                columns={s.sheet or "": s.columns for s in sheets},
            )
            new_ids: list[int] = []
            repeats = 0
            for sheet in sheets:
                ids, rep = store_sheet(session, sub, sheet, report_date)
                new_ids += ids
                repeats += rep
            sub.new_versions, sub.repeats = len(new_ids), repeats
            outcome = FileOutcome(
                name, "collected", None, sub.id, sub.datasets.split(","), sub.rows, len(new_ids), repeats
            )
    except IntegrityError:
        # Another run collected the same file (or the same new record) at the same moment: it wins.
        target = move_into(path, archive_dir, tag) if path.exists() else None
        return FileOutcome(name, "duplicate", "同时运行的另一任务已收取", stored_path=str(target))

    return _archived(settings, path, archive_dir, tag, outcome)


def _archived(settings: Settings, path: Path, folder: Path, tag: str, outcome: FileOutcome) -> FileOutcome:
    """Move the collected file into the archive and record where it went: the archive name is known only
    after the move (a tag is added when the name is taken)."""
    outcome.stored_path = str(move_into(path, folder, tag))
    if outcome.submission_id is None:
        return outcome
    stored = display_name(outcome.stored_path or "")  # a name with undecodable bytes, as text
    with session_scope(settings.database_url) as session:
        sub = session.get(Submission, outcome.submission_id)
        if sub is not None and sub.stored_path != stored:
            sub.stored_path = stored
            session.add(sub)
    return outcome


def _collect_revocations(
    settings: Settings, path: Path, arrival: Arrival, table: RevocationTable
) -> FileOutcome:
    """A 撤销清单 (read by `read_unit_file`): matched rows become withdrawal requests (the deliver step queues
    them), unmatched ones are kept for the unit's feedback."""
    unit, name, sha, day = arrival.unit, arrival.name, arrival.sha, arrival.report_date.isoformat()
    try:
        rows = revocation_rows(table)
    except ValueError as exc:
        reason = (str(exc), f"revocation list unreadable: {exc}")
        target = quarantine(path, unit_folder(settings.quarantine, unit) / day, sha[:8], *reason)
        return FileOutcome(name, "quarantined", reason[0], stored_path=str(target))
    try:
        with session_scope(settings.database_url) as session:
            sub = add_submission(
                session,
                arrival,
                outcome="collected",
                datasets="revocation",
                rows=len(rows),
            )
            requested = request_revocations(session, sub, rows).requested
            outcome = FileOutcome(name, "collected", None, sub.id, ["revocation"], len(rows), len(requested))
    except IntegrityError:
        outcome = FileOutcome(name, "duplicate", "同时运行的另一任务已收取")
    return _archived(settings, path, unit_folder(settings.archive, unit) / day, sha[:8], outcome)


def collect_unit(settings: Settings, unit: str, report_date: dt.date) -> UnitCollect:
    """Collect every file in `inbox/<unit>/`; one bad file never stops the others."""

    result = UnitCollect(unit, report_date)
    try:
        inbox = unit_folder(settings.inbox, unit)
    except LinkedFolder:
        # Following it would read (and archive) files from wherever it points; none is moved.
        log.warning("the inbox folder of unit %s is a symbolic link: not read", unit)
        result.files.append(
            FileOutcome(
                unit,
                "skipped",
                "收件箱文件夹是符号链接，不读取也不移动其中的文件 / "
                "the unit's inbox folder is a symbolic link: not followed, nothing moved",
            )
        )
        return result
    if not inbox.is_dir():
        return result
    warm_up()  # the reader process (workbooks, unusual CSVs) starts its imports now, beside this work
    for path in sorted(inbox.iterdir(), key=lambda p: p.name):
        if path.is_dir() and not path.is_symlink():
            result.files.append(
                FileOutcome(
                    display_name(path.name), "skipped", "收件箱中的子文件夹不收取 / folders are not read"
                )
            )
            continue
        if _is_transient(path):
            result.files.append(
                FileOutcome(display_name(path.name), "skipped", "临时文件或锁文件 / temporary or lock file")
            )
            continue
        try:
            result.files.append(collect_file(settings, unit, path, report_date))
        except Exception as exc:  # e.g. disk full while archiving: report, keep going, lose nothing
            log.exception("collecting %s/%s failed", unit, path.name)
            result.files.append(
                FileOutcome(
                    display_name(path.name),
                    "skipped",
                    f"收取失败，文件保留在收件箱 / collecting failed, the file stays in the inbox: "
                    f"{type(exc).__name__}",
                )
            )
    return result
