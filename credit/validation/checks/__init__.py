"""The rules of the 双公示 standard (docs/rules.md) as vectorised pandas checks, without Great Expectations.

Each check takes a normalised frame (columns are field keys, values str or missing) and keyword
parameters, and returns `{field key: failing mask}` (numpy bool arrays aligned with the frame's rows):
the key is the cell the clerk has to fix. The custom expectations (`credit.validation.gx_expectations`) wrap
these functions (GX decides which rows fail; the key of a row that fails a multi-field check is read back from
the same function on the failing rows only), `credit.validation.direct` runs them without GX, and
`reference.py` applies them directly for comparison. Which expectation type runs which check, with which
parameters, for which rules: `credit.validation.registry`.

Row conditions by 类别 apply only to known categories (an unknown one is ENUM-1 and nothing else), and a
date that does not parse (DATE-1) takes no part in any other date rule.

The checks live by concern: `fields` (one field's content), `identity` (who the record is about and who sent
it), `dates`, `amounts`, `records` (rows of one delivery), `evidence` (the evidence sheets of the plan's duties);
`frame` holds the column helpers they share.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from credit.validation.checks.amounts import amount_format, fine_unit, fine_yuan_amount, penalty_amounts
from credit.validation.checks.dates import (
    dates_in_order,
    not_after,
    publication_period,
    real_dates,
    regime_for,
)
from credit.validation.checks.evidence import (
    attachments_received,
    filled_unless_zero,
    http_links,
    periods,
    whole_numbers,
)
from credit.validation.checks.fields import (
    clean_text,
    coded,
    derived_values,
    in_set,
    max_length,
    not_in_set,
    required,
    required_when,
)
from credit.validation.checks.frame import Masks, filled
from credit.validation.checks.identity import (
    id_type_given,
    identity_block,
    org_code_match,
    placeholder_use,
    resident_ids,
    source_unit,
    uscc_category,
    uscc_valid,
)
from credit.validation.checks.records import duplicates

__all__ = ["CHECKS", "Masks", "any_failing", "filled", "fine_yuan_amount", "regime_for"]

# The one map from a check's name (`credit.validation.registry`) to its function.
CHECKS: dict[str, Callable[..., Masks]] = {
    "required": required,
    "required_when": required_when,
    "coded": coded,
    "in_set": in_set,
    "not_in_set": not_in_set,
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
    "derived_values": derived_values,
    "filled_unless_zero": filled_unless_zero,
    "http_links": http_links,
    "whole_numbers": whole_numbers,
    "periods": periods,
    "attachments_received": attachments_received,
}


def any_failing(masks: Masks, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    for mask in masks.values():
        out |= mask
    return out
