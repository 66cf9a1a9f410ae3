"""The feedback workbook a unit gets back: its faulty rows, what is wrong, and every rule explained.

`<unit>_问题数据_<yyyymmdd>.xlsx` goes only to the unit that sent the rows (docs/standard.md §7): one sheet per
dataset with the rows exactly as the unit sent them, unmasked, under its own headers, so that the clerk can
correct the highlighted cells and put the file back in the unit's inbox as it is. The reader takes the sheet
as a delivery: row 1 is the header, the columns 原文件, 工作表, 行号 and 问题说明 are not standard fields and are
ignored. Faulty cells are filled red (error) or yellow (warning) with a comment naming the rule. Further sheets:
无法读取的文件 (the unit's quarantined files and why), 撤销未执行 (撤销清单 rows that could not be applied; apart,
so that resending the workbook never turns them into records) and 规则说明.

Every cell is written by `credit.escape.xlsx_cell`: text that looks like a formula is text; only the unit's own
values are written unmasked (`mask_ids=False`); a control character, which a worksheet cannot hold, is shown
as a marker such as `[控制字符U+0007]` that any font draws and the clerk deletes.
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from credit import escape
from credit.sheets import fit, print_setup
from credit.standard import DATASET_NAMES, dataset
from credit.validation.messages import rules

RED = PatternFill("solid", start_color="FFFFC7CE", end_color="FFFFC7CE")
YELLOW = PatternFill("solid", start_color="FFFFEB9C", end_color="FFFFEB9C")
HEADER_FILL = PatternFill("solid", start_color="FFD9E1F2", end_color="FFD9E1F2")
FIXED = ["原文件", "工作表", "行号", "问题说明"]
QUARANTINE_SHEET = "无法读取的文件"
REVOKE_SHEET = "撤销未执行"
# Shared style objects: openpyxl hashes each one it is given; one object per workbook cell costs ≈ 20 ms a file.
BOLD = Font(bold=True)
WRAP_TOP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
MAX_WIDTH = {"问题说明": 40, "原文件": 18}
VALUE_MAX_WIDTH = 21  # the unit's columns wrap: some 30 of them must share one landscape page width
TIMEZONE = ZoneInfo("Asia/Shanghai")
TO_DO = "请按“原因”修改文件后重新放入本单位收件箱；原文件未被读取，其中的数据均未报送（同一文件原样再放入仍无法读取）。"

# What a worksheet cell cannot hold or a clerk would not see: C0/C1 controls (tab and line feed excepted),
# DEL, bidirectional formatting, the Unicode line and paragraph separators, lone surrogates.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)


def feedback_name(unit_code: str, report_date: date) -> str:
    return f"{unit_code}_问题数据_{report_date:%Y%m%d}.xlsx"


def marked(text: str) -> str:
    """Invisible characters as a text marker: `经查[控制字符U+0007]，当事人`."""

    def one(m: re.Match) -> str:
        code = ord(m.group(0))
        kind = "控制字符" if code < 0x20 or 0x7F <= code <= 0x9F else "隐藏字符"
        return f"[{kind}U+{code:04X}]"

    return _INVISIBLE.sub(one, text)


def _text_cell(ws, row: int, col: int, value: object, *, own: bool = False):
    """Write a value as plain text, never a formula. `own`: one of the unit's own values, written as sent
    (unmasked, docs/standard.md §7); everything else (our text, file names) has ID numbers masked."""
    if value is None:
        return ws.cell(row=row, column=col)
    text = str(value)
    return escape.xlsx_cell(ws, row, col, marked(text if own else escape.mask(text)), mask_ids=False)


def _problem_text(item: dict) -> str:
    lines = [f"✗ [{e['rule']}] {e['message']}" for e in item.get("errors", [])]
    lines += [f"! [{w['rule']}] {w['message']}" for w in item.get("warnings", [])]
    return "\n".join(lines)


def write_feedback(
    path: Path,
    unit_code: str,
    report_date: date,
    items: list[dict],
    quarantined: list[dict] | None = None,
) -> Path:
    """Write the workbook into folder `path` (or to `path` itself when it names an .xlsx) and return it.

    `items`: rows with problems (`{"dataset","file_name","sheet","row","columns","raw","errors","warnings"}`);
    `quarantined`: the unit's unreadable files (`{"file_name","received_at","reason"}`, reason in Chinese)."""
    path = Path(path)
    target = path if path.suffix.lower() == ".xlsx" else path / feedback_name(unit_code, report_date)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    by_dataset: dict[str, list[dict]] = {}
    revocations = []
    for item in items:
        if any(e.get("rule") == "REVOKE" for e in item.get("errors", [])):
            revocations.append(item)
        else:
            by_dataset.setdefault(item["dataset"], []).append(item)
    for ds_id, ds_items in by_dataset.items():
        _dataset_sheet(wb, ds_id, ds_items)
    if quarantined:
        # First when no rows came back: it is then what the clerk must see on opening the file.
        _quarantine_sheet(wb, quarantined, index=len(wb.sheetnames) if by_dataset else 0)
    if revocations:
        _revocation_sheet(wb, revocations)
    _rules_sheet(wb)
    wb.active = 0
    tmp = target.with_name(target.name + ".tmp")
    wb.save(tmp)
    tmp.replace(target)
    return target


def _header(ws: Worksheet, titles: list[str]) -> None:
    for c, title in enumerate(titles, start=1):
        cell = _text_cell(ws, 1, c, title, own=True)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.alignment = HEADER_ALIGN


# --- sheets -------------------------------------------------------------------------------------------------


def _dataset_sheet(wb: Workbook, ds_id: str, items: list[dict]) -> None:
    ds = dataset(ds_id)
    name = DATASET_NAMES.get(ds_id, ds_id)
    ws = wb.create_sheet(name[:31])
    # The unit's columns in the order its file had them (`columns` is stored in column order); fields of
    # rows without a mapping (a platform rejection of an SQL source) after them in the standard's order.
    order: dict[str, None] = {}
    for item in items:
        order.update(dict.fromkeys(k for k in (item.get("columns") or {}) if k in ds.keys))
    present = {k for item in items for k in (*(item.get("columns") or {}), *(item.get("raw") or {}))}
    order.update(dict.fromkeys(f.key for f in ds.fields if f.key in present))
    keys = list(order)
    headers = {}
    for key in keys:
        headers[key] = next(
            (it["columns"][key] for it in items if (it.get("columns") or {}).get(key)), ds.field(key).header
        )
    col_of = {key: len(FIXED) + i + 1 for i, key in enumerate(keys)}
    code_to_key = {f.code: f.key for f in ds.fields}
    _header(ws, [*FIXED, *(headers[k] for k in keys)])
    for r, item in enumerate(items, start=2):
        _text_cell(ws, r, 1, item.get("file_name")).alignment = WRAP_TOP
        _text_cell(ws, r, 2, item.get("sheet")).alignment = WRAP_TOP
        if item.get("row") is not None:
            ws.cell(row=r, column=3, value=int(item["row"])).alignment = WRAP_TOP
        _text_cell(ws, r, 4, _problem_text(item)).alignment = WRAP_TOP
        raw = item.get("raw") or {}
        for key in keys:
            # the unit's own values as sent (docs/standard.md §7: only this unit gets this workbook)
            _text_cell(ws, r, col_of[key], raw.get(key), own=True).alignment = WRAP_TOP
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
            cell.comment = Comment(marked(escape.mask("；".join(labels_))), "雷州市信用平台")
    fit(ws, 1, MAX_WIDTH, default_max=VALUE_MAX_WIDTH)
    # Columns blank in every row and without a mark are hidden, not left out: the file keeps the unit's
    # whole header row (a resent workbook is the unit's file), the page shows what matters.
    for c in range(2, ws.max_column + 1):
        if c != 4 and all(
            ws.cell(r, c).value in (None, "") and not ws.cell(r, c).comment for r in range(2, ws.max_row + 1)
        ):
            ws.column_dimensions[get_column_letter(c)].hidden = True
    ws.freeze_panes = "E2"
    ws.auto_filter.ref = f"A1:{get_column_letter(ws.max_column)}{ws.max_row}"
    print_setup(
        ws, "1:1", f"{name}问题数据：改正标红（错误）、核对标黄（提醒）的单元格后，本表可原样重新报送"
    )


def _received_at(value: object) -> str:
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # the store keeps UTC
        return moment.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


def _quarantine_sheet(wb: Workbook, files: list[dict], index: int) -> None:
    ws = wb.create_sheet(QUARANTINE_SHEET, index)
    _header(ws, ["文件名", "收取时间（北京时间）", "原因", "处理办法"])
    for r, f in enumerate(files, start=2):
        reason = str(f.get("reason") or "").split(" / ", 1)[0]  # the store keeps "中文 / English"
        for c, value in enumerate([f.get("file_name"), _received_at(f.get("received_at")), reason, TO_DO], 1):
            _text_cell(ws, r, c, value).alignment = WRAP_TOP
    fit(ws, 1, {"文件名": 30, "原因": 50, "处理办法": 40})
    ws.freeze_panes = "A2"
    print_setup(ws, "1:1", "无法读取、未报送的文件")


def _revocation_sheet(wb: Workbook, items: list[dict]) -> None:
    ws = wb.create_sheet(REVOKE_SHEET)
    _header(ws, ["原文件", "行号", "数据类别", "决定文书号", "撤销理由", "问题说明"])
    for r, item in enumerate(items, start=2):
        raw = item.get("raw") or {}
        reason = str(raw.get("remark") or "").removeprefix("撤销原因：")
        values = [
            item.get("file_name"),
            item.get("row"),
            DATASET_NAMES.get(item.get("dataset"), item.get("dataset")),
        ]
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c, value) if isinstance(value, int) else _text_cell(ws, r, c, value)
            cell.alignment = WRAP_TOP
        _text_cell(ws, r, 4, raw.get("decision_doc_no"), own=True).alignment = WRAP_TOP
        _text_cell(ws, r, 5, reason, own=True).alignment = WRAP_TOP
        _text_cell(ws, r, 6, _problem_text(item)).alignment = WRAP_TOP
    fit(ws, 1, MAX_WIDTH)
    ws.freeze_panes = "A2"
    print_setup(ws, "1:1", "撤销清单中未能执行的行：核对决定文书号后另报撤销清单")


def _rules_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet("规则说明")
    _header(ws, ["规则编号", "级别", "规则名称", "说明"])
    level = {"error": "错误（不予报送，须改正）", "warning": "提醒（照常报送，请核对）"}
    rows = [(rule.id, level[rule.severity], rule.name, rule.explanation) for rule in rules().values()]
    # Outcomes that are not validation rules but come back to the unit the same way.
    rows += [
        ("PLATFORM", level["error"], "平台退回", "信用湛江平台拒收了该条记录，原因见问题说明。"),
        (
            "REVOKE",
            level["error"],
            "撤销未执行",
            "撤销清单中的该行未能执行（未找到记录、匹配到多条或无需撤销），原因见问题说明。",
        ),
    ]
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            _text_cell(ws, r, c, value).alignment = WRAP_TOP
    fit(ws, 1, {"说明": 80, "规则名称": 26, "级别": 24})
    ws.freeze_panes = "A2"
    print_setup(ws, "1:1", "规则说明")
