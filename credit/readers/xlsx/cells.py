"""Cells: positions read from the bytes of their tags, attributes, shared-string indices, and the text of a
number or date cell."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np

from credit.readers.cell_text import cell_text
from credit.readers.xlsx.package import NotFast
from credit.readers.xlsx.styles import DURATION, NUMBER
from credit.readers.xlsx.tags import Tags, nth, windows, words

MAX_COLUMNS = 16_384
MAX_ROWS = 1_048_576
CELL_S, CELL_N, CELL_B, CELL_STR, CELL_INLINE = 1, 2, 3, 4, 5  # the cell types calamine reads (t=)
_CELL_TYPES = {None: CELL_N, "n": CELL_N, "s": CELL_S, "b": CELL_B, "str": CELL_STR, "inlineStr": CELL_INLINE}
_UNREAD_TYPES = {"e": "an error cell (#N/A, #DIV/0! ...)", "d": 'an ISO 8601 date cell (t="d")'}
_ATTR = re.compile(r' ([A-Za-z]+)="([^"<&]*)"')
_ATTRS = re.compile(r'(?: [A-Za-z]+="[^"<&]*")*')
_KNOWN_ATTRS = frozenset({"s", "t", "cm", "ph"})  # cm: dynamic-array metadata; ph: show phonetics
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # Rust's f64 syntax, finite
_EPOCH = dt.datetime(1899, 12, 30)


def cell_attributes(text: str) -> tuple[int, int]:
    """(type, style) from a cell tag's attributes after r, as calamine takes them; NotFast for e (error) and
    d (ISO date) cells, unknown attributes and anything unusual."""
    pairs = _ATTR.findall(text)
    attrs = dict(pairs)
    if not _ATTRS.fullmatch(text) or len(attrs) != len(pairs) or not attrs.keys() <= _KNOWN_ATTRS:
        raise NotFast(f"cell attributes {text!r}")
    t, style = attrs.get("t"), attrs.get("s")
    if t not in _CELL_TYPES:
        raise NotFast(_UNREAD_TYPES.get(t, f"a cell of type t={t!r}"))
    if style is not None and not (style.isascii() and style.isdigit() and len(style) < 10):
        raise NotFast(f"cell style {style!r}")
    return _CELL_TYPES[t], -1 if style is None else int(style)  # -1: no style, a plain number


def _digits(w: np.ndarray, first: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, bool]:
    """(value, whether all are digits) of the rows' bytes [first, end) read as decimal numbers."""
    value = np.zeros(len(w), dtype=np.int64)
    ok = True
    for j in range(int(first.min(initial=0)), int(end.max(initial=0))):
        inside = (j >= first) & (j < end)
        d = w[:, j].astype(np.int64) - 48
        ok = ok and not (inside & ((d < 0) | (d > 9))).any()
        value = np.where(inside, value * 10 + d, value)
    return value, ok


def cell_refs(buf: np.ndarray, tag_start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row 1-based, column 0-based, end of the attribute) of <c r="AB12" ...> tags; NotFast unless every tag
    starts with a plain upper-case reference."""
    if not len(tag_start):
        return (np.zeros(0, dtype=np.int64),) * 3
    head = words(buf, tag_start + 3)  # r="ABC1 (tag bytes 3..10)
    if ((head & np.uint64(0xFFFFFF)) != np.uint64(int.from_bytes(b'r="', "little"))).any():
        raise NotFast("a cell whose first attribute is not its position")
    ch = [nth(head, 3 + k) for k in range(4)]
    upper = [(c >= ord("A")) & (c <= ord("Z")) for c in ch]
    if not upper[0].all() or (upper[1] & upper[2] & upper[3]).any():
        raise NotFast("a cell reference without a column, or past XFD")
    letters = 1 + upper[1] + (upper[1] & upper[2])
    col = ch[0].astype(np.int64) - 65
    for k in (1, 2):
        col = np.where(k < letters, (col + 1) * 26 + ch[k].astype(np.int64) - 65, col)
    row, quote = _row_numbers(buf, tag_start + 6 + letters)
    if row.min() < 1 or row.max() > MAX_ROWS or col.max() >= MAX_COLUMNS:
        raise NotFast("a cell outside the sheet")
    return row, col, quote + 1


def _row_numbers(buf: np.ndarray, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(number, position of the closing quote) of the digits at `first`. The cells of a row write the same
    digits: they are compared as 8-byte words, and only the first of each run is read as a number."""
    word = words(buf, first)
    quote = np.full(len(word), 8, dtype=np.int64)
    for k in range(7, 0, -1):  # the first quote wins
        quote[nth(word, k) == ord('"')] = k
    if (quote > 7).any():
        raise NotFast("a cell reference this reader does not know")
    word &= (np.uint64(1) << (quote * 8).astype(np.uint64)) - np.uint64(1)
    runs = np.flatnonzero(np.concatenate(([True], word[1:] != word[:-1])))
    first_digit = np.zeros(len(runs), dtype=np.int64)
    value, digits_only = _digits(windows(buf, first[runs], 8), first_digit, quote[runs])
    if not digits_only:
        raise NotFast("a cell reference this reader does not know")
    return np.repeat(value, np.diff(np.append(runs, len(word)))), first + quote


def check_row_tags(tags: Tags) -> None:
    """calamine reads a row's r and fails on one that is not a row number: each must start <row r="N"."""
    rows = tags.start[tags.where("RE")]
    if not len(rows):
        return
    if (
        words(tags.buf, rows + 4) & np.uint64(0xFFFFFFFF) != np.uint64(int.from_bytes(b' r="', "little"))
    ).any():
        raise NotFast("a row whose first attribute is not its number")
    number, _ = _row_numbers(tags.buf, rows + 8)
    if number.min() < 1:
        raise NotFast("a row numbered 0")


def small_integers(buf: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """The texts [s, e) as integers; NotFast unless each is 1 to 9 ASCII digits."""
    if not len(s):
        return np.zeros(0, dtype=np.int64)
    n = e - s
    if n.min() < 1 or n.max() > 9:
        raise NotFast("a shared-string index that is not a number")
    value, ok = _digits(windows(buf, s, int(n.max())), np.zeros(len(s), dtype=np.int64), n)
    if not ok:
        raise NotFast("a shared-string index that is not a number")
    return value


def number_text(text: str, kind: int) -> str:
    """What `cell_text` makes of calamine's value for a number cell `text` whose style is of `kind`."""
    if not _NUMBER.fullmatch(text):
        raise NotFast("a number cell that is not a number")
    value = float(text)  # correctly rounded, as Rust's parse
    if not math.isfinite(value) or kind == DURATION:
        raise NotFast("an infinite number or a duration")
    if kind == NUMBER:
        return cell_text(value) or ""
    # calamine: milliseconds since 1899-12-30, rounded half away from zero. python_calamine makes a time of a
    # serial below 1 and shifts those below 60 (Excel's 1900-02-29): such dates stay with calamine.
    if 0 <= value < 1:
        raise NotFast("a time without a date in a date or time format")
    if not 61 <= value < 2_958_466:
        raise NotFast("a date before 1900-03-01 or after 9999")
    try:
        return cell_text(_EPOCH + dt.timedelta(milliseconds=math.floor(value * 86_400_000 + 0.5))) or ""
    except OverflowError:
        raise NotFast("a date after 9999") from None
