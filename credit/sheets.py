"""Worksheet layout shared by the workbooks people open and print (问题数据, 日统计): column widths and row
heights from the text, and a print set-up that fits the page width and repeats the header."""

from __future__ import annotations

import math
import unicodedata

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

LINE_HEIGHT = 15.0  # points per line of 11-point text (CJK glyphs need ~14.5)
DEFAULT_MAX_WIDTH = 36


def display_width(text: str) -> int:
    """Columns a line takes: CJK and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrapped_lines(text: str, width: float) -> int:
    """Lines a wrapped cell of `width` characters shows."""
    usable = max(1.0, width - 1.5)
    return sum(max(1, math.ceil(display_width(line) / usable)) for line in text.split("\n"))


def fit(
    ws: Worksheet,
    header_row: int,
    max_width: dict[str, int] | None = None,
    minimum: int = 6,
    default_max: int = DEFAULT_MAX_WIDTH,
) -> None:
    """Column widths from their content (a header wraps onto two lines rather than widen its column), then
    the height of every row from the header down from its wrapped line count (wrapped text never overlaps
    the next row)."""
    max_width = max_width or {}
    header = [c.value for c in ws[header_row]]
    widths: dict[int, float] = {}
    for col, title in enumerate(header, start=1):
        title = "" if title is None else str(title)
        values = [
            str(ws.cell(r, col).value)
            for r in range(header_row + 1, ws.max_row + 1)
            if ws.cell(r, col).value is not None
        ]
        longest = max((display_width(line) for v in values for line in v.split("\n")), default=0)
        head = max(math.ceil(display_width(title) / 2) + 2, minimum)
        widths[col] = min(max_width.get(title, default_max), max(longest + 2, head, minimum))
        ws.column_dimensions[get_column_letter(col)].width = widths[col]
    for r in range(header_row, ws.max_row + 1):
        lines = 1
        for col, width in widths.items():
            value = ws.cell(r, col).value
            if isinstance(value, str) and value:
                lines = max(lines, wrapped_lines(value, width))
        ws.row_dimensions[r].height = LINE_HEIGHT * lines + 3


A4_WIDTH = 140  # column-width units (characters) an A4 landscape page shows at 100 %


def visible_width(ws: Worksheet) -> float:
    return sum(
        (ws.column_dimensions[get_column_letter(c)].width or 8.43)
        for c in range(1, ws.max_column + 1)
        if not ws.column_dimensions[get_column_letter(c)].hidden
    )


def print_setup(ws: Worksheet, title_rows: str, header_text: str | None = None) -> None:
    """Landscape, every column on the page width (as many pages down as needed), `title_rows` repeated on
    every page, margins of 1 cm at the sides, page numbers in the footer. A4, or A3 when the columns would
    print below about 60 % on A4 (a unit's 30 columns would be 5-point text); a printer without A3 scales
    the page down to A4 itself."""
    ws.page_setup.orientation = "landscape"
    wide = visible_width(ws) > A4_WIDTH / 0.6
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if wide else ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.25
    if header_text:
        ws.oddHeader.center.text = header_text.replace("&", "&&")
        ws.oddHeader.center.size = 10
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9
