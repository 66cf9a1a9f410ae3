"""Value normalisation before the rules run (docs/standard.md §2.5); the raw frame is never modified.

Columns are arrow string arrays and frames hold pandas "str" columns (pyarrow-backed, missing = NaN).
Cleaning is vectorised and touches only the cells that need it (found by `credit.textscan`), so a column
with nothing to clean comes back as the very same array and shares its memory with the raw frame. Dates,
code lists and amounts have few distinct values: those are normalised once per distinct value and spread
back by dictionary encoding.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from credit.datasets.derivations import Derivation, derivations
from credit.identifiers import ric_valid_mask
from credit.standard import Field, code_lists, dataset, labels, penalty_legacy
from credit.textscan import (
    StrArray,
    byte_table,
    cells_matching,
    cells_with_bytes,
    cells_with_edge_space,
    chunks,
    empty_cells,
    null_where,
    replace_where,
)

STR = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' "str": the column type of normalised frames

# RE2 (pyarrow) `\s` is ASCII only: name the Unicode spaces units paste in, U+3000 above all.
_SPACE = "[\\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
_ZERO_WIDTH = "[\u200b-\u200d\u2060\ufeff]"
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 20_000, 80_000  # 1954-10-03 .. 2119-01-10: anything else is not a date serial
# Code lists whose `其他-<name>` spelling is a value in its own right (docs/standard.md §2.1, §2.2).
_OTHER_ALLOWED = frozenset({"id_type", "permit_category"})
_MULTI_SEP = "[;；、,，]"

# A text cell needs work if it has white space other than single inner ASCII spaces, or an invisible
# character; leading and trailing spaces are found apart (the block scan cannot anchor).
_NEEDS_WORK = "[\t\n\r\f\v\u00a0\u1680\u2000-\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff]|  "
# A code cell needs work unless it is printable ASCII without lower-case letters.
_CODE_WORK = byte_table((0x00, 0x20), (0x61, 0x7A), (0x7F, 0xFF))


def blank_to_null(arr: StrArray) -> StrArray:
    """'' -> null: a look at the offsets, and a new validity bitmap if any (the characters are shared)."""
    return null_where(arr, empty_cells(arr))


def _collapse(arr: pa.Array) -> pa.Array:
    arr = pc.replace_substring_regex(arr, _ZERO_WIDTH, "")
    arr = pc.replace_substring_regex(arr, _SPACE, " ")
    return pc.utf8_trim(arr, " ")


def clean_text(arr: StrArray) -> StrArray:
    """Trim, collapse white space runs (incl. U+3000, line breaks) to one space; blank -> null.

    Expects blanks already null (`blank_to_null`): only the cells it changes can become blank."""
    work = cells_with_edge_space(arr) | cells_matching(arr, _NEEDS_WORK)
    return replace_where(arr, work, lambda a: blank_to_null(_collapse(a)))


def _squeeze_upper(arr: pa.Array) -> pa.Array:
    arr = pc.utf8_normalize(arr, "NFKC")
    arr = pc.replace_substring_regex(arr, _ZERO_WIDTH, "")
    return pc.utf8_upper(pc.replace_substring_regex(arr, _SPACE, ""))


def clean_code(arr: StrArray) -> StrArray:
    """Identifiers: full-width to half-width (NFKC), no spaces at all, upper case (x -> X)."""
    # Printable ASCII without lower case is already clean; only the other cells are transformed.
    return replace_where(arr, cells_with_bytes(arr, _CODE_WORK), lambda a: blank_to_null(_squeeze_upper(a)))


def _per_distinct(arr: StrArray, clean: Callable[[StrArray], StrArray], fn: Callable[[str], str]) -> StrArray:
    """`clean` then `fn`, computed once per distinct value; the same array back when nothing changes."""
    if len(arr) == 0 or arr.null_count == len(arr):
        return arr
    encoded = chunks(pc.dictionary_encode(arr))  # one dictionary shared by all chunks
    values = encoded[0].dictionary
    mapped = pa.array([None if v is None else fn(v) for v in clean(values).to_pylist()], type=values.type)
    if mapped.equals(values):
        return arr
    indices = encoded[0].indices if len(encoded) == 1 else pa.concat_arrays([p.indices for p in encoded])
    return mapped.take(indices)


# --- dates ---------------------------------------------------------------------------------------------
_DATE = re.compile(
    r"([0-9]{4}) ?[-/.年] ?([0-9]{1,2}) ?[-/.月] ?([0-9]{1,2}) ?日?"
    r"(?:[ T]?[0-9]{1,2}[:：][0-9]{1,2}(?:[:：][0-9]{1,2}(?:\.[0-9]+)?)?)?"
)
_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_SERIAL = re.compile(r"([0-9]{5})(?:\.[0-9]+)?")


def parse_date(text: str) -> str:
    """'YYYY-MM-DD' for a real calendar date in any accepted spelling; otherwise the text unchanged."""
    s = unicodedata.normalize("NFKC", text)
    m = _DATE.fullmatch(s) or _COMPACT.fullmatch(s)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return text
    m = _SERIAL.fullmatch(s)
    if m and _SERIAL_MIN <= int(m[1]) <= _SERIAL_MAX:
        return (_EXCEL_EPOCH + dt.timedelta(days=int(m[1]))).isoformat()
    return text


# --- code lists ----------------------------------------------------------------------------------------
def _enum_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@cache
def _enum_table(code_list: str) -> dict[str, str]:
    return {_enum_key(k): v for k, v in code_lists()[code_list].items()}


_OTHER = re.compile(r"其他 ?[-－—–:：] ?(.+)")


def map_code(code_list: str, text: str) -> str | None:
    """The label for an accepted spelling or code, None when unknown."""
    table = _enum_table(code_list)
    key = _enum_key(text)
    if key in table:
        return table[key]
    if key.isdigit() and len(key) == 1 and key.zfill(2) in table:  # Excel turned code 02 into the number 2
        return table[key.zfill(2)]
    if code_list in _OTHER_ALLOWED:
        m = _OTHER.fullmatch(unicodedata.normalize("NFKC", text).strip())
        if m:
            return f"其他-{m[1].strip()}"
    return None


def _enum_fn(code_list: str) -> Callable[[str], str]:
    def fn(text: str) -> str:
        return map_code(code_list, text) or text

    return fn


@cache
def _protected(code_list: str) -> tuple[re.Pattern[str], dict[str, list[str]]]:
    """Whole phrases that contain a separator (legacy combined values, 法律、行政法规规定的…) and their labels."""
    phrases = dict(penalty_legacy())
    for spelling, label in code_lists()[code_list].items():
        if re.search(_MULTI_SEP, spelling):
            phrases.setdefault(spelling, [label])
    alternation = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(f"(?:(?<={_MULTI_SEP})|^) ?({alternation}) ?(?={_MULTI_SEP}|$)"), phrases


def map_multi(code_list: str, text: str) -> str:
    """Distinct labels joined by ';' in code-list order, unknown parts (as written) at the end."""
    pattern, phrases = _protected(code_list)
    found: list[str] = []
    rest = pattern.sub(lambda m: found.extend(phrases[m[1]]) or "", text)
    unknown: list[str] = []
    for part in re.split(_MULTI_SEP, rest):
        part = part.strip()
        if not part:
            continue
        label = map_code(code_list, part)
        if label:
            found.append(label)
        elif part not in unknown:
            unknown.append(part)
    order = {label: i for i, label in enumerate(labels(code_list))}
    known = sorted(set(found), key=lambda lb: order.get(lb, len(order)))
    return ";".join(known + unknown)


def _multi_fn(code_list: str) -> Callable[[str], str]:
    def fn(text: str) -> str:
        return map_multi(code_list, text)

    return fn


# --- amounts -------------------------------------------------------------------------------------------
_DECIMAL = re.compile(r"([0-9]*)(?:\.([0-9]*))?")


def parse_decimal(text: str) -> str:
    """A plain non-negative decimal in canonical form ('0.50' -> '0.5'); anything else unchanged (AMT-4)."""
    m = _DECIMAL.fullmatch(unicodedata.normalize("NFKC", text))
    if not m or not (m[1] or m[2]):
        return text
    whole = m[1].lstrip("0") or "0"
    frac = (m[2] or "").rstrip("0")
    return f"{whole}.{frac}" if frac else whole


# --- frames --------------------------------------------------------------------------------------------
def to_arrow(values) -> StrArray:
    """A column of text (a "str" Series, or str/None/NaN objects) as arrow large strings."""
    if isinstance(values, pd.Series) and values.dtype == STR:
        return values.array.__arrow_array__()  # zero-copy
    values = (
        values.to_numpy(dtype=object) if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
    )
    try:
        return pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Non-text cells (numbers from a caller): their text form is what the unit wrote.
        return pa.array([None if v is None or v != v else str(v) for v in values], type=pa.large_string())


def _value_fn(f: Field) -> Callable[[str], str] | None:
    if f.type == "date":
        return parse_date
    if f.type == "enum" and f.code_list:
        return _enum_fn(f.code_list)
    if f.type == "multienum" and f.code_list:
        return _multi_fn(f.code_list)
    if f.type == "decimal":
        return parse_decimal
    return None


def normalise_arrow(f: Field, arr: StrArray) -> StrArray:
    """One column's normalised values (the input array itself when nothing changes); blanks must be null."""
    clean = clean_code if f.code_like else clean_text
    fn = _value_fn(f)
    return clean(arr) if fn is None else _per_distinct(arr, clean, fn)


def text_series(arr: StrArray, index: pd.Index) -> pd.Series:
    """A "str" Series over the arrow array (no copy of the characters)."""
    return pd.Series(arr, index=index, dtype=STR, copy=False)


def frame_from_arrow(dataset_id: str, arrays: dict[str, StrArray], index: pd.Index) -> pd.DataFrame:
    """All keys of the dataset in registry order, "str" columns (absent keys: all missing)."""
    blank = pa.nulls(len(index), pa.large_string())
    cols = {f.key: text_series(arrays.get(f.key, blank), index) for f in dataset(dataset_id).fields}
    return pd.DataFrame(cols, index=index, copy=False)


def normalise_frame(dataset_id: str, raw: pd.DataFrame) -> pd.DataFrame:
    """Normalised copy of `raw`: all keys of the dataset in registry order (absent: missing), raw's index."""
    ds = dataset(dataset_id)
    arrays = {
        f.key: normalise_arrow(f, blank_to_null(to_arrow(raw[f.key])))
        for f in ds.fields
        if f.key in raw.columns
    }
    return frame_from_arrow(dataset_id, arrays, raw.index)


# --- Columns a file lacks, derived from the row (credit/data/derivations.csv) ------------------------------

DERIVED = "derived"  # a normalised frame's column: per row, the keys whose value was derived (", "-joined)
_INDIVIDUAL, _LEGAL, _NATURAL, _RESIDENT_ID = "个体工商户", "法人及非法人组织", "自然人", "身份证"
_PLACEHOLDER = "0" * 17 + "X"


def _checked_derivations() -> dict[str, Derivation]:
    """The table, every method known here (a method named in the table and not written fails loudly)."""
    table = derivations()
    unknown = sorted({d.method for d in table.values()} - set(_METHODS))
    if unknown:
        raise ValueError(f"credit/data/derivations.csv: unknown methods {unknown}")
    return table


def derivable(dataset_id: str, present: set[str] | frozenset[str]) -> list[str]:
    """The dataset's fields absent from `present` (the keys a file's columns map to) that its rows can give:
    a derivation exists and at least one of its inputs is present."""
    ds = dataset(dataset_id)
    return [
        d.key
        for d in _checked_derivations().values()
        if ds.has(d.key) and d.key not in present and any(i in present for i in d.inputs)
    ]


def _text(frame: pd.DataFrame, key: str) -> pd.Series:
    if key not in frame:
        return pd.Series(np.nan, index=frame.index, dtype=STR)
    return frame[key].astype(STR)


def _category_from_identifiers(frame: pd.DataFrame, inputs: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    uscc_key, id_key = inputs
    uscc, id_no = _text(frame, uscc_key), _text(frame, id_key)
    has_uscc = uscc.notna().to_numpy(dtype=bool)
    has_id = id_no.notna().to_numpy(dtype=bool)
    starts92 = uscc.str.startswith("92").fillna(False).to_numpy(dtype=bool)
    placeholder = (uscc == _PLACEHOLDER).fillna(False).to_numpy(dtype=bool)
    conditions = [has_uscc & starts92, has_uscc & placeholder, has_uscc, has_id]
    values = np.select(conditions, [_INDIVIDUAL, _INDIVIDUAL, _LEGAL, _NATURAL], default="")
    reasons = np.select(conditions, ["uscc92", "placeholder", "uscc", "id_no"], default="")
    return _series(values, frame.index), _series(reasons, frame.index)


def _resident_id_type(frame: pd.DataFrame, inputs: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    number = _text(frame, inputs[0])
    valid = np.zeros(len(frame), dtype=bool)
    where = np.nonzero(number.notna().to_numpy(dtype=bool))[0]
    if len(where):
        valid[where] = ric_valid_mask(number.iloc[where].to_numpy(dtype=object))
    values = np.where(valid, _RESIDENT_ID, "")
    return _series(values, frame.index), _series(np.where(valid, "resident_id", ""), frame.index)


def _series(values: np.ndarray, index: pd.Index) -> pd.Series:
    s = pd.Series(values.astype(object), index=index, dtype=STR)
    return s.mask(s == "")


_METHODS: dict[str, Callable[[pd.DataFrame, tuple[str, ...]], tuple[pd.Series, pd.Series]]] = {
    "category_from_identifiers": _category_from_identifiers,
    "resident_id_type": _resident_id_type,
}

# Why a value was derived, as a clerk reads it (DRV-1's message).
_REASONS = {
    "uscc92": "统一社会信用代码以92开头（个体工商户的代码）",
    "placeholder": "统一社会信用代码为“00000000000000000X”（只用于没有代码的个体工商户）",
    "uscc": "填写了统一社会信用代码且不以92开头",
    "id_no": "没有统一社会信用代码而填写了证件号码",
    "resident_id": "所填证件号码是有效的居民身份证号码",
}


def derive(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """`frame` with the `keys` (absent from the file) derived per row where the row determines them, and the
    `derived` column naming, per row, the keys that got a value; a row that determines nothing keeps a blank
    (a required field then fails REQ-1 as it would have)."""
    if not keys:
        return frame
    out = frame.copy()
    marks = pd.Series("", index=frame.index, dtype=object)
    for key in keys:
        d = _checked_derivations()[key]
        values, _ = _METHODS[d.method](out, d.inputs)
        got = values.notna().to_numpy(dtype=bool)
        out[key] = values
        marks[got] = marks[got] + np.where(marks[got] == "", "", ",") + key
    out[DERIVED] = pd.Series(marks.to_numpy(dtype=object), index=frame.index, dtype=STR).mask(marks == "")
    return out


def derived_mask(marks: pd.Series, key: str) -> np.ndarray:
    """Rows whose `derived` mark names `key`."""
    pattern = f"(?:^|,){re.escape(key)}(?:,|$)"
    return marks.astype(STR).str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)


def derivation_reason(key: str, get: Callable[[str], str | None]) -> str:
    """Why `key` got its value in a row (`get`: the row's normalised value of a field key), in Chinese."""
    d = derivations().get(key)
    if d is None:
        return ""
    row = pd.DataFrame({k: [get(k)] for k in d.inputs}, dtype=STR)
    _, reasons = _METHODS[d.method](row, d.inputs)
    reason = reasons.iloc[0]
    return _REASONS.get(reason, "") if isinstance(reason, str) else ""
