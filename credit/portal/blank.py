"""Blank templates for a clerk: one workbook per dataset their unit reports through the inbox, its header
row exactly the dataset's template headers (what `credit check` and the daily run recognise first), and a
second sheet that says, per column, whether it is required, its kind, its length and its allowed values."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from credit import escape
from credit.datasets.model import Dataset
from credit.standard import datasets, labels
from credit.units import unit as unit_of

REQUIRED = {"yes": "必填", "no": "选填", "cond": "视情况必填"}
KINDS = {
    "str": "文本",
    "text": "长文本",
    "enum": "代码（单选）",
    "multienum": "代码（可多选，用“;”分隔）",
    "date": "日期（如 2026/11/25）",
    "decimal": "数字",
    "uscc": "统一社会信用代码（18位）",
}


def unit_datasets(unit_code: str) -> list[Dataset]:
    """The datasets a unit delivers as files (not those read from a database), in catalogue order."""
    unit = unit_of(unit_code)
    found = [
        ds for ds in datasets().values() if ds.source.get("kind") != "sql" and ds.reporters.includes(unit)
    ]
    return sorted(found, key=lambda ds: (ds.order, ds.id))


def workbook(ds: Dataset) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = ds.name[:31]
    sheet.append(escape.xlsx_row(sheet, [f.header for f in ds.fields], mask_ids=False))
    head = PatternFill("solid", fgColor="DDE5F0")
    for column, field in enumerate(ds.fields, start=1):
        cell = sheet.cell(row=1, column=column)
        cell.font = Font(bold=True, color="A1150B" if field.required == "yes" else "000000")
        cell.fill = head
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(column)].width = min(40, max(12, len(field.header) * 2))
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("填写说明")
    notes.append(
        escape.xlsx_row(notes, ["表头", "是否必填", "填写内容", "最大长度", "可选值"], mask_ids=False)
    )
    for field in ds.fields:
        allowed = "、".join(labels(field.code_list)) if field.code_list else ""
        notes.append(
            escape.xlsx_row(
                notes,
                [
                    field.header,
                    REQUIRED.get(field.required, field.required),
                    KINDS.get(field.type, field.type),
                    field.max_len or "",
                    allowed,
                ],
                mask_ids=False,
            )
        )
    for column, width in zip("ABCDE", (40, 12, 28, 10, 60), strict=True):
        notes.column_dimensions[column].width = width
    notes.append([])
    notes.append(
        escape.xlsx_row(notes, ["红色表头为必填项。第一行表头请勿修改；数据从第二行起填写。"], mask_ids=False)
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
