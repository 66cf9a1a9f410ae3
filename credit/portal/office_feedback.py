"""The office's copy of a unit's 问题数据 workbook: the workbook the daily run wrote for the unit, with every ID
number masked (docs/standard.md §7: only the unit's own download is unmasked). Made on request from the
unit's file, never stored."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from credit import escape
from credit.portal.clerk_history import feedback_path
from credit.settings import Settings


def masked_feedback(settings: Settings, unit: str, day: dt.date) -> bytes | None:
    """The unit's workbook of `day` with every text cell and comment masked; None when there is none."""
    path = feedback_path(settings, unit, day)
    if not path.is_file():
        return None
    book = load_workbook(path)  # written by credit.reports.feedback: our own file, not a unit's
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = escape.mask(cell.value)
                if cell.comment is not None:
                    cell.comment.text = escape.mask(cell.comment.text)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
