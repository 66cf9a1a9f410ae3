"""Our .xlsx reader against python_calamine, cell by cell, on workbooks other programs wrote
(tests/data/xlsx-corpus: README.md says which program and version wrote each, make_corpus.py how).

Every worksheet (hidden ones too) must read the same in both, but for the documented differences, asserted
here explicitly: our reader decodes every `_xHHHH_` escape (calamine only _x0000_ to _x00FF_), and reads a sheet
with whole-row or whole-column merges (<mergeCell ref="A:A"/>), which calamine refuses. Workbooks with error cells
are left to calamine (the reader declines them, saying why)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import python_calamine

from credit.readers import xlsx
from credit.readers.cell_text import cell_text
from tests.test_xlsx_fast import _trimmed

CORPUS = Path(__file__).parent / "data" / "xlsx-corpus"
FILES = sorted(CORPUS.glob("*.xlsx"))
# Workbooks our reader leaves to calamine, and why: error cells; SheetJS writes xml:space on <row> and <v>, which
# the reader's tag grammar does not take.
DECLINED = {
    "xlsxwriter-errors": "an error cell",
    "openpyxl-errors": "an error cell",
    "libreoffice-errors": "an error cell",
    "sheetjs": "unexpected XML",
}
ESCAPES, WHOLE_MERGES = "hand-built-escapes", "hand-built-whole-merges"
# The table make_corpus.py writes: its first data row, by header, as a clerk reads it.
FIRST_ROW = {
    "名称": "雷州市某某贸易有限公司",
    "数量": "12",
    "金额": "0.3",
    "决定日期": "2026-11-20",
    "日期14": "2026-11-20",
    "日期31": "2026-11-20",
    "日期58": "2026-11-20",
    "中文日期": "2026-11-20",
    "时间": "2026-11-20 08:30:00",
    "布尔": "TRUE",
    "备注": "罚款5000元",
}


def ours(data: bytes) -> dict[str, list[list[str | None]]]:
    """Every worksheet as our reader gives it: rows of cell texts (None for blank), trailing blanks trimmed."""
    out = {}
    for name, _hidden, load in xlsx.worksheets(data):
        grid = load()
        rows = [[None] * grid.width for _ in range(grid.nrows)]
        for pos in range(grid.width):
            for r, text in enumerate(grid.column(pos, 0).to_pylist()):
                rows[r][pos] = text or None
        out[name] = _trimmed(rows)
    return out


def calamine(data: bytes) -> dict[str, list[list[str | None]]]:
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return {
        m.name: _trimmed(
            [
                [cell_text(v) for v in r]
                for r in book.get_sheet_by_name(m.name).to_python(skip_empty_area=False)
            ]
        )
        for m in book.sheets_metadata
    }


def test_the_corpus_is_there():
    writers = {p.stem.split("-")[0] for p in FILES}
    assert {"xlsxwriter", "openpyxl", "pandas", "libreoffice", "sheetjs", "exceljs", "hand"} <= writers
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert all(p.name in readme for p in FILES)  # each file says who wrote it
    assert all(p.stat().st_size < 20_000 for p in FILES)


@pytest.mark.parametrize(
    "path", [p for p in FILES if p.stem not in {*DECLINED, ESCAPES, WHOLE_MERGES}], ids=str
)
def test_same_cells_as_calamine(path):
    data = path.read_bytes()
    mine = ours(data)
    assert mine == calamine(data)
    assert_table(mine)


def assert_table(sheets: dict[str, list[list[str | None]]]) -> None:
    """The corpus table, where a workbook holds it: its first data row as written (the dates, Chinese date
    formats included, as dates), the blank row kept, the other sheets there."""
    if sheets.get("行政处罚", [[]])[0] == [
        "名称",
        "决定日期",
        "月日",
    ]:  # hand-built-wps: rich text, ids 31 and 58
        assert sheets == {
            "行政处罚": [["名称", "决定日期", "月日"], ["富文本 两段", "2026-11-20", "2026-11-20"]]
        }
        return
    if "行政处罚" not in sheets:
        assert set(sheets) == {"错误"}
        return
    rows = sheets["行政处罚"]
    h = next(i for i, r in enumerate(rows) if r and r[0] == "名称")
    assert h == 1 and (not rows[0] or rows[0][0].startswith("雷州市行政处罚信息"))
    row = dict(zip(rows[h], rows[h + 1], strict=False))
    assert {k: row[k] for k in FIRST_ROW if k in row} == {k: v for k, v in FIRST_ROW.items() if k in row}
    assert "决定日期" in row and "布尔" in row
    assert rows[h + 2][:3] == ["张三", "-3", "1234567.891"]
    assert "Sheet2" in sheets and sheets["Sheet2"][1] == ["1", "第二个工作表"]


@pytest.mark.parametrize("path", [CORPUS / f"{n}.xlsx" for n in sorted(DECLINED)], ids=str)
def test_declined_workbooks_are_read_by_calamine(path):
    data = path.read_bytes()
    with pytest.raises(xlsx.NotFast, match=DECLINED[path.stem]):
        ours(data)
    sheets = calamine(data)
    assert_table(sheets)
    if "错误" in sheets:  # python_calamine gives an error cell as blank
        assert sheets["错误"][1:] == [[f"公式{i}"] for i in range(1, len(sheets["错误"]))]


def test_escapes_beyond_latin1_are_decoded_by_our_reader_only():
    data = (CORPUS / f"{ESCAPES}.xlsx").read_bytes()
    (mine,) = ours(data).values()
    (theirs,) = calamine(data).values()
    assert mine == [["a\rb", "中中文", "é and Ā"]]
    assert theirs == [["a\rb", "中_x4E2D_文", "é and _x0100_"]]


def test_whole_row_and_column_merges_are_read_by_our_reader_only():
    data = (CORPUS / f"{WHOLE_MERGES}.xlsx").read_bytes()
    assert ours(data) == {"行政处罚": [["名称", "1"]]}
    with pytest.raises(python_calamine.CalamineError, match="Range is missing"):
        calamine(data)
