"""A delivery's 所属期间 as units write it: `2026-10`, `2026-Q3`, `2026年10月`, `2026年第3季度` (also full-width
digits and `2026.10`, `2026/10`), read into the period labels of `credit.duties.obligations` (`YYYY-MM`,
`YYYY-Qn`). Pure: the check of the evidence sheets (EVD-3) and the settlement both read it."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_MONTH = re.compile(r"^(\d{4})(?:[-./]|年)(\d{1,2})月?$")
_QUARTER = re.compile(r"^(\d{4})(?:-?Q|年第?)([1-4])(?:季度?)?$")
_QUARTER_ZH = re.compile(r"^(\d{4})年第?([一二三四])季度?$")
_ZH_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}


def parse_period(text: object) -> str | None:
    """The period label of `text`, or None when it is none (blank or malformed)."""
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or ""))).upper()
    if not s:
        return None
    if m := _MONTH.fullmatch(s):
        year, month = int(m.group(1)), int(m.group(2))
        return f"{year}-{month:02d}" if 1 <= month <= 12 and 2000 <= year <= 2099 else None
    if m := _QUARTER.fullmatch(s):
        return f"{m.group(1)}-Q{m.group(2)}" if 2000 <= int(m.group(1)) <= 2099 else None
    if m := _QUARTER_ZH.fullmatch(s):
        return f"{m.group(1)}-Q{_ZH_DIGITS[m.group(2)]}" if 2000 <= int(m.group(1)) <= 2099 else None
    return None


def period_end(label: str) -> dt.date:
    """The last day of a period label (`2026-10`, `2026-Q3`)."""
    year, part = label.split("-")
    month = 3 * int(part[1:]) if part.startswith("Q") else int(part)
    following = dt.date(int(year) + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def in_cadence(label: str, cadence: str) -> str | None:
    """The label as a period of `cadence`: a month of a quarterly duty is its quarter; a quarter never
    stands for one of its months (None)."""
    year, part = label.split("-")
    if cadence == "quarterly":
        return label if part.startswith("Q") else f"{year}-Q{(int(part) - 1) // 3 + 1}"
    return None if part.startswith("Q") else label
