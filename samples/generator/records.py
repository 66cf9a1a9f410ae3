"""One record at a time: its clean canonical values (planted defects: `defects`; raw rendering and header
variants: `rendering`).

A record is built as its *canonical* (normalised) values first, so that the business key and the manifest
are computed from what the validator will see; the raw values a unit writes (numeric codes, date styles,
stray spaces, lower-case x) are rendered from them and normalise back to them (docs/standard.md §2.5).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from credit.identifiers import USCC_PLACEHOLDER
from credit.keys import business_key
from credit.standard import dataset as std_dataset
from credit.standard import rule_severities
from credit.units import Unit

from . import ids, pools, templates

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
        v.update(id_type="身份证", id_no=ids.ric(rnd))
        return
    rep = pools.person_name(rnd, rare)
    v.update(counterpart_category=category, legal_rep_name=rep)
    if category == INDIV:
        v["counterpart_name"] = pools.shop_name(rnd, rep)
        placeholder = rnd.random() < 0.15 if indiv_placeholder is None else indiv_placeholder
        if placeholder:
            v.update(uscc=USCC_PLACEHOLDER, business_reg_no=ids.business_reg_no(rnd))
        else:
            v["uscc"] = ids.uscc(rnd, "92")
    else:
        prefix = rnd.choices(["91", "12", "52", "51", "93"], weights=[80, 6, 6, 3, 5])[0]
        v["counterpart_name"] = pools.company_name(rnd, prefix)
        v["uscc"] = ids.uscc(rnd, prefix)
        if rnd.random() < 0.3:
            v["org_code"] = v["uscc"][8:17]
    if rnd.random() < 0.5:
        v.update(legal_rep_id_type="身份证", legal_rep_id_no=ids.ric(rnd))


def _permit(rnd: random.Random, unit: Unit) -> tuple:
    options = templates.PERMITS.get(unit.code) or (
        templates.TOWN_PERMITS if unit.kind in ("town", "street") else templates.GENERIC_PERMITS
    )
    return rnd.choice(options)


def _license_for(unit: Unit) -> str:
    names = [p[1] for p in templates.PERMITS.get(unit.code, []) if p[1] and p[1] != "营业执照"]
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
    choices = templates.PENALTIES.get(ctx.unit.code, templates.GENERIC_PENALTIES)
    vt, facts, basis, combos = rnd.choice(choices)
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
            fine = fine or rnd.choice(templates.FINES_YUAN)
            parts.append(f"罚款人民币{fine}元")
            v["fine_wan"] = wan(fine)
        elif label == "没收违法所得":
            amount = rnd.choice(templates.CONFISCATIONS_YUAN)
            conf_total += amount
            parts.append(f"没收违法所得人民币{amount}元")
        elif label == "没收非法财物":
            amount = rnd.choice(templates.CONFISCATIONS_YUAN)
            conf_total += amount
            parts.append(f"没收{rnd.choice(templates.GOODS)}（价值人民币{amount}元）")
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
