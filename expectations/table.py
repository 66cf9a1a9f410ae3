"""What each custom expectation type of `expectations/custom.py` computes, without importing Great Expectations.

`custom.py` builds its GX metrics and expectation classes from these tables; `credit.validation.direct` runs a
suite with them when no Data Docs are wanted (`credit check`), and `tests/test_direct_suite.py` checks that the
classes and these tables agree and that both paths give the same verdicts.
"""

from __future__ import annotations

import pandas as pd

from credit.validation.checks import CHECKS

# Checks whose fields are the expectation's column list itself.
COLUMN_LIST_CHECKS = frozenset({"required", "uscc_valid", "real_dates", "amount_format"})

# check name -> the expectation kwargs it takes as parameters (GX metric value keys).
VALUE_KEYS: dict[str, tuple[str, ...]] = {
    "required": (),
    "max_length": ("max_lengths",),
    "clean_text": ("text_columns", "code_columns"),
    "identity_block": (),
    "uscc_valid": (),
    "placeholder_use": (),
    "resident_ids": ("pairs",),
    "id_type_given": (),
    "org_code_match": (),
    "uscc_category": (),
    "source_unit": (),
    "real_dates": (),
    "dates_in_order": ("earlier", "later", "flag"),
    "publication_period": ("decision", "end"),
    "penalty_amounts": ("check",),
    "amount_format": (),
    "fine_unit": (),
    "duplicates": ("dataset",),
}

# multicolumn expectation type -> check name.
MULTICOLUMN: dict[str, str] = {
    "expect_required_columns_to_be_filled": "required",
    "expect_column_value_lengths_to_be_within_standard": "max_length",
    "expect_text_to_be_clean": "clean_text",
    "expect_identity_block_to_match_category": "identity_block",
    "expect_column_values_to_be_valid_uscc": "uscc_valid",
    "expect_uscc_placeholder_only_for_individual_businesses": "placeholder_use",
    "expect_resident_id_numbers_to_be_valid": "resident_ids",
    "expect_legal_rep_id_type_with_number": "id_type_given",
    "expect_org_code_to_match_uscc": "org_code_match",
    "expect_uscc_prefix_to_match_category": "uscc_category",
    "expect_source_unit_to_match_registry": "source_unit",
    "expect_dates_to_be_real": "real_dates",
    "expect_dates_in_order": "dates_in_order",
    "expect_publicity_end_within_period": "publication_period",
    "expect_penalty_amounts_to_match_categories": "penalty_amounts",
    "expect_amounts_to_be_plain_decimals": "amount_format",
    "expect_fine_unit_to_be_wan": "fine_unit",
    "expect_business_keys_to_be_unique": "duplicates",
}


def check_params(check: str, kwargs: dict, params: dict | None = None, columns: list | None = None) -> dict:
    """The keyword arguments of `CHECKS[check]` for an expectation's kwargs (suite parameters resolved)."""
    values = {}
    for k in VALUE_KEYS[check]:
        v = kwargs.get(k)
        if isinstance(v, dict) and "$PARAMETER" in v:
            v = (params or {}).get(v["$PARAMETER"])
        if v is not None:
            values[k] = v
    if check in COLUMN_LIST_CHECKS:
        values["column_list"] = list(kwargs["column_list"] if columns is None else columns)
    return values


def attribute(expectation_type: str, kwargs: dict, rows: pd.DataFrame, params: dict | None = None) -> dict:
    """Which fields of the (failing) rows a multicolumn expectation's check flags: {key: bool mask}."""
    check = MULTICOLUMN[expectation_type]
    column_list = list(kwargs["column_list"])
    return CHECKS[check](rows[column_list], **check_params(check, kwargs, params))
