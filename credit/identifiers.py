"""Identifier algorithms: 统一社会信用代码 (GB 32100-2015) and 公民身份号码 (GB 11643-1999).

Scalar functions for single values and vectorised numpy versions for whole columns (a Python loop over
1M codes costs ≈ 10 s; the vectorised check ≈ 0.5 s). Unlike python-stdnum, letter-prefixed credit codes
and region codes missing from any table are accepted (docs/standard.md §4).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
# GB 32100 registration authority (1st character) -> its institution kinds (2nd), as data.
with open(Path(__file__).parent / "data" / "uscc_prefixes.csv", encoding="utf-8", newline="") as _fh:
    USCC_PREFIXES = frozenset(row["authority"] + kind for row in csv.DictReader(_fh) for kind in row["kinds"])
USCC_PLACEHOLDER = "0" * 17 + "X"
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")

RIC_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
RIC_CHECK = "10X98765432"
_RIC_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str | None) -> bool:
    """GB 32100: alphabet, registration-authority/type prefix, digits for the region, MOD 31-3 check."""
    if not code or not _USCC_SHAPE.match(code) or code[:2] not in USCC_PREFIXES:
        return False
    return uscc_check_char(code[:17]) == code[17]


def ric_check_char(first17: str) -> str:
    return RIC_CHECK[sum(int(c) * w for c, w in zip(first17, RIC_WEIGHTS, strict=True)) % 11]


def is_valid_ric(number: str | None) -> bool:
    """GB 11643: 18 characters, a real birth date, MOD 11-2 check. Unknown region codes are accepted."""
    if not number or not _RIC_SHAPE.match(number):
        return False
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > dt.date.today():
        return False
    return ric_check_char(number[:17]) == number[17]


def _fixed_ascii(values, width: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Positions of the values that are exactly `width` ASCII characters, and their (k, width) uint8 byte
    matrix, read straight from an Arrow buffer (no Python object per value); others are invalid anyway."""
    if isinstance(values, pa.ChunkedArray):
        arr = values.combine_chunks()
    elif isinstance(values, pa.Array):
        arr = values
    else:
        if hasattr(values, "__arrow_array__"):  # pandas' Arrow-backed string arrays and Series: zero copy
            arr = pa.array(values)
        else:
            arr = pa.array(np.asarray(values, dtype=object), type=pa.large_string(), from_pandas=True)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
    if not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.large_string())
    fit = pc.and_(pc.equal(pc.binary_length(arr), width), pc.string_is_ascii(arr))
    idx = np.flatnonzero(fit.fill_null(False).to_numpy(zero_copy_only=False))
    if len(idx) == 0:
        return idx, None
    taken = arr.take(pa.array(idx))  # fresh, contiguous: k * width bytes from offset 0
    offsets = np.frombuffer(taken.buffers()[1], dtype=np.int64, count=len(idx) + 1, offset=taken.offset * 8)
    data = np.frombuffer(taken.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    return idx, data.reshape(len(idx), width)


_USCC_LOOKUP = np.full(128, -1, dtype=np.int8)
for _i, _c in enumerate(USCC_ALPHABET):
    _USCC_LOOKUP[ord(_c)] = _i
_USCC_PREFIX_OK = np.zeros(128 * 128, dtype=bool)  # (first char, second char) -> registered prefix
for _p in USCC_PREFIXES:
    _USCC_PREFIX_OK[ord(_p[0]) * 128 + ord(_p[1])] = True
_USCC_WEIGHTS = np.array(USCC_WEIGHTS, dtype=np.int32)


def uscc_valid_mask(values) -> np.ndarray:
    """Vectorised `is_valid_uscc` over an array-like of strings (None/NaN count as invalid)."""
    result = np.zeros(len(values), dtype=bool)
    idx, mat = _fixed_ascii(values, 18)
    if mat is None:
        return result
    vals = _USCC_LOOKUP[mat]  # int8: -1 for a character outside the alphabet
    good = (vals >= 0).all(axis=1) & (vals[:, 2:8] <= 9).all(axis=1)
    good &= _USCC_PREFIX_OK[mat[:, 0].astype(np.int32) * 128 + mat[:, 1]]
    total = vals[:, :17].astype(np.int32) @ _USCC_WEIGHTS
    good &= ((31 - total % 31) % 31) == vals[:, 17]
    result[idx] = good
    return result


def ric_valid_mask(values, today: dt.date | None = None) -> np.ndarray:
    """Vectorised `is_valid_ric` over an array-like of strings."""
    result = np.zeros(len(values), dtype=bool)
    idx, mat = _fixed_ascii(values, 18)
    if mat is None:
        return result
    mat = mat.astype(np.int64)
    digits = mat - ord("0")
    good = ((digits[:, :17] >= 0) & (digits[:, :17] <= 9)).all(axis=1)
    last = mat[:, 17]
    good &= ((last >= ord("0")) & (last <= ord("9"))) | (last == ord("X"))
    d17 = np.where(good[:, None], digits[:, :17], 0)
    check = np.frombuffer(RIC_CHECK.encode(), dtype=np.uint8)[(d17 * np.array(RIC_WEIGHTS)).sum(axis=1) % 11]
    good &= check == last
    # Birth date: a real calendar date between 1900 and today.
    year = d17[:, 6] * 1000 + d17[:, 7] * 100 + d17[:, 8] * 10 + d17[:, 9]
    month = d17[:, 10] * 10 + d17[:, 11]
    day = d17[:, 12] * 10 + d17[:, 13]
    limit = today or dt.date.today()
    stamp = year * 10000 + month * 100 + day
    good &= (year >= 1900) & (stamp <= limit.year * 10000 + limit.month * 100 + limit.day)
    good &= (month >= 1) & (month <= 12) & (day >= 1)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_len = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)]
    month_len = month_len + ((month == 2) & leap)
    good &= day <= month_len
    result[idx] = good
    return result


def mask_id(number: str | None) -> str | None:
    """`440882********1234`: region kept, birth date and sequence hidden (docs/standard.md §7)."""
    if number is None:
        return None
    s = str(number)
    if len(s) <= 4:
        return "*" * len(s)
    if len(s) <= 10:
        return s[:2] + "*" * (len(s) - 4) + s[-4:]
    return s[:6] + "*" * (len(s) - 10) + s[-4:]
