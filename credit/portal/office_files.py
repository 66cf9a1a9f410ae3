"""Files the office opens from the portal: the monthly bulletins the monthly run built (out/bulletins/<yyyy-mm>/,
credit.reports.bulletin.BulletinPaths) and the quarantined files of a day with their reasons.

A bulletin is found by its month alone (validated), never by a name from the request; a path that leaves the
bulletins folder through a symbolic link is not served. Quarantined files are listed, never served: their
bytes are what could not be read safely (a disguised or hostile file), and the unit keeps its own copy; the
office needs the reason, which is on the page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlmodel import select

from credit.files import display_name
from credit.portal.office_month import valid_month
from credit.reports.bulletin import file_stem, title_of
from credit.store import Submission, session_scope
from credit.units import all_units

KINDS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
REASON_SUFFIX = ".reason.txt"
REASON_MAX = 4096  # a reason file is two lines; more is not shown


@dataclass
class BulletinFile:
    month: str
    title: str
    kinds: dict[str, int]  # "docx"/"pdf" -> size in bytes (only those that exist)
    built: dt.datetime


def _inside(path: Path, root: Path) -> Path | None:
    """`path` resolved, if it is a regular file whose real location is inside `root`'s."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not real.is_relative_to(root.resolve()) or not real.is_file():
        return None
    return real


def bulletin_file(settings, month: str, kind: str) -> Path | None:
    """The month's docx or pdf, or None (an invalid month, an unknown kind, nothing built)."""
    if kind not in KINDS or not valid_month(month):
        return None
    root = settings.out / "bulletins"
    return _inside(root / month / f"{file_stem(month)}.{kind}", root)


def bulletins(settings) -> list[BulletinFile]:
    """Every month with a bulletin built, newest first."""
    root = settings.out / "bulletins"
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        if not valid_month(folder.name) or folder.is_symlink() or not folder.is_dir():
            continue
        kinds = {}
        built = None
        for kind in KINDS:
            path = bulletin_file(settings, folder.name, kind)
            if path is not None:
                stat = path.stat()
                kinds[kind] = stat.st_size
                built = max(built or stat.st_mtime, stat.st_mtime)
        if kinds:
            when = dt.datetime.fromtimestamp(built, dt.UTC)
            found.append(BulletinFile(folder.name, title_of(folder.name), kinds, when))
    return sorted(found, key=lambda b: b.month, reverse=True)


def attachment(name: str, fallback: str) -> str:
    """A Content-Disposition for a download: an ASCII fallback name and the real one per RFC 5987/6266."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


# --- quarantine -----------------------------------------------------------------------------------------------
@dataclass
class Quarantined:
    unit: str
    name: str
    reason: str  # Chinese, as the collection stated it
    received_at: dt.datetime | None = None
    on_disk: bool = False


def _reason_zh(text: str | None) -> str:
    """The Chinese half of a stored reason ("中文 / English", or the reason file's `原因：…` line)."""
    if not text:
        return "（未记录原因）"
    for line in text.splitlines():
        if line.startswith("原因："):
            return line.removeprefix("原因：").strip()
    return text.split(" / ", 1)[0].strip()


def _reason_file(path: Path) -> str | None:
    """A `.reason.txt` the collection wrote; read as text, at most REASON_MAX bytes, never through a link."""
    if path.is_symlink() or not path.is_file():
        return None
    with path.open("rb") as handle:
        return handle.read(REASON_MAX).decode("utf-8", "replace")


def quarantined(settings, day: dt.date) -> list[Quarantined]:
    """The day's quarantined files: the Submission rows with outcome quarantined, and any file lying in
    quarantine/<unit>/<day>/ that no row names (a file moved there by hand or before the store knew it)."""
    with session_scope(settings.database_url) as db:
        rows = db.exec(
            select(Submission)
            .where(Submission.received_date == day, Submission.outcome == "quarantined")
            .order_by(Submission.unit, Submission.received_at, Submission.id)
        ).all()
    found: list[Quarantined] = []
    seen: set[tuple[str, str]] = set()
    for s in rows:
        stored = Path(s.stored_path).name if s.stored_path else ""
        found.append(
            Quarantined(s.unit, s.file_name, _reason_zh(s.reason), s.received_at, bool(s.stored_path))
        )
        seen.add((s.unit, stored))
    root = settings.quarantine
    for code in all_units():
        folder = root / code / day.isoformat()
        if not folder.is_dir() or (root / code).is_symlink() or folder.is_symlink():
            continue
        for path in sorted(folder.iterdir(), key=lambda p: p.name):
            if path.name.endswith(REASON_SUFFIX) or (code, path.name) in seen or not path.is_file():
                continue
            reason = _reason_file(path.with_name(path.name + REASON_SUFFIX))
            found.append(Quarantined(code, display_name(path.name), _reason_zh(reason), None, True))
    return found
