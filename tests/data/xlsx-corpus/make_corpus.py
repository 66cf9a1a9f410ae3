"""Writes the corpus of workbooks in this folder, each by another program (see README.md for who wrote what).

    python tests/data/xlsx-corpus/make_corpus.py [--only NAME ...]

Not run by the tests: they read the files committed here (the programs are not all installed where tests
run). Needs XlsxWriter, openpyxl and pandas (the project's venv); LibreOffice (`soffice`) and node with the npm
packages `xlsx` (SheetJS) and `exceljs` (NODE_PATH) for the rest; a program that is missing is skipped with a
message.

Every writer writes the same table (TABLE below; make_corpus.js holds the same values) as far
as it can: shared and inline strings, numbers, dates in ISO, built-in and Chinese formats (numFmtId 14, 31, 58,
yyyy"年"m"月"d"日"), a date and time, booleans, a merged title, an empty row, several sheets (one hidden).
Error cells go to files of their own ("-errors"): our reader leaves such workbooks to calamine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import xlsxwriter
from openpyxl.styles import Alignment

HERE = Path(__file__).resolve().parent
HEADERS = [
    "名称",
    "数量",
    "金额",
    "决定日期",
    "日期14",
    "日期31",
    "日期58",
    "中文日期",
    "时间",
    "布尔",
    "备注",
]
TITLE = "雷州市行政处罚信息（测试语料）"
# (name, count, amount, date, date, date, date, date, datetime, bool, note); None: a blank cell.
TABLE = [
    (
        "雷州市某某贸易有限公司",
        12,
        0.1 + 0.2,
        *[dt.date(2026, 11, 20)] * 5,
        dt.datetime(2026, 11, 20, 8, 30),
        True,
        "罚款5000元",
    ),
    (
        "张三",
        -3,
        1234567.891,
        *[dt.date(2024, 2, 29)] * 5,
        dt.datetime(2024, 2, 29, 23, 59, 59),
        False,
        "  前后空格  ",
    ),
    (None, 0, 1e-7, *[dt.date(1999, 12, 31)] * 5, dt.datetime(1999, 12, 31, 12, 0), True, "换行\n第二行"),
    ('A&B <公司> "引号"', 10**15, -0.5, *[dt.date(2000, 1, 1)] * 5, dt.datetime(2000, 1, 1), None, "'单引号"),
]
EMPTY_ROW_AFTER = 2  # a blank row between the second and third data rows
DATE_FORMATS = ["yyyy-mm-dd", 14, 31, 58, 'yyyy"年"m"月"d"日"']  # numbers: built-in ids (no numFmt element)
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
SECOND_SHEET = [("编号", "说明"), (1, "第二个工作表"), (2.5, "稀疏")]
FAR_CELL = (19, 9, "远处的单元格")  # J20
ERRORS = ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]


def _serial(value: dt.date | dt.datetime) -> float:
    if isinstance(value, dt.datetime):
        return (value - dt.datetime(1899, 12, 30)).total_seconds() / 86_400
    return float((value - dt.date(1899, 12, 30)).days)


def _data_rows() -> list[tuple[int, tuple]]:
    """(0-based row, values) of the table: title in row 0, headers in row 1, an empty row inside."""
    out = []
    r = 2
    for i, values in enumerate(TABLE):
        if i == EMPTY_ROW_AFTER:
            r += 1
        out.append((r, values))
        r += 1
    return out


# --- XlsxWriter ---------------------------------------------------------------------------------------------
def xlsxwriter_book(path: Path, **options) -> None:
    book = xlsxwriter.Workbook(path, options)
    ws = book.add_worksheet("行政处罚")
    dates = [book.add_format({"num_format": f}) for f in DATE_FORMATS]
    stamp = book.add_format({"num_format": DATETIME_FORMAT})
    ws.merge_range(0, 0, 0, len(HEADERS) - 1, TITLE)
    ws.write_row(1, 0, HEADERS)
    for r, values in _data_rows():
        name, count, amount, *days, when, flag, note = values
        if name is not None:
            ws.write_string(r, 0, name)
        ws.write_number(r, 1, count)
        ws.write_number(r, 2, amount)
        for k, (day, fmt) in enumerate(zip(days, dates, strict=True)):
            ws.write_number(r, 3 + k, _serial(day), fmt)
        ws.write_number(r, 8, _serial(when), stamp)
        if flag is not None:
            ws.write_boolean(r, 9, flag)
        ws.write_string(r, 10, note)
    second = book.add_worksheet("Sheet2")
    for r, row in enumerate(SECOND_SHEET):
        second.write_row(r, 0, row)
    second.write(*FAR_CELL)
    hidden = book.add_worksheet("隐藏")
    hidden.write(0, 0, "不读")
    hidden.hide()
    book.close()


def xlsxwriter_errors(path: Path) -> None:
    book = xlsxwriter.Workbook(path)
    ws = book.add_worksheet("错误")
    ws.write_row(0, 0, ["名称", "结果"])
    for r, error in enumerate(ERRORS, start=1):
        ws.write_string(r, 0, f"公式{r}")
        ws.write_formula(r, 1, "=1/0", None, error)  # t="e", the cached error as Excel saves it
    book.close()


# --- openpyxl -----------------------------------------------------------------------------------------------
def openpyxl_book(path: Path, errors: bool = False) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    if errors:
        ws.title = "错误"
        ws.append(["名称", "结果"])
        for r, error in enumerate(ERRORS, start=1):
            ws.append([f"公式{r}", error])  # openpyxl writes these strings as error cells (t="e")
        wb.save(path)
        return
    ws.title = "行政处罚"
    ws.cell(row=1, column=1, value=TITLE).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    for c, h in enumerate(HEADERS, start=1):
        ws.cell(row=2, column=c, value=h)
    for r, values in _data_rows():
        name, count, amount, *days, when, flag, note = values
        row = r + 1
        ws.cell(row=row, column=1, value=name)
        ws.cell(row=row, column=2, value=count)
        ws.cell(row=row, column=3, value=amount)
        for k, (day, fmt) in enumerate(zip(days, DATE_FORMATS, strict=True)):
            cell = ws.cell(row=row, column=4 + k, value=day)
            if isinstance(fmt, int):
                cell.number_format = 'yyyy"年"m"月"d"日"'
                cell._style.numFmtId = fmt  # the built-in id alone, as Excel saves it
            else:
                cell.number_format = fmt
        ws.cell(row=row, column=9, value=when).number_format = DATETIME_FORMAT
        ws.cell(row=row, column=10, value=flag)
        ws.cell(row=row, column=11, value=note)
    second = wb.create_sheet("Sheet2")
    for row in SECOND_SHEET:
        second.append(row)
    second.cell(row=FAR_CELL[0] + 1, column=FAR_CELL[1] + 1, value=FAR_CELL[2])
    hidden = wb.create_sheet("隐藏")
    hidden["A1"] = "不读"
    hidden.sheet_state = "hidden"
    wb.save(path)


# --- pandas -------------------------------------------------------------------------------------------------
def pandas_book(path: Path, engine: str) -> None:
    frame = pd.DataFrame(
        [
            {
                "名称": v[0],
                "数量": v[1],
                "金额": v[2],
                "决定日期": pd.Timestamp(v[3]),
                "时间": v[8],
                "布尔": v[9],
                "备注": v[10],
            }
            for v in TABLE
        ]
    )
    with pd.ExcelWriter(path, engine=engine) as writer:
        frame.to_excel(writer, sheet_name="行政处罚", index=False, startrow=1)
        pd.DataFrame(SECOND_SHEET[1:], columns=list(SECOND_SHEET[0])).to_excel(
            writer, sheet_name="Sheet2", index=False
        )


# --- LibreOffice --------------------------------------------------------------------------------------------
def libreoffice(source: Path, target: Path) -> None:
    """LibreOffice opens `source` and saves it as xlsx with its own writer."""
    soffice = shutil.which("soffice")
    if soffice is None:
        raise _Skip("soffice (LibreOffice) not installed: apt-get install -y libreoffice-calc-nogui")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"{target.stem}{source.suffix}"
        shutil.copy(source, src)
        profile = Path(tmp) / "profile"
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "xlsx:Calc MS Excel 2007 XML",
                "--outdir",
                str(Path(tmp) / "out"),
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.move(Path(tmp) / "out" / f"{target.stem}.xlsx", target)


# --- SheetJS, exceljs: make_corpus.js beside this one -------------------------------------------
def node(target: Path, writer: str) -> None:
    if not shutil.which("node"):
        raise _Skip("node not installed")
    env = dict(os.environ)
    result = subprocess.run(
        ["node", str(HERE / "make_corpus.js"), writer, str(target)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        if "Cannot find module" in result.stderr:
            raise _Skip(f"npm package for {writer} not found: npm install xlsx exceljs, then set NODE_PATH")
        raise RuntimeError(result.stderr)


class _Skip(Exception):
    pass


def _hand_built(path: Path, cells: str, after: str = "") -> None:
    """A package written here byte by byte, laid out as WPS saves one (built-in ids, inline strings)."""
    sys.path.insert(0, str(HERE.parents[2]))
    from tests.test_xlsx_cjk_dates import hand_built

    path.write_bytes(hand_built(cells, [0, 31, 58], after))


def hand_built_wps(path: Path) -> None:
    cells = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c><c r="B1" t="inlineStr"><is><t>决定日期</t>'
        '</is></c><c r="C1" t="inlineStr"><is><t>月日</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><r><t>富文本</t></r><r><t xml:space="preserve"> 两段</t></r></is>'
        '</c><c r="B2" s="1"><v>46346</v></c><c r="C2" s="2"><v>46346</v></c></row>'
    )
    _hand_built(path, cells)


def hand_built_escapes(path: Path) -> None:
    """_xHHHH_ escapes: calamine decodes only _x0000_ to _x00FF_, our reader every one (but surrogates)."""
    cells = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a_x000D_b</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>中_x4E2D_文</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>_x00e9_ and _x0100_</t></is></c></row>'
    )
    _hand_built(path, cells)


def hand_built_whole_merges(path: Path) -> None:
    """Merged whole columns and rows (<mergeCell ref="A:A"/>): calamine refuses the sheet, our reader (which
    does not read merges) reads its cells."""
    cells = '<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c><c r="B1"><v>1</v></c></row>'
    _hand_built(
        path, cells, '<mergeCells count="2"><mergeCell ref="A:A"/><mergeCell ref="3:3"/></mergeCells>'
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="file names (without .xlsx) to write")
    args = parser.parse_args()
    jobs = {
        "xlsxwriter": lambda p: xlsxwriter_book(p),
        "xlsxwriter-constant-memory": lambda p: xlsxwriter_book(p, constant_memory=True),
        "xlsxwriter-errors": xlsxwriter_errors,
        "openpyxl": openpyxl_book,
        "openpyxl-errors": lambda p: openpyxl_book(p, errors=True),
        "pandas-openpyxl": lambda p: pandas_book(p, "openpyxl"),
        "pandas-xlsxwriter": lambda p: pandas_book(p, "xlsxwriter"),
        "libreoffice": lambda p: libreoffice(HERE / "xlsxwriter.xlsx", p),
        "libreoffice-errors": lambda p: libreoffice(HERE / "xlsxwriter-errors.xlsx", p),
        "libreoffice-from-openpyxl": lambda p: libreoffice(HERE / "openpyxl.xlsx", p),
        "sheetjs": lambda p: node(p, "sheetjs"),
        "exceljs": lambda p: node(p, "exceljs"),
        "exceljs-stream": lambda p: node(p, "exceljs-stream"),
        "hand-built-wps": hand_built_wps,
        "hand-built-escapes": hand_built_escapes,
        "hand-built-whole-merges": hand_built_whole_merges,
    }
    for name, job in jobs.items():
        if args.only and name not in args.only:
            continue
        try:
            job(HERE / f"{name}.xlsx")
            print(f"wrote {name}.xlsx")
        except (_Skip, subprocess.CalledProcessError, RuntimeError) as exc:
            print(f"skipped {name}.xlsx: {exc}", file=sys.stderr)


if __name__ == "__main__":
    main()
