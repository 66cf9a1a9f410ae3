"""Checks of one field's content: filled (REQ-1), in its code list (ENUM-1, DOC-2), not too long (LEN-1),
clean text (TXT-1), given by the unit rather than derived by the reader (DRV-1)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit.normalise import DERIVED, derived_mask
from credit.validation.checks.frame import (
    Masks,
    blank,
    by_unique,
    col,
    contains,
    filled,
    split_categories,
    utf8,
)

LABEL_NOISE = r"[:：]|统一社会信用代码|信用代码|注册号|组织机构代码|税务登记号|证件号码|身份证号"


def required(frame: pd.DataFrame, column_list: list[str]) -> Masks:
    """REQ-1: a required field is blank."""
    return {key: blank(col(frame, key)) for key in column_list}


def derived_values(frame: pd.DataFrame, fields: list[str]) -> Masks:
    """DRV-1: the file lacked the field's column and the reader derived its value from the row (the context
    column `derived` names, per row, the keys it derived; credit/data/derivations.csv)."""
    marks = col(frame, DERIVED)
    if not marks.notna().any():
        return {key: np.zeros(len(frame), dtype=bool) for key in fields}
    return {key: derived_mask(marks, key) for key in fields}


def required_when(frame: pd.DataFrame, when_field: str, when_values: list[str], flag: str) -> Masks:
    """REQ-1 under a condition: `flag` is blank although `when_field` holds one of `when_values`."""
    return {flag: col(frame, when_field).isin(when_values).to_numpy(dtype=bool) & blank(col(frame, flag))}


def coded(
    frame: pd.DataFrame,
    column: str,
    value_set: list[str],
    other_prefix: str | None = None,
    multi: bool = False,
) -> Masks:
    """ENUM-1: outside the code list (labels; `其他-<name>` when other_prefix; several parts when multi)."""
    allowed = set(value_set)

    def one_ok(v: str) -> bool:
        v = v.strip()
        if v in allowed:
            return True
        return bool(other_prefix) and v.startswith(other_prefix) and len(v) > len(other_prefix)

    def bad(values: np.ndarray) -> np.ndarray:
        if multi:
            return np.array([not (p := split_categories(v)) or not all(map(one_ok, p)) for v in values])
        return np.array([not one_ok(v) for v in values], dtype=bool)

    s = col(frame, column)
    return {column: by_unique(s, bad) & filled(s)}


def in_set(frame: pd.DataFrame, column: str, value_set: list[str]) -> Masks:
    """ENUM-1 (GX's built-in `expect_column_values_to_be_in_set`): a present value outside `value_set`."""
    s = col(frame, column)
    return {column: s.notna().to_numpy(dtype=bool) & ~s.isin(list(value_set)).to_numpy(dtype=bool)}


def not_in_set(frame: pd.DataFrame, column: str, value_set: list[str]) -> Masks:
    """DOC-2 (GX's built-in `expect_column_values_to_not_be_in_set`): a value inside `value_set`."""
    s = col(frame, column)
    return {column: s.isin(list(value_set)).to_numpy(dtype=bool)}


def max_length(frame: pd.DataFrame, max_lengths: dict[str, int]) -> Masks:
    """LEN-1: longer than the soft length."""
    return {
        key: (col(frame, key).str.len() > n).fillna(False).to_numpy(dtype=bool)
        for key, n in max_lengths.items()
    }


def control_mask(s: pd.Series) -> np.ndarray:
    """Rows holding a control character, found on the UTF-8 bytes of the whole column at once."""
    arr = utf8(s)
    out = np.zeros(len(s), dtype=bool)
    if len(arr) == 0 or arr.buffers()[2] is None:
        return out
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    base = offsets[0]
    hits = (data < 0x20) & (data != 0x09) & (data != 0x0A) & (data != 0x0D) | (data == 0x7F)
    # C1 controls (C2 80..9F), zero-width and line/paragraph separators (E2 80 8B..8F, A8, A9), BOM (EF BB BF).
    lead = np.nonzero((data[:-1] == 0xC2) | (data[:-1] == 0xE2) | (data[:-1] == 0xEF))[0]
    if len(lead):
        b1 = data[lead + 1]
        b2 = data[np.minimum(lead + 2, len(data) - 1)]
        c1 = (data[lead] == 0xC2) & (b1 >= 0x80) & (b1 <= 0x9F)
        zw = (
            (data[lead] == 0xE2)
            & (b1 == 0x80)
            & (((b2 >= 0x8B) & (b2 <= 0x8F)) | (b2 == 0xA8) | (b2 == 0xA9))
        )
        bom = (data[lead] == 0xEF) & (b1 == 0xBB) & (b2 == 0xBF)
        hits[lead[c1 | zw | bom]] = True
    pos = np.nonzero(hits)[0] + base
    if len(pos):
        out[np.searchsorted(offsets, pos, side="right") - 1] = True
    return out


def clean_text(frame: pd.DataFrame, text_columns: list[str], code_columns: list[str]) -> Masks:
    """TXT-1: control characters anywhere; label noise (`统一社会信用代码：`) inside a code field."""
    out: Masks = {}
    for key in dict.fromkeys([*text_columns, *code_columns]):
        s = col(frame, key)
        mask = control_mask(s)
        if key in code_columns:
            mask = mask | contains(s, LABEL_NOISE)
        out[key] = mask
    return out
