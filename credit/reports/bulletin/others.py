"""二、其他信用信息归集情况 of the 月通报: the datasets outside the 三清零 judgement, totals per category in a
paragraph and a table by unit and category (in the body when short, else as an 附件; `content.compose` decides)."""

from __future__ import annotations

from dataclasses import replace

from credit.reports.bulletin.document import Para, Table
from credit.reports.bulletin.numbers import MonthSummary
from credit.standard import DATASET_NAMES, datasets
from credit.stats import Counts
from credit.stats.report import scope_label

OTHER_TABLE_COLUMNS = 15  # number columns a 其他信用信息 table holds on A4 portrait (5 categories)


def _columns(dataset: str) -> list[tuple[str, str]]:
    """The columns of a category in the 其他信用信息 table: 新增, 错误, and 迟报 where a deadline applies."""
    ds = datasets().get(dataset)
    cols = [("新增", "received"), ("错误", "invalid")]
    if ds is None or ds.deadline is not None:
        cols.append(("迟报", "late"))
    return cols


def other_tables(summary: MonthSummary) -> list[Table]:
    """其他信用信息 per unit (a row, registry order) and category (columns 新增, 错误, 迟报 under the category's
    name), then 合计; at most OTHER_TABLE_COLUMNS number columns a table (A4 portrait), so many categories make
    several tables, each listing the units with data in its categories."""
    # As few tables as the columns need, the categories shared out evenly among them (no table of one
    # category stretched over the page after two full ones).
    widths = {d: len(_columns(d)) for d in summary.other_by_dataset}
    count = -(-sum(widths.values()) // OTHER_TABLE_COLUMNS)
    target = -(-sum(widths.values()) // max(count, 1))
    chunks: list[list[str]] = [[]]
    for dataset, width in widths.items():
        used = sum(widths[d] for d in chunks[-1])
        if chunks[-1] and (used + width > OTHER_TABLE_COLUMNS or used >= target):
            chunks.append([])
        chunks[-1].append(dataset)
    tables = []
    for chunk in chunks:
        if not chunk:
            continue
        columns = [(d, label, attr) for d in chunk for label, attr in _columns(d)]
        headers = ["单位", *(label for _, label, _ in columns)]
        groups = [("单位", 1), *((DATASET_NAMES.get(d, d), len(_columns(d))) for d in chunk)]
        rows = []
        for u in summary.other_units:
            if not any(d in u.by_dataset for d in chunk):
                continue
            rows.append([u.name, *(str(getattr(u.by_dataset.get(d, Counts()), a)) for d, _, a in columns)])
        totals = summary.other_by_dataset
        rows.append(["合计", *(str(getattr(totals[d], a)) for d, _, a in columns)])
        numeric = [False] + [True] * len(columns)
        tables.append(Table(headers, rows, numeric, set(), {len(rows) - 1}, groups))
    return tables


def _problem_counts(c: Counts, shown: list[str]) -> str:
    """错误…条 and, where any of the `shown` categories has a deadline or a reference feed, 迟报 and 漏报."""
    catalogue = datasets()
    parts = [f"错误{c.invalid}条"]
    if any(d not in catalogue or catalogue[d].deadline is not None for d in shown):
        parts.append(f"迟报{c.late}条")
    if any(d not in catalogue or catalogue[d].reference_feed for d in shown):
        parts.append(f"漏报{c.missing}条")
    return "、".join(parts)


def other_section(summary: MonthSummary, annex: str | None) -> list:
    """二、其他信用信息归集情况: one sentence when no other dataset has data this month; else the totals per
    category in one paragraph and the table by unit and category (here, or in `annex` when given)."""
    others = summary.other_by_dataset
    scope = scope_label(summary.counted)
    if not others:
        return [Para(f"本月各单位无{scope}以外的其他信用信息报送。")]
    t = sum(others.values(), Counts())
    units = summary.other_units
    per = "；".join(
        f"{DATASET_NAMES.get(d, d)}{c.received}条（{sum(1 for u in units if d in u.by_dataset)}个单位，"
        f"{_problem_counts(c, [d])}）"
        for d, c in others.items()
    )
    where = f"见附件{annex[2:]}" if annex else "见下表"
    return [
        Para(
            f"本月{len(units)}个单位报送{scope}以外的其他信用信息{len(others)}类，共新增{t.received}条，其中"
            f"{_problem_counts(t, list(others))}（不纳入“三清零”评价）。分类别情况：{per}。各单位分类别情况{where}"
            f"（只列本月有报送的单位；不设报送时限的类别不统计迟报）。"
        ),
        *([] if annex else [replace(t, keep_together=True) for t in other_tables(summary)]),
    ]
