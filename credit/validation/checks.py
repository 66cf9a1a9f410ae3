"""The rules of STANDARD.md §3 as vectorised pandas checks, without Great Expectations.

Each check takes a normalised frame (columns are field keys, values str or missing) and keyword
parameters, and returns `{field key: failing mask}` (numpy bool arrays aligned with the frame's rows):
the key is the cell the clerk has to fix. The custom expectations in `expectations/custom.py` wrap these
functions (GX decides which rows fail; the key of a row that fails a multi-field check is read back from
the same function on the failing rows only), and `reference.py` applies them directly for comparison.

Row conditions by 类别 apply only to known categories (an unknown one is ENUM-1 and nothing else), and a
date that does not parse (DATE-1) takes no part in any other date rule.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from datetime import date
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from credit.identifiers import USCC_PLACEHOLDER, ric_valid_mask, uscc_valid_mask
from credit.keys import business_keys
from credit.standard import DATA_DIR

Masks = dict[str, np.ndarray]

LEGAL = "法人及非法人组织"
NATURAL = "自然人"
INDIVIDUAL = "个体工商户"
CATEGORIES = (LEGAL, NATURAL, INDIVIDUAL)
RESIDENT_ID = "身份证"
CATEGORY_SEPARATORS = r"[;；、,，]"
AMOUNT_SHAPE = r"^[0-9]+(\.[0-9]{1,6})?$"
CONTROL_CHARS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]"
LABEL_NOISE = r"[:：]|统一社会信用代码|信用代码|注册号|组织机构代码|税务登记号|证件号码|身份证号"
FINE_IN_YUAN = r"罚款(?:人民币)?\s*([0-9]+(?:\.[0-9]+)?)\s*元"


# --- helpers -----------------------------------------------------------------------------------------


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


# --- the checks --------------------------------------------------------------------------------------


def required(frame: pd.DataFrame, column_list: list[str]) -> Masks:
    """REQ-1: a required field is blank."""
    return {key: blank(col(frame, key)) for key in column_list}


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


def max_length(frame: pd.DataFrame, max_lengths: dict[str, int]) -> Masks:
    """LEN-1: longer than the soft length."""
    return {
        key: (col(frame, key).str.len() > n).fillna(False).to_numpy(dtype=bool)
        for key, n in max_lengths.items()
    }


def _utf8(s: pd.Series) -> pa.Array:
    arr = pa.array(s, type=pa.large_string(), from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def control_mask(s: pd.Series) -> np.ndarray:
    """Rows holding a control character, found on the UTF-8 bytes of the whole column at once."""
    arr = _utf8(s)
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


def identity_block(frame: pd.DataFrame) -> Masks:
    """ID-1: identifiers required (or forbidden) by 行政相对人类别."""
    cat = col(frame, "counterpart_category")
    legal, natural, individual = equals(cat, LEGAL), equals(cat, NATURAL), equals(cat, INDIVIDUAL)
    org = legal | individual
    uscc = col(frame, "uscc")
    return {
        "uscc": (org & blank(uscc)) | (natural & filled(uscc)),
        "legal_rep_name": org & blank(col(frame, "legal_rep_name")),
        "id_type": natural & blank(col(frame, "id_type")),
        "id_no": natural & blank(col(frame, "id_no")),
    }


def _invalid_uscc(values) -> np.ndarray:
    return ~uscc_valid_mask(values) & np.asarray(values != USCC_PLACEHOLDER, dtype=bool)


def uscc_valid(frame: pd.DataFrame, column_list: list[str]) -> Masks:
    """ID-2: every filled USCC field passes GB 32100 (the exact placeholder is ID-3's business)."""
    return {key: by_unique(s := col(frame, key), _invalid_uscc) & filled(s) for key in column_list}


def placeholder_use(frame: pd.DataFrame) -> Masks:
    """ID-3: `00000000000000000X` only in #3, only for 个体工商户, and then with 工商注册号."""
    cat = col(frame, "counterpart_category")
    in_uscc = equals(col(frame, "uscc"), USCC_PLACEHOLDER)
    other_known = is_in(cat, [LEGAL, NATURAL])
    return {
        "uscc": in_uscc & other_known,
        "business_reg_no": in_uscc & blank(col(frame, "business_reg_no")),
        "authority_uscc": equals(col(frame, "authority_uscc"), USCC_PLACEHOLDER),
        "source_unit_uscc": equals(col(frame, "source_unit_uscc"), USCC_PLACEHOLDER),
    }


def resident_ids(frame: pd.DataFrame, pairs: dict[str, str], today: str | None = None) -> Masks:
    """ID-4: numbers whose type is 身份证 pass GB 11643 (15-digit numbers fail; any region code is fine)."""
    limit = date.fromisoformat(today) if today else None
    out: Masks = {}
    for number_key, type_key in pairs.items():
        number = col(frame, number_key)
        applies = equals(col(frame, type_key), RESIDENT_ID) & filled(number)
        mask = np.zeros(len(frame), dtype=bool)
        idx = np.nonzero(applies)[0]
        if len(idx):
            values = number.to_numpy(dtype=object, na_value="")[idx]
            mask[idx] = ~ric_valid_mask(values, today=limit)
        out[number_key] = mask
    return out


def id_type_given(frame: pd.DataFrame) -> Masks:
    """ID-5: 法定代表人证件号码 without 法定代表人证件类型."""
    return {
        "legal_rep_id_type": filled(col(frame, "legal_rep_id_no")) & blank(col(frame, "legal_rep_id_type"))
    }


def _real_uscc(s: pd.Series) -> np.ndarray:
    return (s.str.len() == 18).fillna(False).to_numpy(dtype=bool) & ~equals(s, USCC_PLACEHOLDER)


def org_code_match(frame: pd.DataFrame) -> Masks:
    """ID-6: 组织机构代码, when given, equals USCC characters 9–17."""
    uscc, org = col(frame, "uscc"), col(frame, "org_code")
    org_plain = org.str.replace("-", "", regex=False).str.strip()
    differs = (org_plain != uscc.str.slice(8, 17)).fillna(False).to_numpy(dtype=bool)
    return {"org_code": filled(org) & _real_uscc(uscc) & differs}


def uscc_category(frame: pd.DataFrame) -> Masks:
    """ID-7: 个体工商户 should have a `92…` USCC; 法人及非法人组织 should not."""
    cat, uscc = col(frame, "counterpart_category"), col(frame, "uscc")
    real = _real_uscc(uscc)
    starts92 = uscc.str.startswith("92").fillna(False).to_numpy(dtype=bool)
    return {"uscc": real & ((equals(cat, INDIVIDUAL) & ~starts92) | (equals(cat, LEGAL) & starts92))}


def source_unit(frame: pd.DataFrame) -> Masks:
    """SRC-1: 数据来源单位 and its USCC are those of the unit that reported the row (`reporting_unit`, a code of
    credit/data/units.csv, one per row so that a whole day of many units is checked at once); a row without
    a reporting unit (`credit check` without --unit) is not checked."""
    from credit.units import all_units

    name, uscc, reporter = (
        col(frame, "source_unit"),
        col(frame, "source_unit_uscc"),
        col(frame, "reporting_unit"),
    )
    known = filled(reporter)
    if not known.any():
        zeros = np.zeros(len(frame), dtype=bool)
        return {"source_unit": zeros, "source_unit_uscc": zeros.copy()}
    registry = all_units()
    full = reporter.map({c: u.name for c, u in registry.items()})
    short = reporter.map({c: u.short_name or u.name for c, u in registry.items()})
    expected = reporter.map({c: u.uscc for c, u in registry.items()})
    stripped = name.str.strip()
    matches = ((stripped == full) | (stripped == short)).fillna(False).to_numpy(dtype=bool)
    return {
        "source_unit": known & filled(name) & ~matches,
        "source_unit_uscc": known & filled(uscc) & ~(uscc == expected).fillna(False).to_numpy(dtype=bool),
    }


def real_dates(frame: pd.DataFrame, column_list: list[str]) -> Masks:
    """DATE-1: a filled date field is not a real calendar date."""
    return {key: filled(s := col(frame, key)) & parse_dates(s).isna().to_numpy() for key in column_list}


def not_after(frame: pd.DataFrame, column: str, report_date: str) -> Masks:
    """DATE-2: the decision date lies after the report date."""
    d = parse_dates(col(frame, column))
    return {column: (d > pd.Timestamp(report_date)).fillna(False).to_numpy(dtype=bool)}


def dates_in_order(frame: pd.DataFrame, earlier: str, later: str, flag: str) -> Masks:
    """DATE-3/4/5: `earlier` must not lie after `later` (both real dates); the cell to fix is `flag`."""
    a, b = parse_dates(col(frame, earlier)), parse_dates(col(frame, later))
    return {flag: (a > b).fillna(False).to_numpy(dtype=bool)}


@cache
def publication_periods() -> tuple[tuple[pd.Timestamp, str, int, int], ...]:
    """The regimes of STANDARD.md §6 (credit/data/publication_periods.csv): (start, name, min, max months)."""
    with open(DATA_DIR / "publication_periods.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(
        sorted(
            (pd.Timestamp(r["start"]), r["regime"], int(r["min_months"]), int(r["max_months"])) for r in rows
        )
    )


def regime_for(decision: date | pd.Timestamp) -> tuple[str, int, int]:
    """The regime in force on a decision date (the earliest one before the first)."""
    chosen = publication_periods()[0]
    for period in publication_periods():
        if period[0] <= pd.Timestamp(decision):
            chosen = period
    return chosen[1], chosen[2], chosen[3]


def publication_period(frame: pd.DataFrame, decision: str, end: str) -> Masks:
    """DATE-6: 公示截止期 within decision + min .. + max months of the regime in force on the decision date."""
    d, e = parse_dates(col(frame, decision)), parse_dates(col(frame, end))
    mask = np.zeros(len(frame), dtype=bool)
    both = (d.notna() & e.notna()).to_numpy()
    periods = publication_periods()
    for i, (start, _name, lo, hi) in enumerate(periods):
        sel = both.copy()
        if i > 0:
            sel &= (d >= start).to_numpy()
        if i + 1 < len(periods):
            sel &= (d < periods[i + 1][0]).to_numpy()
        if not sel.any():
            continue
        ds, es = d[sel], e[sel]
        outside = (es < ds + pd.DateOffset(months=lo)) | (es > ds + pd.DateOffset(months=hi))
        mask[np.nonzero(sel)[0]] = outside.to_numpy(dtype=bool)
    return {end: mask}


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
    found = pc.extract_regex(_utf8(content), FINE_IN_YUAN.replace("([0-9]", "(?P<n>[0-9]", 1))
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


def duplicates(frame: pd.DataFrame, dataset: str) -> Masks:
    """DUP-1: every row of a group sharing a business key within one delivery (`delivery`: a file's sheet;
    rows of different deliveries validated together are versions of a record, not duplicates)."""
    keys = business_keys(dataset, frame)
    if "delivery" in frame:
        keys = col(frame, "delivery").fillna("") + "\x1e" + keys
    return {"decision_doc_no": keys.duplicated(keep=False).to_numpy(dtype=bool)}


CHECKS: dict[str, Callable[..., Masks]] = {
    "required": required,
    "coded": coded,
    "max_length": max_length,
    "clean_text": clean_text,
    "identity_block": identity_block,
    "uscc_valid": uscc_valid,
    "placeholder_use": placeholder_use,
    "resident_ids": resident_ids,
    "id_type_given": id_type_given,
    "org_code_match": org_code_match,
    "uscc_category": uscc_category,
    "source_unit": source_unit,
    "real_dates": real_dates,
    "not_after": not_after,
    "dates_in_order": dates_in_order,
    "publication_period": publication_period,
    "penalty_amounts": penalty_amounts,
    "amount_format": amount_format,
    "fine_unit": fine_unit,
    "duplicates": duplicates,
}


def any_failing(masks: Masks, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    for mask in masks.values():
        out |= mask
    return out
