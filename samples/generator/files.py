"""Writing tables as units deliver them: CSV in four encodings, xlsx with an optional title row."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

from .records import ENCODINGS, FORMATS


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, dt.date):
        return f"{value:%Y/%m/%d}"
    return str(value)


def write_table(
    path: Path,
    fmt: str,
    headers: list[str],
    rows: list[list],
    title: str | None = None,
    sheet: str = "Sheet1",
) -> str | None:
    """Write one table; returns the encoding actually used (None for xlsx).

    A `csv-gbk` file whose text GBK cannot encode is written as GB 18030 instead (its superset).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        _write_xlsx(path, headers, rows, title, sheet, ncols=len(headers))
        return None
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    if title:
        writer.writerow([title])
    writer.writerow(headers)
    writer.writerows([_cell_text(v) for v in row] for row in rows)
    encoding = ENCODINGS[fmt]
    try:
        data = buf.getvalue().encode(encoding)
    except UnicodeEncodeError:
        if encoding != "gbk":
            raise
        encoding = "gb18030"
        data = buf.getvalue().encode(encoding)
    path.write_bytes(data)
    return encoding


def _write_xlsx(path: Path, headers, rows, title, sheet, ncols) -> None:
    big = len(rows) > 5000
    wb = Workbook(write_only=big)
    ws = wb.create_sheet(sheet) if big else wb.active
    if not big:
        ws.title = sheet
    if title:
        ws.append([title])
        if not big:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(ncols, 1))
            ws.cell(1, 1).font = Font(bold=True, size=14)
            ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.append(headers)
    for row in rows:
        ws.append([None if (isinstance(v, float) and v != v) else v for v in row])
    if not big:
        header_row = 2 if title else 1
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
            if isinstance(cell.value, str) and "\n" in cell.value:
                cell.alignment = Alignment(wrap_text=True)
        for date_row in ws.iter_rows(min_row=header_row + 1):
            for cell in date_row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy/mm/dd"
    wb.save(path)


def write_frame(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    """Write a frame (headers as columns) as csv-utf8 | csv-utf8-sig | csv-gbk | csv-gb18030 | xlsx.

    CSV goes through pandas (fast); a GBK file that GBK cannot encode falls back to GB 18030.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "xlsx":
        rows = frame.astype(object).where(frame.notna(), None).values.tolist()
        for row in rows:
            for value in row:
                if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
                    raise ValueError(
                        f"xlsx cannot hold control characters (a TXT-1 row?): {value!r}; write such rows as CSV"
                    )
        write_table(path, fmt, [str(c) for c in frame.columns], rows)
        return
    if fmt not in ENCODINGS:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    try:
        frame.to_csv(path, index=False, encoding=ENCODINGS[fmt], lineterminator="\r\n")
    except UnicodeEncodeError:
        if fmt != "csv-gbk":
            raise
        frame.to_csv(path, index=False, encoding="gb18030", lineterminator="\r\n")
