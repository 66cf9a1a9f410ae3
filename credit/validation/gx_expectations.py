"""Custom Great Expectations expectations for the 双公示 standard, built from the rule registry.

Importing this module registers the expectation types used by `expectations/*.json`; GX silently drops an
expectation whose type is not registered, so import it before loading a suite (`credit.validation.gx` does).
For every row of `credit.validation.registry.REGISTRY` that is not a GX built-in it creates, as GX documents
custom expectations, a map metric (`multicolumn_values.credit_<check>` or `column_values.credit_<check>`: a
vectorised pandas `condition_partial` over the check of `credit.validation.checks`; a row is unexpected when
the check flags any of its fields) and an expectation class whose fields are the check's parameters (GX
registers a class when it is created). Nothing here is written per rule: add a rule in the registry.

Imported by `credit.validation.gx` only, after GX itself (≈ 3 s): `credit check` never loads it.
"""

from __future__ import annotations

import types
from typing import Any, Literal

import pandas as pd
from great_expectations.compatibility import pydantic
from great_expectations.core.suite_parameters import SuiteParameterDict
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import (
    ColumnMapExpectation,
    MulticolumnMapExpectation,
    parse_result_format,
)
from great_expectations.expectations.metrics import ColumnMapMetricProvider, column_condition_partial
from great_expectations.expectations.metrics.map_metric_provider import (
    MulticolumnMapMetricProvider,
    multicolumn_condition_partial,
)

from credit.validation import gx_patches
from credit.validation.checks import CHECKS, any_failing
from credit.validation.registry import BY_EXPECTATION, REGISTRY, REQUIRED, Check, check_params

# GX's pandas engine refuses a multicolumn domain of one column ("column_list must contain at least 2 columns")
# and reports it inside the result, which then reads as a success: a field list of one (DATE-1 of a dataset
# with one date, AMT-4 with one amount) is run with the context column `delivery` beside it (`gx_kwargs`),
# which the metric hands to no check.
PAD = "delivery"


def gx_kwargs(expectation_type: str, kwargs: dict) -> dict:
    """An expectation's kwargs as GX runs them: a custom multicolumn one of one column padded with PAD."""
    check = BY_EXPECTATION.get(expectation_type)
    columns = kwargs.get("column_list") or []
    if check is None or check.builtin or check.domain != "multicolumn" or len(columns) != 1:
        return kwargs
    return {**kwargs, "column_list": [*columns, PAD]}


# Fields of an Expectation that `Expectation.configuration` moves out of the kwargs.
_NOT_KWARGS = frozenset({"meta", "notes", "description", "severity", "id", "rendered_content"})


class _OneConfiguration:
    """Private change `kwargs_getters` (credit.validation.gx_patches): GX's kwargs getters rebuild
    `self.configuration` (a pydantic `.dict()` of every field, then an ExpectationConfiguration) once per key
    they read, ≈ 15 times per expectation and validation. These read the model's own field values instead:
    `configuration.kwargs` is those values without the defaulted ones, and every getter falls back to the
    field's default for a missing key, so the values are the same (nothing is kept between calls, so a changed
    or copied expectation is never stale)."""

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


# GX's stock getters unless the private change applies (decided once, when the classes are created).
KWARGS_GETTERS_PATCHED = gx_patches.enabled("kwargs_getters")
_GETTERS: tuple[type, ...] = (_OneConfiguration,) if KWARGS_GETTERS_PATCHED else ()


class _CreditMulticolumn(*_GETTERS, MulticolumnMapExpectation):
    """Base: every row is checked (no row is skipped for missing values: blanks are what REQ/ID rules see)."""

    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"

    @pydantic.validator("column_list")
    def _validate_column_list(cls, v: list[str]) -> list[str]:
        """One field is a list too (AMT-4 of a dataset with one amount): GX's base asks for two (replaced)."""
        if len(v) < 1:
            raise ValueError("column_list must contain at least one column.")
        return v


class _CreditColumn(*_GETTERS, ColumnMapExpectation):
    """Base: GX's column map semantics (missing values are not considered)."""


def _metric(check: Check) -> type:
    """The map metric `check.metric`, backed by `CHECKS[check.name]`."""
    function = CHECKS[check.name]
    if check.domain == "multicolumn":

        def _multicolumn(cls, column_list: pd.DataFrame, **kwargs: Any) -> pd.Series:
            columns = list(column_list.columns)
            if len(columns) == 2 and columns[1] == PAD and check.column_list:
                columns = columns[:1]  # padded by gx_kwargs: the check's field list is the one field
            params = check_params(check, kwargs, columns=columns)
            masks = function(column_list, **params)
            return pd.Series(~any_failing(masks, len(column_list)), index=column_list.index)

        base = MulticolumnMapMetricProvider
        partial = multicolumn_condition_partial(engine=PandasExecutionEngine)(_multicolumn)
    else:

        def _column(cls, column: pd.Series, **kwargs: Any) -> pd.Series:
            masks = function(column.to_frame("v"), column="v", **check_params(check, kwargs))
            return pd.Series(~masks["v"], index=column.index)

        base = ColumnMapMetricProvider
        partial = column_condition_partial(engine=PandasExecutionEngine)(_column)
    return type(
        f"CreditMetric_{check.name}",
        (base,),
        {
            "condition_metric_name": check.metric,
            "condition_value_keys": check.value_keys,
            "_pandas": partial,
            "__module__": __name__,
        },
    )


def _expectation(check: Check) -> type:
    """The expectation class of `check`: its parameters as pydantic fields, registered by GX on creation."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {
        "__module__": __name__,
        "__doc__": f"{', '.join(check.rules)}: {check.summary}.",
        "map_metric": check.metric,
        "success_keys": ("mostly", *check.value_keys),
    }
    for value in check.values:
        annotation = value.type
        if value.suite_parameter:  # arrives as {"$PARAMETER": name}, resolved by GX per run
            annotation = annotation | SuiteParameterDict
        annotations[value.name] = annotation
        if value.default is not REQUIRED:
            namespace[value.name] = value.default
    namespace["__annotations__"] = annotations
    base = _CreditMulticolumn if check.domain == "multicolumn" else _CreditColumn
    cls = types.new_class(check.class_name, (base,), exec_body=lambda ns: ns.update(namespace))
    if cls.expectation_type != check.expectation:
        raise ValueError(
            f"GX names class {check.class_name} {cls.expectation_type!r}, not {check.expectation!r}"
        )
    return cls


METRICS: dict[str, type] = {}
EXPECTATIONS: dict[str, type] = {}  # expectation type -> class
for _check in REGISTRY:
    if not _check.builtin:
        METRICS[_check.metric] = _metric(_check)
        EXPECTATIONS[_check.expectation] = _expectation(_check)
        globals()[_check.class_name] = EXPECTATIONS[_check.expectation]  # importable by name (pickling)
