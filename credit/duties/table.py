"""The month's table of obligations (重点工作任务落实情况): rows for the terminal, the JSON document of
`credit duties --json` and the xlsx workbook under `out/duties/<yyyy-mm>/`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from credit import escape
from credit.duties.obligations import Obligation, due_in_month
from credit.duties.plan import Plan
from credit.duties.rules import load_duties
from credit.duties.status import LABELS, Deliveries, status
from credit.sheets import print_setup
from credit.units import all_units
from credit.workdays import WorkCalendar

HEADERS = ("单位代码", "单位", "任务序号", "事项", "期间", "截止日期", "状态")


@dataclass(frozen=True)
class Row:
    obligation: Obligation
    status: str

    def document(self) -> dict:
        o = self.obligation
        return {
            "unit": o.unit,
            "task": o.task,
            "duty": o.name,
            "period": o.period,
            "due": o.due.isoformat(),
            "status": self.status,
        }

    def cells(self) -> tuple:
        o = self.obligation
        unit = all_units()[o.unit]
        return (o.unit, unit.short_name, o.task, o.name, o.period, o.due.isoformat(), LABELS[self.status])


def month_rows(
    plan: Plan, month: str, today: dt.date, calendar: WorkCalendar, deliveries: Deliveries | None = None
) -> list[Row]:
    """The obligations falling due in `month`, each with its status on `today`."""
    duties = load_duties(plan)
    return [Row(o, status(o, today, deliveries)) for o in due_in_month(duties, month, calendar)]


def month_document(month: str, rows: list[Row]) -> dict:
    return {"month": month, "obligations": [r.document() for r in rows]}


def workbook_path(out: Path, month: str) -> Path:
    return Path(out) / "duties" / month / f"重点工作任务_{month.replace('-', '')}.xlsx"


def write_workbook(path: Path, month: str, plan: Plan, rows: list[Row]) -> Path:
    """The table as an xlsx workbook; every text cell through credit.escape's xlsx rule."""
    from openpyxl import Workbook
    from openpyxl.styles import Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "重点工作任务"
    ws.append(
        escape.xlsx_row(ws, [f"{month} 到期的重点工作任务（依据{plan.year}年社会信用体系建设工作方案）"])
    )
    ws.append(escape.xlsx_row(ws, HEADERS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(escape.xlsx_row(ws, row.cells()))
    for column, width in zip("ABCDEFG", (10, 24, 9, 24, 10, 12, 10), strict=True):
        ws.column_dimensions[column].width = width
    edge = Side(style="thin")
    for line in ws.iter_rows(min_row=2):
        for cell in line:
            cell.border = Border(left=edge, right=edge, top=edge, bottom=edge)
    ws.freeze_panes = "A3"
    # As the office prints it: every column on the page's width, the header row on every page.
    print_setup(ws, "2:2")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path
