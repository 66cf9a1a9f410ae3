"""Custom Great Expectations expectations for the 双公示 standard (STANDARD.md §3).

Importing this module registers the expectation types used by `expectations/*.json`; GX silently drops an
expectation whose type is not registered, so import it before loading a suite (credit.validation does).
Every metric is a vectorised pandas `condition_partial` over a check of `credit.validation.checks`:
a row is unexpected when the check flags any of its fields.
"""

from __future__ import annotations

import os
from typing import Any, Literal

import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from great_expectations.core.suite_parameters import SuiteParameterDict
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import (
    ColumnMapExpectation,
    MulticolumnMapExpectation,
    parse_result_format,
)
from great_expectations.expectations.metrics import (
    ColumnMapMetricProvider,
    column_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider import (
    MulticolumnMapMetricProvider,
    multicolumn_condition_partial,
)

from credit.validation.checks import CHECKS, any_failing
from expectations.table import COLUMN_LIST_CHECKS, VALUE_KEYS, attribute  # noqa: F401  attribute: re-exported

Param = str | SuiteParameterDict | None


# Checks whose fields are the expectation's column list itself (tables shared with the GX-free runner).
_COLUMN_LIST_CHECKS = COLUMN_LIST_CHECKS
_VALUE_KEYS: dict[str, tuple[str, ...]] = {}


def _multicolumn_metric(check: str, value_keys: tuple[str, ...]) -> type:
    """A multicolumn map metric `multicolumn_values.credit_<check>` backed by `checks.CHECKS[check]`."""
    if VALUE_KEYS[check] != value_keys:
        raise AssertionError(f"expectations/table.py: VALUE_KEYS[{check!r}] differs from custom.py")
    _VALUE_KEYS[check] = value_keys

    def _pandas(cls, column_list: pd.DataFrame, **kwargs: Any) -> pd.Series:
        params = {k: kwargs[k] for k in value_keys if k in kwargs and kwargs[k] is not None}
        if check in _COLUMN_LIST_CHECKS:
            params["column_list"] = list(column_list.columns)
        masks = CHECKS[check](column_list, **params)
        return pd.Series(~any_failing(masks, len(column_list)), index=column_list.index)

    return type(
        f"CreditMetric_{check}",
        (MulticolumnMapMetricProvider,),
        {
            "condition_metric_name": f"multicolumn_values.credit_{check}",
            "condition_value_keys": value_keys,
            "_pandas": multicolumn_condition_partial(engine=PandasExecutionEngine)(_pandas),
        },
    )


# Fields of an Expectation that `Expectation.configuration` moves out of the kwargs.
_NOT_KWARGS = frozenset({"meta", "notes", "description", "severity", "id", "rendered_content"})


class _OneConfiguration:
    """GX's kwargs getters rebuild `self.configuration` (a pydantic `.dict()` of every field, then an
    ExpectationConfiguration) once per key they read, ≈ 15 times per expectation and validation. These read the
    model's own field values instead: `configuration.kwargs` is those values without the defaulted ones, and
    every getter falls back to the field's default for a missing key, so the values are the same (nothing is
    kept between calls, so a changed or copied expectation is never stale)."""

    def _kwargs_view(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in _NOT_KWARGS}

    def _get_domain_kwargs(self, cfg_kwargs: dict | None = None) -> dict[str, Any]:
        kw = self._kwargs_view() if cfg_kwargs is None else cfg_kwargs
        return {key: kw.get(key, self._get_default_value(key)) for key in self.domain_keys}

    def _get_success_kwargs(self, cfg_kwargs: dict | None = None) -> dict[str, Any]:
        kw = self._kwargs_view() if cfg_kwargs is None else cfg_kwargs
        out = {key: kw.get(key, self._get_default_value(key)) for key in self.success_keys}
        out.update(self._get_domain_kwargs(kw))
        return out

    def _get_runtime_kwargs(self, runtime_configuration: dict | None = None) -> dict:
        runtime_configuration = runtime_configuration or {}
        kw = self._kwargs_view()
        success = self._get_success_kwargs(kw)
        out = {}
        for key in self.runtime_keys:
            if key in runtime_configuration:
                out[key] = runtime_configuration[key]
            elif key in kw:  # the model's own value: copied where GX changes it in place (result_format)
                out[key] = dict(kw[key]) if isinstance(kw[key], dict) else kw[key]
            else:
                field = self.__fields__.get(key)
                out[key] = (field.default if not field.required else None) if field is not None else None
        out.update(success)
        out["result_format"] = parse_result_format(out["result_format"])
        return out


class _CreditMulticolumn(_OneConfiguration, MulticolumnMapExpectation):
    """Base: every row is checked (no row is skipped for missing values: blanks are what REQ/ID rules see)."""

    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"


# --- one metric per check ---------------------------------------------------------------------------

_multicolumn_metric("required", ())
_multicolumn_metric("max_length", ("max_lengths",))
_multicolumn_metric("clean_text", ("text_columns", "code_columns"))
_multicolumn_metric("identity_block", ())
_multicolumn_metric("uscc_valid", ())
_multicolumn_metric("placeholder_use", ())
_multicolumn_metric("resident_ids", ("pairs",))
_multicolumn_metric("id_type_given", ())
_multicolumn_metric("org_code_match", ())
_multicolumn_metric("uscc_category", ())
_multicolumn_metric("source_unit", ())
_multicolumn_metric("real_dates", ())
_multicolumn_metric("dates_in_order", ("earlier", "later", "flag"))
_multicolumn_metric("publication_period", ("decision", "end"))
_multicolumn_metric("penalty_amounts", ("check",))
_multicolumn_metric("amount_format", ())
_multicolumn_metric("fine_unit", ())
_multicolumn_metric("duplicates", ("dataset",))


class ExpectRequiredColumnsToBeFilled(_CreditMulticolumn):
    """REQ-1: every listed (required) field is filled."""

    map_metric = "multicolumn_values.credit_required"
    success_keys = ("mostly",)


class ExpectColumnValueLengthsToBeWithinStandard(_CreditMulticolumn):
    """LEN-1: no field longer than its soft length (`max_lengths`: {field: n})."""

    max_lengths: dict[str, int]
    map_metric = "multicolumn_values.credit_max_length"
    success_keys = ("mostly", "max_lengths")


class ExpectTextToBeClean(_CreditMulticolumn):
    """TXT-1: no control characters; no label noise (`统一社会信用代码：`) inside code fields."""

    text_columns: list[str]
    code_columns: list[str]
    map_metric = "multicolumn_values.credit_clean_text"
    success_keys = ("mostly", "text_columns", "code_columns")


class ExpectIdentityBlockToMatchCategory(_CreditMulticolumn):
    """ID-1: USCC/法定代表人 or 证件类型/证件号码 required (USCC blank for 自然人) by 行政相对人类别."""

    map_metric = "multicolumn_values.credit_identity_block"
    success_keys = ("mostly",)


class ExpectColumnValuesToBeValidUscc(_CreditMulticolumn):
    """ID-2: every filled USCC field passes GB 32100 (prefix table, alphabet, MOD 31-3)."""

    map_metric = "multicolumn_values.credit_uscc_valid"
    success_keys = ("mostly",)


class ExpectUsccPlaceholderOnlyForIndividualBusinesses(_CreditMulticolumn):
    """ID-3: `00000000000000000X` only in #3, only for 个体工商户, and then with 工商注册号."""

    map_metric = "multicolumn_values.credit_placeholder_use"
    success_keys = ("mostly",)


class ExpectResidentIdNumbersToBeValid(_CreditMulticolumn):
    """ID-4: numbers of type 身份证 pass GB 11643 (`pairs`: {number field: type field})."""

    pairs: dict[str, str]
    map_metric = "multicolumn_values.credit_resident_ids"
    success_keys = ("mostly", "pairs")


class ExpectLegalRepIdTypeWithNumber(_CreditMulticolumn):
    """ID-5: 法定代表人证件号码 given only with 法定代表人证件类型."""

    map_metric = "multicolumn_values.credit_id_type_given"
    success_keys = ("mostly",)


class ExpectOrgCodeToMatchUscc(_CreditMulticolumn):
    """ID-6: 组织机构代码, when given, equals USCC characters 9–17."""

    map_metric = "multicolumn_values.credit_org_code_match"
    success_keys = ("mostly",)


class ExpectUsccPrefixToMatchCategory(_CreditMulticolumn):
    """ID-7: 个体工商户 → `92…`; 法人及非法人组织 → not `92…`."""

    map_metric = "multicolumn_values.credit_uscc_category"
    success_keys = ("mostly",)


class ExpectSourceUnitToMatchRegistry(_CreditMulticolumn):
    """SRC-1: 数据来源单位 and its USCC are those of the row's `reporting_unit` (blank = not checked)."""

    map_metric = "multicolumn_values.credit_source_unit"
    success_keys = ("mostly",)


class ExpectDatesToBeReal(_CreditMulticolumn):
    """DATE-1: every filled date field is a real calendar date."""

    map_metric = "multicolumn_values.credit_real_dates"
    success_keys = ("mostly",)


class ExpectDatesInOrder(_CreditMulticolumn):
    """DATE-3/4/5: `earlier` does not lie after `later`; `flag` is the field to fix."""

    earlier: str
    later: str
    flag: str
    map_metric = "multicolumn_values.credit_dates_in_order"
    success_keys = ("mostly", "earlier", "later", "flag")


class ExpectPublicityEndWithinPeriod(_CreditMulticolumn):
    """DATE-6: 公示截止期 within the publication period of the regime in force on the decision date."""

    decision: str
    end: str
    map_metric = "multicolumn_values.credit_publication_period"
    success_keys = ("mostly", "decision", "end")


class ExpectPenaltyAmountsToMatchCategories(_CreditMulticolumn):
    """AMT-1 `fine`, AMT-2 `confiscation`, AMT-3 `license`, AMT-6 `mild_only`: amounts by 处罚类别."""

    check: Literal["fine", "confiscation", "license", "mild_only"]
    map_metric = "multicolumn_values.credit_penalty_amounts"
    success_keys = ("mostly", "check")


class ExpectAmountsToBePlainDecimals(_CreditMulticolumn):
    """AMT-4: amounts are plain non-negative decimals (≤ 6 decimals) without a unit."""

    map_metric = "multicolumn_values.credit_amount_format"
    success_keys = ("mostly",)


class ExpectFineUnitToBeWan(_CreditMulticolumn):
    """AMT-5: 罚款金额 is not the 元 figure of 处罚内容's 罚款N元."""

    map_metric = "multicolumn_values.credit_fine_unit"
    success_keys = ("mostly",)


class ExpectBusinessKeysToBeUnique(_CreditMulticolumn):
    """DUP-1: no two rows of one submission share a business key."""

    dataset: str
    map_metric = "multicolumn_values.credit_duplicates"
    success_keys = ("mostly", "dataset")


# --- single-column expectations ------------------------------------------------------------------------


class ColumnValuesInCodeList(ColumnMapMetricProvider):
    condition_metric_name = "column_values.credit_in_code_list"
    condition_value_keys = ("value_set", "other_prefix", "multi")

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, value_set, other_prefix=None, multi=False, **kwargs: Any):
        masks = CHECKS["coded"](
            column.to_frame("v"), column="v", value_set=value_set, other_prefix=other_prefix, multi=multi
        )
        return pd.Series(~masks["v"], index=column.index)


class ExpectColumnValuesToBeInCodeList(_OneConfiguration, ColumnMapExpectation):
    """ENUM-1: labels of a code list; `其他-<name>` when other_prefix; several parts (split on ;；、,) when multi."""

    value_set: list[str]
    other_prefix: str | None = None
    multi: bool = False
    map_metric = "column_values.credit_in_code_list"
    success_keys = ("mostly", "value_set", "other_prefix", "multi")


class ColumnValuesNotAfter(ColumnMapMetricProvider):
    condition_metric_name = "column_values.credit_not_after"
    condition_value_keys = ("report_date",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, report_date, **kwargs: Any):
        masks = CHECKS["not_after"](column.to_frame("v"), column="v", report_date=report_date)
        return pd.Series(~masks["v"], index=column.index)


class ExpectColumnValuesToBeNotAfterReportDate(_OneConfiguration, ColumnMapExpectation):
    """DATE-2: a (real) date does not lie after the report date (suite parameter `report_date`)."""

    report_date: Param
    map_metric = "column_values.credit_not_after"
    success_keys = ("mostly", "report_date")


def _check_table() -> dict[str, str]:
    """expectation type -> check name, for the multicolumn custom expectations."""
    return {
        cls.expectation_type: cls.map_metric.rsplit("credit_", 1)[1]
        for cls in _CreditMulticolumn.__subclasses__()
    }
