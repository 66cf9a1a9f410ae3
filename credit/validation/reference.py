"""A plain pandas implementation of the same rules, without Great Expectations.

Used by the benchmark (GX overhead against bare pandas masks) and by a test asserting that the GX suites
produce exactly the same issues. The rule table is written out here on purpose, independently of the suite
JSON: a rule missing from a suite (or silently dropped by GX) shows up as a difference.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from credit.standard import dataset as dataset_def
from credit.standard import labels
from credit.validation import ISSUE_COLUMNS, Verdicts, apply_severity, prepare_frame, suite_parameters
from credit.validation import checks as c

Masks = dict[str, np.ndarray]
RuleFn = Callable[[pd.DataFrame, dict], Masks]


def _in_set(key: str, values: list[str], inside: bool) -> RuleFn:
    def fn(frame: pd.DataFrame, params: dict) -> Masks:
        s = frame[key]
        hit = s.isin(values).to_numpy(dtype=bool)
        return {key: c.filled(s) & (hit if not inside else ~hit)}

    return fn


def _rules(ds: str) -> list[tuple[str, str, RuleFn]]:
    d = dataset_def(ds)
    max_lengths = {f.key: f.max_len for f in d.fields if f.max_len and f.type in ("str", "text")}
    text = [f.key for f in d.fields if f.type in ("str", "text", "uscc")]
    codes = [f.key for f in d.fields if f.code_like]  # identifiers (docs/standard.md §2.5)
    dates = [f.key for f in d.fields if f.type == "date"]
    ids = labels("id_type")
    table: list[tuple[str, str, RuleFn]] = [
        ("REQ-1", "error", lambda f, p: c.required(f, d.required_keys)),
        ("ENUM-1", "error", _in_set("counterpart_category", labels("counterpart_category"), inside=True)),
        ("ENUM-1", "error", lambda f, p: c.coded(f, "id_type", ids, "其他-")),
        ("ENUM-1", "error", lambda f, p: c.coded(f, "legal_rep_id_type", ids, "其他-")),
    ]
    if ds == "xzxk":
        table += [
            (
                "ENUM-1",
                "error",
                lambda f, p: c.coded(f, "permit_category", labels("permit_category"), "其他-"),
            ),
            ("ENUM-1", "error", _in_set("status", labels("permit_status"), inside=True)),
        ]
    else:
        table.append(
            (
                "ENUM-1",
                "error",
                lambda f, p: c.coded(f, "penalty_categories", labels("penalty_category"), multi=True),
            )
        )
    table += [
        ("LEN-1", "warning", lambda f, p: c.max_length(f, max_lengths)),
        ("TXT-1", "warning", lambda f, p: c.clean_text(f, text, codes)),
        ("ID-1", "error", lambda f, p: c.identity_block(f)),
        ("ID-2", "error", lambda f, p: c.uscc_valid(f, ["uscc", "authority_uscc", "source_unit_uscc"])),
        ("ID-3", "error", lambda f, p: c.placeholder_use(f)),
        (
            "ID-4",
            "error",
            lambda f, p: c.resident_ids(f, {"id_no": "id_type", "legal_rep_id_no": "legal_rep_id_type"}),
        ),
        ("ID-5", "error", lambda f, p: c.id_type_given(f)),
        ("ID-6", "warning", lambda f, p: c.org_code_match(f)),
        ("ID-7", "warning", lambda f, p: c.uscc_category(f)),
        (
            "DRV-1",
            "warning",
            lambda f, p: c.derived_values(f, ["counterpart_category", "id_type", "legal_rep_id_type"]),
        ),
        ("SRC-1", "error", lambda f, p: c.source_unit(f)),
        ("DATE-1", "error", lambda f, p: c.real_dates(f, dates)),
        ("DATE-2", "error", lambda f, p: c.not_after(f, "decision_date", p["report_date"])),
    ]
    if ds == "xzxk":
        table += [
            ("DATE-3", "error", lambda f, p: c.dates_in_order(f, "valid_from", "valid_to", "valid_from")),
            (
                "DATE-4",
                "warning",
                lambda f, p: c.dates_in_order(f, "decision_date", "valid_from", "valid_from"),
            ),
            ("DOC-2", "warning", _in_set("permit_category", ["其他"], inside=False)),
        ]
    else:
        table += [
            (
                "DATE-5",
                "error",
                lambda f, p: c.dates_in_order(
                    f, "decision_date", "penalty_valid_until", "penalty_valid_until"
                ),
            ),
            (
                "DATE-6",
                "warning",
                lambda f, p: c.publication_period(f, "decision_date", "publicity_end_date"),
            ),
            ("AMT-1", "error", lambda f, p: c.penalty_amounts(f, "fine")),
            ("AMT-2", "error", lambda f, p: c.penalty_amounts(f, "confiscation")),
            ("AMT-3", "error", lambda f, p: c.penalty_amounts(f, "license")),
            ("AMT-4", "error", lambda f, p: c.amount_format(f, ["fine_wan", "confiscation_wan"])),
            ("AMT-5", "warning", lambda f, p: c.fine_unit(f)),
            ("AMT-6", "warning", lambda f, p: c.penalty_amounts(f, "mild_only")),
        ]
    table.append(("DUP-1", "error", lambda f, p: c.duplicates(f, ds)))
    return table


def reference_validate(
    dataset: str,
    data: pd.DataFrame,
    *,
    unit_code: str | None,
    report_date: date,
    severity: dict[str, str] | None = None,
) -> Verdicts:
    """The same verdicts as `validate_frame`, computed with pandas masks only."""
    frame = prepare_frame(dataset, data, unit_code)
    params = suite_parameters(report_date)
    parts = []
    for order, (rule, level, fn) in enumerate(_rules(dataset)):
        for key, mask in fn(frame, params).items():
            pos = np.nonzero(mask)[0]
            if len(pos):
                parts.append(
                    pd.DataFrame({"_pos": pos, "_order": order, "rule": rule, "key": key, "severity": level})
                )
    if parts:
        issues = pd.concat(parts, ignore_index=True).sort_values(["_pos", "_order"], kind="stable")
        issues.insert(0, "row", np.asarray(data.index)[issues["_pos"].to_numpy()])
        issues = issues.drop(columns=["_pos", "_order"]).drop_duplicates(ISSUE_COLUMNS).reset_index(drop=True)
    else:
        issues = pd.DataFrame({k: pd.Series(dtype=object) for k in ISSUE_COLUMNS})
    return Verdicts(
        dataset=dataset,
        index=data.index,
        issues=apply_severity(issues[ISSUE_COLUMNS], severity),
        report_date=report_date,
        unit_code=unit_code,
        data=frame.set_axis(data.index),
    )
