"""Excel workbooks (.xlsx, .xlsm, .xls): cached cell values as the unit sees them, never evaluated.

Engines: "auto" (the default) reads .xlsx/.xlsm with our own parser (`credit.readers.xlsx`) and the whole
workbook with calamine whenever that parser declines; "calamine" and "openpyxl" read it with that library alone.
Every source is a grid of `cell_text`s that `_read_sheet` turns into a Sheet the same way; our parser and
calamine give the same cells but for the differences credit.readers.xlsx names.

calamine and openpyxl allocate the whole rectangle a worksheet's cells span: `guards.check_sheet_extents`
streams every worksheet before either reads a workbook. Our parser knows each cell's position anyway: it
refuses a sheet it loads from the extent it parsed, and has the guard stream only the sheets it does not load.
"""

from __future__ import annotations

import functools
import io
import logging
from contextlib import closing
from operator import itemgetter
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import python_calamine as calamine

from credit.escape import log_line
from credit.readers import revocation, xlsx
from credit.readers.base import HEADER_SCAN_ROWS, Sheet, UnreadableFile
from credit.readers.build import build_sheet
from credit.readers.cell_text import cell_text
from credit.readers.guards import check_sheet_extents
from credit.readers.headers import find_header, match_headers, merge_sub_header
from credit.readers.refusals import INFLATE_ERRORS, damaged

ENGINES = ("auto", "calamine", "openpyxl")

log = logging.getLogger(__name__)


def _text_array(values: list[str]) -> pa.Array:
    """Python strings as one arrow array: joined, encoded and split at C speed (≈ 2x faster than converting
    them one by one); TypeError when a value is not a string."""
    if not values:
        return pa.array([], type=pa.large_string())
    joined = "\x00".join(values)
    if joined.count("\x00") != len(values) - 1:  # a NUL in a cell: the separator is taken
        return pa.array(values, type=pa.large_string())
    try:
        data = joined.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: arrow says what it thinks of it
        return pa.array(values, type=pa.large_string())
    whole = pa.Array.from_buffers(
        pa.large_binary(),
        1,
        [None, pa.py_buffer(np.array([0, len(data)], dtype=np.int64)), pa.py_buffer(data)],
    )
    return pc.split_pattern(whole, "\x00").flatten().view(pa.large_string())


def _column(rows: list[list[object]], pos: int, rectangular: bool) -> pa.Array:
    """The cells of one column as text ('' for blank: the builder nulls it), each as `cell_text` writes it."""
    if rectangular:
        values = list(map(itemgetter(pos), rows))
    else:
        values = [r[pos] if pos < len(r) else None for r in rows]
    try:
        return _text_array(values)  # all text already: the common case, no per-cell Python
    except TypeError:  # numbers, dates, booleans, None
        conv = cell_text
        return _text_array([v if v.__class__ is str else (conv(v) or "") for v in values])


class Grid(Protocol):
    """A worksheet as `_read_sheet` reads it, whatever parsed it."""

    nrows: int  # rows from A1 to the last one holding a cell

    def head(self, n: int) -> list[list[str | None]]:
        """The first n rows as `cell_text`s (None for blank)."""

    def column(self, pos: int, start: int) -> pa.Array:
        """The cells of column `pos` from 0-based row `start` on, as arrow strings ('' or null for blank)."""


class _Rows:
    """A worksheet as rows of Python values (calamine, openpyxl), seen as a Grid."""

    def __init__(self, rows: list[list[object]]):
        self.rows = rows
        self.nrows = len(rows)
        self._bodies: dict[int, tuple[list[list[object]], set[int]]] = {}

    def head(self, n: int) -> list[list[str | None]]:
        return [[cell_text(c) for c in r] for r in self.rows[:n]]

    def column(self, pos: int, start: int) -> pa.Array:
        if start not in self._bodies:  # the rows below the header, and their lengths, once per sheet
            body = self.rows[start:]
            self._bodies[start] = body, set(map(len, body))
        body, widths = self._bodies[start]
        return _column(body, pos, rectangular=len(widths) <= 1 and (not body or len(body[0]) > pos))


def _sheets_calamine(data: bytes):
    """(name, hidden, load) per worksheet; load() gives its rows from A1 as a Grid."""
    try:
        wb = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError:
        raise UnreadableFile(
            "工作簿设有密码，请取消密码后再报送", "the workbook is password-protected"
        ) from None
    except Exception as exc:
        raise _broken(data, exc) from None

    def load(name: str) -> _Rows:
        try:
            return _Rows(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
        except calamine.CalamineError as exc:  # a worksheet part that does not inflate or parse
            raise _broken(data, exc) from None

    with wb:
        for meta in wb.sheets_metadata:
            if meta.typ != calamine.SheetTypeEnum.WorkSheet:
                continue
            hidden = meta.visible != calamine.SheetVisibleEnum.Visible
            yield meta.name, hidden, functools.partial(load, meta.name)


def _sheets_openpyxl(data: bytes):
    import openpyxl  # only for the comparison engine: importing it costs ~150 ms (measured), most runs never do

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise _broken(data, exc) from None

    def load(ws) -> _Rows:
        try:
            return _Rows([list(r) for r in ws.iter_rows(values_only=True)])
        except Exception as exc:  # the rows are read here, from the zip: as when the workbook is opened
            raise _broken(data, exc) from None

    try:
        for ws in wb.worksheets:
            yield ws.title, ws.sheet_state != "visible", functools.partial(load, ws)
    finally:
        wb.close()


def _broken(data: bytes, exc: Exception) -> UnreadableFile:
    head = data[:512].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")) or b"<table" in head:
        return UnreadableFile(
            "文件是网页（HTML）格式，只是扩展名为Excel；请用Excel打开后“另存为”.xlsx再报送",
            "the file is an HTML page with an Excel extension; open it in Excel and save as .xlsx",
        )
    if data.startswith(b"\xd0\xcf\x11\xe0") and b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00" in data[:65536]:
        return UnreadableFile(
            "工作簿已加密，请取消密码后再报送", "the workbook is encrypted; remove the password"
        )
    if isinstance(exc, INFLATE_ERRORS):  # a part the guard does not stream (openpyxl inflates them all)
        return damaged(exc)
    return UnreadableFile(
        f"无法读取Excel文件（文件已损坏或不是Excel格式）：{type(exc).__name__}",
        f"cannot read the Excel file (damaged or not Excel): {type(exc).__name__}: {exc}",
    )


def read_workbook(data: bytes, *, max_rows: int, engine: str = "auto") -> list[Sheet]:
    sheets = read_delivered_workbook(data, max_rows=max_rows, engine=engine, revocation_lists=False)
    assert isinstance(sheets, list)
    return sheets


def read_delivered_workbook(
    data: bytes, *, max_rows: int, engine: str = "auto", revocation_lists: bool = True
) -> list[Sheet] | revocation.RevocationTable:
    """The workbook's datasets, or (`revocation_lists`) the 撤销清单 its first visible worksheet holds."""
    if engine not in ENGINES:
        raise ValueError(f"unknown Excel engine {engine!r}; one of {ENGINES}")
    if engine == "auto":
        try:
            with closing(xlsx.worksheets(data)) as fast:
                return _read_sheets(fast, max_rows, revocation_lists)
        except xlsx.NotFast as exc:  # not for our parser: calamine reads the whole workbook, as it always did
            log.info("the xlsx reader declined the workbook, calamine reads it: %s", log_line(str(exc)))
            engine = "calamine"
    if data.startswith(b"\xd0\xcf\x11\xe0") and engine == "openpyxl":
        engine = "calamine"  # openpyxl cannot read .xls
    check_sheet_extents(data)  # the one way to these engines: they allocate a worksheet's whole rectangle
    source = _sheets_calamine(data) if engine == "calamine" else _sheets_openpyxl(data)
    return _read_sheets(source, max_rows, revocation_lists)


def _read_sheets(source, max_rows: int, revocation_lists: bool = False):
    """Every worksheet of (name, hidden, load) that holds a dataset, with the notes on those skipped; or the
    撤销清单 in the first visible worksheet (`revocation_lists`)."""
    sheets, skipped_hidden, unrelated = [], [], []
    first = True
    for name, hidden, load in source:
        if hidden:
            skipped_hidden.append(name)
            continue
        grid = load()
        if first and revocation_lists and (table := revocation.from_grid(grid)) is not None:
            return table
        first = False
        sheet = _read_sheet(name, grid, max_rows)
        if sheet is None:
            unrelated.append(name)
        else:
            sheets.append(sheet)
    if not sheets:
        extra = f"（隐藏的工作表未读取：{'、'.join(skipped_hidden)}）" if skipped_hidden else ""
        raise UnreadableFile(
            f"没有找到行政许可或行政处罚数据：各工作表前{HEADER_SCAN_ROWS}行中都没有表头{extra}",
            f"no 行政许可 or 行政处罚 header in the first {HEADER_SCAN_ROWS} rows of any visible worksheet"
            + (f" (hidden worksheets not read: {', '.join(skipped_hidden)})" if skipped_hidden else ""),
        )
    for s in sheets:
        if skipped_hidden:
            s.notes.append(f"隐藏的工作表未读取：{'、'.join(f'“{n}”' for n in skipped_hidden)}")
        if len(sheets) + len(unrelated) > 1 and unrelated:
            s.notes.append(f"以下工作表没有数据表头，已跳过：{'、'.join(f'“{n}”' for n in unrelated)}")
    return sheets


def _read_sheet(name: str, grid: Grid, max_rows: int) -> Sheet | None:
    head = grid.head(HEADER_SCAN_ROWS + 1)
    h = find_header(head)
    if h is None:
        return None
    headers = head[h]
    if h + 1 < len(head):
        merged = merge_sub_header(head[h], head[h + 1])
        if merged is not None:
            headers, h = merged, h + 1
    try:
        match = match_headers(headers)
    except UnreadableFile as exc:
        raise UnreadableFile(
            f"工作表“{name}”：{exc.reason_zh}", f"worksheet {name!r}: {exc.reason_en}"
        ) from None
    cells = {k: grid.column(pos, h + 1) for k, pos in match.positions.items()}
    index = range(h + 2, grid.nrows + 1)
    try:
        return build_sheet(
            match, headers, h + 1, cells, index, sheet=name, encoding=None, notes=[], max_rows=max_rows
        )
    except UnreadableFile as exc:
        raise UnreadableFile(
            f"工作表“{name}”：{exc.reason_zh}", f"worksheet {name!r}: {exc.reason_en}"
        ) from None
