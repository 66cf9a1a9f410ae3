"""Collect step: a unit's inbox (or SQL source) into the store.

Per file: hash it; a file already collected is archived again without touching the data; an unreadable one
is quarantined with a reason; a readable one becomes a Submission whose rows become records — a new
business key is a new Record, the same key with the same content a repeat (nothing stored), the same key
with new content a correction (a new version). The database commit comes before the file is moved, so a
crash in between leaves a file whose hash is known: the next run only archives it. Nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, bindparam, func, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from credit.files import LinkedFolder, display_name, move_into, quarantine, sha256_file, unit_folder
from credit.keys import business_keys, record_key
from credit.revocations import apply_revocations, revocation_rows
from credit.revocations import feedback_items as revocation_feedback
from credit.settings import Settings
from credit.store import Record, RecordVersion, Submission, session_scope

log = logging.getLogger(__name__)
R = Record.__table__
V = RecordVersion.__table__

# Office lock files and partial downloads are not deliveries; they are left where they are.
TRANSIENT_PREFIXES = ("~$", ".~lock")
DATA_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".xls")
TRANSIENT_SUFFIXES = (".tmp", ".part", ".crdownload", ".swp", "#")


@dataclass
class FileOutcome:
    name: str
    outcome: str  # collected | duplicate | quarantined | skipped
    reason: str | None = None
    submission_id: int | None = None
    datasets: list[str] = field(default_factory=list)
    rows: int = 0
    new_versions: int = 0
    repeats: int = 0
    stored_path: str | None = None


@dataclass
class UnitCollect:
    unit: str
    report_date: dt.date
    files: list[FileOutcome] = field(default_factory=list)

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


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True)  # json.dumps(...) builds one per call
# Keys per IN (...) lookup and rows per insert statement: under SQLite's bound-parameter limit, and small
# enough that a huge sheet never holds all its statement parameters at once.
LOOKUP_CHUNK = 500
INSERT_CHUNK = 2_000


def content_hash(values: dict) -> str:
    return hashlib.sha256(_ENCODER.encode(values).encode("utf-8")).hexdigest()


def _row_dicts(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts without blanks (None/NaN are not stored), in column order."""
    names = list(frame.columns)
    cells = frame.to_numpy(dtype=object, na_value=None)  # None, NaN and NA all become None
    return [{k: v for k, v in zip(names, row, strict=True) if v is not None} for row in cells.tolist()]


def _column(frame: pd.DataFrame, name: str) -> list:
    """One column as _row_dicts sees its cells (None for blanks, and for a column the frame lacks)."""
    if name not in frame:
        return [None] * len(frame)
    return frame[name].to_numpy(dtype=object, na_value=None).tolist()


def _decision_date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _submission(unit: str, name: str, sha: str, report_date: dt.date, **fields) -> Submission:
    """A Submission row for a delivery of `unit` (file or SQL read) collected on `report_date`."""
    return Submission(unit=unit, file_name=name, sha256=sha, received_date=report_date, **fields)


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Known:
    """What deciding repeat or correction needs of a stored record (no JSON is loaded)."""

    id: int
    current_version: int
    decision_date: dt.date | None
    current_hash: str | None = None  # the current version's
    current_status: str | None = None
    current_op: str | None = None
    content_hash: str | None = None  # the newest version with content (not a revocation), if revoked


def _known_records(conn: Connection, dataset: str, unit: str, keys: list[str]) -> dict[str, _Known]:
    """The unit's own stored records among `keys` with their current version's state, in a few set-based
    queries. Another unit's record with the same business key is never seen: a unit cannot correct it."""
    known: dict[str, _Known] = {}
    for chunk in _chunks(keys, LOOKUP_CHUNK):
        rows = conn.execute(
            select(R.c.id, R.c.business_key, R.c.current_version, R.c.decision_date).where(
                R.c.dataset == dataset, R.c.unit == unit, R.c.business_key.in_(chunk)
            )
        )
        for rid, key, cur, date in rows:
            known[key] = _Known(rid, cur, date)
    by_id = {k.id: k for k in known.values()}
    for chunk in _chunks(list(by_id), LOOKUP_CHUNK):
        rows = conn.execute(
            select(V.c.record_id, V.c.content_hash, V.c.status, V.c.op)
            .join(R, R.c.id == V.c.record_id)
            .where(V.c.record_id.in_(chunk), V.c.version == R.c.current_version)
        )
        for rid, digest, status, op in rows:
            k = by_id[rid]
            k.current_hash, k.current_status, k.current_op = digest, status, op
    # A revoked record's repeat is judged against its newest content version (rare: only those are read).
    revoked = [k.id for k in by_id.values() if k.current_op == "D"]
    for chunk in _chunks(revoked, LOOKUP_CHUNK):
        has_content = or_(V.c.op.is_(None), V.c.op != "D")
        newest = (
            select(V.c.record_id, func.max(V.c.version).label("version"))
            .where(V.c.record_id.in_(chunk), has_content)
            .group_by(V.c.record_id)
            .subquery()
        )
        rows = conn.execute(
            select(V.c.record_id, V.c.content_hash).join(
                newest, (V.c.record_id == newest.c.record_id) & (V.c.version == newest.c.version)
            )
        )
        for rid, digest in rows:
            by_id[rid].content_hash = digest
    return known


def _returning(table, *natural_key):
    """A multi-row INSERT that returns each new id with its natural key. SQLAlchemy can only promise RETURNING
    rows in parameter order on SQLite by sending one row per statement, so rows are matched by key instead."""
    return insert(table).returning(table.c.id, *natural_key)


def _is_repeat(k: _Known | None, digest: str) -> bool:
    if k is None or k.current_hash is None:
        return False
    if k.current_op == "D":
        # A revoked record sent again unchanged (units often resend their whole ledger) stays revoked; only
        # changed content publishes it again.
        return k.content_hash == digest
    # An identical resend of a record whose current version passed is a repeat; an identical resend of a
    # rejected one is stored again so it is re-validated (its verdict may depend on the day).
    return k.current_hash == digest and k.current_status != "invalid"


def store_sheet(
    session: Session, submission: Submission, sheet, report_date: dt.date
) -> tuple[list[int], int]:
    """Store one sheet's rows; returns (new version ids, in row order, and repeats).

    Set-based (Core selects in chunks, executemany inserts and updates), so a province-sized sheet costs
    seconds, not an ORM flush per row. The caller's transaction holds it all: on SQLite BEGIN IMMEDIATE
    already serialises writers; on PostgreSQL a racing run hits uq_record_unit_key or
    uq_version_record_version and the caller treats its IntegrityError as "collected by the other run".
    """
    data: pd.DataFrame = sheet.data
    if data.empty:
        return [], 0
    dataset = sheet.dataset
    key_series = business_keys(dataset, data)
    keys: list[str] = key_series.tolist()
    # Rows of one delivery sharing a key (DUP-1) are all kept as versions so validation sees each of them.
    in_file_dup = key_series.duplicated(keep=False).tolist()
    # Row dicts exist one chunk at a time (here for the hash, below again for the rows stored): a dict per
    # row and frame is ~1 KB, too much to hold for a province-sized sheet.
    digests = [
        content_hash(v)
        for lo in range(0, len(data), INSERT_CHUNK)
        for v in _row_dicts(data.iloc[lo : lo + INSERT_CHUNK])
    ]
    doc_nos, decision_dates = _column(data, "decision_doc_no"), _column(data, "decision_date")
    session.flush()  # Core statements below do not autoflush what the caller left pending
    conn = session.connection()
    unit = submission.unit
    known = _known_records(conn, dataset, unit, list(dict.fromkeys(keys)))

    # Which rows become versions. A key appearing once is judged against the store alone; rows sharing a
    # key are all stored, so no row depends on another row's outcome.
    stored: list[int] = []
    repeats = 0
    for i, (key, dup, digest) in enumerate(zip(keys, in_file_dup, digests, strict=True)):
        if not dup and _is_repeat(known.get(key), digest):
            repeats += 1
        else:
            stored.append(i)
    if not stored:
        return [], repeats

    # Version numbers continue each record's; a record's decision date is its first readable one.
    version_no: list[int] = []
    counts: dict[str, int] = {}
    dates: dict[str, dt.date | None] = {}
    first_row: dict[str, int] = {}
    for i in stored:
        key = keys[i]
        n = counts.get(key, 0) + 1
        counts[key] = n
        k = known.get(key)
        version_no.append((k.current_version if k else 0) + n)
        if key not in first_row:
            first_row[key] = i
            dates[key] = k.decision_date if k else None
        if dates[key] is None:
            dates[key] = _decision_date(decision_dates[i])

    record_ids: dict[str, int] = {k: v.id for k, v in known.items()}
    new_keys = [key for key in first_row if key not in known]
    for chunk in _chunks(new_keys, INSERT_CHUNK):
        rows = [
            {
                "dataset": dataset,
                "unit": unit,
                "business_key": key,
                "record_key": record_key(unit, key),
                "decision_doc_no": doc_nos[first_row[key]],
                "decision_date": dates[key],
                "first_received": report_date,
                "current_version": counts[key],
                "accepted_version": None,
                "revoked": False,
            }
            for key in chunk
        ]
        record_ids.update((key, rid) for rid, key in conn.execute(_returning(R, R.c.business_key), rows))

    # Stored records: the new current version, and a decision date where they had none.
    bumped, dated = [], []
    for key in first_row:
        k = known.get(key)
        if k is None:
            continue
        cv = k.current_version + counts[key]
        if k.decision_date is None and dates[key] is not None:
            dated.append({"rid": k.id, "cv": cv, "dd": dates[key]})
        else:
            bumped.append({"rid": k.id, "cv": cv})
    by_id = R.c.id == bindparam("rid")
    for chunk in _chunks(bumped, INSERT_CHUNK):
        conn.execute(update(R).where(by_id).values(current_version=bindparam("cv")), chunk)
    for chunk in _chunks(dated, INSERT_CHUNK):
        conn.execute(
            update(R).where(by_id).values(current_version=bindparam("cv"), decision_date=bindparam("dd")),
            chunk,
        )

    raw_frame = sheet.raw if sheet.raw.index.equals(data.index) else sheet.raw.reindex(index=data.index)
    row_numbers = data.index.tolist()
    new_ids: list[int] = []
    for lo in range(0, len(stored), INSERT_CHUNK):
        part = stored[lo : lo + INSERT_CHUNK]
        values, raws = _row_dicts(data.iloc[part]), _row_dicts(raw_frame.iloc[part])
        rows = [
            {
                "record_id": record_ids[keys[i]],
                "version": version_no[lo + j],
                "content_hash": digests[i],
                "submission_id": submission.id,
                "sheet": sheet.sheet,
                "row": int(row_numbers[i]),
                "received_date": report_date,
                "data": value,
                "raw": raw,
                "status": "pending",
                "push_state": "none",
                # JSON null, as the ORM wrote them: readers of the store see what they always saw.
                "errors": None,
                "warnings": None,
                "platform_errors": None,
            }
            for j, (i, value, raw) in enumerate(zip(part, values, raws, strict=True))
        ]
        made = {
            (rid, n): vid for vid, rid, n in conn.execute(_returning(V, V.c.record_id, V.c.version), rows)
        }
        new_ids += [made[row["record_id"], row["version"]] for row in rows]
    return new_ids, repeats


def _is_transient(path: Path) -> bool:
    """Lock files, partial downloads and hidden system files (.DS_Store) are not deliveries. A hidden name
    that ends like a data file (`.处罚.csv`, `..\\处罚.csv`) is a delivery and is collected."""
    name = path.name
    if name.startswith(TRANSIENT_PREFIXES) or name.endswith(TRANSIENT_SUFFIXES):
        return True
    return name.startswith(".") and not name.lower().endswith(DATA_SUFFIXES)


def collect_file(settings: Settings, unit: str, path: Path, report_date: dt.date) -> FileOutcome:
    from credit.readers import ReaderUnavailable, UnreadableFile, read_unit_file

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
        return _collect_revocations(settings, unit, path, name, sha, report_date, content.revocations)

    if reason is not None:
        target = quarantine(path, quarantine_dir, tag, *reason)
        with session_scope(settings.database_url) as session:
            sub = _submission(
                unit,
                name,
                sha,
                report_date,
                outcome="quarantined",
                reason=" / ".join(reason),
                stored_path=str(target),
            )
            session.add(sub)
            try:
                session.flush()
            except IntegrityError:
                session.rollback()
        return FileOutcome(name, "quarantined", reason[0], stored_path=str(target))

    try:
        with session_scope(settings.database_url) as session:
            sub = _submission(
                unit,
                name,
                sha,
                report_date,
                outcome="collected",
                datasets=",".join(dict.fromkeys(s.dataset for s in sheets)),
                rows=sum(len(s.data) for s in sheets),
                encoding=next((s.encoding for s in sheets if s.encoding), None),
                columns={s.sheet or "": s.columns for s in sheets},
            )
            session.add(sub)
            session.flush()
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

    target = move_into(path, archive_dir, tag)
    outcome.stored_path = str(target)
    _record_stored_path(settings, outcome)
    return outcome


def _record_stored_path(settings: Settings, outcome: FileOutcome) -> None:
    """The archive name is known only after the move (a tag is added when the name is taken)."""
    if outcome.submission_id is None:
        return
    stored = display_name(outcome.stored_path or "")  # a name with undecodable bytes, as text
    with session_scope(settings.database_url) as session:
        sub = session.get(Submission, outcome.submission_id)
        if sub is not None and sub.stored_path != stored:
            sub.stored_path = stored
            session.add(sub)


def _collect_revocations(
    settings: Settings, unit: str, path: Path, name: str, sha: str, report_date: dt.date, table
) -> FileOutcome:
    """A 撤销清单 (read by `read_unit_file`): matched rows become deletes, unmatched ones are kept for the
    unit's feedback."""
    day = report_date.isoformat()
    try:
        rows = revocation_rows(table)
    except ValueError as exc:
        reason = (str(exc), f"revocation list unreadable: {exc}")
        target = quarantine(path, unit_folder(settings.quarantine, unit) / day, sha[:8], *reason)
        return FileOutcome(name, "quarantined", reason[0], stored_path=str(target))
    try:
        with session_scope(settings.database_url) as session:
            sub = _submission(
                unit,
                name,
                sha,
                report_date,
                outcome="collected",
                datasets="revocation",
                rows=len(rows),
            )
            session.add(sub)
            session.flush()
            applied = apply_revocations(session, unit, rows, report_date)
            sub.new_versions = len(applied.queued)
            sub.problems = revocation_feedback(name, applied) or None
            outcome = FileOutcome(
                name, "collected", None, sub.id, ["revocation"], len(rows), len(applied.queued)
            )
    except IntegrityError:
        outcome = FileOutcome(name, "duplicate", "同时运行的另一任务已收取")
    target = move_into(path, unit_folder(settings.archive, unit) / day, sha[:8])
    outcome.stored_path = str(target)
    _record_stored_path(settings, outcome)
    return outcome


def collect_unit(settings: Settings, unit: str, report_date: dt.date) -> UnitCollect:
    """Collect every file in `inbox/<unit>/`; one bad file never stops the others."""
    from credit.readers.contained import warm_up

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


def collect_sql(settings: Settings, unit: str, report_date: dt.date) -> UnitCollect:
    """Read a unit's configured SQL sources (credit.sql_sources) into the store like a delivered file."""
    from credit.readers import UnreadableFile, read_frame
    from credit.sql_sources import read_source, sources_for

    result = UnitCollect(unit, report_date)
    for source in sources_for(settings, unit):
        frame = read_source(source)
        sha = hashlib.sha256(frame.to_csv(index=False).encode("utf-8")).hexdigest()
        name = f"sql:{source.name}"
        with session_scope(settings.database_url) as session:
            known = session.exec(
                select(Submission).where(Submission.unit == unit, Submission.sha256 == sha)
            ).first()
            if known is not None:
                result.files.append(FileOutcome(name, "duplicate", "数据与上次读取相同", known.id))
                continue
            try:
                sheet = read_frame(frame, source=name)
            except UnreadableFile as exc:
                result.files.append(FileOutcome(name, "quarantined", exc.reason_zh))
                continue
            sub = _submission(
                unit,
                name,
                sha,
                report_date,
                source="sql",
                outcome="collected",
                datasets=sheet.dataset,
                rows=len(sheet.data),
                columns={"": sheet.columns},
            )
            session.add(sub)
            session.flush()
            ids, repeats = store_sheet(session, sub, sheet, report_date)
            sub.new_versions, sub.repeats = len(ids), repeats
            result.files.append(
                FileOutcome(name, "collected", None, sub.id, [sheet.dataset], sub.rows, len(ids), repeats)
            )
    return result
