"""What a clerk reads: rule names and messages in Chinese (`credit/data/rules.csv`), values masked (§7)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import pandas as pd

from credit import escape
from credit.datasets import catalogue
from credit.identifiers import mask_id
from credit.keys import business_keys
from credit.masking import mask_ids
from credit.normalise import derivation_reason
from credit.standard import DATA_DIR, dataset, labels
from credit.units import unit
from credit.validation.checks import fine_yuan_amount, regime_for
from credit.validation.checks.evidence import ATTACHMENT_PROBLEMS
from credit.validation.suites import load_suite_json

if TYPE_CHECKING:
    from credit.validation import Verdicts

HIDDEN = "******"
PLACEHOLDER_TEXT = "00000000000000000X"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    name: str
    message: str
    explanation: str


@cache
def rules() -> dict[str, Rule]:
    """rule id -> Rule, in the order of docs/standard.md §3."""
    with open(DATA_DIR / "rules.csv", encoding="utf-8", newline="") as fh:
        return {
            r["rule"]: Rule(r["rule"], r["severity"], r["name_zh"], r["message_zh"], r["explanation_zh"])
            for r in csv.DictReader(fh)
        }


def mask_value(key: str, value: object) -> str | None:
    """A value as it may be shown to people: 法定代表人证件号码 hidden, 证件号码 masked, stray ID numbers masked."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value)
    if key in catalogue().hidden_keys:
        return HIDDEN if text.strip() else text
    if key in catalogue().masked_keys:
        return mask_id(text.strip()) if text.strip() else text
    # An ID number typed into any other cell (a 自然人's number in the USCC column) is masked too.
    return mask_ids(text)


def display(value: str | None) -> str:
    """A value quoted in a message: control characters (line breaks too) made visible, as escape.visible."""
    if value is None:
        return "（空）"
    return escape.visible(value)


def _allowed(ds: str, key: str) -> str:
    field = dataset(ds).field(key)
    if not field.code_list:
        return ""
    text = "、".join(labels(field.code_list))
    if field.code_list in ("id_type", "permit_category"):
        text += "，或“其他-具体名称”"
    if key == "penalty_categories":
        text += "（多个类别用“;”分隔）"
    return text


def _fmt_amount(x: float) -> str:
    return f"{x:.6f}".rstrip("0").rstrip(".")


class _Context:
    """Values a message may need beyond the cell itself (category, unit, report date, duplicates…)."""

    def __init__(self, verdicts: Verdicts) -> None:
        self.v = verdicts
        self.data = verdicts.data
        self._dups: dict[int, list[int]] | None = None

    def get(self, row, key) -> str | None:
        if self.data is None or key not in self.data:
            return None
        value = self.data.at[row, key]
        return None if pd.isna(value) else str(value)

    def duplicate_rows(self, row) -> list:
        if self._dups is None:
            keys = business_keys(self.v.dataset, self.data)
            dup = keys[keys.duplicated(keep=False)]
            groups = dup.groupby(dup, sort=False).groups
            self._dups = {r: list(idx) for idx in groups.values() for r in idx}
        return self._dups.get(row, [row])


def _earlier_header(ds: str, key: str) -> str:
    """The date `key` must not precede (the DATE-7 expectation flagging `key`), as its header."""
    for exp in load_suite_json(ds)["expectations"]:
        if exp["meta"]["rule_id"] == "DATE-7" and exp["kwargs"].get("flag") == key:
            return dataset(ds).field(exp["kwargs"]["earlier"]).header
    return "应在其之前的日期"


def _detail(rule: str, key: str, row, ctx: _Context, ds: str) -> dict[str, str]:
    cat = ctx.get(row, "counterpart_category") or ""
    out: dict[str, str] = {"category": cat}
    if rule == "ENUM-1":
        out["allowed"] = _allowed(ds, key)
    elif rule == "LEN-1":
        out["max_len"] = str(dataset(ds).field(key).max_len)
    elif rule == "DATE-7":
        out["earlier"] = _earlier_header(ds, key)
    elif rule == "ID-1":
        out["detail"] = {
            ("uscc", "自然人"): "自然人不填写统一社会信用代码，请删除（身份证等号码填在“证件号码”栏）。",
            (
                "uscc",
                "个体工商户",
            ): f"个体工商户须填写统一社会信用代码（没有的填“{PLACEHOLDER_TEXT}”并填写工商注册号）。",
            ("uscc", "法人及非法人组织"): "法人及非法人组织须填写统一社会信用代码。",
            ("legal_rep_name", "个体工商户"): "个体工商户须填写经营者姓名。",
            ("legal_rep_name", "法人及非法人组织"): "法人及非法人组织须填写法定代表人。",
            ("id_type", "自然人"): "自然人须填写证件类型（如身份证）。",
            ("id_no", "自然人"): "自然人须填写证件号码。",
        }.get((key, cat), "请按行政相对人类别补填或删除。")
    elif rule == "ID-3":
        out["detail"] = {
            "uscc": f"“{PLACEHOLDER_TEXT}”只能用于没有统一社会信用代码的个体工商户，请填写真实的统一社会信用代码。",
            "business_reg_no": f"统一社会信用代码填了“{PLACEHOLDER_TEXT}”，必须填写工商注册号。",
        }.get(key, f"此处不能填写“{PLACEHOLDER_TEXT}”，请填写真实的统一社会信用代码。")
    elif rule == "ID-7":
        out["detail"] = (
            "个体工商户的统一社会信用代码应以92开头，请核对类别或代码。"
            if cat == "个体工商户"
            else "以92开头的是个体工商户的代码，请核对类别或代码。"
        )
    elif rule == "DRV-1":
        out["derived"] = ctx.get(row, key) or ""
        out["reason"] = derivation_reason(key, lambda k: ctx.get(row, k))
    elif rule == "SRC-1" and ctx.v.unit_code:
        u = unit(ctx.v.unit_code)
        out["expected"] = f"“{u.name}”（或简称“{u.short_name}”）" if key == "source_unit" else f"“{u.uscc}”"
    elif rule == "DATE-2":
        out["report_date"] = ctx.v.report_date.isoformat() if ctx.v.report_date else ""
    elif rule == "DATE-6":
        decision = pd.to_datetime(ctx.get(row, "decision_date"), format="%Y-%m-%d", errors="coerce")
        name, lo, hi = regime_for(decision if pd.notna(decision) else pd.Timestamp.today())
        out.update(regime=name, min_months=str(lo), max_months=str(hi))
    elif rule == "AMT-5":
        content = pd.Series([ctx.get(row, "penalty_content") or ""], dtype="str")
        yuan = fine_yuan_amount(content).iloc[0]
        if pd.notna(yuan):
            out.update(amount=_fmt_amount(yuan), expected=_fmt_amount(yuan / 10000))
    elif rule == "EVD-4":
        out["detail"] = ctx.get(row, ATTACHMENT_PROBLEMS) or ""
    elif rule == "DUP-1":
        out["rows"] = "、".join(str(r) for r in ctx.duplicate_rows(row))
    return out


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return ""


def message(rule: str, **values: str) -> str:
    return rules()[rule].message.format_map(_Safe(values))


def describe_rows(verdicts: Verdicts, raw: pd.DataFrame, columns: dict[str, str]) -> dict[int, dict]:
    """row -> {"status", "errors": [{"rule","field","column","value","message"}], "warnings": […]}."""
    ds = verdicts.dataset
    fields = {f.key: f for f in dataset(ds).fields}
    ctx = _Context(verdicts)
    out: dict[int, dict] = {
        _row(r): {"status": "valid", "errors": [], "warnings": []} for r in verdicts.index
    }
    for row, rule, key, severity in verdicts.issues[["row", "rule", "key", "severity"]].itertuples(
        index=False
    ):
        raw_value = raw.at[row, key] if (key in raw.columns and row in raw.index) else None
        if raw_value is not None and not isinstance(raw_value, str) and pd.isna(raw_value):
            raw_value = None
        value = mask_value(key, raw_value)
        column = columns.get(key) or fields[key].header
        text = message(rule, column=column, value=display(value), **_detail(rule, key, row, ctx, ds))
        entry = {"rule": rule, "field": fields[key].code, "column": column, "value": value, "message": text}
        target = out[_row(row)]
        target["errors" if severity == "error" else "warnings"].append(entry)
        if severity == "error":
            target["status"] = "invalid"
    return out


def _row(r) -> int:
    return int(r)
