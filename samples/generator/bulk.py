"""The fast path for the benchmark: n records as one frame, vectorised with numpy (~420 lines: both
datasets' columns are built on the same arrays of one frame, split apart they would pass a dozen arrays).

Values are drawn from precomputed pools by index (names, addresses, contents), identifiers are computed as
character matrices, and dates are formatted once per distinct date. Planted rows (defect_rate > 0) are built
one by one with the same code as `generate_day`, so their verdicts mean the same thing.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd

from credit.standard import dataset as std_dataset
from credit.units import reporting_units
from credit.units import unit as unit_of
from credit.workdays import WorkCalendar

from . import ids, pools, templates
from .defects import variants
from .other_days import abbr_of
from .records import INDIV, LEGAL, LONG_TERM, NATURAL, RULES, FileCtx, _add_months, _add_years, build, wan
from .rendering import DATE_STYLES, render

_STYLE_WEIGHTS = np.array([0.5, 0.2, 0.1, 0.1, 0.1])  # slash, dash, dot, cn, compact


def _u(values) -> np.ndarray:
    return np.asarray(values, dtype=object)


def _cat(*parts) -> np.ndarray:
    """Element-wise concatenation into an object array (numpy's object `+` beats np.strings plus a cast)."""
    out = None
    for p in parts:
        p = p.astype(object) if isinstance(p, np.ndarray) and p.dtype != object else p
        out = p if out is None else out + p
    return out


_NUMBERS = np.array([str(i) for i in range(100_000)], dtype=object)
_FIVE = np.array([f"{i:05d}" for i in range(100_000)], dtype=object)


def _windows(report_date: dt.date, n: int) -> list[dt.date]:
    cal = WorkCalendar()
    days, count, d = [], 0, report_date
    while count <= n:
        if cal.is_workday(d):
            days.append(d)
        count += cal.is_workday(d)
        d -= dt.timedelta(days=1)
    return days


class _DateFormatter:
    """Formats day numbers (days since 1970-01-01) in one of the §2.5 styles, once per distinct day."""

    def __init__(self, rng: np.random.Generator, n: int):
        self.style = rng.choice(len(DATE_STYLES), size=n, p=_STYLE_WEIGHTS)

    def __call__(self, days: np.ndarray, blank: np.ndarray | None = None) -> np.ndarray:
        uniq, inv = np.unique(days, return_inverse=True)
        table = []
        for value in uniq.tolist():
            d = dt.date(1970, 1, 1) + dt.timedelta(days=int(value))
            table.append(
                [
                    f"{d:%Y/%m/%d}",
                    d.isoformat(),
                    f"{d:%Y.%m.%d}",
                    f"{d.year}年{d.month}月{d.day}日",
                    f"{d:%Y%m%d}",
                ]
            )
        out = np.array(table, dtype=object)[inv, self.style]
        if blank is not None:
            out[blank] = None
        return out


def _day_no(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days


def generate_records(dataset: str, n: int, **options) -> pd.DataFrame:
    """n records of one dataset as a frame whose columns are the G3 headers (raw values as a unit writes them).

    All rows are on time for `report_date`; document numbers run in sequence per unit. The options are those
    of `generate_records_with_meta`, which also tells each row's unit and planted rule.
    """
    return generate_records_with_meta(dataset, n, **options)[0]


def generate_records_with_meta(
    dataset: str,
    n: int,
    *,
    seed: int = 0,
    unit: str | None = None,
    report_date: dt.date,
    defect_rate: float = 0.0,
    deadline_workdays: int = 3,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`generate_records` plus a frame of the same index with columns `unit` (code) and `planted` (the rule
    id, "" when clean; DUP-1 marks both rows of a pair).

    (Not kept in `frame.attrs`: pandas deep-copies attrs on every operation, which makes row access crawl.)
    """
    ds = std_dataset(dataset)
    rng = np.random.default_rng(seed)
    rnd = random.Random(seed)
    units = [unit_of(unit)] if unit else [u for u in reporting_units() if dataset == "xzxk" or u.punishment]
    ui = rng.integers(0, len(units), n)
    cols: dict[str, np.ndarray] = {}

    # ---- counterpart
    cat = rng.choice(3, size=n, p=[0.6, 0.2, 0.2])  # 0 legal, 1 natural, 2 individual business
    legal, natural, indiv = cat == 0, cat == 1, cat == 2
    cols["counterpart_category"] = np.array([LEGAL, NATURAL, INDIV], dtype=object)[cat]
    code_mask = rng.random(n) < 0.1
    cols["counterpart_category"][code_mask] = np.array(["02", "01", "04"], dtype=object)[cat[code_mask]]

    person_pool = np.array([pools.person_name(rnd) for _ in range(20000)], dtype=object)
    company_pool = np.array(
        [
            f"雷州市{t}{i}{s}"
            for t in pools.TRADE_NAMES
            for i in pools.INDUSTRIES
            for s in ("有限公司", "有限责任公司")
        ],
        dtype=object,
    )
    shop_pool = np.array(
        [f"雷州市{p}{t}{s}" for p in pools.PLACES for t in pools.TRADE_NAMES for s in pools.SHOPS],
        dtype=object,
    )
    names = person_pool[rng.integers(0, len(person_pool), n)]
    names[legal] = company_pool[rng.integers(0, len(company_pool), int(legal.sum()))]
    names[indiv] = shop_pool[rng.integers(0, len(shop_pool), int(indiv.sum()))]
    cols["counterpart_name"] = names

    prefixes = np.where(
        indiv, "92", np.array(["91", "12", "52", "93"])[rng.choice(4, size=n, p=[0.85, 0.05, 0.05, 0.05])]
    )
    uscc_u = ids.uscc_array(rng, prefixes)
    uscc = uscc_u.astype(object)
    uscc[natural] = None
    cols["uscc"] = uscc
    org = np.full(n, None, dtype=object)
    with_org = legal & (rng.random(n) < 0.3)
    org[with_org] = np.strings.slice(uscc_u[with_org], 8, 17).astype(object)
    cols["org_code"] = org

    rics_u = ids.ric_array(rng, int(natural.sum()))
    rics = rics_u.astype(object)
    xs = (rng.random(len(rics_u)) < 0.3) & (rics_u.view(np.uint32).reshape(-1, 18)[:, 17] == ord("X"))
    if xs.any():  # numpy's replace fails on an empty selection
        rics[xs] = np.strings.replace(rics_u[xs], "X", "x").astype(object)
    id_no = np.full(n, None, dtype=object)
    id_no[natural] = rics
    cols["id_no"] = id_no
    cols["id_type"] = np.where(natural, "身份证", None).astype(object)

    reps = person_pool[rng.integers(0, len(person_pool), n)]
    reps[natural] = None
    cols["legal_rep_name"] = reps
    rep_id = (~natural) & (rng.random(n) < 0.5)
    rep_ids = np.full(n, None, dtype=object)
    rep_ids[rep_id] = ids.ric_array(rng, int(rep_id.sum())).astype(object)
    cols["legal_rep_id_no"] = rep_ids
    cols["legal_rep_id_type"] = np.where(rep_id, "身份证", None).astype(object)

    # ---- unit, numbers, dates
    names_u = np.array([u.name for u in units], dtype=object)
    cols["authority"] = names_u[ui]
    cols["authority_uscc"] = np.array([u.uscc for u in units], dtype=object)[ui]
    short = rng.random(n) < 0.15
    cols["source_unit"] = np.where(
        short, np.array([u.short_name for u in units], dtype=object)[ui], names_u[ui]
    )
    cols["source_unit_uscc"] = cols["authority_uscc"].copy()

    days = _windows(report_date, deadline_workdays)
    decision = np.array([_day_no(d) for d in days])[rng.integers(0, len(days), n)]
    uniq_days, day_inv = np.unique(decision, return_inverse=True)
    years = _u([str((dt.date(1970, 1, 1) + dt.timedelta(days=int(d))).year) for d in uniq_days])[day_inv]
    order = np.argsort(ui, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    starts = np.searchsorted(ui[order], np.arange(len(units)))
    rank[order] = np.arange(n) - starts[ui[order]]
    base = rng.integers(100, 400, len(units))
    verb = "罚" if dataset == "xzcf" else "许"
    abbr = np.array([abbr_of(u) + verb + "〔" for u in units], dtype=object)[ui]
    cols["decision_doc_no"] = _cat(abbr, years, "〕", _NUMBERS[np.minimum(rank + 1 + base[ui], 99_999)], "号")
    fmt_dates = _DateFormatter(rng, n)
    cols["decision_date"] = fmt_dates(decision)

    address_pool = _u(
        [f"雷州市{p}{s}{k}号" for p in pools.PLACES for s in pools.STREETS for k in (3, 18, 56, 102, 231)]
    )
    address = address_pool[rng.integers(0, len(address_pool), n)]

    if dataset == "xzxk":
        _xzxk_columns(cols, rng, units, ui, decision, years, address, fmt_dates, n)
    else:
        _xzcf_columns(cols, rng, units, ui, decision, address, fmt_dates, natural, n)
    cols["remark"] = np.full(n, None, dtype=object)

    for f in ds.fields:
        cols.setdefault(f.key, np.full(n, None, dtype=object))
    planted = np.full(n, "", dtype=object)
    if defect_rate > 0:
        _plant(cols, planted, rng, rnd, dataset, units, ui, report_date, days, defect_rate, n)

    empty = np.full(n, None, dtype=object)
    frame = pd.DataFrame(
        {f.header: np.asarray(cols.get(f.key, empty), dtype=object) for f in ds.fields}, dtype=object
    )
    meta = pd.DataFrame({"unit": np.array([u.code for u in units], dtype=object)[ui], "planted": planted})
    return frame, meta


def _xzxk_columns(cols, rng, units, ui, decision, years_of_decision, address, fmt_dates, n) -> None:
    chosen = []
    owner = []
    for u in units:
        options = templates.PERMITS.get(u.code) or (
            templates.TOWN_PERMITS if u.kind in ("town", "street") else templates.GENERIC_PERMITS
        )
        owner.append((len(chosen), len(options)))
        chosen.extend(options)
    off = np.array([o for o, _ in owner])[ui]
    cnt = np.array([c for _, c in owner])[ui]
    t = off + (rng.random(n) * cnt).astype(np.int64)
    doc_name, lic, cat, item, years, pno = (np.array(x, dtype=object) for x in zip(*chosen, strict=True))
    cols["decision_doc_name"] = doc_name[t]
    cols["license_name"] = np.where(lic[t] == "", None, lic[t])
    cat_raw = cat[t].copy()
    codes = {"普通": "1", "特许": "2", "认可": "3", "核准": "4", "登记": "5"}
    use_code = rng.random(n) < 0.1
    cat_raw[use_code] = np.array([codes.get(c, c) for c in cat[t][use_code]], dtype=object)
    cols["permit_category"] = cat_raw
    digits = _FIVE[rng.integers(0, 100_000, n)]
    pno_t = pno[t]
    permit_no = _cat(pno_t, years_of_decision, digits)
    permit_no[pno_t == ""] = None
    cols["permit_no"] = permit_no
    cols["permit_content"] = _cat(item[t], "。地址：", address)
    cols["valid_from"] = fmt_dates(decision)
    yrs = years[t].astype(np.int64)
    valid_to = _derived(
        decision, yrs, lambda d, y: LONG_TERM if y == 0 else _add_years(d, int(y)) - dt.timedelta(days=1)
    )
    cols["valid_to"] = fmt_dates(valid_to)
    cols["status"] = np.where(rng.random(n) < 0.1, "1", "有效").astype(object)


def _derived(decision: np.ndarray, param: np.ndarray, fn) -> np.ndarray:
    """fn(date, param) for every row, computed once per distinct (date, param) pair."""
    pairs = decision.astype(np.int64) * 1000 + param.astype(np.int64)
    uniq, inv = np.unique(pairs, return_inverse=True)
    epoch = dt.date(1970, 1, 1)
    values = np.array(
        [_day_no(fn(epoch + dt.timedelta(days=int(p // 1000)), int(p % 1000))) for p in uniq.tolist()],
        dtype=np.int64,
    )
    return values[inv]


_PEN_CODES = {"警告": "01", "罚款": "02", "没收违法所得": "03", "责令停产停业": "04", "吊销许可证件": "05",
              "行政拘留": "06", "通报批评": "08", "没收非法财物": "09", "暂扣许可证件": "11"}  # fmt: skip


def _xzcf_columns(cols, rng, units, ui, decision, address, fmt_dates, natural, n) -> None:
    chosen = []
    owner = []
    for u in units:
        options = templates.PENALTIES.get(u.code, templates.GENERIC_PENALTIES)
        owner.append((len(chosen), len(options)))
        chosen.extend(options)
    off = np.array([o for o, _ in owner])[ui]
    cnt = np.array([c for _, c in owner])[ui]
    t = off + (rng.random(n) * cnt).astype(np.int64)
    vt = np.array([x[0] for x in chosen], dtype=object)
    facts = _u([x[1] for x in chosen])
    basis = np.array([f"依据{x[2]}的规定" for x in chosen], dtype=object)
    cols["violation_type"] = vt[t]
    cols["legal_basis"] = basis[t]
    uniq, inv = np.unique(decision, return_inverse=True)
    epoch = dt.date(1970, 1, 1)
    ym = [
        f"经查，{(epoch + dt.timedelta(days=int(d))).year}年{(epoch + dt.timedelta(days=int(d))).month}月，"
        for d in uniq
    ]
    ym_arr = _u(ym)[inv]
    cols["violation_facts"] = _cat(ym_arr, facts[t], "（地址：", address, "）")

    combos: list[tuple[str, ...]] = []
    combo_of_t = []
    for x in chosen:
        indexes = []
        for c in x[3]:
            if c not in combos:
                combos.append(c)
            indexes.append(combos.index(c))
        combo_of_t.append(indexes)
    if ("罚款",) not in combos:
        combos.append(("罚款",))
    fine_only = combos.index(("罚款",))
    width = max(len(indexes) for indexes in combo_of_t)
    combo_table = np.array([indexes + [indexes[0]] * (width - len(indexes)) for indexes in combo_of_t])
    ncombo = np.array([len(indexes) for indexes in combo_of_t])
    c = combo_table[t, (rng.random(n) * ncombo[t]).astype(np.int64)]
    detention = np.array(["行政拘留" in combo for combo in combos])
    c = np.where(detention[c] & ~natural, fine_only, c)

    nf, ng = len(templates.FINES_YUAN), len(templates.CONFISCATIONS_YUAN)
    content, fine_t, conf_t, lic_t, raw_t = [], [], [], [], []
    for combo in combos:
        raws = ["、".join(combo), "；".join(combo), ",".join(_PEN_CODES[x] for x in combo)]
        raw_t.append(raws)
        for fine in templates.FINES_YUAN:
            for conf in templates.CONFISCATIONS_YUAN:
                parts = []
                for label in combo:
                    parts.append(
                        {
                            "罚款": f"罚款人民币{fine}元",
                            "没收违法所得": f"没收违法所得人民币{conf}元",
                            "没收非法财物": f"没收涉案物品（价值人民币{conf}元）",
                            "吊销许可证件": "吊销《营业执照》",
                            "暂扣许可证件": "暂扣《营业执照》3个月",
                            "责令停产停业": "责令停产停业15日",
                            "行政拘留": "行政拘留7日",
                        }.get(label, label)
                    )
                content.append("；".join(parts))
                fine_t.append(wan(fine) if "罚款" in combo else None)
                n_conf = ("没收违法所得" in combo) + ("没收非法财物" in combo)
                conf_t.append(wan(conf * n_conf) if n_conf else None)
        lic_t.append(any(x in combo for x in ("吊销许可证件", "暂扣许可证件")))
    k = c * nf * ng + rng.integers(0, nf, n) * ng + rng.integers(0, ng, n)
    cols["penalty_content"] = np.array(content, dtype=object)[k]
    cols["fine_wan"] = np.array(fine_t, dtype=object)[k]
    cols["confiscation_wan"] = np.array(conf_t, dtype=object)[k]
    cols["penalty_categories"] = np.array(raw_t, dtype=object)[c, rng.choice(3, size=n, p=[0.6, 0.25, 0.15])]
    lic = np.array(lic_t)[c]
    sus = _cat(
        "营业执照（编号：",
        _NUMBERS[rng.integers(10_000, 100_000, n)],
        _FIVE[rng.integers(0, 100_000, n)],
        "）",
    )
    sus[~lic] = None
    cols["suspended_license"] = sus
    span = rng.choice([1, 3], size=n)
    until = _derived(decision, span, lambda d, y: _add_years(d, y) - dt.timedelta(days=1))
    cols["penalty_valid_until"] = fmt_dates(until)
    pub_kind = rng.choice([0, 6, 12, 24], size=n, p=[0.6, 0.1, 0.2, 0.1])
    pub = _derived(decision, pub_kind, lambda d, m: _add_months(d, m) if m else d)
    cols["publicity_end_date"] = fmt_dates(pub, blank=pub_kind == 0)


def _plant(cols, planted, rng, rnd, dataset, units, ui, report_date, days, defect_rate, n) -> None:
    """Rebuild the planted rows one by one with the day generator's code, cycling through the rules."""
    rules = RULES[dataset]
    picks = np.flatnonzero(rng.random(n) < defect_rate)
    taken: set[int] = set()
    ds = std_dataset(dataset)
    counters: dict[str, int] = {}
    for j, i in enumerate(picks.tolist()):
        if i in taken:
            continue
        rule = rules[j % len(rules)]
        if rule == "DUP-1" and (
            i + 1 >= n or i + 1 in taken or (i + 1) in set(picks.tolist()[j + 1 : j + 2])
        ):
            rule = "REQ-1"
        options = variants(dataset, rule)
        variant = options[counters.get(rule, 0) % len(options)]
        counters[rule] = counters.get(rule, 0) + 1
        u = units[ui[i]]
        ctx = FileCtx(u, dataset, "g3", "csv-utf8", report_date, days, [], code_rate=0.1)
        category = sorted(variant.categories)[rnd.randrange(len(variant.categories))]
        doc_no = cols["decision_doc_no"][i]
        decided = dt.date(1970, 1, 1) + dt.timedelta(days=int(rnd.choice([_day_no(d) for d in days])))
        values = build(ctx, rnd, category, decided, doc_no, **variant.build_opts)
        variant.apply(values, ctx, rnd)
        raw = render(values, ctx, rnd)
        targets = [i, i + 1] if rule == "DUP-1" else [i]
        for target in targets:
            for f in ds.fields:
                cols[f.key][target] = raw.get(f.key)
            ui[target] = ui[i]
            planted[target] = rule
            taken.add(target)
