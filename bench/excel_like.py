"""A workbook laid out the way Excel and WPS save one: a shared-strings table in UTF-8, dates as date cells
and amounts as numbers. openpyxl (the generator's writer) writes every string inline with each CJK character
as a numeric reference, ≈ 3× the XML of the same sheet saved by Excel: a unit's file does not look like that.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from credit.readers.excel import cell_text
from credit.standard import dataset

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"\d{1,12}(\.\d{1,6})?")


def _date(text: str) -> dt.datetime | None:
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return None


def _number(text: str) -> float | None:
    """A plain decimal that Excel shows back as the same text (so that reading it gives what was written)."""
    if not _DECIMAL.fullmatch(text):
        return None
    value = float(text)
    return value if cell_text(value) == text else None


def write_excel_like(frame: pd.DataFrame, path: Path, dataset_name: str) -> None:
    """One worksheet: the frame's headers, then its rows; blanks are left out as Excel leaves them."""
    import xlsxwriter  # a dev dependency: only the benchmark and the tests write such files

    kinds = {f.header: f.type for f in dataset(dataset_name).fields}
    convert = [
        _date if kinds.get(c) == "date" else _number if kinds.get(c) == "decimal" else None
        for c in frame.columns
    ]
    # Not constant_memory: in that mode xlsxwriter writes strings inline, unlike Excel.
    options = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(str(path), options) as book:
        sheet = book.add_worksheet("Sheet1")
        date_style = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write_row(0, 0, [str(c) for c in frame.columns])
        for r, row in enumerate(frame.itertuples(index=False, name=None), start=1):
            for c, value in enumerate(row):
                if value is None or (isinstance(value, float) and value != value):
                    continue
                text = str(value)
                typed = convert[c](text) if convert[c] else None
                if typed is None:
                    sheet.write_string(r, c, text)
                elif isinstance(typed, dt.datetime):
                    sheet.write_datetime(r, c, typed, date_style)
                else:
                    sheet.write_number(r, c, typed)
