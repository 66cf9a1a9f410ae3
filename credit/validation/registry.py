"""The rule registry: every check, the expectation type that runs it, its parameters and the rules it serves.

This table is the one list. From it follow the GX metrics and expectation classes
(`credit.validation.gx_expectations` builds them in a loop), the GX-free runner of `credit check`
(`credit.validation.direct`), the attribution of a failing row to the field to fix (`attribute`) and the rule
catalogue `docs/rules.md` (`python -m credit.validation.catalogue`). A rule's Chinese name, message and
explanation are what a clerk reads and live in `credit/data/rules.csv`; where a rule applies (datasets,
fields, parameters) is the committed suites' business (`expectations/<dataset>.json`, `meta.rule_id`).

Adding a rule:
1. `credit/data/rules.csv`: one row (id, severity, name, message with `{column}`/`{value}`, explanation); a
   message needing more than the cell gets its values in `credit.validation.messages._detail`.
2. `credit/validation/checks/<concern>.py`: the check function (frame, parameters) -> {field key: mask},
   and its name in `CHECKS` (`credit/validation/checks/__init__.py`).
3. `credit/validation/registry.py`: one `Check(...)` row for a new check (its expectation class and metric
   follow from it), or the rule id added to an existing row's `rules`.
4. `expectations/<dataset>.json`: one entry per dataset it applies to, `meta` {rule_id, severity, field}.
5. `python -m credit.validation.catalogue` rewrites `docs/rules.md`.

`tests/test_registry.py` fails until these agree; `tests/test_suites.py` lists the standard's rule ids.

GX is not imported here (≈ 3 s): `credit check` runs the same table without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from credit.validation.checks import CHECKS, Masks

REQUIRED = object()  # a parameter without a default


@dataclass(frozen=True)
class Value:
    """A parameter of a check, which is also a field (pydantic annotation) of its expectation class."""

    name: str
    type: Any
    default: Any = REQUIRED
    suite_parameter: bool = False  # may be given as {"$PARAMETER": name}, resolved per run


@dataclass(frozen=True)
class Check:
    name: str  # key of credit.validation.checks.CHECKS
    expectation: str  # expectation type in expectations/*.json
    rules: tuple[str, ...]  # rule ids (credit/data/rules.csv) it serves
    summary: str  # what it flags, one line
    values: tuple[Value, ...] = ()
    domain: Literal["multicolumn", "column"] = "multicolumn"
    column_list: bool = False  # the check's fields are the expectation's column_list itself
    builtin: bool = False  # one of GX's own expectations: no class of ours

    @property
    def class_name(self) -> str:
        """The expectation class's name (GX snake-cases it back into the type)."""
        return "".join(part.capitalize() for part in self.expectation.split("_"))

    @property
    def metric(self) -> str:
        prefix = "multicolumn_values" if self.domain == "multicolumn" else "column_values"
        return f"{prefix}.credit_{self.name}"

    @property
    def value_keys(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.values)


_PENALTY_CHECKS = Literal["fine", "confiscation", "license", "mild_only"]

# In the order of the standard's rules (docs/rules.md).
REGISTRY: tuple[Check, ...] = (
    Check("required", "expect_required_columns_to_be_filled", ("REQ-1",),
          "every listed (required) field is filled", column_list=True),
    Check("in_set", "expect_column_values_to_be_in_set", ("ENUM-1",),
          "a present value is one of `value_set` (GX built-in)",
          (Value("value_set", list[str]),), domain="column", builtin=True),
    Check("coded", "expect_column_values_to_be_in_code_list", ("ENUM-1",),
          "labels of a code list; `其他-<name>` when `other_prefix`; several parts (split on ;；、,) when `multi`",
          (Value("value_set", list[str]), Value("other_prefix", str | None, None), Value("multi", bool, False)),
          domain="column"),
    Check("max_length", "expect_column_value_lengths_to_be_within_standard", ("LEN-1",),
          "no field longer than its soft length (`max_lengths`: {field: n})",
          (Value("max_lengths", dict[str, int]),)),
    Check("clean_text", "expect_text_to_be_clean", ("TXT-1",),
          "no control characters; no label noise (`统一社会信用代码：`) inside code fields",
          (Value("text_columns", list[str]), Value("code_columns", list[str]))),
    Check("required_when", "expect_column_to_be_filled_when", ("REQ-1",),
          "`flag` is filled when `when_field` holds one of `when_values` (a conditional requirement)",
          (Value("when_field", str), Value("when_values", list[str]), Value("flag", str))),
    Check("identity_block", "expect_identity_block_to_match_category", ("ID-1",),
          "USCC/法定代表人 or 证件类型/证件号码 required (USCC blank for 自然人) by 行政相对人类别"),
    Check("uscc_valid", "expect_column_values_to_be_valid_uscc", ("ID-2",),
          "every filled USCC field passes GB 32100 (prefix table, alphabet, MOD 31-3)", column_list=True),
    Check("placeholder_use", "expect_uscc_placeholder_only_for_individual_businesses", ("ID-3",),
          "`00000000000000000X` only as the USCC of a 个体工商户, and then with 工商注册号"),
    Check("resident_ids", "expect_resident_id_numbers_to_be_valid", ("ID-4",),
          "numbers of type 身份证 pass GB 11643 (`pairs`: {number field: type field})",
          (Value("pairs", dict[str, str]),)),
    Check("id_type_given", "expect_legal_rep_id_type_with_number", ("ID-5",),
          "法定代表人证件号码 given only with 法定代表人证件类型"),
    Check("org_code_match", "expect_org_code_to_match_uscc", ("ID-6",),
          "组织机构代码, when given, equals USCC characters 9–17"),
    Check("uscc_category", "expect_uscc_prefix_to_match_category", ("ID-7",),
          "个体工商户 → `92…`; 法人及非法人组织 → not `92…`"),
    Check("derived_values", "expect_values_to_be_given_not_derived", ("DRV-1",),
          "the file lacked the field's column; the reader derived its value from the row (context `derived`)",
          (Value("fields", list[str]),)),
    Check("source_unit", "expect_source_unit_to_match_registry", ("SRC-1",),
          "数据来源单位 and its USCC are those of the row's `reporting_unit` (blank = not checked)"),
    Check("real_dates", "expect_dates_to_be_real", ("DATE-1",),
          "every filled date field is a real calendar date", column_list=True),
    Check("not_after", "expect_column_values_to_be_not_after_report_date", ("DATE-2",),
          "a (real) date does not lie after the report date (suite parameter `report_date`)",
          (Value("report_date", str | None, suite_parameter=True),), domain="column"),
    Check("dates_in_order", "expect_dates_in_order", ("DATE-3", "DATE-4", "DATE-5", "DATE-7"),
          "`earlier` does not lie after `later`; `flag` is the field to fix",
          (Value("earlier", str), Value("later", str), Value("flag", str))),
    Check("publication_period", "expect_publicity_end_within_period", ("DATE-6",),
          "公示截止期 within the publication period of the regime in force on the decision date",
          (Value("decision", str), Value("end", str))),
    Check("penalty_amounts", "expect_penalty_amounts_to_match_categories", ("AMT-1", "AMT-2", "AMT-3", "AMT-6"),
          "amounts by 处罚类别: AMT-1 `fine`, AMT-2 `confiscation`, AMT-3 `license`, AMT-6 `mild_only`",
          (Value("check", _PENALTY_CHECKS),)),
    Check("amount_format", "expect_amounts_to_be_plain_decimals", ("AMT-4",),
          "amounts are plain non-negative decimals (≤ 6 decimals) without a unit", column_list=True),
    Check("fine_unit", "expect_fine_unit_to_be_wan", ("AMT-5",),
          "罚款金额 is not the 元 figure of 处罚内容's 罚款N元"),
    Check("not_in_set", "expect_column_values_to_not_be_in_set", ("DOC-2",),
          "a value is none of `value_set` (GX built-in)",
          (Value("value_set", list[str]),), domain="column", builtin=True),
    Check("duplicates", "expect_business_keys_to_be_unique", ("DUP-1",),
          "no two rows of one delivery share a business key", (Value("dataset", str),)),
    Check("filled_unless_zero", "expect_evidence_fields_to_be_filled", ("REQ-1",),
          "an evidence sheet's required fields are filled unless `zero_field` says 零报告",
          (Value("zero_field", str),), column_list=True),
    Check("http_links", "expect_links_to_be_web_addresses", ("EVD-1",),
          "a filled link is an http(s) address", column_list=True),
    Check("whole_numbers", "expect_counts_to_be_whole_numbers", ("EVD-2",),
          "a filled count is a whole number of at least `minimum`", (Value("minimum", int, 1),),
          column_list=True),
    Check("periods", "expect_periods_to_be_months_or_quarters", ("EVD-3",),
          "a filled 所属期间 is a month (2026-10, 2026年10月) or a quarter (2026-Q3, 2026年第3季度)",
          column_list=True),
    Check("attachments_received", "expect_attachments_to_be_received", ("EVD-4",),
          "the attachments a row names arrived and are safe (context `attachment_problems`, from the store)",
          column_list=True),
)  # fmt: skip

BY_EXPECTATION: dict[str, Check] = {c.expectation: c for c in REGISTRY}


def _consistent() -> None:
    """The table names each check and expectation type once, and only checks that exist."""
    names = [c.name for c in REGISTRY]
    if len(set(names)) != len(names) or len(BY_EXPECTATION) != len(REGISTRY):
        raise ValueError("credit.validation.registry: a check or expectation type is listed twice")
    if set(names) != set(CHECKS):
        raise ValueError(f"registry and CHECKS differ: {sorted(set(names) ^ set(CHECKS))}")


_consistent()


def resolve(value: Any, params: dict | None) -> Any:
    """A kwarg's value, a suite parameter reference (`{"$PARAMETER": name}`) resolved from `params`."""
    if isinstance(value, dict) and "$PARAMETER" in value:
        return (params or {}).get(value["$PARAMETER"])
    return value


def check_params(check: Check, kwargs: dict, params: dict | None = None, columns: list | None = None) -> dict:
    """The keyword arguments of the check function for an expectation's kwargs (suite parameters resolved;
    `columns`: the column list as the frame handed to the check names it)."""
    values = {}
    for v in check.values:
        given = resolve(kwargs.get(v.name), params)
        if given is not None:
            values[v.name] = given
    if check.column_list:
        values["column_list"] = list(kwargs["column_list"] if columns is None else columns)
    return values


def run(check: Check, frame: pd.DataFrame, kwargs: dict, params: dict | None = None) -> Masks:
    """The check's masks over `frame`: a multicolumn check over the expectation's column list, a column check
    over the values of `frame`'s only column."""
    if check.domain == "column":
        column = frame.columns[0]
        return CHECKS[check.name](frame, column=column, **check_params(check, kwargs, params))
    return CHECKS[check.name](frame[list(kwargs["column_list"])], **check_params(check, kwargs, params))


def attribute(expectation_type: str, kwargs: dict, rows: pd.DataFrame, params: dict | None = None) -> Masks:
    """Which fields of the (failing) rows a multicolumn expectation's check flags: {key: bool mask}."""
    return run(BY_EXPECTATION[expectation_type], rows, kwargs, params)
