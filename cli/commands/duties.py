"""`credit duties --month YYYY-MM [--json]`: the plan's obligations falling due in a month, with their status;
the same table as xlsx under `out/duties/<yyyy-mm>/`. `credit duties --year YYYY [--json]`: the year's
任务完成情况表 (credit.duties.yearly) as xlsx under `out/duties/<yyyy>/`, a short summary printed (or the rows
as JSON)."""

from __future__ import annotations

import datetime as dt
import sys
import unicodedata

from cli.output import out, print_json
from credit.duties import deliveries as evidence
from credit.duties import yearly
from credit.duties.plan import PlanError, UnknownUnitName, plan_for
from credit.duties.table import HEADERS, month_document, month_rows, workbook_path, write_workbook
from credit.settings import load_settings
from credit.workdays import CalendarGap, WorkCalendar


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def aligned(table: list[tuple]) -> list[str]:
    """Rows as lines with their columns lined up (a CJK character is two columns wide)."""
    texts = [[str(c) for c in row] for row in table]
    widths = [max(_width(row[i]) for row in texts) for i in range(len(texts[0]))]
    return [
        "  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in texts
    ]


def run(args) -> int:
    settings = load_settings()
    settings.ensure_dirs()
    today: dt.date = args.as_of or args.today()
    if args.year is not None:
        return run_year(args, settings, today)
    try:
        plan = plan_for(int(args.month[:4]))
        rows = month_rows(
            plan, args.month, today, WorkCalendar(settings.calendar_override), evidence.load(settings, today)
        )
    except (PlanError, UnknownUnitName, CalendarGap) as exc:
        out(f"无法列出 {args.month} 的重点工作任务：{exc}", sys.stderr)
        return 1
    path = write_workbook(workbook_path(settings.out, args.month), args.month, plan, rows)
    if args.json:
        print_json(month_document(args.month, rows))
        return 0
    out(f"{args.month} 到期的重点工作任务（{plan.year}年工作方案，截至 {today.isoformat()}）：{len(rows)} 项")
    for line in aligned([HEADERS, *(row.cells() for row in rows)]):
        out(line)
    out(f"\n文件：{path}")
    return 0


def run_year(args, settings, today: dt.date) -> int:
    try:
        plan = plan_for(args.year)
        rows = yearly.year_rows(
            plan, args.year, today, WorkCalendar(settings.calendar_override), evidence.load(settings, today)
        )
    except (PlanError, UnknownUnitName, CalendarGap) as exc:
        out(f"无法生成 {args.year} 年任务完成情况表：{exc}", sys.stderr)
        return 1
    path = yearly.write_workbook(yearly.workbook_path(settings.out, args.year), args.year, plan, today, rows)
    if args.json:
        print_json(yearly.year_document(args.year, plan, today, rows))
        return 0
    for line in yearly.summary_lines(args.year, plan, today, rows):
        out(line)
    out(f"\n文件：{path}")
    return 0
