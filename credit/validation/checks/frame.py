"""Column helpers shared by the checks: a frame's fields as pandas string columns, masks over them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

Masks = dict[str, np.ndarray]

LEGAL = "法人及非法人组织"
NATURAL = "自然人"
INDIVIDUAL = "个体工商户"
RESIDENT_ID = "身份证"
CATEGORY_SEPARATORS = r"[;；、,，]"
AMOUNT_SHAPE = r"^[0-9]+(\.[0-9]{1,6})?$"


def col(frame: pd.DataFrame, key: str) -> pd.Series:
    """A column as pandas' string dtype (missing columns are all-missing)."""
    if key not in frame:
        return pd.Series(pd.NA, index=frame.index, dtype="str")
    s = frame[key]
    return s if isinstance(s.dtype, pd.StringDtype) else s.astype("str")


def blank(s: pd.Series) -> np.ndarray:
    return (s.isna() | (s.str.strip() == "")).to_numpy(dtype=bool)


def filled(s: pd.Series) -> np.ndarray:
    return ~blank(s)


def equals(s: pd.Series, value: str) -> np.ndarray:
    return (s == value).fillna(False).to_numpy(dtype=bool)


def is_in(s: pd.Series, values: Iterable[str]) -> np.ndarray:
    return s.isin(list(values)).to_numpy(dtype=bool)


def by_unique(s: pd.Series, predicate: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """`predicate` over the distinct filled values only, mapped back to the rows (True = failing). The values
    stay a pandas (Arrow-backed) array: the identifier checks read its buffer without Python objects."""
    values = s.dropna().unique()
    if len(values) == 0:
        return np.zeros(len(s), dtype=bool)
    bad = values[np.asarray(predicate(values), dtype=bool)]
    return is_in(s, bad) if len(bad) else np.zeros(len(s), dtype=bool)


def contains(s: pd.Series, pattern: str) -> np.ndarray:
    return s.str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)


def parse_dates(s: pd.Series) -> pd.Series:
    """'YYYY-MM-DD' (the readers' normal form) to Timestamps; anything else NaT."""
    return pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")


def to_amount(s: pd.Series) -> pd.Series:
    """Plain decimals to floats; anything else NaN."""
    ok = s.str.fullmatch(AMOUNT_SHAPE).fillna(False)
    return pd.to_numeric(s.where(ok), errors="coerce")


def split_categories(value: str) -> list[str]:
    return [p.strip() for p in re.split(CATEGORY_SEPARATORS, value) if p.strip()]


def category_flags(s: pd.Series, predicate: Callable[[list[str]], bool]) -> np.ndarray:
    """Per row: does the list of 处罚类别 parts satisfy `predicate` (computed once per distinct value)."""
    return by_unique(s, lambda vals: np.array([predicate(split_categories(v)) for v in vals], dtype=bool))


def utf8(s: pd.Series) -> pa.Array:
    """A column as one contiguous Arrow large_string array (its buffers read directly)."""
    arr = pa.array(s, type=pa.large_string(), from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
