"""Reading a 撤销清单 (a unit's list of records to withdraw: see credit.revocations for what it means).

A delivered file is one when a header cell in its first SCAN_ROWS rows says 撤销原因 (of a workbook: its
first visible worksheet). Only those rows are looked at to tell (a CSV's first MiB at most), and only the
columns the list knows are kept of the rows below: a wide or huge file costs what its header costs.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from credit.readers.base import UnreadableFile
from credit.standard import DATA_DIR, header_form

MARKER = header_form("撤销原因")
SCAN_ROWS = 10
MAX_ROWS = 10_000  # a list withdraws a few records; each row is matched against the unit's records
HEAD_BYTES = 1 << 20  # of a CSV, decoded to look for the header
MAX_LINE = 1 << 20  # characters of one line of a CSV list (a list's line takes a few hundred)
_CSV_ENCODINGS = ("utf-8-sig", "gbk", "gb18030")


@dataclass
class RevocationTable:
    """The list's known columns and its rows, every cell as text (NFKC, white space collapsed; None blank)."""

    columns: dict[str, tuple[int, str]]  # key -> (position, header as written)
    rows: list[tuple[int, dict[str, str | None]]]  # (row number as the unit's file shows it, key -> text)


@cache
def _aliases() -> dict[str, str]:
    with open(DATA_DIR / "revocation_headers.csv", encoding="utf-8", newline="") as fh:
        return {header_form(row["alias"]): row["key"] for row in csv.DictReader(fh)}


def cell(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(unicodedata.normalize("NFKC", str(value)).split())
    return text or None


def header_index(rows: list[list[object]]) -> int | None:
    """The 0-based row among the first SCAN_ROWS that holds a 撤销原因 header cell."""
    for i, row in enumerate(rows[:SCAN_ROWS]):
        if any(header_form(cell(c) or "") == MARKER for c in row):
            return i
    return None


def _columns(header: list[object]) -> dict[str, tuple[int, str]]:
    aliases = _aliases()
    columns: dict[str, tuple[int, str]] = {}
    for pos, value in enumerate(header):
        key = aliases.get(header_form(cell(value) or ""))
        if key and key not in columns:
            columns[key] = (pos, cell(value) or "")
    return columns


def _too_many() -> UnreadableFile:
    return UnreadableFile(
        f"撤销清单行数超过上限（{MAX_ROWS}行），请拆分后再报送",
        f"the revocation list has more than {MAX_ROWS} rows; split it",
    )


def from_grid(grid) -> RevocationTable | None:
    """The list in a worksheet (a `credit.readers.excel.Grid`), None if its header rows hold no 撤销原因."""
    head = grid.head(SCAN_ROWS)
    at = header_index(head)
    if at is None:
        return None
    columns = _columns(head[at])
    values = {key: grid.column(pos, at + 1).to_pylist() for key, (pos, _) in columns.items()}
    count = max(0, grid.nrows - at - 1)
    rows = []
    for i in range(count):
        texts = {key: cell(values[key][i]) if i < len(values[key]) else None for key in columns}
        if any(texts.values()):
            rows.append((at + 2 + i, texts))
            if len(rows) > MAX_ROWS:
                raise _too_many()
    return RevocationTable(columns, rows)


def _csv_encoding(head: bytes) -> str | None:
    """The encoding the head of a CSV decodes in (a character cut at its end is allowed), None if none."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        return None
    for encoding in _CSV_ENCODINGS:
        try:
            codecs.getincrementaldecoder(encoding)().decode(head)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


def _lines(fh):
    """The file's lines, none longer than MAX_LINE characters (a longer one is refused, never held)."""
    while line := fh.readline(MAX_LINE):
        if len(line) >= MAX_LINE and not line.endswith(("\n", "\r")):
            raise UnreadableFile(
                f"撤销清单有超过{MAX_LINE}个字符的行，无法读取",
                f"a line of the revocation list is over {MAX_LINE} characters",
            )
        yield line


def from_csv(path: Path) -> RevocationTable | None:
    """The list in a CSV, None if its first SCAN_ROWS records (within its first MiB) hold no 撤销原因. Read as
    a stream: the header from the head, the rows below one by one, keeping the list's columns only."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise UnreadableFile("文件无法打开", f"cannot open the file: {exc.strerror}") from None
    encoding = _csv_encoding(head)
    if encoding is None:
        return None
    text = codecs.getincrementaldecoder(encoding)().decode(head)
    try:
        first = []
        for row in csv.reader(io.StringIO(text, newline="")):
            first.append(row)
            if len(first) >= SCAN_ROWS:
                break
    except csv.Error:
        return None
    at = header_index(first)
    if at is None:
        return None
    columns = _columns(first[at])
    rows = []
    try:
        with open(path, encoding=encoding, newline="") as fh:
            for number, row in enumerate(csv.reader(_lines(fh)), start=1):
                if number <= at + 1:
                    continue
                texts = {key: cell(row[pos]) if pos < len(row) else None for key, (pos, _) in columns.items()}
                if any(texts.values()):
                    rows.append((number, texts))
                    if len(rows) > MAX_ROWS:
                        raise _too_many()
    except (csv.Error, UnicodeDecodeError) as exc:
        raise UnreadableFile(
            "撤销清单无法读取：CSV格式或编码错误，请另存为UTF-8编码的CSV",
            f"revocation list unreadable: malformed CSV or encoding ({type(exc).__name__})",
        ) from None
    except OSError as exc:
        raise UnreadableFile("文件无法打开", f"cannot open the file: {exc.strerror}") from None
    return RevocationTable(columns, rows)
