"""What a clerk reads: rule names and messages in Chinese (`credit/data/rules.csv`), values masked (§7)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import pandas as pd

from credit import escape
from credit.identifiers import is_valid_uscc, mask_id
from credit.standard import DATA_DIR, dataset, labels

if TYPE_CHECKING:
    from credit.validation import Verdicts

HIDDEN = "******"
PLACEHOLDER_TEXT = "00000000000000000X"

# ID numbers as people write them (STANDARD.md §7): 15–18 characters (an X last: a digit lost or added still
# hides a person) in ASCII or full-width digits, plain or in groups split by spaces or hyphens
# ("440882 19900101 1234", "440882-1990-0101-1234").
# A run of digits is found whole (never inside a longer number; letters around it do not hide it: a file
# named `sfz440882…`), then the groups that together look like an ID number are masked.
_DIGITS = "0-9\uff10-\uff19"
_XS = "Xx\uff38\uff58"
_SEPARATORS = " \u00a0\u2002-\u200a\u202f\u205f\u3000\\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d"
_NUMBER_RUN = re.compile(  # at least 15 characters long: shorter runs never cost a Python call
    rf"(?<![{_DIGITS}])(?=[{_DIGITS}{_XS}{_SEPARATORS}]{{15}})"
    rf"[{_DIGITS}]+[{_XS}]?(?:[{_SEPARATORS}]{{1,3}}[{_DIGITS}]+[{_XS}]?)*(?![{_DIGITS}])"
)
_SEPARATOR_RUN = re.compile(rf"([{_SEPARATORS}]+)")
_TO_ASCII = str.maketrans({**{0xFF10 + i: str(i) for i in range(10)}, "x": "X", "\uff38": "X", "\uff58": "X"})


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    name: str
    message: str
    explanation: str


@cache
def rules() -> dict[str, Rule]:
    """rule id -> Rule, in STANDARD.md §3 order."""
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
    if key == "legal_rep_id_no":
        return HIDDEN if text.strip() else text
    if key == "id_no":
        return mask_id(text.strip()) if text.strip() else text
    # An ID number typed into any other cell (a 自然人's number in the USCC column) is masked too.
    return mask_ids(text)


def mask_ids(text: str) -> str:
    """Every ID number in free text masked (`440882********1234`), however it is written."""
    if len(text) < 15:
        return text
    return _NUMBER_RUN.sub(_mask_run, text)


def _mask_run(match: re.Match) -> str:
    parts = _SEPARATOR_RUN.split(match.group(0))  # groups at even positions, separators between
    groups = parts[0::2]
    out: list[str] = []
    i = 0
    while i < len(groups):
        best, digits = None, ""
        for j in range(i, len(groups)):
            group = groups[j].translate(_TO_ASCII)
            # an X ending a group may end the number, or be a letter after it (`…1234x.csv`)
            tries = [(digits + group, "")]
            if group.endswith("X"):
                tries.append((digits + group[:-1], groups[j][-1]))
            for candidate, rest in tries:
                if (
                    len(candidate) <= 18
                    and "X" not in candidate[:-1]
                    and _looks_like_id(candidate, plain=i == j)
                ):
                    best = (j, candidate, rest)
                    break
            digits += group
            if len(digits) > 19 or "X" in digits[:-1]:
                break
        if best is None:
            out.append(groups[i])
            end = i
        else:
            end, number, rest = best
            out.append((mask_id(number) or "") + rest)
        if end + 1 < len(groups):
            out.append(parts[2 * end + 1])
        i = end + 1
    return "".join(out)


def _looks_like_id(digits: str, *, plain: bool) -> bool:
    """15 digits written whole (an old ID number); 16–18 (a digit lost or added) with a birth date where an ID
    number carries it, the check digit right or wrong; 18 written whole that are no valid credit code. In
    groups, only 15 or 18 with a birth date. A credit code's 17 digits before its letter are not a date."""
    n = len(digits)
    if not digits[:-1].isdigit() or not (digits[-1].isdigit() or (digits[-1] == "X" and n >= 16)):
        return False
    if n == 15:
        return plain or _plausible_date("19" + digits[6:12])
    if n == 18 or (plain and n in (16, 17)):
        return _plausible_date(digits[6:14]) or (plain and n == 18 and not is_valid_uscc(digits))
    return False


def _plausible_date(yyyymmdd: str) -> bool:
    if len(yyyymmdd) != 8 or not yyyymmdd.isdigit():
        return False
    year, month, day = int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:])
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31


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
            from credit.keys import business_keys

            keys = business_keys(self.v.dataset, self.data)
            dup = keys[keys.duplicated(keep=False)]
            groups = dup.groupby(dup, sort=False).groups
            self._dups = {r: list(idx) for idx in groups.values() for r in idx}
        return self._dups.get(row, [row])


def _detail(rule: str, key: str, row, ctx: _Context, ds: str) -> dict[str, str]:
    cat = ctx.get(row, "counterpart_category") or ""
    out: dict[str, str] = {"category": cat}
    if rule == "ENUM-1":
        out["allowed"] = _allowed(ds, key)
    elif rule == "LEN-1":
        out["max_len"] = str(dataset(ds).field(key).max_len)
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
    elif rule == "SRC-1" and ctx.v.unit_code:
        from credit.units import unit

        u = unit(ctx.v.unit_code)
        out["expected"] = f"“{u.name}”（或简称“{u.short_name}”）" if key == "source_unit" else f"“{u.uscc}”"
    elif rule == "DATE-2":
        out["report_date"] = ctx.v.report_date.isoformat() if ctx.v.report_date else ""
    elif rule == "DATE-6":
        from credit.validation.checks import regime_for

        decision = pd.to_datetime(ctx.get(row, "decision_date"), format="%Y-%m-%d", errors="coerce")
        name, lo, hi = regime_for(decision if pd.notna(decision) else pd.Timestamp.today())
        out.update(regime=name, min_months=str(lo), max_months=str(hi))
    elif rule == "AMT-5":
        from credit.validation.checks import fine_yuan_amount

        content = pd.Series([ctx.get(row, "penalty_content") or ""], dtype="str")
        yuan = fine_yuan_amount(content).iloc[0]
        if pd.notna(yuan):
            out.update(amount=_fmt_amount(yuan), expected=_fmt_amount(yuan / 10000))
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
