"""ID numbers found in free text and masked (`440882********1234`), however people write them
(docs/standard.md §7). Used by every escaping rule (`credit.escape`) and by the clerk's messages
(`credit.validation.messages`); it imports neither of them."""

from __future__ import annotations

import re

from credit.identifiers import is_valid_uscc, mask_id

# ID numbers as people write them (docs/standard.md §7): 15–18 characters (an X last: a digit lost or added still
# hides a person) in ASCII or full-width digits, plain or in groups split by spaces or hyphens
# ("440882 19900101 1234", "440882-1990-0101-1234").
# A run of digits is found whole (never inside a longer number; letters around it do not hide it: a file
# named `sfz440882…`), then the groups that together look like an ID number are masked.
_DIGITS = "0-9\uff10-\uff19"
_XS = "Xx\uff38\uff58"
_SEPARATORS = " \u00a0\u2002-\u200a\u202f\u205f\u3000\\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d"
_NUMBER_RUN = re.compile(  # at least 15 characters long: shorter runs never cost a Python call
    rf"(?<![{_DIGITS}])(?=[{_DIGITS}{_XS}{_SEPARATORS}]{{15}})"
    rf"[{_DIGITS}]+[{_XS}]?(?:[{_SEPARATORS}]{{1,3}}[{_DIGITS}]+[{_XS}]?)*(?![{_DIGITS}])"
)
_SEPARATOR_RUN = re.compile(rf"([{_SEPARATORS}]+)")
_TO_ASCII = str.maketrans({**{0xFF10 + i: str(i) for i in range(10)}, "x": "X", "\uff38": "X", "\uff58": "X"})


def mask_ids(text: str) -> str:
    """Every ID number in free text masked (`440882********1234`), however it is written."""
    if len(text) < 15:
        return text
    return _NUMBER_RUN.sub(_mask_run, text)


def _mask_run(match: re.Match) -> str:
    parts = _SEPARATOR_RUN.split(match.group(0))  # groups at even positions, separators between
    groups = parts[0::2]
    out: list[str] = []
    i = 0
    while i < len(groups):
        best, digits = None, ""
        for j in range(i, len(groups)):
            group = groups[j].translate(_TO_ASCII)
            # an X ending a group may end the number, or be a letter after it (`…1234x.csv`)
            tries = [(digits + group, "")]
            if group.endswith("X"):
                tries.append((digits + group[:-1], groups[j][-1]))
            for candidate, rest in tries:
                if (
                    len(candidate) <= 18
                    and "X" not in candidate[:-1]
                    and _looks_like_id(candidate, plain=i == j)
                ):
                    best = (j, candidate, rest)
                    break
            digits += group
            if len(digits) > 19 or "X" in digits[:-1]:
                break
        if best is None:
            out.append(groups[i])
            end = i
        else:
            end, number, rest = best
            out.append((mask_id(number) or "") + rest)
        if end + 1 < len(groups):
            out.append(parts[2 * end + 1])
        i = end + 1
    return "".join(out)


def _looks_like_id(digits: str, *, plain: bool) -> bool:
    """15 digits written whole (an old ID number); 16–18 (a digit lost or added) with a birth date where an ID
    number carries it, the check digit right or wrong; 18 written whole that are no valid credit code. In
    groups, only 15 or 18 with a birth date. A credit code's 17 digits before its letter are not a date."""
    n = len(digits)
    if not digits[:-1].isdigit() or not (digits[-1].isdigit() or (digits[-1] == "X" and n >= 16)):
        return False
    if n == 15:
        return plain or _plausible_date("19" + digits[6:12])
    if n == 18 or (plain and n in (16, 17)):
        return _plausible_date(digits[6:14]) or (plain and n == 18 and not is_valid_uscc(digits))
    return False


def _plausible_date(yyyymmdd: str) -> bool:
    if len(yyyymmdd) != 8 or not yyyymmdd.isdigit():
        return False
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:])
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31
