"""A cell's value as the text a clerk sees: the one definition every Excel source (calamine, openpyxl, our own
.xlsx reader, a SQL frame) writes its cells with."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

__all__ = ["cell_text"]


def cell_text(v: object) -> str | None:
    """A cell as the text a clerk sees: dates as YYYY-MM-DD, 12.0 as 12."""
    if v is None or v == "":
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if v != v:
            return None
        if v.is_integer() and abs(v) < 1e21:
            return str(int(v))
        text = format(v, ".15g")  # Excel shows 15 significant digits: 0.30000000000000004 is 0.3
        return format(Decimal(text), "f") if "e" in text else text
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dt.time):
        return v.strftime("%H:%M:%S")
    return str(v)
