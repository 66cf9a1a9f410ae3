"""Checks of the evidence sheets of the plan's duties (credit/datasets/duty*/): filled unless the row is a
零报告 (REQ-1), links are web addresses (EVD-1), counts are whole numbers (EVD-2), 所属期间 is a period (EVD-3),
the attachments a row names arrived and are safe (EVD-4, judged against the store by the validate step and
handed in as the context column `attachment_problems`)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from credit.duties.periods import parse_period
from credit.validation.checks.frame import Masks, blank, by_unique, col, filled

ZERO_REPORT = "零报告"
ATTACHMENT_PROBLEMS = "attachment_problems"  # context column: per row, what is wrong with its attachments
_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)


def zero_report(frame: pd.DataFrame, zero_field: str) -> np.ndarray:
    """Rows whose first column says 零报告 (nothing to report this period)."""
    return (col(frame, zero_field).str.strip() == ZERO_REPORT).fillna(False).to_numpy(dtype=bool)


def filled_unless_zero(frame: pd.DataFrame, column_list: list[str], zero_field: str) -> Masks:
    """REQ-1 on an evidence sheet: a required field is blank on a row that is not a 零报告."""
    zero = zero_report(frame, zero_field)
    return {key: blank(col(frame, key)) & ~zero for key in column_list}


def http_links(frame: pd.DataFrame, column_list: list[str]) -> Masks:
    """EVD-1: a filled link that is not an http(s) address."""
    return {
        key: by_unique(col(frame, key), lambda v: np.array([not _URL.match(x.strip()) for x in v]))
        & filled(col(frame, key))
        for key in column_list
    }


def whole_numbers(frame: pd.DataFrame, column_list: list[str], minimum: int = 1) -> Masks:
    """EVD-2: a filled count that is not a whole number of at least `minimum`."""

    def bad(values: np.ndarray) -> np.ndarray:
        return np.array(
            [not (x.strip().isascii() and x.strip().isdigit() and int(x) >= minimum) for x in values]
        )

    return {key: by_unique(col(frame, key), bad) & filled(col(frame, key)) for key in column_list}


def periods(frame: pd.DataFrame, column_list: list[str]) -> Masks:
    """EVD-3: a filled 所属期间 that is no month or quarter."""
    return {
        key: by_unique(col(frame, key), lambda v: np.array([parse_period(x) is None for x in v]))
        & filled(col(frame, key))
        for key in column_list
    }


def attachments_received(frame: pd.DataFrame, column_list: list[str]) -> Masks:
    """EVD-4: the row's attachments are missing or were quarantined (context `attachment_problems`)."""
    problems = filled(col(frame, ATTACHMENT_PROBLEMS))
    return {key: problems.copy() for key in column_list if key != ATTACHMENT_PROBLEMS}
