"""Amount checks by 处罚类别 (AMT-1/2/3/6), the amounts' format (AMT-4), 元 written into the 万元 column
(AMT-5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from credit.validation.checks.frame import (
    AMOUNT_SHAPE,
    Masks,
    blank,
    category_flags,
    col,
    contains,
    filled,
    to_amount,
    utf8,
)

FINE_IN_YUAN = r"罚款(?:人民币)?\s*([0-9]+(?:\.[0-9]+)?)\s*元"

_FINE, _CONFISCATION = "罚款", ("没收违法所得", "没收非法财物")
_MILD = {"警告", "通报批评"}


def penalty_amounts(frame: pd.DataFrame, check: str) -> Masks:
    """AMT-1 (`fine`), AMT-2 (`confiscation`), AMT-3 (`license`), AMT-6 (`mild_only`) by 处罚类别."""
    cats = col(frame, "penalty_categories")
    fine, conf = col(frame, "fine_wan"), col(frame, "confiscation_wan")
    if check == "fine":
        has = category_flags(cats, lambda p: _FINE in p)
        amount = to_amount(fine)
        return {"fine_wan": has & (blank(fine) | (amount <= 0).fillna(False).to_numpy(dtype=bool))}
    if check == "confiscation":
        has = category_flags(cats, lambda p: any(c in p for c in _CONFISCATION))
        return {"confiscation_wan": has & blank(conf)}
    if check == "license":
        has = category_flags(cats, lambda p: any(c.startswith(("暂扣", "吊销")) for c in p))
        return {"suspended_license": has & blank(col(frame, "suspended_license"))}
    if check == "mild_only":
        mild = category_flags(cats, lambda p: bool(p) and set(p) <= _MILD)
        return {"fine_wan": mild & filled(fine), "confiscation_wan": mild & filled(conf)}
    raise ValueError(f"unknown penalty amount check: {check}")


def amount_format(frame: pd.DataFrame, column_list: list[str]) -> Masks:
    """AMT-4: an amount is a plain non-negative decimal with at most 6 decimals, without a unit."""
    out: Masks = {}
    for key in column_list:
        s = col(frame, key)
        ok = s.str.strip().str.fullmatch(AMOUNT_SHAPE).fillna(False).to_numpy(dtype=bool)
        out[key] = filled(s) & ~ok
    return out


def fine_yuan_amount(content: pd.Series) -> pd.Series:
    """N of the first `罚款N元` in 处罚内容 (NaN when none), by pyarrow's RE2."""
    found = pc.extract_regex(utf8(content), FINE_IN_YUAN.replace("([0-9]", "(?P<n>[0-9]", 1))
    numbers = found.field("n").to_numpy(zero_copy_only=False)
    return pd.to_numeric(pd.Series(numbers, index=content.index), errors="coerce")


def fine_unit(frame: pd.DataFrame) -> Masks:
    """AMT-5: 处罚内容 says 罚款N元 and 罚款金额 ≈ N (元 written into the 万元 column)."""
    content = col(frame, "penalty_content")
    mask = np.zeros(len(frame), dtype=bool)
    candidates = contains(content, "罚款") & filled(col(frame, "fine_wan"))
    idx = np.nonzero(candidates)[0]
    if len(idx):
        yuan = fine_yuan_amount(content.iloc[idx]).to_numpy(dtype=float)
        amount = to_amount(col(frame, "fine_wan").iloc[idx]).to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            close = np.isclose(amount, yuan, rtol=1e-3, atol=1e-6) & (yuan >= 1)
        mask[idx] = np.nan_to_num(close, nan=0).astype(bool)
    return {"fine_wan": mask}
