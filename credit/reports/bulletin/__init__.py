"""月通报: 《雷州市YYYY年M月“双公示”数据归集情况通报》 as .docx (for the units' offices) and .pdf.

Rooms: `numbers` computes the month once from the store (`sources` is what it asks the statistics module
about 疑似漏报 and revisions); `document` holds the bulletin's parts and blocks and what both renderers do
alike with them; `content` turns the numbers and the office's settings (credit.settings.BulletinSettings,
CREDIT_BULLETIN_*) into what the bulletin says; `layout` holds GB/T 9704-2012 (page, sizes, fonts by role,
title breaking, table sizing); `as_docx` and `as_pdf` render the same content; `annex_xlsx` writes 附件2 as
a workbook when the 疑似漏报 list is long; `others` and `duties` say 其他信用信息归集情况 and 重点工作任务落实情况
(the plan's obligations due in the month, as of the issue date). Nothing in the documents carries an identity number
(docs/standard.md §7), and every text goes in through `credit.escape.document`: taken literally, control
characters visible, ID numbers masked.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from sqlmodel import Session

from credit.duties import deliveries as evidence
from credit.duties.status import Deliveries
from credit.reports import charts
from credit.reports.bulletin import layout
from credit.reports.bulletin.content import (
    compose,
    default_issue_date,
    file_stem,
    fix_due_date,
    title_of,
)
from credit.reports.bulletin.document import Bulletin, Figure
from credit.reports.bulletin.duties import month_duties
from credit.reports.bulletin.numbers import MonthSummary, UnitLine, month_summary
from credit.settings import BulletinSettings, load_bulletin_settings
from credit.stats.report import scope_label
from credit.workdays import WorkCalendar

__all__ = [
    "Bulletin",
    "BulletinPaths",
    "MonthSummary",
    "UnitLine",
    "build_bulletin",
    "default_issue_date",
    "file_stem",
    "month_summary",
    "title_of",
]

FIGURE_W = 150.0  # mm, within the 156 mm type area


@dataclass
class BulletinPaths:
    folder: Path
    docx: Path
    pdf: Path
    json: Path
    charts: list[Path] = field(default_factory=list)
    annex_xlsx: Path | None = None  # 附件2 when the 疑似漏报 list is long


def make_figures(summary: MonthSummary, folder: Path) -> dict[str, Figure]:
    """图 of the month: the trend only with at least two months of statistics; the units' rates always.
    Figures are drawn at the size they are printed, numbered in the order they appear (trend in the body,
    units in 附件1)."""
    first = summary.first
    scope = scope_label(summary.counted)
    figures: dict[str, Figure] = {}
    number = 1
    if len(summary.trend) >= 2:
        labels = [f"{int(m[:4])}年{int(m[5:])}月" for m, _ in summary.trend]
        height = 80.0
        path = charts.trend_chart(
            labels,
            {
                "达标率": [c.compliance_rate for _, c in summary.trend],
                "及时率": [c.timely_rate for _, c in summary.trend],
                "错误率": [c.error_rate for _, c in summary.trend],
                "迟报率": [c.late_rate for _, c in summary.trend],
                "漏报率": [c.missing_rate for _, c in summary.trend],
            },
            [c.received for _, c in summary.trend],
            folder / "图_月度趋势.png",
            f"全市{scope}数据归集情况月度趋势",
            width_mm=FIGURE_W,
            height_mm=height,
        )
        figures["trend"] = Figure(path, f"图{number} 全市{scope}数据归集情况月度趋势", FIGURE_W, height)
        number += 1
    units = [u for u in summary.units if u.reporting] + [u for u in summary.units if not u.reporting]
    units.sort(key=lambda u: (u.rank is None, u.rank or 0))
    max_h = layout.TYPE_H - 3 * layout.LINE_PITCH - 6  # with 附件1's label and title on its own page
    path = charts.unit_rates_chart(
        [u.name for u in units],
        [u.counts.compliance_rate for u in units],
        [u.counts.timely_rate for u in units],
        folder / "图_各单位达标率及时率.png",
        f"{first.year}年{first.month}月各单位达标率、及时率（按排名）",
        width_mm=FIGURE_W,
        max_height_mm=max_h,
    )
    with Image.open(path) as img:
        height = FIGURE_W * img.height / img.width
    figures["units"] = Figure(path, f"图{number} 各单位达标率、及时率", FIGURE_W, height)
    return figures


def build_bulletin(
    session: Session,
    month: str,
    out_dir: Path,
    *,
    issued: dt.date | None = None,
    calendar: WorkCalendar | None = None,
    settings: BulletinSettings | None = None,
    counted: tuple[str, ...] | None = None,
    deliveries: Deliveries | None = None,
) -> BulletinPaths:
    """Write `<out_dir>/bulletins/<yyyy-mm>/`: the .docx, the .pdf, the chart PNGs, bulletin.json and, when
    the 疑似漏报 list is long, 附件2 as .xlsx. `counted`: the datasets of the totals and 三清零 (default:
    CREDIT_THREE_ZERO_DATASETS, else 双公示). `deliveries`: what units delivered of the plan's duties
    (default: `credit.duties.deliveries.settled` as of the issue date, through `session`), for 重点工作任务落实情况."""
    # The renderers load python-docx (0.2 s) and fpdf2 (1.2 s, measured with -X importtime): only when a
    # bulletin is built, not with `title_of` and the month's numbers.
    from credit.reports.bulletin.annex_xlsx import write_gap_workbook
    from credit.reports.bulletin.as_docx import render_docx
    from credit.reports.bulletin.as_pdf import render_pdf

    settings = settings or load_bulletin_settings()
    summary = month_summary(session, month, counted)
    issued = issued or default_issue_date(month, calendar)
    fix_due = fix_due_date(month, issued, settings.fix_workday, calendar)
    folder = Path(out_dir) / "bulletins" / month
    folder.mkdir(parents=True, exist_ok=True)
    figures = make_figures(summary, folder)
    if deliveries is None:
        deliveries = evidence.settled(session, issued)
    duties = month_duties(month, issued, calendar, deliveries)
    bulletin = compose(summary, settings, issued, fix_due, figures, duties)
    stem = file_stem(month)
    docx_path = render_docx(bulletin, folder / f"{stem}.docx")
    pdf_path = render_pdf(bulletin, folder / f"{stem}.pdf")
    xlsx_path = None
    if bulletin.xlsx_annex:
        xlsx_path = write_gap_workbook(
            summary, bulletin.xlsx_annex, folder / f"附件2_{bulletin.xlsx_annex}.xlsx"
        )
    json_path = folder / "bulletin.json"
    data = {
        "title": title_of(month),
        "issued": issued.isoformat(),
        "doc_no": bulletin.doc_no,
        "fix_due": fix_due.isoformat(),
        **summary.as_dict(),
    }
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return BulletinPaths(
        folder, docx_path, pdf_path, json_path, [f.path for f in figures.values()], xlsx_path
    )
