"""The reference feed (docs/contracts.md "Inbox"): decisions a unit is known to have made.

`$CREDIT_HOME/reference/<dataset>/*.csv` with columns `unit,decision_doc_no,decision_date` (UTF-8 with or
without BOM, dates `YYYY-MM-DD`) becomes `ReferenceDecision` rows, each with its deadline: the N-th working
day after the decision date. A file already read (same SHA-256) is skipped, a decision already known is left
as it is (insert-or-ignore on the unique key), so reading the feed twice changes nothing. Bad rows are
logged and returned in `problems`, never fatal.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from credit.standard import datasets
from credit.store.models import ReferenceDecision, ReferenceFile
from credit.units import all_units
from credit.workdays import CalendarGap, WorkCalendar

log = logging.getLogger(__name__)

COLUMNS = ("unit", "decision_doc_no", "decision_date")

# 〔2026〕, [2026], (2026), （2026）, 【2026】, ［2026］ are all written for the same 文号 bracket.
_OPEN = "〔[(（【［"
_CLOSE = "〕])）】］"
_BRACKETS = str.maketrans({**dict.fromkeys(_OPEN, "〔"), **dict.fromkeys(_CLOSE, "〕")})
_WS = re.compile(r"\s+")


def doc_no_key(doc_no: object) -> str:
    """The form two document numbers are compared in: NFKC, no white space, one bracket style."""
    if doc_no is None:
        return ""
    text = unicodedata.normalize("NFKC", str(doc_no))
    return _WS.sub("", text.translate(_BRACKETS))


@dataclass
class FeedProblem:
    file: str
    row: int | None  # line number in the file (header = 1), None for the whole file
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        return f"{where}: {self.message}"


@dataclass
class FeedResult:
    files_read: int = 0
    files_skipped: int = 0  # already read (same content)
    inserted: int = 0
    problems: list[FeedProblem] = field(default_factory=list)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # The contract says UTF-8; an export saved by Excel on a Chinese desktop is GB18030.
        return data.decode("gb18030")


def _parse_date(text: str) -> dt.date:
    value = unicodedata.normalize("NFKC", text).strip().replace("/", "-").replace(".", "-")
    return dt.datetime.strptime(value, "%Y-%m-%d").date()


INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}  # those with ON CONFLICT DO NOTHING


def _insert_ignore(session: Session, model, rows: list[dict]) -> int:
    """INSERT … ON CONFLICT DO NOTHING; returns how many rows were new."""
    if not rows:
        return 0
    insert = INSERTS.get(session.get_bind().dialect.name)
    if insert is None:  # pragma: no cover - other back ends: one row at a time in a savepoint
        count = 0
        for row in rows:
            try:
                with session.begin_nested():
                    session.add(model(**row))
                count += 1
            except IntegrityError:
                pass
        return count
    count = 0
    for start in range(0, len(rows), 1000):  # stay under SQLite's bound-parameter limit
        result = session.execute(insert(model).values(rows[start : start + 1000]).on_conflict_do_nothing())
        count += max(result.rowcount or 0, 0)
    return count


def read_reference_file(path: Path, units: set[str] | None = None) -> tuple[list[dict], list[FeedProblem]]:
    """Rows `{unit, decision_doc_no, decision_date}` of one feed file, and what was wrong with the rest."""
    units = units if units is not None else set(all_units())
    problems: list[FeedProblem] = []
    text = _decode(path.read_bytes())
    reader = csv.DictReader(io.StringIO(text))
    header = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
    lacking = [c for c in COLUMNS if c not in header]
    if lacking:
        problems.append(FeedProblem(str(path), None, f"缺少列 missing columns: {', '.join(lacking)}"))
        return [], problems
    rows: dict[tuple[str, str], dict] = {}
    for line, raw in enumerate(reader, start=2):
        unit = (raw.get(header["unit"]) or "").strip()
        doc_no = _WS.sub("", unicodedata.normalize("NFKC", raw.get(header["decision_doc_no"]) or ""))
        date_text = (raw.get(header["decision_date"]) or "").strip()
        if not unit and not doc_no and not date_text:
            continue  # a blank line
        if unit not in units:
            problems.append(FeedProblem(str(path), line, f"未知单位 unknown unit {unit!r}"))
            continue
        if not doc_no:
            problems.append(FeedProblem(str(path), line, "决定文书号为空 empty decision_doc_no"))
            continue
        try:
            decision_date = _parse_date(date_text)
        except ValueError:
            problems.append(FeedProblem(str(path), line, f"决定日期无效 bad decision_date {date_text!r}"))
            continue
        key = (unit, doc_no_key(doc_no))
        if key in rows and rows[key]["decision_date"] != decision_date:
            problems.append(
                FeedProblem(str(path), line, f"文书号重复且日期不同 duplicate {doc_no} with another date")
            )
            continue
        rows[key] = {"unit": unit, "decision_doc_no": doc_no, "decision_date": decision_date}
    return list(rows.values()), problems


def _deadline(calendar: WorkCalendar, day: dt.date, n: int) -> dt.date | None:
    try:
        return calendar.deadline(day, n)
    except CalendarGap:
        return None


def _days(dataset: str, deadline_workdays: int) -> int:
    """N of a dataset: CREDIT_DEADLINE_WORKDAYS for 双公示, else the dataset folder's (docs/standard.md §8)."""
    ds = datasets().get(dataset)
    if ds is None or ds.deadline is None or ds.deadline.setting:
        return deadline_workdays
    return ds.deadline.workdays


def fill_deadlines(
    session: Session, calendar: WorkCalendar, deadline_workdays: int, *, all_rows=False
) -> int:
    """Compute deadlines left empty (a year the calendar did not know then); `all_rows` recomputes every
    deadline (after CREDIT_DEADLINE_WORKDAYS or the calendar override changed). Returns rows changed."""
    stmt = select(ReferenceDecision)
    if not all_rows:
        stmt = stmt.where(ReferenceDecision.deadline.is_(None))
    changed = 0
    for decision in session.execute(stmt).scalars():
        n = _days(decision.dataset, deadline_workdays)
        deadline = _deadline(calendar, decision.decision_date, n)
        if deadline is not None and deadline != decision.deadline:
            decision.deadline = deadline
            session.add(decision)
            changed += 1
    session.flush()
    return changed


def load_reference_feed_detailed(
    session: Session, reference_dir: Path, calendar: WorkCalendar, deadline_workdays: int
) -> FeedResult:
    """Read every new feed file under `reference_dir/<dataset>/`; see the module docstring."""
    result = FeedResult()
    reference_dir = Path(reference_dir)
    fill_deadlines(session, calendar, deadline_workdays)
    if not reference_dir.is_dir():
        return result
    known = {ds.id for ds in datasets().values() if ds.reference_feed}
    units = set(all_units())
    for folder in sorted(p for p in reference_dir.iterdir() if p.is_dir()):
        if folder.name not in known:
            result.problems.append(
                FeedProblem(
                    str(folder),
                    None,
                    f"未知数据类别或该数据集未启用参考数据（数据集目录 dataset.toml 的 [reference] feed）"
                    f" unknown dataset, or one without a reference feed: {folder.name}",
                )
            )
            continue
        for path in sorted({*folder.glob("*.csv"), *folder.glob("*.CSV")}):
            digest = _sha256(path.read_bytes())
            seen = session.execute(select(ReferenceFile.id).where(ReferenceFile.sha256 == digest)).first()
            if seen:
                result.files_skipped += 1
                continue
            try:
                rows, problems = read_reference_file(path, units)
            except (OSError, UnicodeDecodeError, csv.Error) as exc:
                result.problems.append(FeedProblem(str(path), None, f"无法读取 unreadable: {exc}"))
                continue
            result.problems.extend(problems)
            if not rows and problems and problems[0].row is None:
                continue  # a file without the columns is not marked read: a fixed copy is a new file anyway
            values = []
            for row in rows:
                deadline = _deadline(calendar, row["decision_date"], _days(folder.name, deadline_workdays))
                if deadline is None:
                    result.problems.append(
                        FeedProblem(
                            str(path),
                            None,
                            f"{row['decision_date'].year}年日历未知，{row['decision_doc_no']} 的期限暂不计算 "
                            f"(calendar gap; deadline filled in later)",
                        )
                    )
                values.append({"dataset": folder.name, **row, "deadline": deadline})
            result.inserted += _insert_ignore(session, ReferenceDecision, values)
            _insert_ignore(
                session,
                ReferenceFile,
                [{"dataset": folder.name, "path": str(path), "sha256": digest, "rows": len(rows),
                  "loaded_at": dt.datetime.now(dt.UTC)}],
            )  # fmt: skip
            result.files_read += 1
    session.flush()
    for problem in result.problems:
        log.warning("reference feed: %s", problem)
    return result


def load_reference_feed(
    session: Session, reference_dir: Path, calendar: WorkCalendar, deadline_workdays: int
) -> int:
    """Read new feed files; returns the number of new reference decisions (problems are logged)."""
    return load_reference_feed_detailed(session, reference_dir, calendar, deadline_workdays).inserted
