"""The feedback workbook a unit gets back: its faulty rows, what is wrong, and every rule explained.

`<unit>_问题数据_<yyyymmdd>.xlsx`: one sheet per dataset with the rows as the unit sent them (its own
headers; 法定代表人证件号码 hidden, 证件号码 masked), columns 原文件, 行号, 问题说明, faulty cells filled
red (error) or yellow (warning) with a comment naming the rule; and a sheet 规则说明. Every cell is written by
`credit.escape.xlsx_cell`: text that looks like a formula is text, control characters are visible, and ID
numbers are masked everywhere but in the unit's own values (which `mask_value` masks per field).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from credit import escape
from credit.standard import DATASET_NAMES, dataset
from credit.validation.messages import mask_value, rules

RED = PatternFill("solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
YELLOW = PatternFill("solid", start_color="FFFFEB9C", end_color="FFFFEB9C")
HEADER_FILL = PatternFill("solid", start_color="FFD9E1F2", end_color="FFD9E1F2")
FIXED = ["原文件", "工作表", "行号", "问题说明"]
# Shared style objects: openpyxl hashes each one it is given; one object per workbook cell costs ≈ 20 ms a file.
BOLD = Font(bold=True)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")


def feedback_name(unit_code: str, report_date: date) -> str:
    return f"{unit_code}_问题数据_{report_date:%Y%m%d}.xlsx"


def _text_cell(ws, row: int, col: int, value: object, *, mask_ids: bool = True):
    """Write a value as plain text: never a formula, whatever it starts with; control characters shown as
    their Control Pictures (␇) so the clerk sees where a stray character sits (TXT-1)."""
    return escape.xlsx_cell(ws, row, col, None if value is None else str(value), mask_ids=mask_ids)


def _problem_text(item: dict) -> str:
    lines = [f"✗ [{e['rule']}] {e['message']}" for e in item.get("errors", [])]
    lines += [f"! [{w['rule']}] {w['message']}" for w in item.get("warnings", [])]
    return "\n".join(lines)


def write_feedback(path: Path, unit_code: str, report_date: date, items: list[dict]) -> Path:
    """Write the workbook into folder `path` (or to `path` itself when it names an .xlsx) and return it."""
    path = Path(path)
    target = path if path.suffix.lower() == ".xlsx" else path / feedback_name(unit_code, report_date)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    by_dataset: dict[str, list[dict]] = {}
    for item in items:
        by_dataset.setdefault(item["dataset"], []).append(item)
    for ds_id, ds_items in by_dataset.items():
        _dataset_sheet(wb, ds_id, ds_items)
    _rules_sheet(wb)
    wb.save(target)
    return target


def _dataset_sheet(wb: Workbook, ds_id: str, items: list[dict]) -> None:
    ds = dataset(ds_id)
    ws = wb.create_sheet(DATASET_NAMES.get(ds_id, ds_id)[:31])
    # An item may come without a columns mapping or raw values (None): the dataset's headers stand in.
    present = {k for item in items for k in (*(item.get("columns") or {}), *(item.get("raw") or {}))}
    keys = [f.key for f in ds.fields if f.key in present]
    headers = {}
    for key in keys:
        headers[key] = next(
            (it["columns"][key] for it in items if (it.get("columns") or {}).get(key)), ds.field(key).header
        )
    col_of = {key: len(FIXED) + i + 1 for i, key in enumerate(keys)}
    code_to_key = {f.code: f.key for f in ds.fields}
    for c, title in enumerate([*FIXED, *(headers[k] for k in keys)], start=1):
        cell = _text_cell(ws, 1, c, title)
        cell.font = BOLD
        cell.fill = HEADER_FILL
    for r, item in enumerate(items, start=2):
        _text_cell(ws, r, 1, item.get("file_name"))
        _text_cell(ws, r, 2, item.get("sheet"))
        if item.get("row") is not None:
            ws.cell(row=r, column=3, value=int(item["row"]))
        problems = _text_cell(ws, r, 4, _problem_text(item))
        problems.alignment = WRAP_TOP
        raw = item.get("raw") or {}
        for key in keys:
            # the unit's own values: masked per field by mask_value (STANDARD.md §7), nothing more
            _text_cell(ws, r, col_of[key], mask_value(key, raw.get(key)), mask_ids=False)
        marks: dict[str, tuple[PatternFill, list[str]]] = {}
        for level, fill in (("warnings", YELLOW), ("errors", RED)):
            for issue in item.get(level, []):
                key = code_to_key.get(issue.get("field"), issue.get("field"))
                if key not in col_of:
                    continue
                previous = marks.get(key, (fill, []))[1]
                label = (
                    f"{issue['rule']} {rules()[issue['rule']].name}"
                    if issue["rule"] in rules()
                    else issue["rule"]
                )
                marks[key] = (
                    fill if level == "errors" or key not in marks else marks[key][0],
                    [*previous, label],
                )
        for key, (fill, labels_) in marks.items():
            cell = ws.cell(row=r, column=col_of[key])
            cell.fill = fill
            cell.comment = Comment(escape.xlsx_text("；".join(labels_)), "雷州市信用平台")
    widths = {1: 24, 2: 12, 3: 8, 4: 60}
    for c in range(1, len(FIXED) + len(keys) + 1):
        ws.column_dimensions[get_column_letter(c)].width = widths.get(c, 18)
    ws.freeze_panes = "E2"


def _rules_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet("规则说明")
    for c, title in enumerate(["规则编号", "级别", "规则名称", "说明"], start=1):
        cell = _text_cell(ws, 1, c, title)
        cell.font = BOLD
        cell.fill = HEADER_FILL
    level = {"error": "错误（不予报送，须改正）", "warning": "提醒（照常报送，请核对）"}
    for r, rule in enumerate(rules().values(), start=2):
        for c, value in enumerate([rule.id, level[rule.severity], rule.name, rule.explanation], start=1):
            _text_cell(ws, r, c, value).alignment = WRAP_TOP
    # Outcomes that are not validation rules but come back to the unit the same way.
    extra = [
        ("PLATFORM", "平台退回", "信用湛江平台拒收了该条记录，原因见问题说明。"),
        (
            "REVOKE",
            "撤销未执行",
            "撤销清单中的该行未能执行（未找到记录、匹配到多条或无需撤销），原因见问题说明。",
        ),
    ]
    for r, (rule_id, name, text) in enumerate(extra, start=len(rules()) + 2):
        for c, value in enumerate([rule_id, level["error"], name, text], start=1):
            _text_cell(ws, r, c, value).alignment = WRAP_TOP
    for c, width in zip("ABCD", (10, 26, 26, 80), strict=True):
        ws.column_dimensions[c].width = width
