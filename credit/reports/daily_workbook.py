"""`日统计_<yyyymmdd>.xlsx`: the day's statistics as an office prints and files them.

Sheet 日统计: a title, a note, then one row per unit and dataset of the 三清零 datasets (CREDIT_THREE_ZERO_DATASETS,
default 双公示: 行政许可, 行政处罚; units short of 三清零 first) and 合计; the rows not at 三清零 — and only those —
are filled red. Sheet 其他信用信息: the other datasets the units report (信用承诺, 行政检查, …), not judged on
三清零 and not in 合计: per dataset the units with something that day, each dataset's 小计, its deadline (“无” where
none applies). Sheet 疑似漏报: the document numbers missing from a unit's
series, with the true count (`suspected_gaps_total`; the list itself is capped). Both print A4 landscape on
the page width with their header repeated; every string is written as text (`credit.escape.xlsx_row`).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from credit import escape
from credit.counters import COUNT_LABELS, RATE_FIELDS, RATE_LABELS, SHOWN_COUNTS
from credit.sheets import LINE_HEIGHT, fit, print_setup, wrapped_lines
from credit.standard import DATASET_NAMES, datasets
from credit.stats import Counts, DailyReport, cn_date, ordered_rows
from credit.stats.render import other_rows
from credit.stats.report import scope_label

# The columns follow the counters' one definition (credit.counters): counts, then rates, then 三清零.
COUNTS = list(SHOWN_COUNTS)
RATES = list(RATE_FIELDS)
HEADERS = ["单位", "数据类别", *(COUNT_LABELS[f] for f in COUNTS), *(RATE_LABELS[r] for r in RATES), "三清零"]
WIDTHS = [24, 9] + [7] * len(COUNTS) + [9] * len(RATES) + [7]
FIRST_RATE_COLUMN = 3 + len(COUNTS)
RED = PatternFill("solid", fgColor="F8CBAD")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
NUMBER = Alignment(horizontal="center", vertical="center")
BOLD = Font(bold=True)
TITLE_FONT = Font(name="宋体", size=14, bold=True)
HEADER_ROW = 3


def write_daily_workbook(report: DailyReport, path: Path) -> Path:
    """Write the workbook to `path` (through a temporary file: a reader never sees half of it)."""
    wb = Workbook()
    _stats_sheet(wb.active, report)
    if report.other_rows:
        _others_sheet(wb.create_sheet("其他信用信息"), report)
    _gaps_sheet(wb.create_sheet("疑似漏报"), report)
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path


def _stats_sheet(ws, report: DailyReport) -> None:
    ws.title = "日统计"
    title = f"雷州市“双公示”数据归集日统计（{cn_date(report.date)}）"
    short_rows = [row for row in report.counted_rows if not row.counts.three_zero]
    scope = scope_label(report.three_zero_datasets)
    note = (
        f"本表统计{scope}数据，报送时限：作出行政决定之日起{report.deadline_workdays}个工作日内。"
        f"未实现“三清零”（有错误、迟报或漏报）的单位{len(report.short_of_three_zero())}个，排在前面，其未实现的"
        f"{len(short_rows)}行以红色标出。比率无分母时显示“—”。"
    )
    if report.other_rows:
        note += "其他信用信息（不计入合计和“三清零”）见“其他信用信息”工作表。"
    _head(ws, title, note, HEADERS)

    def put(values: list, c: Counts) -> None:
        row = [*values, *(getattr(c, f) for f in COUNTS)]
        row += [getattr(c, r) if getattr(c, r) is not None else "—" for r in RATES]
        row.append("是" if c.three_zero else "否")
        ws.append(escape.xlsx_row(ws, row))
        for cell in _style_row(ws, len(HEADERS)):
            if not c.three_zero:  # exactly the rows that say 否
                cell.fill = RED

    for row in ordered_rows(report):
        put([row.short_name, DATASET_NAMES.get(row.dataset, row.dataset)], row.counts)
    put(["合计", scope.strip("“”")], report.total)
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    _finish(ws, note, WIDTHS)


OTHER_HEADERS = ["数据类别", "单位", *(COUNT_LABELS[f] for f in COUNTS), *(RATE_LABELS[r] for r in RATES),
                 "报送时限"]  # fmt: skip
OTHER_WIDTHS = [22, 24] + [7] * len(COUNTS) + [9] * len(RATES) + [11]


def _others_sheet(ws, report: DailyReport) -> None:
    """其他信用信息: per dataset (display order) the units with something that day, then the dataset's 小计."""
    title = f"雷州市其他信用信息归集日统计（{cn_date(report.date)}）"
    rows = other_rows(report)
    names = {d: ds.name for d, ds in datasets().items()}
    reported = sorted({r.dataset for r in rows}, key=list(names).index)  # with something that day
    listed = f"（当日：{'、'.join(names[d] for d in reported)}）" if reported else ""
    note = (
        f"本表统计{scope_label(report.three_zero_datasets)}以外各单位报送的其他信用信息{listed}，不计入"
        "“日统计”工作表的合计，不纳入“三清零”评价。只列当日有新增、纠正、推送、漏报或疑似漏报的单位，"
        "每类之后为小计；迟报按各类信息的报送时限计算，漏报仅统计有部门决定清单的类别。"
        "比率无分母时显示“—”。"
    )
    _head(ws, title, note, OTHER_HEADERS)

    def put(values: list, c: Counts, days, *, bold: bool = False) -> None:
        row = [*values, *(getattr(c, f) for f in COUNTS)]
        row += [getattr(c, r) if getattr(c, r) is not None else "—" for r in RATES]
        row.append("不设时限" if days is None else f"{days}个工作日")
        ws.append(escape.xlsx_row(ws, row))
        for cell in _style_row(ws, len(OTHER_HEADERS)):
            if bold:
                cell.font = BOLD

    if not rows:
        ws.append(escape.xlsx_row(ws, ["当日各单位无其他信用信息报送。"]))
        ws.merge_cells(
            start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(OTHER_HEADERS)
        )
    for dataset in reported:
        group = [r for r in rows if r.dataset == dataset]
        if not group:
            continue
        days = group[0].deadline_workdays
        for row in group:
            put([names[dataset], row.short_name], row.counts, row.deadline_workdays)
        put([names[dataset], "小计"], sum((r.counts for r in group), Counts()), days, bold=True)
    _finish(ws, note, OTHER_WIDTHS)


def _head(ws, title: str, note: str, headers: list[str]) -> None:
    """Title and note merged over the table's width, then the header row (row HEADER_ROW)."""
    ws.append(escape.xlsx_row(ws, [title]))
    ws.append(escape.xlsx_row(ws, [note]))
    ws.append(escape.xlsx_row(ws, headers))
    last = get_column_letter(len(headers))
    ws.merge_cells(f"A1:{last}1")
    ws.merge_cells(f"A2:{last}2")
    ws["A1"].font, ws["A1"].alignment = TITLE_FONT, CENTER
    ws["A2"].alignment = LEFT
    for cell in ws[HEADER_ROW]:
        cell.font, cell.fill, cell.alignment, cell.border = BOLD, HEADER_FILL, CENTER, BORDER


def _style_row(ws, columns: int) -> list:
    """The last row's cells bordered: two text columns, then counts, then rates as percentages."""
    cells = [ws.cell(ws.max_row, col) for col in range(1, columns + 1)]
    for col, cell in enumerate(cells, start=1):
        cell.border = BORDER
        cell.alignment = LEFT if col <= 2 else NUMBER
        if FIRST_RATE_COLUMN <= col < FIRST_RATE_COLUMN + len(RATES) and isinstance(cell.value, float):
            cell.number_format = "0.00%"
    return cells


def _finish(ws, note: str, widths: list[int]) -> None:
    """Column widths, row heights (the merged note wraps over the whole table width), frozen panes, printing."""
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.row_dimensions[1].height = 24
    ws.row_dimensions[2].height = LINE_HEIGHT * wrapped_lines(note, sum(widths)) + 3
    ws.row_dimensions[HEADER_ROW].height = LINE_HEIGHT + 5
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    print_setup(ws, f"1:{HEADER_ROW}")


def _gaps_sheet(ws, report: DailyReport) -> None:
    headers = ["单位", "数据类别", "疑似漏报个数", "疑似漏报文号（文号不连续，请核实）"]
    ws.append(escape.xlsx_row(ws, headers))
    for cell in ws[1]:
        cell.font, cell.fill, cell.alignment, cell.border = BOLD, HEADER_FILL, CENTER, BORDER
    rows = [row for row in report.rows if row.suspected_gaps_total or row.suspected_gaps]
    for row in rows:
        total = max(row.suspected_gaps_total, len(row.suspected_gaps))
        listed = "、".join(row.suspected_gaps)
        if total > len(row.suspected_gaps):
            listed += f" 等{total}个（此处列出前{len(row.suspected_gaps)}个）"
        ws.append(
            escape.xlsx_row(ws, [row.short_name, DATASET_NAMES.get(row.dataset, row.dataset), total, listed])
        )
        for col, cell in enumerate(ws[ws.max_row], start=1):
            cell.border = BORDER
            cell.alignment = NUMBER if col == 3 else LEFT
    if not rows:
        ws.append(escape.xlsx_row(ws, ["当日无疑似漏报。"]))
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    fit(ws, 1, {headers[3]: 90, "单位": 24}, minimum=8)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:D{max(ws.max_row, 2)}"
    print_setup(ws, "1:1", f"疑似漏报（{cn_date(report.date)}）")
