"""Cells in the East Asian built-in number formats (numFmtId 27-36, 50-58: no numFmt element, the id alone, as
Chinese Excel and WPS save m"月"d"日" and yyyy"年"m"月"d"日") read as dates by our reader, as by calamine, and a
clerk's `credit check` sees the date, not the serial number."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
import python_calamine
import xlsxwriter
from openpyxl import Workbook

from credit.check import run_check
from credit.readers import read_unit_file, xlsx
from credit.readers.xlsx.package import Package
from credit.readers.xlsx.styles import DATE, DURATION, NUMBER, style_kinds
from credit.standard import dataset
from tests.reliability.hostile import handmade_xlsx
from tests.test_validation_samples import REPORT_DATE, UNIT, base_row
from tests.test_xlsx_fast import assert_cells_same, assert_same

EAST_ASIAN_IDS = (*range(27, 37), *range(50, 59))
SERIAL = 46346  # 2026-11-20, the number `credit check` showed instead of the date
DAY = "2026-11-20"


def _grid_rows(data: bytes) -> list[list[str | None]]:
    (_, _, load), *_ = xlsx.worksheets(data)
    return load().head(200)


def _xlsxwriter_book(ids, value: float) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    ws = book.add_worksheet()
    for i, fid in enumerate(ids):
        fmt = book.add_format()
        fmt.set_num_format(fid)  # an index: xlsxwriter writes numFmtId alone, no numFmt element
        ws.write_number(i, 0, fid)
        ws.write_number(i, 1, value, fmt)
    book.close()
    return buf.getvalue()


def test_xlsxwriter_builtin_ids_read_as_dates():
    data = _xlsxwriter_book(EAST_ASIAN_IDS, SERIAL)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        styles = zf.read("xl/styles.xml").decode()
    assert 'numFmtId="31"' in styles and "<numFmt " not in styles  # the built-in id, as Excel saves it
    assert [r[1] for r in _grid_rows(data)] == [DAY] * len(EAST_ASIAN_IDS)
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    values = [r[1] for r in book.get_sheet_by_index(0).to_python()]
    assert values == [dt.date(2026, 11, 20)] * len(EAST_ASIAN_IDS)  # calamine agrees


def test_time_formats_read_as_the_other_time_formats(tmp_path):
    """32-35 and 55-56 are times in zh-CN (h"时"mm"分"): a serial with a time reads as date and time, as id 20
    (h:mm) does; a time alone is left to calamine (as for id 20), which makes a time of it."""
    ids = (20, 32, 33, 34, 35, 55, 56)
    rows = _grid_rows(_xlsxwriter_book(ids, SERIAL + 0.5))
    assert [r[1] for r in rows] == ["2026-11-20 12:00:00"] * len(ids)
    path = tmp_path / "times.xlsx"
    path.write_bytes(_xlsxwriter_book(ids, 0.75))
    with pytest.raises(xlsx.NotFast, match="a time without a date"):
        _grid_rows(path.read_bytes())
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    assert {r[1] for r in book.get_sheet_by_index(0).to_python()} == {dt.time(18, 0)}


def test_numbers_beside_them_stay_numbers():
    """The ids around the East Asian ranges are numbers (37-44 accounting, 48-49), not dates."""
    ids = (0, 1, 2, 37, 38, 39, 40, 48, 49)
    assert [r[1] for r in _grid_rows(_xlsxwriter_book(ids, SERIAL))] == [str(SERIAL)] * len(ids)


def test_openpyxl_builtin_ids(tmp_path):
    wb = Workbook()
    ws = wb.active
    for i, fid in enumerate(EAST_ASIAN_IDS, start=1):
        cell = ws.cell(row=i, column=1, value=SERIAL)
        cell.number_format = 'yyyy"年"m"月"d"日"'
        cell._style.numFmtId = fid  # the built-in id alone (openpyxl would add a custom format otherwise)
    path = tmp_path / "openpyxl.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        assert f'numFmtId="{EAST_ASIAN_IDS[0]}"' in zf.read("xl/styles.xml").decode()
    assert [r[0] for r in _grid_rows(path.read_bytes())] == [DAY] * len(EAST_ASIAN_IDS)
    assert_cells_same(path)


_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def hand_built(cells: str, xfs: list[int], after: str = "") -> bytes:
    """A workbook as WPS writes one: cellXfs naming built-in ids, no numFmts; `cells` the rows of sheetData,
    `after` what follows it (mergeCells). calamine and our reader find xl/styles.xml by its name."""
    styles = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet {_NS}>'
        '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border/></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">'
        + "".join(f'<xf numFmtId="{i}" fontId="0" fillId="0" borderId="0" xfId="0"/>' for i in xfs)
        + "</cellXfs></styleSheet>"
    )
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><sheetData>{cells}</sheetData>{after}</worksheet>'
    return handmade_xlsx(sheet, extra_parts={"xl/styles.xml": styles.encode()})


def test_hand_built_xml(tmp_path):
    xfs = [0, *EAST_ASIAN_IDS]
    cells = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{fid}</t></is></c><c r="B{n}" s="{n}"><v>{SERIAL}</v></c>'
        "</row>"
        for n, fid in enumerate(EAST_ASIAN_IDS, start=1)
    )
    data = hand_built(cells, xfs)
    assert [r[1] for r in _grid_rows(data)] == [DAY] * len(EAST_ASIAN_IDS)
    path = tmp_path / "wps.xlsx"
    path.write_bytes(data)
    assert_cells_same(path)


def test_style_kinds():
    data = hand_built("", [0, 14, 26, 27, 36, 37, 46, 49, 50, 58, 59])
    kinds = style_kinds(Package(data)).tolist()
    assert kinds == [NUMBER, DATE, NUMBER, DATE, DATE, NUMBER, DURATION, NUMBER, DATE, DATE, NUMBER]


def _penalty_workbook(path: Path) -> Path:
    """A 行政处罚 sheet as Chinese Excel saves it: dates in yyyy"年"m"月"d"日" (31) and m"月"d"日" (58)."""
    fields = dataset("xzcf").fields
    row = base_row("xzcf")
    book = xlsxwriter.Workbook(path)
    ws = book.add_worksheet("行政处罚")
    long_date, short_date = book.add_format({"num_format": 31}), book.add_format({"num_format": 58})
    ws.write_row(0, 0, [f.header for f in fields])
    for col, f in enumerate(fields):
        value = row.get(f.key)
        if value is None:
            continue
        if f.type == "date":
            day = dt.date.fromisoformat(value)
            serial = (day - dt.date(1899, 12, 30)).days
            ws.write_number(1, col, serial, short_date if f.key == "decision_date" else long_date)
        else:
            ws.write_string(1, col, value)
    book.close()
    return path


def test_credit_check_sees_the_dates(tmp_path):
    path = _penalty_workbook(tmp_path / "处罚.xlsx")
    (sheet,) = assert_same(path)  # our reader and calamine give the same sheet
    row = base_row("xzcf")
    dates = [f.key for f in dataset("xzcf").fields if f.type == "date" and row.get(f.key)]
    assert len(dates) >= 3
    for key in dates:
        assert sheet.raw[key].tolist() == [row[key]], key
    (collected,) = read_unit_file(path, max_rows=100).sheets  # as collect reads it, in a reader process
    assert collected.raw[dates].values.tolist() == [[row[k] for k in dates]]
    doc, code = run_check(path, UNIT, REPORT_DATE)
    assert (code, doc["rows"], doc["valid"]) == (0, 1, 1), doc
