"""The office's month dashboard: per unit and dataset the month's counts and rates, 三清零, the city's totals
and a trend chart of the last months.

Every number comes from `credit.reports.bulletin.numbers.month_summary` (the sums of the days' DailyStat rows,
the rates of `credit.counters.Counts`): the page and the bulletin of a month always agree. The chart is an
SVG drawn here as text (no script, no inline style: presentation attributes only), every label escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from credit.counters import COUNT_LABELS, RATE_LABELS, SHOWN_COUNTS, Counts
from credit.reports.bulletin.numbers import MonthSummary, month_summary, shift
from credit.standard import DATASET_NAMES
from credit.stats.report import scope_label
from credit.store import session_scope

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# The rates the page shows, in the order of the bulletin's trend figure.
RATES = ("compliance_rate", "timely_rate", "error_rate", "late_rate", "missing_rate")
COLOURS = {
    "compliance_rate": "#1f6f3b",
    "timely_rate": "#1d4e89",
    "error_rate": "#b3261e",
    "late_rate": "#b26b00",
    "missing_rate": "#6b3fa0",
}


def valid_month(text: str) -> bool:
    return bool(MONTH.match(text))


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@dataclass
class Line:
    """One row of a table: a label and its Counts (what the template shows of it)."""

    label: str
    counts: Counts
    rank: int | None = None
    dataset: str = ""

    @property
    def cells(self) -> list[int]:
        return [getattr(self.counts, f) for f in SHOWN_COUNTS]

    @property
    def rates(self) -> list[str]:
        return [percent(getattr(self.counts, r)) for r in RATES]

    @property
    def three_zero(self) -> bool:
        return self.counts.three_zero

    @property
    def shortfall(self) -> str:
        return self.counts.shortfall()


def month_page(settings, month: str) -> dict:
    """What /office/month/{month} shows (the template's context)."""
    with session_scope(settings.database_url) as db:
        summary = month_summary(db, month, settings.three_zero_datasets)
    first = summary.first
    units = [Line(u.name, u.counts, u.rank) for u in summary.units if u.has_data]
    # Nothing received and nothing missing is no 三清零: those units are named apart, not ranked.
    silent = [u.name for u in summary.units if u.reporting and not u.has_data]
    cells = [
        Line(u.name, c, dataset=DATASET_NAMES.get(d, d))
        for u in summary.units
        for d, c in u.by_dataset.items()
        if c.received or c.missing or c.corrections
    ]
    others = [
        Line(u.name, c, dataset=DATASET_NAMES.get(d, d))
        for u in summary.other_units
        for d, c in u.by_dataset.items()
    ]
    city = [Line(DATASET_NAMES.get(d, d), c) for d, c in summary.counted_by_dataset.items()]
    with_data = [u for u in summary.units if u.has_data]
    return {
        "month": month,
        "title": f"{first.year}年{first.month}月",
        "scope": scope_label(summary.counted),
        "days": len(summary.days),
        "total": Line("全市合计", summary.total),
        "city": city,
        "units": units,
        "silent": silent,
        "cells": cells,
        "others": others,
        "count_labels": [COUNT_LABELS[f] for f in SHOWN_COUNTS],
        "rate_labels": [RATE_LABELS[r] for r in RATES],
        "three_zero_units": [u.name for u in with_data if u.counts.three_zero],
        "short_units": [(u.name, u.counts.shortfall()) for u in with_data if not u.counts.three_zero],
        "fix_rate": percent(summary.fix_rate),
        "corrected": summary.corrected,
        "invalid_first": summary.invalid_first,
        "chart": trend_svg(summary),
        "previous": f"{shift(first, -1):%Y-%m}",
        "next": f"{shift(first, 1):%Y-%m}",
        "first_day": first,
    }


# --- the trend chart ------------------------------------------------------------------------------------------
WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 150, 20, 44


def _x(i: int, n: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span / 2 if n == 1 else span * i / (n - 1))


def _y(rate: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - rate)


def _text(
    x: float, y: float, text: str, anchor: str = "middle", size: int = 12, fill: str = "#1f2933"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}">'
        f"{escape(text)}</text>"
    )


def trend_svg(summary: MonthSummary) -> Markup:
    """The city's rates month by month (the bulletin's trend months, this month last) as an SVG: one line
    per rate, a point per month that has one, the percent scale 0–100 %."""
    months = summary.trend
    n = len(months)
    label = f"全市{scope_label(summary.counted)}数据归集情况月度趋势"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
    ]
    for tick in range(0, 101, 20):
        y = _y(tick / 100)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#d5dbe3" stroke-width="1"/>'
        )
        parts.append(_text(LEFT - 8, y + 4, f"{tick}%", "end", 11, "#5f6b7a"))
    for i, (m, counts) in enumerate(months):
        x = _x(i, n)
        parts.append(_text(x, HEIGHT - BOTTOM + 18, f"{int(m[:4])}年{int(m[5:])}月", size=11))
        parts.append(_text(x, HEIGHT - BOTTOM + 34, f"新增{counts.received}", size=10, fill="#5f6b7a"))
    for r, rate in enumerate(RATES):
        colour = COLOURS[rate]
        points = [
            (_x(i, n), _y(value))
            for i, (_, c) in enumerate(months)
            if (value := getattr(c, rate)) is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in points:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
        ly = TOP + 10 + r * 22
        lx = WIDTH - RIGHT + 16
        parts.append(f'<rect x="{lx}" y="{ly - 9}" width="14" height="4" fill="{colour}"/>')
        last = getattr(months[-1][1], rate) if months else None
        parts.append(_text(lx + 20, ly - 3, f"{RATE_LABELS[rate]} {percent(last)}", "start", 12))
    if not any(c.received or c.missing for _, c in months):
        parts.append(_text((WIDTH - RIGHT + LEFT) / 2, HEIGHT / 2, "暂无统计数据", size=14, fill="#5f6b7a"))
    parts.append("</svg>")
    return Markup("".join(parts))
