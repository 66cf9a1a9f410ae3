"""A dataset's suite run without Great Expectations, for `credit check` (no Data Docs wanted).

Importing GX costs ≈ 3.4 s and building its context ≈ 1 s more: most of a clerk's `credit check`. This runs the
same committed suite (`expectations/<dataset>.json`: every expectation, its kwargs, suite parameters, rule id
and severity from its meta) with the same check functions that the custom expectations wrap, and GX's map
semantics for the suites' expectation types:

- the custom multicolumn expectations (`ignore_row_if="never"`): a row is unexpected when the check flags any
  of its fields;
- column map expectations (the custom code-list and not-after-report-date ones, GX's built-in
  `expect_column_values_to_be_in_set` / `..._to_not_be_in_set`): missing values are not considered;
- no expectation of the suites uses `mostly` or `row_condition`; one that does, or an unknown type, raises
  `UnsupportedExpectation` (the caller falls back to GX).

It returns what `credit.validation.gx.run_suite` returns; `tests/test_direct_suite.py` checks that both give
the same issues on generated days with planted defects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit.validation.checks import CHECKS, any_failing
from credit.validation.suites import FailingRows, load_suite_json
from expectations.table import MULTICOLUMN, check_params


class UnsupportedExpectation(ValueError):
    pass


def _parameter(value, params: dict):
    if isinstance(value, dict) and "$PARAMETER" in value:
        return params.get(value["$PARAMETER"])
    return value


def _column_map(kind: str, kwargs: dict, column: pd.Series, params: dict) -> np.ndarray:
    """Unexpected mask over the non-missing values of `column`."""
    if kind == "expect_column_values_to_be_in_set":
        return ~column.isin(list(kwargs["value_set"])).to_numpy(dtype=bool)
    if kind == "expect_column_values_to_not_be_in_set":
        return column.isin(list(kwargs["value_set"])).to_numpy(dtype=bool)
    frame = column.to_frame("v")
    if kind == "expect_column_values_to_be_in_code_list":
        masks = CHECKS["coded"](
            frame,
            column="v",
            value_set=kwargs["value_set"],
            other_prefix=kwargs.get("other_prefix"),
            multi=kwargs.get("multi", False),
        )
    elif kind == "expect_column_values_to_be_not_after_report_date":
        masks = CHECKS["not_after"](frame, column="v", report_date=_parameter(kwargs["report_date"], params))
    else:
        raise UnsupportedExpectation(kind)
    return np.asarray(masks["v"], dtype=bool)


COLUMN_MAP = (
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_in_set",
    "expect_column_values_to_be_in_code_list",
    "expect_column_values_to_be_not_after_report_date",
)


def _gx_order(expectations: list[dict]) -> list[dict]:
    """GX's order of results: expectations grouped by `column` in order of first appearance, those without
    a column as one group (Validator.process_expectations_for_validation); issues keep that order."""
    groups: dict[str, list[dict]] = {}
    for exp in expectations:
        column = exp["kwargs"].get("column")
        groups.setdefault(column if isinstance(column, str) else "\0none", []).append(exp)
    return [exp for group in groups.values() for exp in group]


def supported(dataset: str) -> bool:
    for exp in load_suite_json(dataset)["expectations"]:
        kw = exp["kwargs"]
        if exp["type"] not in MULTICOLUMN and exp["type"] not in COLUMN_MAP:
            return False
        if kw.get("mostly", 1) != 1 or kw.get("row_condition"):
            return False
        if exp["type"] in MULTICOLUMN and kw.get("ignore_row_if", "never") != "never":
            return False
    return True


def run_suite(
    dataset: str, frame: pd.DataFrame, params: dict[str, str]
) -> tuple[list[np.ndarray], list[str], list[str], list[str], None]:
    """Validate a prepared frame (RangeIndex): per (expectation, flagged key), failing row positions."""
    if not supported(dataset):
        raise UnsupportedExpectation(f"expectations/{dataset}.json needs Great Expectations")
    found = FailingRows()
    n = len(frame)
    for exp in _gx_order(load_suite_json(dataset)["expectations"]):
        kind, kwargs, meta = exp["type"], exp["kwargs"], exp["meta"]
        if kind in MULTICOLUMN:
            check = MULTICOLUMN[kind]
            columns = list(kwargs["column_list"])
            masks = CHECKS[check](frame[columns], **check_params(check, kwargs, params))
            failing = np.nonzero(any_failing(masks, n))[0]
        else:
            column = frame[kwargs["column"]]
            present = column.notna().to_numpy(dtype=bool)
            where = np.nonzero(present)[0]
            failing = where[_column_map(kind, kwargs, column.iloc[where], params)]
        if not len(failing):
            continue
        resolved = {k: _parameter(v, params) for k, v in kwargs.items()}
        found.add(kind, resolved, meta, failing.astype(np.int64), frame, params)
    return found.result()
