"""The benchmark's reference: the `xzcf` rules of docs/standard.md §3 as plain pandas masks, written from the
standard alone.

Nothing here comes from `credit.validation` (its `reference.py` reuses the production rule functions, so it
cannot stand as an independent reference). Only the standard's *data* is shared with production: the field
registry (`fields.csv`: required fields, soft lengths, types), the code-list labels and the publication
periods. Check digits (GB 32100, GB 11643) are computed here with numpy.

`reference_issues(frame, ...)` returns `{rule id: bool mask over the rows}`; `invalid_rows(...)` the rows
with an error-severity rule. The frame is a normalised frame as `read_file` produces it (field keys as
columns, blanks missing).
"""

from __future__ import annotations

import csv
import datetime as dt

import numpy as np
import pandas as pd

from credit.standard import DATA_DIR, dataset, labels, rule_severities

# The rule logic below is written independently of credit/validation; the severities are reference data.
SEVERITY = rule_severities()

LEGAL, NATURAL, INDIVIDUAL = "法人及非法人组织", "自然人", "个体工商户"
PLACEHOLDER = "0" * 17 + "X"
SEPARATORS = r"[;；、,，]"
# Fields holding identifiers (TXT-1 label noise applies to them): docs/standard.md §2.1 codes, #3–#8, #11, #13 and
# the two USCC fields of the authority and the source unit. 事业单位证书号 (#7) is free text in practice.
CODE_FIELDS = [
    "uscc",
    "business_reg_no",
    "org_code",
    "tax_reg_no",
    "social_org_reg_no",
    "legal_rep_id_no",
    "id_no",
    "authority_uscc",
    "source_unit_uscc",
]
LABEL_NOISE = r"[:：]|统一社会信用代码|信用代码|注册号|组织机构代码|税务登记号|证件号码|身份证号"
# C0 except tab/LF/CR, DEL, C1, zero-width characters, line/paragraph separators, BOM.
CONTROL = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]"
AMOUNT = r"[0-9]+(?:\.[0-9]{1,6})?"

# --- GB 32100 and GB 11643, numpy over character matrices ------------------------------------------------
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_UVALUE = np.full(65536, -1, dtype=np.int16)  # code point -> value (BMP; others are invalid)
for _i, _ch in enumerate(_ALPHABET):
    _UVALUE[ord(_ch)] = _i
_UWEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
with open(DATA_DIR / "uscc_prefixes.csv", encoding="utf-8", newline="") as _fh:
    _PREFIXES = {
        row["authority"]: row["kinds"] for row in csv.DictReader(_fh)
    }  # the standard's table, as data
_PREFIX_OK = np.zeros((65536,), dtype=bool)  # index: code1 * 256 + code2 for ASCII pairs
for _a, _bs in _PREFIXES.items():
    for _b in _bs:
        _PREFIX_OK[ord(_a) * 256 + ord(_b)] = True
_RWEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_RCHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)


def _matrix(values: pd.Series, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows whose value has exactly `width` characters, their (k, width) code-point matrix)."""
    lengths = values.str.len().fillna(-1).to_numpy(dtype=np.int64)
    rows = np.nonzero(lengths == width)[0]
    if not len(rows):
        return rows, np.zeros((0, width), dtype=np.uint32)
    text = values.iloc[rows].to_numpy(dtype=object).astype(f"<U{width}")
    return rows, text.view(np.uint32).reshape(len(rows), width)


def uscc_ok(values: pd.Series) -> np.ndarray:
    """GB 32100 per row (missing: False)."""
    out = np.zeros(len(values), dtype=bool)
    rows, m = _matrix(values, 18)
    if not len(rows):
        return out
    small = np.where(m < 65536, m, 0).astype(np.int64)
    v = _UVALUE[small].astype(np.int64)
    good = (m < 128).all(axis=1) & (v >= 0).all(axis=1)
    good &= ((v[:, 2:8] >= 0) & (v[:, 2:8] <= 9)).all(axis=1)  # region: digits
    good &= _PREFIX_OK[np.where(m[:, 0] < 128, m[:, 0], 0) * 256 + np.where(m[:, 1] < 128, m[:, 1], 0)]
    check = (31 - (np.clip(v[:, :17], 0, None) @ _UWEIGHTS) % 31) % 31
    good &= check == v[:, 17]
    out[rows] = good
    return out


def ric_ok(values: pd.Series, today: dt.date) -> np.ndarray:
    """GB 11643 per row: 18 characters, a real birth date from 1900 to today, MOD 11-2 check."""
    out = np.zeros(len(values), dtype=bool)
    rows, m = _matrix(values, 18)
    if not len(rows):
        return out
    d = m.astype(np.int64) - ord("0")
    good = ((d[:, :17] >= 0) & (d[:, :17] <= 9)).all(axis=1)
    good &= ((d[:, 17] >= 0) & (d[:, 17] <= 9)) | (m[:, 17] == ord("X"))
    d = np.where(good[:, None], d, 0)
    good &= _RCHECK[(d[:, :17] @ _RWEIGHTS) % 11] == m[:, 17]
    y = d[:, 6] * 1000 + d[:, 7] * 100 + d[:, 8] * 10 + d[:, 9]
    mo = d[:, 10] * 10 + d[:, 11]
    da = d[:, 12] * 10 + d[:, 13]
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    days_in = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(mo, 0, 12)] + (
        leap & (mo == 2)
    )
    good &= (mo >= 1) & (mo <= 12) & (da >= 1) & (da <= days_in) & (y >= 1900)
    good &= y * 10000 + mo * 100 + da <= today.year * 10000 + today.month * 100 + today.day
    out[rows] = good
    return out


# --- helpers -----------------------------------------------------------------------------------------------
def _s(frame: pd.DataFrame, key: str) -> pd.Series:
    s = frame[key] if key in frame else pd.Series(None, index=frame.index, dtype=object)
    return s.astype(pd.StringDtype("pyarrow", na_value=np.nan))


def _np(mask) -> np.ndarray:
    return np.asarray(pd.Series(mask).fillna(False).to_numpy(dtype=bool))


def _dates(s: pd.Series) -> pd.Series:
    """Normalised dates ('YYYY-MM-DD') that are real calendar dates; NaT otherwise."""
    shaped = s.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fillna(False)
    return pd.to_datetime(s.where(shaped), format="%Y-%m-%d", errors="coerce")


def _parts(s: pd.Series) -> pd.DataFrame:
    """处罚类别 split into its parts: a frame with one row per (row position, part)."""
    exploded = s.str.split(SEPARATORS, regex=True).explode().str.strip()
    exploded = exploded[exploded.notna() & (exploded != "")]
    return pd.DataFrame({"pos": exploded.index.to_numpy(), "part": exploded.to_numpy()})


def _any_part(parts: pd.DataFrame, n: int, hit: pd.Series) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[parts["pos"].to_numpy()[hit.to_numpy(dtype=bool)]] = True
    return out


def _periods() -> list[tuple[pd.Timestamp, int, int]]:
    with open(DATA_DIR / "publication_periods.csv", encoding="utf-8", newline="") as fh:
        return sorted(
            (pd.Timestamp(r["start"]), int(r["min_months"]), int(r["max_months"])) for r in csv.DictReader(fh)
        )


# --- the rules -----------------------------------------------------------------------------------------------
def reference_issues(
    frame: pd.DataFrame,
    *,
    report_date: dt.date,
    unit_name: str = "",
    unit_short_name: str = "",
    unit_uscc: str = "",
    today: dt.date | None = None,
) -> dict[str, np.ndarray]:
    """{rule id: rows breaking it} for an `xzcf` frame (positional masks)."""
    today = today or dt.date.today()
    ds = dataset("xzcf")
    frame = frame.reset_index(drop=True)
    n = len(frame)
    col = {k: _s(frame, k) for k in ds.keys}
    blank = {k: _np(s.isna() | (s.str.strip() == "")) for k, s in col.items()}
    filled = {k: ~v for k, v in blank.items()}
    out: dict[str, np.ndarray] = {}

    # REQ-1
    out["REQ-1"] = np.logical_or.reduce([blank[f.key] for f in ds.fields if f.required == "yes"])

    # ENUM-1
    cat = col["counterpart_category"]
    legal, natural, indiv = _np(cat == LEGAL), _np(cat == NATURAL), _np(cat == INDIVIDUAL)
    enum = filled["counterpart_category"] & ~(legal | natural | indiv)
    for key in ("id_type", "legal_rep_id_type"):
        s = col[key].str.strip()
        ok = s.isin(labels("id_type")) | (s.str.startswith("其他-") & (s.str.len() > 3))
        enum |= filled[key] & ~_np(ok)
    parts = _parts(col["penalty_categories"])
    bad_part = ~parts["part"].isin(labels("penalty_category"))
    has_parts = _any_part(parts, n, parts["part"].notna())
    enum |= filled["penalty_categories"] & (_any_part(parts, n, bad_part) | ~has_parts)
    out["ENUM-1"] = enum

    # LEN-1 (soft lengths of the C..n and C9 fields; C18 and text fields have none)
    out["LEN-1"] = np.logical_or.reduce(
        [_np(col[f.key].str.len() > f.max_len) for f in ds.fields if f.max_len and f.type == "str"]
    )

    # TXT-1
    text_keys = [f.key for f in ds.fields if f.type in ("str", "text", "uscc")]
    txt = np.logical_or.reduce([_np(col[k].str.contains(CONTROL, regex=True)) for k in text_keys])
    txt |= np.logical_or.reduce([_np(col[k].str.contains(LABEL_NOISE, regex=True)) for k in CODE_FIELDS])
    out["TXT-1"] = txt

    # ID-1
    org = legal | indiv
    out["ID-1"] = (
        (org & (blank["uscc"] | blank["legal_rep_name"]))
        | (natural & (blank["id_type"] | blank["id_no"]))
        | (natural & filled["uscc"])
    )

    # ID-2 (the exact placeholder is ID-3's business)
    id2 = np.zeros(n, dtype=bool)
    for key in ("uscc", "authority_uscc", "source_unit_uscc"):
        id2 |= filled[key] & ~uscc_ok(col[key]) & ~_np(col[key] == PLACEHOLDER)
    out["ID-2"] = id2

    # ID-3
    ph = _np(col["uscc"] == PLACEHOLDER)
    out["ID-3"] = (
        (ph & (legal | natural))
        | (ph & blank["business_reg_no"])
        | _np(col["authority_uscc"] == PLACEHOLDER)
        | _np(col["source_unit_uscc"] == PLACEHOLDER)
    )

    # ID-4
    id4 = np.zeros(n, dtype=bool)
    for number, kind in (("id_no", "id_type"), ("legal_rep_id_no", "legal_rep_id_type")):
        id4 |= _np(col[kind] == "身份证") & filled[number] & ~ric_ok(col[number], today)
    out["ID-4"] = id4

    # ID-5
    out["ID-5"] = filled["legal_rep_id_no"] & blank["legal_rep_id_type"]

    # ID-6 / ID-7: only against a real (18-character, non-placeholder) USCC
    uscc = col["uscc"]
    real = _np(uscc.str.len() == 18) & ~ph
    org_code = col["org_code"].str.replace("-", "", regex=False).str.strip()
    out["ID-6"] = filled["org_code"] & real & _np(org_code != uscc.str[8:17])
    s92 = _np(uscc.str.startswith("92"))
    out["ID-7"] = real & ((indiv & ~s92) | (legal & s92))

    # SRC-1 (only when the reporting unit is known)
    if unit_name or unit_uscc:
        names = [x for x in (unit_name, unit_short_name) if x]
        out["SRC-1"] = (filled["source_unit"] & ~_np(col["source_unit"].str.strip().isin(names))) | (
            filled["source_unit_uscc"] & ~_np(col["source_unit_uscc"] == unit_uscc)
        )
    else:
        out["SRC-1"] = np.zeros(n, dtype=bool)

    # DATE-1, DATE-2, DATE-5, DATE-6
    dates = {k: _dates(col[k]) for k in ("decision_date", "penalty_valid_until", "publicity_end_date")}
    out["DATE-1"] = np.logical_or.reduce([filled[k] & dates[k].isna().to_numpy() for k in dates])
    decided, until, end = dates["decision_date"], dates["penalty_valid_until"], dates["publicity_end_date"]
    out["DATE-2"] = _np(decided > pd.Timestamp(report_date))
    out["DATE-5"] = _np(until < decided)
    date6 = np.zeros(n, dtype=bool)
    periods = _periods()
    both = (decided.notna() & end.notna()).to_numpy()
    for i, (start, lo, hi) in enumerate(periods):
        sel = both.copy()
        if i:
            sel &= (decided >= start).to_numpy()
        if i + 1 < len(periods):
            sel &= (decided < periods[i + 1][0]).to_numpy()
        idx = np.nonzero(sel)[0]
        if len(idx):
            d, e = decided.iloc[idx], end.iloc[idx]
            date6[idx] = ((e < d + pd.DateOffset(months=lo)) | (e > d + pd.DateOffset(months=hi))).to_numpy()
    out["DATE-6"] = date6

    # AMT-1 .. AMT-6
    fine_s = col["fine_wan"]
    plain = {k: _np(col[k].str.strip().str.fullmatch(AMOUNT)) for k in ("fine_wan", "confiscation_wan")}
    fine = pd.to_numeric(fine_s.where(plain["fine_wan"]), errors="coerce").to_numpy(dtype=float)
    has_fine = _any_part(parts, n, parts["part"] == "罚款")
    has_conf = _any_part(parts, n, parts["part"].isin(["没收违法所得", "没收非法财物"]))
    has_lic = _any_part(parts, n, parts["part"].str.startswith("暂扣") | parts["part"].str.startswith("吊销"))
    with np.errstate(invalid="ignore"):
        out["AMT-1"] = has_fine & (blank["fine_wan"] | (fine <= 0))
    out["AMT-2"] = has_conf & blank["confiscation_wan"]
    out["AMT-3"] = has_lic & blank["suspended_license"]
    out["AMT-4"] = (filled["fine_wan"] & ~plain["fine_wan"]) | (
        filled["confiscation_wan"] & ~plain["confiscation_wan"]
    )
    yuan = pd.to_numeric(
        col["penalty_content"].str.extract(r"罚款(?:人民币)?\s*([0-9]+(?:\.[0-9]+)?)\s*元", expand=False),
        errors="coerce",
    ).to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        out["AMT-5"] = filled["fine_wan"] & (yuan >= 1) & np.isclose(fine, yuan, rtol=1e-3, atol=1e-6)
    non_mild = _any_part(parts, n, ~parts["part"].isin(["警告", "通报批评"]))
    mild_only = has_parts & ~non_mild
    out["AMT-6"] = mild_only & (filled["fine_wan"] | filled["confiscation_wan"])

    # DUP-1: dataset, 决定文书号, counterpart identifier (USCC, else 证件号码, else name), authority USCC
    ident = uscc.where(filled["uscc"] & ~ph)
    ident = ident.fillna(col["id_no"].where(filled["id_no"])).fillna(col["counterpart_name"]).fillna("")
    keys = pd.DataFrame(
        {"doc": col["decision_doc_no"].fillna(""), "id": ident, "auth": col["authority_uscc"].fillna("")}
    )
    out["DUP-1"] = keys.duplicated(keep=False).to_numpy(dtype=bool)
    return out


def invalid_rows(issues: dict[str, np.ndarray], severity: dict[str, str] | None = None) -> np.ndarray:
    """Rows breaking at least one error-severity rule."""
    sev = {**SEVERITY, **(severity or {})}
    n = len(next(iter(issues.values())))
    out = np.zeros(n, dtype=bool)
    for rule, mask in issues.items():
        if sev[rule] == "error":
            out |= mask
    return out
