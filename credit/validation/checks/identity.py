"""Checks of who a record is about and who sent it: the identity block by 行政相对人类别 (ID-1), credit codes
(ID-2, ID-3, ID-6, ID-7), resident ID numbers (ID-4, ID-5), the source unit (SRC-1)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from credit.identifiers import USCC_PLACEHOLDER, ric_valid_mask, uscc_valid_mask
from credit.units import all_units
from credit.validation.checks.frame import (
    INDIVIDUAL,
    LEGAL,
    NATURAL,
    RESIDENT_ID,
    Masks,
    blank,
    by_unique,
    col,
    equals,
    filled,
    is_in,
)


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
