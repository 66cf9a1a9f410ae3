"""A dataset's suite run without Great Expectations, for `credit check` (no Data Docs wanted).

Importing GX costs ≈ 3.4 s and building its context ≈ 1 s more: most of a clerk's `credit check`. This runs the
same committed suite (`expectations/<dataset>.json`: every expectation, its kwargs, suite parameters, rule id
and severity from its meta) with the check functions that the custom expectations wrap, as the rule registry
(`credit.validation.registry`) pairs them with expectation types, and GX's map semantics for those types:

- the custom multicolumn expectations (`ignore_row_if="never"`): a row is unexpected when the check flags any
  of its fields;
- column map expectations (the registry's `domain="column"` checks: the custom code-list and
  not-after-report-date ones, GX's built-in `expect_column_values_to_be_in_set` / `..._to_not_be_in_set`):
  missing values are not considered;
- no expectation of the suites uses `mostly` or `row_condition`; one that does, or an unknown type, raises
  `UnsupportedExpectation` (the caller falls back to GX).

It returns what `credit.validation.gx.run_suite` returns; `tests/test_direct_suite.py` checks that both give
the same issues on generated days with planted defects.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from credit.validation.checks import any_failing
from credit.validation.registry import BY_EXPECTATION, resolve, run
from credit.validation.suites import FailingRows, load_suite_json


class UnsupportedExpectation(ValueError):
    pass


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
        if exp["type"] not in BY_EXPECTATION:
            return False
        if kw.get("mostly", 1) != 1 or kw.get("row_condition"):
            return False
        if (
            BY_EXPECTATION[exp["type"]].domain == "multicolumn"
            and kw.get("ignore_row_if", "never") != "never"
        ):
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
        check = BY_EXPECTATION[kind]
        if check.domain == "multicolumn":
            failing = np.nonzero(any_failing(run(check, frame, kwargs, params), n))[0]
        else:  # GX's column map semantics: missing values are not considered
            column = frame[kwargs["column"]]
            where = np.nonzero(column.notna().to_numpy(dtype=bool))[0]
            masks = run(check, column.iloc[where].to_frame("v"), kwargs, params)
            failing = where[np.asarray(masks["v"], dtype=bool)]
        if not len(failing):
            continue
        resolved = {k: resolve(v, params) for k, v in kwargs.items()}
        found.add(kind, resolved, meta, failing.astype(np.int64), frame, params)
    return found.result()
