"""Cell styles: whether a style's number format makes a number, a date or a duration of its cells."""

from __future__ import annotations

import numpy as np

from credit.readers.xlsx.package import MAIN_NS, NotFast, Package, parse

# Number formats as calamine sees them (src/formats.rs): a number, a date or time, or a duration.
NUMBER, DATE, DURATION = 0, 1, 2
# Built-in formats without a numFmt element (ECMA-376 Part 1, 18.8.30): 14-22, 45, 47 in every locale, and the
# East Asian ones (27-36, 50-58) Chinese Excel and WPS write, e.g. 28/51 m"月"d"日", 31 yyyy"年"m"月"d"日"; in
# zh-CN 32-35, 55-56 are times (h"时"mm"分"), read like 18-21: a date and time, the time alone declined.
# python_calamine 0.9 reads exactly these as dates (tests/test_xlsx_cjk_dates.py pins it).
_BUILTIN_DATE = frozenset(str(i) for i in (*range(14, 23), *range(27, 37), 45, 47, *range(50, 59)))


def format_kind(code: str) -> int:
    """calamine's `detect_custom_number_format`, branch for branch (the order of the tests matters)."""
    escaped = is_quote = ap = hms = False
    brackets = 0
    prev = " "
    for s in code:
        if escaped:
            escaped = False
        elif s in "_\\*":  # the next character is a literal, even inside quotes
            escaped = True
        elif is_quote:
            is_quote = s != '"'
        elif s == '"':
            is_quote = True
        elif s == ";":
            return NUMBER
        elif s == "[":
            brackets += 1
            if brackets > 255:  # calamine counts in a u8
                raise NotFast("a number format with too many brackets")
        elif s == "]" and brackets == 1 and hms:
            return DURATION
        elif s == "]":
            brackets = max(brackets - 1, 0)
        elif s in "aA" and not ap and brackets == 0:
            ap = True
        elif brackets == 0 and (s in "pm/PM" if ap else s in "dmhysDMHYS"):  # after an 'a': a/p, am/pm
            return DATE
        elif not (hms and s.lower() == prev.lower()):
            hms = prev == "[" and s in "mhsMHS"
        prev = s
    return NUMBER


def style_kinds(pkg: Package) -> np.ndarray:
    """Per cell style (`s`), whether its numbers are numbers, dates or durations."""
    raw = pkg.read("xl/styles.xml")
    if raw is None:
        return np.zeros(0, dtype=np.uint8)
    root = parse(raw, "styles")
    if 0 <= raw.find(b"<cellXfs") < raw.rfind(b"<numFmts"):  # calamine would not know those formats yet
        raise NotFast("number formats defined after the cell styles")
    # As calamine: formats from any numFmts element, styles from any cellXfs, in document order.
    custom = {
        f.get("numFmtId", ""): f.get("formatCode", "")
        for group in root.iter(f"{MAIN_NS}numFmts")
        for f in group.iter(f"{MAIN_NS}numFmt")
        if f.get("formatCode")
    }
    kinds = []
    for group in root.iter(f"{MAIN_NS}cellXfs"):
        for xf in group.iter(f"{MAIN_NS}xf"):
            fid = xf.get("numFmtId")
            if fid is None:
                kinds.append(NUMBER)
            elif fid in custom:
                kinds.append(format_kind(custom[fid]))
            else:
                kinds.append(DATE if fid in _BUILTIN_DATE else DURATION if fid == "46" else NUMBER)
    return np.array(kinds, dtype=np.uint8)
