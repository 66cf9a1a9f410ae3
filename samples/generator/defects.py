"""Planted defects: per rule, the variants that break one record in one known way (`variants`)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from credit.identifiers import USCC_PLACEHOLDER, ric_check_char
from credit.units import Unit, reporting_units

from . import ids, templates
from .records import (
    _LEGAL_REP,
    ALL_CATS,
    INDIV,
    LEGAL,
    LONG_TERM,
    NATURAL,
    NON_NATURAL,
    FileCtx,
    Raw,
    _add_months,
    _add_years,
    _set_penalty,
    wan,
)


# ---------------------------------------------------------------- planted defects
@dataclass(frozen=True)
class Variant:
    categories: frozenset[str]
    apply: Callable  # (v, ctx, rnd) -> None
    build_opts: dict = field(default_factory=dict)


def _blank(*keys):
    def apply(v, ctx, rnd):
        for k in keys:
            v[k] = None

    return apply


def _set(**values):
    def apply(v, ctx, rnd):
        v.update(values)

    return apply


def _other_unit(ctx: FileCtx, rnd: random.Random) -> Unit:
    return rnd.choice([u for u in reporting_units() if u.code != ctx.unit.code])


def _ric_bad_check(rnd):
    good = ids.ric(rnd)
    return good[:17] + ("0" if good[17] != "0" else "1")


def _ric_bad_date(rnd):
    first17 = f"440882{rnd.randint(1960, 1999)}0230{rnd.randrange(1000):03d}"
    return first17 + ric_check_char(first17)


def _ric_15(rnd):
    return f"440882{rnd.randint(60, 99)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}{rnd.randrange(1000):03d}"


def _id4(target):
    def apply(v, ctx, rnd):
        bad = [_ric_bad_check, _ric_bad_date, _ric_15][rnd.randrange(3)](rnd)
        if target == "id_no":
            v["id_no"] = bad
        else:
            v.update(legal_rep_id_type="身份证", legal_rep_id_no=bad)

    return apply


def _long_text(prefix: str, length: int) -> str:
    filler = "经审查，申请材料齐全、符合法定形式，现场核查情况与申请材料一致，"
    text = prefix
    while len(text) <= length:
        text += filler
    return text


def _date1(key):
    def apply(v, ctx, rnd):
        base = v[key] if isinstance(v[key], dt.date) else v["decision_date"]
        year = min(base.year, 2098)
        v[key] = Raw(rnd.choice([f"{year}/02/30", f"{year}-13-01", f"{year}年11月31日", f"{year}.04.31"]))

    return apply


def _date2(v, ctx, rnd):
    future = ctx.report_date + dt.timedelta(days=rnd.randint(1, 20))
    _shift_dates(v, future)


def _shift_dates(v: dict, new: dt.date) -> None:
    """Move the decision date and every date derived from it."""
    old = v["decision_date"]
    delta = new - old
    v["decision_date"] = new
    for key in ("valid_from", "valid_to", "penalty_valid_until", "publicity_end_date"):
        if isinstance(v.get(key), dt.date) and v[key] != LONG_TERM:
            v[key] = v[key] + delta


def _date3(v, ctx, rnd):
    v["valid_from"] = v["decision_date"]
    v["valid_to"] = v["decision_date"] - dt.timedelta(days=rnd.randint(1, 300))


def _date4(v, ctx, rnd):
    v["valid_from"] = v["decision_date"] - dt.timedelta(days=rnd.randint(1, 30))


def _date5(v, ctx, rnd):
    v["penalty_valid_until"] = v["decision_date"] - dt.timedelta(days=rnd.randint(1, 60))


def _date6(v, ctx, rnd):
    d = v["decision_date"]
    v["publicity_end_date"] = rnd.choice([_add_months(d, 1), d + dt.timedelta(days=30), _add_years(d, 4)])


def _penalty_combo(labels, **after):
    def apply(v, ctx, rnd):
        _set_penalty(ctx, rnd, v, list(labels))
        for key, value in after.items():
            v[key] = value(v, rnd) if callable(value) else value

    return apply


def _amt4_decimals(v, ctx, rnd):
    yuan = Decimal(f"{rnd.randint(1000, 9999)}.{rnd.randint(0, 999):03d}{rnd.randint(1, 9)}")
    _set_penalty(ctx, rnd, v, ["罚款"], fine=1)
    v["penalty_content"] = f"罚款人民币{yuan.normalize()}元"
    v["fine_wan"] = Raw(format(yuan / 10000, "f"))  # 8 decimals: too precise for N(18,6)


def _amt4_unit(v, ctx, rnd):
    _set_penalty(ctx, rnd, v, ["没收违法所得", "罚款"])
    v["confiscation_wan"] = Raw(v["confiscation_wan"] + "万元")


def _amt5(v, ctx, rnd):
    fine = rnd.choice([f for f in templates.FINES_YUAN if f >= 1000])
    _set_penalty(ctx, rnd, v, ["罚款"], fine=fine)
    v["fine_wan"] = str(fine)


def _amt6(v, ctx, rnd):
    labels = rnd.choice([["警告"], ["通报批评"], ["警告", "通报批评"]])
    _set_penalty(ctx, rnd, v, labels)
    v["fine_wan"] = wan(rnd.choice([200, 500, 1000]))


def _id2_prefix(v, ctx, rnd):
    body = v["uscc"][8:17]
    v["uscc"] = ids.uscc(rnd, "94", body=body)  # 94 is no registration-authority/type code


def _dup(v, ctx, rnd):
    pass  # the duplicate row is added by the caller


def _len_counterpart(v, ctx, rnd):
    v["counterpart_name"] = _long_text(v["counterpart_name"] + "（", 205)


_XZCF_REQ = ["violation_type", "violation_facts", "legal_basis", "authority"]
_XZXK_REQ = ["decision_doc_name", "permit_content", "authority"]
_REAL_USCC = {"indiv_placeholder": False}


def variants(dataset: str, rule: str) -> list[Variant]:
    A, N, L, IB = ALL_CATS, frozenset({NATURAL}), frozenset({LEGAL}), frozenset({INDIV})
    NN = NON_NATURAL
    xzcf = dataset == "xzcf"
    table: dict[str, list[Variant]] = {
        "REQ-1": [Variant(A, _blank(k)) for k in (_XZCF_REQ if xzcf else _XZXK_REQ)]
        + [Variant(L, _blank("counterpart_name"))],
        "ENUM-1": [
            Variant(NN, _set(counterpart_category="企业"), _REAL_USCC),
            Variant(N, _set(counterpart_category="居民")),
        ]
        + (
            [Variant(A, _penalty_combo(["责令改正"]))]
            if xzcf
            else [Variant(A, _set(status="正常")), Variant(A, _set(permit_category="许可"))]
        ),
        "LEN-1": (
            [
                Variant(
                    A,
                    _penalty_combo(
                        ["吊销许可证件"], suspended_license=lambda v, r: _long_text("营业执照（", 205)
                    ),
                )
            ]
            if xzcf
            else [
                Variant(A, lambda v, c, r: v.update(remark=_long_text("备注：", 520))),
                Variant(A, lambda v, c, r: v.update(license_name=_long_text("许可证（", 70))),
            ]
        )
        + [Variant(L, _len_counterpart)],
        "TXT-1": [
            Variant(
                A, lambda v, c, r: v.update(violation_facts=v["violation_facts"].replace("，", "\x07，", 1))
            )
            if xzcf
            else Variant(
                A, lambda v, c, r: v.update(permit_content=v["permit_content"].replace("。", "\x07。", 1))
            )
        ],
        "ID-1": [
            Variant(L, _blank(*_LEGAL_REP)),
            Variant(IB, _blank(*_LEGAL_REP), _REAL_USCC),
            Variant(N, _blank("id_no")),
            Variant(N, _blank("id_type")),
        ],
        "ID-2": [
            Variant(L, lambda v, c, r: v.update(uscc=ids.bad_uscc_check(v["uscc"]))),
            Variant(IB, lambda v, c, r: v.update(uscc=ids.bad_uscc_check(v["uscc"])), _REAL_USCC),
            Variant(L, _id2_prefix),
        ],
        "ID-3": [
            Variant(IB, lambda v, c, r: v.update(uscc=USCC_PLACEHOLDER, business_reg_no=None)),
            Variant(
                L,
                lambda v, c, r: v.update(
                    uscc=USCC_PLACEHOLDER, org_code=None, business_reg_no=ids.business_reg_no(r)
                ),
            ),
        ],
        "ID-4": [Variant(N, _id4("id_no")), Variant(NN, _id4("legal_rep_id_no"))],
        "ID-5": [
            Variant(
                NN, lambda v, c, r: v.update(legal_rep_id_type=None, legal_rep_id_no=ids.ric(r)), _REAL_USCC
            )
        ],
        "ID-6": [
            Variant(L, lambda v, c, r: v.update(org_code=ids.org_code(r))),
            Variant(IB, lambda v, c, r: v.update(org_code=ids.org_code(r)), _REAL_USCC),
        ],
        "ID-7": [
            Variant(IB, lambda v, c, r: v.update(uscc=ids.uscc(r, "91"), org_code=None), _REAL_USCC),
            Variant(L, lambda v, c, r: v.update(uscc=ids.uscc(r, "92"), org_code=None)),
        ],
        "SRC-1": [
            Variant(A, lambda v, c, r: v.update(source_unit=_other_unit(c, r).name)),
            Variant(A, lambda v, c, r: v.update(source_unit_uscc=_other_unit(c, r).uscc)),
        ],
        "DATE-1": [
            Variant(A, _date1(k))
            for k in (("penalty_valid_until", "publicity_end_date") if xzcf else ("valid_to", "valid_from"))
        ],
        "DATE-2": [Variant(A, _date2)],
        "DATE-3": [Variant(A, _date3)],
        "DATE-4": [Variant(A, _date4)],
        "DATE-5": [Variant(A, _date5)],
        "DATE-6": [Variant(A, _date6)],
        "AMT-1": [
            Variant(A, _penalty_combo(["罚款"], fine_wan=None)),
            Variant(A, _penalty_combo(["警告", "罚款"], fine_wan="0")),
        ],
        "AMT-2": [
            Variant(A, _penalty_combo(["没收违法所得", "罚款"], confiscation_wan=None)),
            Variant(A, _penalty_combo(["没收非法财物"], confiscation_wan=None)),
        ],
        "AMT-3": [
            Variant(A, _penalty_combo(["吊销许可证件"], suspended_license=None)),
            Variant(A, _penalty_combo(["暂扣许可证件", "罚款"], suspended_license=None)),
        ],
        "AMT-4": [Variant(A, _amt4_decimals), Variant(A, _amt4_unit)],
        "AMT-5": [Variant(A, _amt5)],
        "AMT-6": [Variant(A, _amt6)],
        "DOC-2": [Variant(A, _set(permit_category="其他"))],
        "DUP-1": [Variant(A, _dup)],
    }
    return table[rule]
