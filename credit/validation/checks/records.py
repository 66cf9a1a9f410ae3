"""Checks across the rows of one delivery: one row per business key (DUP-1)."""

from __future__ import annotations

import pandas as pd

from credit.datasets import catalogue
from credit.keys import business_keys
from credit.validation.checks.frame import Masks, col


def duplicates(frame: pd.DataFrame, dataset: str) -> Masks:
    """DUP-1: every row of a group sharing a business key within one delivery (`delivery`: a file's sheet;
    rows of different deliveries validated together are versions of a record, not duplicates)."""
    keys = business_keys(dataset, frame)
    if "delivery" in frame:
        keys = col(frame, "delivery").fillna("") + "\x1e" + keys
    return {catalogue().dataset(dataset).dup_field: keys.duplicated(keep=False).to_numpy(dtype=bool)}
