"""One record at a time: clean canonical values, one planted defect, raw rendering, header variants.

A record is built as its *canonical* (normalised) values first, so that the business key and the manifest
are computed from what the validator will see; the raw values a unit writes (numeric codes, date styles,
stray spaces, lower-case x) are rendered from them and normalise back to them (STANDARD.md §2.5).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from credit.identifiers import USCC_PLACEHOLDER
from credit.keys import business_key
from credit.standard import dataset as std_dataset
from credit.standard import rule_severities
from credit.units import Unit, reporting_units

from . import pools

LEGAL, NATURAL, INDIV = "法人及非法人组织", "自然人", "个体工商户"
ALL_CATS = frozenset({LEGAL, NATURAL, INDIV})
NON_NATURAL = frozenset({LEGAL, INDIV})
LONG_TERM = dt.date(2099, 12, 31)

SEVERITY = rule_severities()  # default severities, from credit/data/rules.csv
_COMMON = [
    "REQ-1",
    "ENUM-1",
    "LEN-1",
    "TXT-1",
    "ID-1",
    "ID-2",
    "ID-3",
    "ID-4",
    "ID-5",
    "ID-6",
    "ID-7",
    "SRC-1",
]
RULES = {
    "xzxk": [*_COMMON, "DATE-1", "DATE-2", "DATE-3", "DATE-4", "DOC-2", "DUP-1"],
    "xzcf": [
        *_COMMON,
        *("DATE-1", "DATE-2", "DATE-5", "DATE-6"),
        *("AMT-1", "AMT-2", "AMT-3", "AMT-4", "AMT-5", "AMT-6", "DUP-1"),
    ],
}

VARIANTS = ("g3", "codes", "g2-legal", "g2-natural", "messy")
FORMATS = ("xlsx", "csv-utf8", "csv-utf8-sig", "csv-gbk", "csv-gb18030")
ENCODINGS = {"csv-utf8": "utf-8", "csv-utf8-sig": "utf-8-sig", "csv-gbk": "gbk", "csv-gb18030": "gb18030"}
VARIANT_CATEGORIES = {"g2-legal": NON_NATURAL, "g2-natural": frozenset({NATURAL})}

_CODE_BLOCK = (
    "uscc",
    "business_reg_no",
    "org_code",
    "tax_reg_no",
    "public_inst_cert_no",
    "social_org_reg_no",
)
_LEGAL_REP = ("legal_rep_name", "legal_rep_id_type", "legal_rep_id_no")


class Raw(str):
    """A value written verbatim (it does not normalise to a canonical value: an unparseable date, '0.2万元')."""


# ---------------------------------------------------------------- context
@dataclass
class FileCtx:
    unit: Unit
    dataset: str
    variant: str
    fmt: str
    report_date: dt.date
    ontime_days: list[dt.date]  # decision dates that are on time on report_date
    late_days: list[dt.date]  # decision dates more than N working days before report_date
    date_style: str = "slash"
    code_rate: float = 0.15  # share of enum values written as numeric codes
    natural_rate: float = 0.2

    @property
    def categories(self) -> frozenset[str]:
        return VARIANT_CATEGORIES.get(self.variant, ALL_CATS)

    @property
    def xlsx(self) -> bool:
        return self.fmt == "xlsx"


@dataclass
class Row:
    values: dict  # canonical (normalised) values, the planted defect included
    clean: dict  # the same record before the defect was planted
    planted: list[str] = field(default_factory=list)
    kind: str = "new"
    raw: dict | None = None

    @property
    def valid(self) -> bool:
        return not any(SEVERITY[r] == "error" for r in self.planted)

    def key(self, dataset: str, clean: bool = False) -> str:
        return key_of(dataset, self.clean if clean else self.values)


def key_of(dataset: str, v: dict) -> str:
    return business_key(
        dataset,
        v.get("decision_doc_no"),
        v.get("uscc"),
        v.get("id_no"),
        v.get("counterpart_name"),
        v.get("authority_uscc"),
    )


# ---------------------------------------------------------------- clean records
def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _add_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    y, m = day.year + m // 12, m % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(y, m, d)
        except ValueError:
            continue
    raise AssertionError


def wan(yuan: int | float | Decimal) -> str:
    """Yuan as a plain 万元 decimal without trailing zeros (5000 -> '0.5')."""
    d = (Decimal(str(yuan)) / Decimal(10000)).normalize()
    return format(d, "f")


def _counterpart(
    rnd: random.Random, category: str, v: dict, *, indiv_placeholder: bool | None = None
) -> None:
    rare = rnd.random() < 0.004
    if category == NATURAL:
        v.update(counterpart_name=pools.person_name(rnd, rare), counterpart_category=NATURAL)
        v.update(id_type="身份证", id_no=pools.ric(rnd))
        return
    rep = pools.person_name(rnd, rare)
    v.update(counterpart_category=category, legal_rep_name=rep)
    if category == INDIV:
        v["counterpart_name"] = pools.shop_name(rnd, rep)
        placeholder = rnd.random() < 0.15 if indiv_placeholder is None else indiv_placeholder
        if placeholder:
            v.update(uscc=USCC_PLACEHOLDER, business_reg_no=pools.business_reg_no(rnd))
        else:
            v["uscc"] = pools.uscc(rnd, "92")
    else:
        prefix = rnd.choices(["91", "12", "52", "51", "93"], weights=[80, 6, 6, 3, 5])[0]
        v["counterpart_name"] = pools.company_name(rnd, prefix)
        v["uscc"] = pools.uscc(rnd, prefix)
        if rnd.random() < 0.3:
            v["org_code"] = v["uscc"][8:17]
    if rnd.random() < 0.5:
        v.update(legal_rep_id_type="身份证", legal_rep_id_no=pools.ric(rnd))


def _permit(rnd: random.Random, unit: Unit) -> tuple:
    options = pools.PERMITS.get(unit.code) or (
        pools.TOWN_PERMITS if unit.kind in ("town", "street") else pools.GENERIC_PERMITS
    )
    return rnd.choice(options)


def _license_for(unit: Unit) -> str:
    names = [p[1] for p in pools.PERMITS.get(unit.code, []) if p[1] and p[1] != "营业执照"]
    return names[0] if names else "营业执照"


def build(ctx: FileCtx, rnd: random.Random, category: str, decision: dt.date, doc_no: str, **opts) -> dict:
    """The canonical values of one clean record."""
    ds = std_dataset(ctx.dataset)
    v: dict = dict.fromkeys(ds.keys)
    _counterpart(rnd, category, v, indiv_placeholder=opts.get("indiv_placeholder"))
    unit = ctx.unit
    v.update(
        decision_doc_no=doc_no,
        decision_date=decision,
        authority=unit.name,
        authority_uscc=unit.uscc,
        source_unit=unit.name if rnd.random() < 0.85 else unit.short_name,
        source_unit_uscc=unit.uscc,
    )
    place = f"雷州市{rnd.choice(pools.PLACES)}{rnd.choice(pools.STREETS)}{rnd.randint(1, 300)}号"
    if ctx.dataset == "xzxk":
        doc_name, lic, cat, item, years, pno = _permit(rnd, unit)
        valid_to = LONG_TERM if years == 0 else _add_years(decision, years) - dt.timedelta(days=1)
        v.update(
            decision_doc_name=doc_name,
            permit_category=cat,
            license_name=lic or None,
            permit_no=f"{pno}{decision.year}{rnd.randint(0, 99999):05d}" if pno else None,
            permit_content=f"{item}。地址：{place}",
            valid_from=decision,
            valid_to=valid_to,
            status="有效",
        )
    else:
        _penalty(ctx, rnd, v, category, decision, place, combo=opts.get("combo"))
    if rnd.random() < 0.05:
        v["remark"] = rnd.choice(["无", "当事人已履行完毕", "已送达"])
    return v


def _penalty(ctx, rnd, v, category, decision, place, combo=None) -> None:
    templates = pools.PENALTIES.get(ctx.unit.code, pools.GENERIC_PENALTIES)
    vt, facts, basis, combos = rnd.choice(templates)
    if category != NATURAL:
        combos = [c for c in combos if "行政拘留" not in c] or [("罚款",)]
    labels = list(combo or rnd.choice(combos))
    _set_penalty(ctx, rnd, v, labels)
    v.update(
        violation_type=vt,
        violation_facts=f"经查，{decision.year}年{decision.month}月，{facts}（地址：{place}）",
        legal_basis=f"依据{basis}的规定",
        penalty_valid_until=LONG_TERM
        if rnd.random() < 0.05
        else _add_years(decision, rnd.choice([1, 3])) - dt.timedelta(days=1),
    )
    if rnd.random() < 0.4:
        v["publicity_end_date"] = rnd.choice(
            [_add_months(decision, 6), _add_years(decision, 1), _add_years(decision, 2)]
        )


def _set_penalty(ctx, rnd, v, labels: list[str], fine: int | None = None) -> None:
    parts: list[str] = []
    v.update(penalty_categories=labels, fine_wan=None, confiscation_wan=None, suspended_license=None)
    conf_total = 0
    lic = _license_for(ctx.unit)
    for label in labels:
        if label == "警告":
            parts.append("警告")
        elif label == "通报批评":
            parts.append("通报批评")
        elif label == "罚款":
            fine = fine or rnd.choice(pools.FINES_YUAN)
            parts.append(f"罚款人民币{fine}元")
            v["fine_wan"] = wan(fine)
        elif label == "没收违法所得":
            amount = rnd.choice(pools.CONFISCATIONS_YUAN)
            conf_total += amount
            parts.append(f"没收违法所得人民币{amount}元")
        elif label == "没收非法财物":
            amount = rnd.choice(pools.CONFISCATIONS_YUAN)
            conf_total += amount
            parts.append(f"没收{rnd.choice(pools.GOODS)}（价值人民币{amount}元）")
        elif label in ("吊销许可证件", "暂扣许可证件"):
            verb = "吊销" if label == "吊销许可证件" else "暂扣"
            parts.append(f"{verb}《{lic}》" + ("" if verb == "吊销" else f"{rnd.choice([1, 3, 6])}个月"))
            v["suspended_license"] = f"{lic}（编号：{rnd.randint(10**9, 10**10 - 1)}）"
        elif label == "责令停产停业":
            parts.append(f"责令停产停业{rnd.choice([7, 15, 30])}日")
        elif label == "行政拘留":
            parts.append(f"行政拘留{rnd.choice([5, 7, 10])}日")
        else:
            parts.append(label)
    if conf_total:
        v["confiscation_wan"] = wan(conf_total)
    v["penalty_content"] = "；".join(parts)


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
    good = pools.ric(rnd)
    return good[:17] + ("0" if good[17] != "0" else "1")


def _ric_bad_date(rnd):
    from credit.identifiers import ric_check_char

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
    fine = rnd.choice([f for f in pools.FINES_YUAN if f >= 1000])
    _set_penalty(ctx, rnd, v, ["罚款"], fine=fine)
    v["fine_wan"] = str(fine)


def _amt6(v, ctx, rnd):
    labels = rnd.choice([["警告"], ["通报批评"], ["警告", "通报批评"]])
    _set_penalty(ctx, rnd, v, labels)
    v["fine_wan"] = wan(rnd.choice([200, 500, 1000]))


def _id2_prefix(v, ctx, rnd):
    body = v["uscc"][8:17]
    v["uscc"] = pools.uscc(rnd, "94", body=body)  # 94 is no registration-authority/type code


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
            Variant(L, lambda v, c, r: v.update(uscc=pools.bad_uscc_check(v["uscc"]))),
            Variant(IB, lambda v, c, r: v.update(uscc=pools.bad_uscc_check(v["uscc"])), _REAL_USCC),
            Variant(L, _id2_prefix),
        ],
        "ID-3": [
            Variant(IB, lambda v, c, r: v.update(uscc=USCC_PLACEHOLDER, business_reg_no=None)),
            Variant(
                L,
                lambda v, c, r: v.update(
                    uscc=USCC_PLACEHOLDER, org_code=None, business_reg_no=pools.business_reg_no(r)
                ),
            ),
        ],
        "ID-4": [Variant(N, _id4("id_no")), Variant(NN, _id4("legal_rep_id_no"))],
        "ID-5": [
            Variant(
                NN, lambda v, c, r: v.update(legal_rep_id_type=None, legal_rep_id_no=pools.ric(r)), _REAL_USCC
            )
        ],
        "ID-6": [
            Variant(L, lambda v, c, r: v.update(org_code=pools.org_code(r))),
            Variant(IB, lambda v, c, r: v.update(org_code=pools.org_code(r)), _REAL_USCC),
        ],
        "ID-7": [
            Variant(IB, lambda v, c, r: v.update(uscc=pools.uscc(r, "91"), org_code=None), _REAL_USCC),
            Variant(L, lambda v, c, r: v.update(uscc=pools.uscc(r, "92"), org_code=None)),
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


# ---------------------------------------------------------------- raw rendering
_CATEGORY_CODES = {LEGAL: ["02", "03"], NATURAL: ["01"], INDIV: ["04"]}
_ID_TYPE_CODES = {"身份证": ["01", "居民身份证"]}
_PERMIT_CODES = {"普通": "1", "特许": "2", "认可": "3", "核准": "4", "登记": "5"}
_PENALTY_CODES = {
    "警告": "01",
    "罚款": "02",
    "没收违法所得": "03",
    "责令停产停业": "04",
    "吊销许可证件": "05",
    "行政拘留": "06",
    "通报批评": "08",
    "没收非法财物": "09",
    "暂扣许可证件": "11",
}
DATE_STYLES = ("slash", "dash", "dot", "cn", "compact")
XLSX_DATE_STYLES = ("cell", "serial")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def render_date(day: dt.date, style: str):
    if style == "cell":
        return day
    if style == "serial":
        return (day - _EXCEL_EPOCH).days
    if style == "dash":
        return day.isoformat()
    if style == "dot":
        return f"{day:%Y.%m.%d}"
    if style == "cn":
        return f"{day.year}年{day.month}月{day.day}日"
    if style == "compact":
        return f"{day:%Y%m%d}"
    return f"{day:%Y/%m/%d}"


def _render_categories(labels: list[str], rnd: random.Random, code_rate: float, v: dict) -> str:
    if any(label not in _PENALTY_CODES for label in labels):
        return "、".join(labels)
    if rnd.random() < code_rate:
        codes = [_PENALTY_CODES[label] for label in labels]
        if rnd.random() < 0.5:
            codes = [c.lstrip("0") for c in codes]
        return rnd.choice([";", "；", ","]).join(codes)
    if set(labels) == {"没收违法所得", "没收非法财物"} and rnd.random() < 0.5:
        return "没收违法所得、没收非法财物"
    return rnd.choice(["、", "；", ";", ","]).join(labels)


def render(v: dict, ctx: FileCtx, rnd: random.Random) -> dict:
    """Raw cell values as the unit writes them; they normalise back to `v`."""
    ds = std_dataset(ctx.dataset)
    raw: dict = {}
    codes = ctx.code_rate
    row_style = ctx.date_style if rnd.random() < 0.93 else rnd.choice(DATE_STYLES)
    for f in ds.fields:
        val = v.get(f.key)
        if val is None or val == "":
            raw[f.key] = None
        elif isinstance(val, Raw):
            raw[f.key] = str(val)
        elif f.type == "date":
            style = row_style
            if style in XLSX_DATE_STYLES and not ctx.xlsx:
                style = "slash"
            raw[f.key] = render_date(val, style)
        elif f.key == "counterpart_category":
            raw[f.key] = (
                rnd.choice(_CATEGORY_CODES[val]) if val in _CATEGORY_CODES and rnd.random() < codes else val
            )
        elif f.key in ("id_type", "legal_rep_id_type"):
            raw[f.key] = (
                rnd.choice(_ID_TYPE_CODES[val]) if val in _ID_TYPE_CODES and rnd.random() < codes else val
            )
        elif f.key == "permit_category":
            raw[f.key] = _PERMIT_CODES[val] if val in _PERMIT_CODES and rnd.random() < codes else val
        elif f.key == "status":
            raw[f.key] = "1" if val == "有效" and rnd.random() < codes else val
        elif f.key == "penalty_categories":
            raw[f.key] = _render_categories(val, rnd, codes, v)
        elif f.type == "decimal":
            raw[f.key] = float(val) if ctx.xlsx and rnd.random() < 0.7 else val
        elif f.key in ("id_no", "legal_rep_id_no") and val.endswith("X") and rnd.random() < 0.3:
            raw[f.key] = val[:-1] + "x"
        elif f.key == "counterpart_name" and rnd.random() < 0.03:
            raw[f.key] = f" {val} "
        else:
            raw[f.key] = val
    return raw


# ---------------------------------------------------------------- header variants
_SWAP = str.maketrans({"(": "（", ")": "）", "（": "(", "）": ")"})


def columns(dataset: str, variant: str) -> list[tuple[str, str]]:
    """(field key, header) pairs of a header variant (before `messy` mutations)."""
    ds = std_dataset(dataset)
    out = []
    for f in ds.fields:
        header = f.code if variant == "codes" else f.header
        if variant == "g2-legal":
            if f.key in ("id_type", "id_no"):
                continue
            if f.key in _CODE_BLOCK:
                header = f"行政相对人代码_{_CODE_BLOCK.index(f.key) + 1}"
            if f.key == "legal_rep_id_no":
                header = "法定代表人身份证号"
        if variant == "g2-natural":
            if f.key in _CODE_BLOCK or f.key in _LEGAL_REP:
                continue
            if f.key in ("id_type", "id_no"):
                header = {"id_type": "证件类型", "id_no": "证件号码"}[f.key]
        out.append((f.key, header))
    return out


def messy_header(header: str, rnd: random.Random, line_breaks: bool) -> str:
    h = header.translate(_SWAP)
    if len(h) > 3 and rnd.random() < 0.35:
        i = rnd.randrange(1, len(h) - 1)
        h = h[:i] + rnd.choice([" ", "\u3000", "  "]) + h[i:]
    if rnd.random() < 0.2:
        h = " " + h if rnd.random() < 0.5 else h + " "
    if line_breaks and rnd.random() < 0.3:
        i = h.find("(") if "(" in h else h.find("（")
        i = i if i > 0 else len(h) // 2
        h = h[:i] + "\n" + h[i:]
    return h
