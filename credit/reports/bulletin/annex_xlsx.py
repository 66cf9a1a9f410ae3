"""附件2 疑似漏报决定文书号核实清单 as a workbook, when the list is too long for the document: one row per
number with a column for the unit's finding, and per unit and dataset the true total ("以上列出N个，共M个"
where the stored list is cut)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from credit import escape
from credit.reports.bulletin.content import gap_rows
from credit.reports.bulletin.numbers import MonthSummary
from credit.standard import DATASET_NAMES

HEADERS = ["序号", "单位", "类别", "疑似漏报文书号", "核实结果（已补报/文号作废/跳号/其他）"]
WIDTHS = [7, 22, 10, 30, 36]


def write_gap_workbook(summary: MonthSummary, title: str, path: Path) -> Path:
    wb = Workbook()
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="E6E6E6")

    def sheet(ws, heading: str, headers: list[str], widths: list[int], rows: list[list]) -> None:
        ws.cell(row=1, column=1, value=escape.xlsx_text(heading)).font = Font(name="宋体", size=14, bold=True)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
        for c, h in enumerate(headers, start=1):
            cell = ws.cell(row=2, column=c, value=h)
            cell.font = Font(name="黑体", bold=True)
            cell.fill, cell.border = head_fill, border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for r, values in enumerate(rows, start=3):
            for c, value in enumerate(values, start=1):
                cell = escape.xlsx_cell(ws, r, c, value)
                cell.border = border
        for c, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = w
        ws.freeze_panes = "A3"
        ws.print_title_rows = "2:2"
        ws.page_setup.orientation = "portrait"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True

    ws = wb.active
    ws.title = "汇总"
    summary_rows = []
    for u in summary.units:
        for dataset, (listed, total) in u.gaps.items():
            summary_rows.append([u.name, DATASET_NAMES.get(dataset, dataset), total, len(listed)])
    summary_rows.append(["合计", "", sum(r[2] for r in summary_rows), sum(r[3] for r in summary_rows)])
    sheet(
        ws,
        f"{title}（汇总）",
        ["单位", "类别", "疑似漏报（个）", "清单列出（个）"],
        [24, 10, 16, 16],
        summary_rows,
    )
    rows = [[int(r[0]) if r[0] else "", *r[1:]] for r in gap_rows(summary)]
    sheet(wb.create_sheet("清单"), title, HEADERS, WIDTHS, rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    wb.save(str(tmp))
    tmp.replace(path)
    return path
