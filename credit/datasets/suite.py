"""A dataset's GX suite: the rules every dataset shares, derived from its fields and written once here, then
the rules of its own folder (`suite.json`), then DUP-1 (credit/datasets/README.md, docs/standard.md §3).

The shared part: REQ-1 (required fields), ENUM-1 (code lists), LEN-1 (soft lengths), TXT-1 (text and
identifiers), ID-1…ID-7 (with the identity block), ID-2 (every USCC field), DRV-1 (the fields a reader may
derive, credit/data/derivations.csv), SRC-1 (with the source-unit fields), DATE-1 (every date), DATE-2 (the
date the deadline runs from) and DUP-1 (the business key).
"""

from __future__ import annotations

from credit.datasets import Dataset, catalogue
from credit.datasets.derivations import derivations

NOTES = "每条规则一个或多个 expectation；meta.rule_id/severity/field 决定逐条记录的判定。"


def _exp(kind: str, kwargs: dict, rule: str, severity: str, field) -> dict:
    return {"type": kind, "kwargs": kwargs, "meta": {"rule_id": rule, "severity": severity, "field": field}}


def _enum(ds: Dataset, key: str, code_list: str, multi: bool) -> dict:
    cat = catalogue()
    values = list(dict.fromkeys(cat.code_lists[code_list].values()))
    prefix = cat.other_prefixes.get(code_list)
    if not multi and not prefix:
        return _exp(
            "expect_column_values_to_be_in_set", {"column": key, "value_set": values}, "ENUM-1", "error", key
        )
    kwargs = {"column": key, "value_set": values, **({"other_prefix": prefix} if prefix else {})}
    kwargs |= {"multi": True} if multi else {}
    return _exp("expect_column_values_to_be_in_code_list", kwargs, "ENUM-1", "error", key)


def _identity(ds: Dataset) -> list[dict]:
    uscc_fields = [k for k in ds.keys_of_type("uscc") if k != "uscc"]
    return [
        _exp("expect_identity_block_to_match_category",
             {"column_list": ["counterpart_category", "uscc", "legal_rep_name", "id_type", "id_no"]},
             "ID-1", "error", ["uscc", "legal_rep_name", "id_type", "id_no"]),
        _exp("expect_column_values_to_be_valid_uscc", {"column_list": ds.keys_of_type("uscc")},
             "ID-2", "error", ds.keys_of_type("uscc")),
        _exp("expect_uscc_placeholder_only_for_individual_businesses",
             {"column_list": ["counterpart_category", "uscc", "business_reg_no", *uscc_fields]},
             "ID-3", "error", ["uscc", "business_reg_no", *uscc_fields]),
        _exp("expect_resident_id_numbers_to_be_valid",
             {"column_list": ["id_type", "id_no", "legal_rep_id_type", "legal_rep_id_no"],
              "pairs": {"id_no": "id_type", "legal_rep_id_no": "legal_rep_id_type"}},
             "ID-4", "error", ["id_no", "legal_rep_id_no"]),
        _exp("expect_legal_rep_id_type_with_number", {"column_list": ["legal_rep_id_type", "legal_rep_id_no"]},
             "ID-5", "error", "legal_rep_id_type"),
        _exp("expect_org_code_to_match_uscc", {"column_list": ["uscc", "org_code"]}, "ID-6", "warning", "org_code"),
        _exp("expect_uscc_prefix_to_match_category", {"column_list": ["counterpart_category", "uscc"]},
             "ID-7", "warning", "uscc"),
    ]  # fmt: skip


def _derived(ds: Dataset) -> list[dict]:
    """DRV-1 (a warning per rule of credit/data/derivations.csv): values the reader derived because the file
    lacked their column; the context column `derived` names them per row."""
    by_rule: dict[str, list[str]] = {}
    for d in derivations().values():
        if ds.has(d.key):
            by_rule.setdefault(d.rule, []).append(d.key)
    return [
        _exp("expect_values_to_be_given_not_derived", {"column_list": [*keys, "derived"], "fields": keys},
             rule, "warning", keys)
        for rule, keys in by_rule.items()
    ]  # fmt: skip


def compose(ds: Dataset) -> dict:
    """The complete suite of `ds`, in GX's suite format."""
    out: list[dict] = []
    required = ds.required_keys
    if required:
        out.append(
            _exp(
                "expect_required_columns_to_be_filled", {"column_list": required}, "REQ-1", "error", required
            )
        )
    # The identity block's 证件类型 before 法定代表人证件类型: the order clerks read the block in.
    enums = sorted(
        (f for f in ds.fields if f.code_list),
        key=lambda f: (f.key != "counterpart_category", f.key != "id_type", f.seq),
    )
    out += [_enum(ds, f.key, f.code_list, f.type == "multienum") for f in enums]
    lengths = {f.key: f.max_len for f in ds.fields if f.max_len and f.type in ("str", "text")}
    if lengths:
        out.append(
            _exp(
                "expect_column_value_lengths_to_be_within_standard",
                {"column_list": list(lengths), "max_lengths": lengths},
                "LEN-1",
                "warning",
                list(lengths),
            )
        )
    text = ds.keys_of_type("str", "text", "uscc")
    codes = [f.key for f in ds.fields if f.code_like]
    if text:
        out.append(
            _exp(
                "expect_text_to_be_clean",
                {"column_list": text, "text_columns": text, "code_columns": codes},
                "TXT-1",
                "warning",
                text,
            )
        )
    if ds.has_identity:
        out += _identity(ds)
    elif ds.keys_of_type("uscc"):
        usccs = ds.keys_of_type("uscc")
        out.append(
            _exp("expect_column_values_to_be_valid_uscc", {"column_list": usccs}, "ID-2", "error", usccs)
        )
    out += _derived(ds)
    if ds.has("source_unit") and ds.has("source_unit_uscc"):
        out.append(
            _exp(
                "expect_source_unit_to_match_registry",
                {"column_list": ["source_unit", "source_unit_uscc", "reporting_unit"]},
                "SRC-1",
                "error",
                ["source_unit", "source_unit_uscc"],
            )
        )
    dates = ds.keys_of_type("date")
    if dates:
        out.append(_exp("expect_dates_to_be_real", {"column_list": dates}, "DATE-1", "error", dates))
    if ds.deadline_field:
        out.append(
            _exp(
                "expect_column_values_to_be_not_after_report_date",
                {"column": ds.deadline_field, "report_date": {"$PARAMETER": "report_date"}},
                "DATE-2",
                "error",
                ds.deadline_field,
            )
        )
    out += [dict(e) for e in ds.suite_extras]
    if ds.key_fields:
        out.append(
            _exp(
                "expect_business_keys_to_be_unique",
                {"column_list": [*ds.key_columns, "delivery"], "dataset": ds.id},
                "DUP-1",
                "error",
                ds.dup_field,
            )
        )
    return {
        "name": ds.id,
        "meta": {"standard": "docs/standard.md §3", "dataset_name": ds.name, "notes": NOTES},
        "expectations": out,
    }  # fmt: skip
