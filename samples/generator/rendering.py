"""Raw rendering: what a unit writes for a record's canonical values (codes, date styles, stray spaces),
and the header variants of its sheet."""

from __future__ import annotations

import datetime as dt
import random

from credit.standard import dataset as std_dataset

from .records import _CODE_BLOCK, _LEGAL_REP, INDIV, LEGAL, NATURAL, FileCtx, Raw

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
