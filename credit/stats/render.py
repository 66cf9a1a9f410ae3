"""The day's statistics as text: the table rows an artifact shows (Chinese headers) and the markdown summary.
Columns and labels come from `credit.counters`."""

from __future__ import annotations

import datetime as dt

from credit import escape
from credit.counters import COUNT_LABELS, RATE_FIELDS, RATE_LABELS, SHOWN_COUNTS, Counts
from credit.standard import DATASET_NAMES, datasets
from credit.stats.report import DailyReport, UnitStat, scope_label
from credit.units import all_units


def pct(value: float | None, digits: int = 2) -> str:
    """`98.50%`, or `—` for a rate without denominator."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def ordered_rows(report: DailyReport) -> list[UnitStat]:
    """The rows of the 三清零 datasets: units short of 三清零 first (worst first), then the others in registry
    order."""
    short = set(report.short_of_three_zero())
    totals = report.unit_totals()
    position = {u: i for i, u in enumerate(totals)}

    def key(row: UnitStat):
        if row.unit in short:
            t = totals[row.unit]
            return (0, -(t.invalid + t.late + t.missing), position[row.unit], row.dataset)
        return (1, 0, position[row.unit], row.dataset)

    return sorted(report.counted_rows, key=key)


def other_rows(report: DailyReport, *, all_rows: bool = False) -> list[UnitStat]:
    """The rows of the other datasets (其他信用信息) by dataset (display order), then unit (registry order):
    those with something that day (a count or a suspected gap), or all of them with `all_rows`."""
    order = {d: i for i, d in enumerate(datasets())}
    position = {u: i for i, u in enumerate(all_units())}
    rows = [r for r in report.other_rows if all_rows or _active(r)]
    return sorted(rows, key=lambda r: (order.get(r.dataset, len(order)), position.get(r.unit, len(position))))


def _active(row: UnitStat) -> bool:
    return any(getattr(row.counts, f) for f in SHOWN_COUNTS) or bool(row.suspected_gaps)


def daily_table(report: DailyReport, *, all_rows: bool = False) -> list[dict]:
    """Rows for a table artifact (Chinese headers): the 三清零 datasets' units with something that day, short
    of 三清零 first, then their 合计; then the other datasets' rows with something (三清零 “—”: not judged).
    `all_rows` lists every unit and dataset."""
    rows = []
    for row in ordered_rows(report):
        if not all_rows and not _active(row):
            continue
        rows.append(_table_row(row.short_name, DATASET_NAMES.get(row.dataset, row.dataset), row.counts, row))
    rows.append(_table_row("合计", scope_label(report.three_zero_datasets).strip("“”"), report.total, None))
    for row in other_rows(report, all_rows=all_rows):
        out = _table_row(row.short_name, DATASET_NAMES.get(row.dataset, row.dataset), row.counts, row)
        out["三清零"] = "—"
        rows.append(out)
    return rows


def _table_row(unit: str, dataset: str, c: Counts, row: UnitStat | None) -> dict:
    out = {"单位": unit, "数据类别": dataset}
    out.update({COUNT_LABELS[f]: getattr(c, f) for f in SHOWN_COUNTS})
    out.update({RATE_LABELS[r]: pct(getattr(c, r)) for r in RATE_FIELDS})
    out["三清零"] = "是" if c.three_zero else "否"
    if row is not None:
        out["疑似漏报"] = "、".join(row.suspected_gaps[:5]) + (" 等" if row.suspected_gaps_total > 5 else "")
    return out


def _problems(c: Counts) -> str:
    """（错误1条、迟报2条） or nothing."""
    parts = [
        f"{label}{n}条" for label, n in (("错误", c.invalid), ("迟报", c.late), ("漏报", c.missing)) if n
    ]
    return f"（{'、'.join(parts)}）" if parts else ""


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def daily_markdown(report: DailyReport) -> str:
    """A short Chinese summary: units short of 三清零 named first; the other datasets (其他信用信息) in one line."""
    t = report.total
    totals = report.unit_totals()
    short = report.short_of_three_zero()
    by_ds = {d: Counts() for d in report.three_zero_datasets} | report.dataset_totals(report.counted_rows)
    split = "，".join(f"{DATASET_NAMES.get(d, d)}{c.received}条" for d, c in by_ds.items())
    md = escape.markdown  # every name and document number as text, never Markdown
    lines = [f"### 雷州市“双公示”数据归集日统计（{cn_date(report.date)}）", ""]
    if short:
        names = "；".join(
            f"{md(all_units()[u].short_name if u in all_units() else u)}（{totals[u].shortfall()}）"
            for u in short
        )
        lines.append(f"**未实现“三清零”的单位（{len(short)}个）**：{names}。")
    else:
        lines.append("**全部单位当日实现“三清零”**（无迟报、漏报、错误数据）。")
    lines += [
        "",
        f"- 全市新增 {t.received} 条（{split}），错误 {t.invalid} 条，迟报 {t.late} 条，漏报 {t.missing} 条，"
        f"纠正 {t.corrections} 条。",
        f"- 推送 {t.pushed} 条，平台接收 {t.accepted} 条，退回 {t.rejected} 条。",
        "- " + "，".join(f"{RATE_LABELS[r]} {pct(getattr(t, r))}" for r in RATE_FIELDS) + "。",
        f"- 报送时限：作出行政决定之日起 {report.deadline_workdays} 个工作日内。",
    ]
    others = report.dataset_totals(other_rows(report))
    if others:
        listed = "；".join(
            f"{DATASET_NAMES.get(d, d)}{c.received}条{_problems(c)}" for d, c in others.items()
        )
        lines.append(f"- 其他信用信息（不计入“三清零”）：{listed}。")
    elif report.other_rows:
        lines.append("- 其他信用信息（不计入“三清零”）：当日无新增。")
    gaps = [row for row in report.rows if row.suspected_gaps]
    if gaps:
        listed = "；".join(
            f"{md(row.short_name)}{DATASET_NAMES.get(row.dataset, '')}：{'、'.join(map(md, row.suspected_gaps[:5]))}"
            + (f" 等{row.suspected_gaps_total}个" if row.suspected_gaps_total > 5 else "")
            for row in gaps[:10]
        )
        lines.append(
            f"- 疑似漏报（文号不连续，请核实）：{listed}" + ("；……" if len(gaps) > 10 else "") + "。"
        )
    return "\n".join(lines) + "\n"
