"""The default Excel reader (our own parser, calamine for what it declines) gives what calamine gives on these
workbooks (the differences between the two, on others, are in tests/test_xlsx_corpus.py).

Real files only: workbooks written here by xlsxwriter (laid out as Excel and WPS save them), by openpyxl (as
the other tests and the generator write them) and by hand where neither writer can (phonetic runs). Each is read
with engine="auto" and engine="calamine" and the Sheets compared; the value-rich ones also cell by cell against
python_calamine.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import python_calamine
import xlsxwriter

from credit.readers import ENGINES, Sheet, UnreadableFile, excel, guards, read_file, xlsx
from credit.readers.xlsx import package
from credit.standard import dataset
from samples.generator import generate_day, generate_records, write_frame
from tests import test_readers as reader_tests
from tests.reliability import hostile
from tests.reliability.hostile import KINDS
from tests.rows import write_xlsx, xzcf_row

CF, XK = dataset("xzcf"), dataset("xzxk")
G3, XK_HEADERS = [f.header for f in CF.fields], [f.header for f in XK.fields]


# --- comparing the engines ---------------------------------------------------------------------------------
def _read(path: Path, engine: str) -> list[Sheet] | UnreadableFile:
    try:
        return read_file(path, engine=engine)
    except UnreadableFile as exc:  # a refusal with a reason for the clerk; any other error fails the test
        return exc


def assert_same(path: Path) -> list[Sheet] | UnreadableFile:
    """read_file's result with the default engine, checked equal to calamine's (sheets, or the same refusal)."""
    fast, slow = _read(path, "auto"), _read(path, "calamine")
    if isinstance(slow, UnreadableFile):
        assert isinstance(fast, UnreadableFile), fast
        assert (fast.reason_zh, fast.reason_en) == (slow.reason_zh, slow.reason_en)
        return fast
    assert not isinstance(fast, Exception), fast
    assert [s.sheet for s in fast] == [s.sheet for s in slow]
    for a, b in zip(fast, slow, strict=True):
        assert _about(a) == _about(b)
        pd.testing.assert_frame_equal(a.raw, b.raw)
        pd.testing.assert_frame_equal(a.data, b.data)
    return fast


def _about(sheet: Sheet) -> tuple:
    return sheet.dataset, sheet.header_row, sheet.columns, sheet.notes, sheet.encoding


def assert_cells_same(path: Path) -> None:
    """Every cell of every visible worksheet as our parser reads it, and as `cell_text` writes calamine's."""
    data = path.read_bytes()
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = [(name, load) for name, hidden, load in xlsx.worksheets(data) if not hidden]
    assert sheets
    for name, load in sheets:
        grid = load()
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        want = [[excel.cell_text(v) for v in r] for r in rows]
        got = [[None] * grid.width for _ in range(grid.nrows)]
        for pos in range(grid.width):
            for r, text in enumerate(grid.column(pos, 0).to_pylist()):
                got[r][pos] = text or None
        assert _trimmed(got) == _trimmed(want), name


def _trimmed(rows: list[list[str | None]]) -> list[list[str | None]]:
    """Rows without trailing blanks, and without trailing blank rows (the grids' extents may differ)."""
    out = [list(r) for r in rows]
    for r in out:
        while r and r[-1] is None:
            r.pop()
    while out and not out[-1]:
        out.pop()
    return out


@pytest.fixture
def calamine_reads(monkeypatch) -> list[bytes]:
    """The workbooks calamine is asked to read (a fallback of the default engine appends one)."""
    calls: list[bytes] = []
    real = excel._sheets_calamine

    def counted(data: bytes):
        calls.append(data)
        return real(data)

    monkeypatch.setattr(excel, "_sheets_calamine", counted)
    return calls


# --- workbooks as Excel saves them (xlsxwriter) ------------------------------------------------------------
def _probes(book) -> list[tuple[str, object, object]]:
    """(writer method, value, format) for one value each: text, numbers, dates, booleans, formulas."""
    fmt = {f: book.add_format({"num_format": f}) for f in ("yyyy-mm-dd", "yyyy/mm/dd", "0.00", "@")}
    cn = book.add_format({"num_format": 'yyyy"年"m"月"d"日"'})
    wps = book.add_format({"num_format": '[$-804]yyyy"年"m"月"d"日"'})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    builtin14, builtin22 = book.add_format({"num_format": 14}), book.add_format({"num_format": 22})
    texts = [
        "雷州市某某食品有限公司",
        " 前后有空格 ",
        "a&b<c>\"d'e",
        "_x000D_ 照写",
        "回车\r换行\n制表\t",
        "全角\u3000空格",
        "😀𠀀",
        "9.1350800MA4X2XXXX",
        "0012",
        "1e5",
        "TRUE",
        "&amp; 照写",
        "长" * 300,
    ]
    numbers = [12, 12.5, 0.1 + 0.2, 1e-7, 1e21, 1e20, 9.13508e17, 123456789012345678, -0.0, 2**53, 1 / 3]
    day, stamp_value = dt.date(2023, 10, 1), dt.datetime(2024, 2, 29, 13, 45, 30)
    return [
        *(("write_string", t, None) for t in texts),
        *(("write_number", n, None) for n in numbers),
        ("write_number", 45566, fmt["0.00"]),
        ("write_number", 45566.5, fmt["@"]),
        ("write_datetime", day, fmt["yyyy-mm-dd"]),
        ("write_datetime", day, fmt["yyyy/mm/dd"]),
        ("write_datetime", day, cn),
        ("write_datetime", day, wps),
        ("write_datetime", day, builtin14),
        ("write_datetime", stamp_value, builtin22),
        ("write_datetime", stamp_value, stamp),
        ("write_number", 45566.9999999, fmt["yyyy-mm-dd"]),
        ("write_boolean", True, None),
        ("write_boolean", False, None),
        ("write_formula", ("=1+1", 2), None),
        ("write_formula", ('="甲"&"乙"', "甲乙"), None),
        ("write_formula", ("=TODAY()", 45566), fmt["yyyy-mm-dd"]),
        ("write_formula", ('=A2&""', "123"), None),
        ("write_formula", ("=1=1", True), None),
        ("write_formula", ('=" 空格 "', " 空格 "), None),
    ]


def _write_probe(sheet, row: int, col: int, method: str, value, fmt) -> None:
    if method == "write_formula":
        formula, cached = value
        sheet.write_formula(row, col, formula, fmt, cached)
    else:
        getattr(sheet, method)(row, col, value, *([fmt] if fmt else []))


def _values_sheet(book, name: str = "处罚") -> None:
    """G3 headers, then a row per probe with the probe in every column; rich text, styled blanks and missing
    cells in the middle and at the end of rows."""
    sheet = book.add_worksheet(name)
    sheet.write_row(0, 0, G3)
    probes = _probes(book)
    for r, (method, value, fmt) in enumerate(probes, start=1):
        for c in range(len(G3)):
            _write_probe(sheet, r, c, method, value, fmt)
    bold, red = book.add_format({"bold": True}), book.add_format({"color": "red"})
    r = len(probes) + 1
    sheet.write_rich_string(r, 0, "普通", bold, "粗体", " 与 ", red, "红色 ")
    sheet.write_rich_string(r, 1, bold, " 前导", "尾随 ")
    sheet.write_blank(r, 2, None, bold)  # a styled cell without a value
    sheet.write_string(r, 5, "中间有缺")  # D..E missing, and everything after F
    sheet.write_string(r + 1, len(G3) - 1, "只有最后一列")


def _xlsxwriter(path: Path, fill, **options) -> Path:
    with xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, **options}) as book:
        fill(book)
    return path


def _layout(book) -> None:
    """A title merged above the header, 处罚 and 许可 data, a hidden copy, an instructions sheet, an empty one."""
    title = book.add_format({"bold": True, "align": "center"})
    xk = book.add_worksheet("许可")
    xk.write_row(0, 0, XK_HEADERS)
    xk.write_row(1, 0, [f"许可{i}" for i in range(len(XK_HEADERS))])
    cf = book.add_worksheet("处罚")
    cf.merge_range(0, 0, 0, len(G3) - 1, "雷州市行政处罚信息报送表", title)
    cf.write_row(1, 0, G3)
    for r in range(2, 6):
        row = xzcf_row(n=r)
        for c, header in enumerate(G3):
            if row.get(header) and (r + c) % 7:  # some cells missing
                cf.write_string(r, c, row[header])
    hidden = book.add_worksheet("旧数据")
    hidden.write_row(0, 0, G3)
    hidden.hide()
    book.add_worksheet("填报说明").write(0, 0, "填报说明：日期格式为YYYY/MM/DD")
    book.add_worksheet("空表")


def test_values_as_excel_saves_them(tmp_path):
    path = _xlsxwriter(tmp_path / "values.xlsx", _values_sheet)
    assert b"sharedStrings" in path.read_bytes()
    assert_cells_same(path)
    (sheet,) = assert_same(path)
    written = set(sheet.raw["counterpart_name"].dropna())
    assert {"12", "0.3", "1000000000000000000000", "0.0000001", "913508000000000000"} <= written
    assert {"2023-10-01", "2024-02-29 13:45:30", "TRUE", "FALSE", "甲乙", " 空格 ", "_x000D_ 照写"} <= written


def test_values_as_inline_strings(tmp_path):
    path = _xlsxwriter(tmp_path / "inline.xlsx", _values_sheet, constant_memory=True)
    assert b"sharedStrings" not in path.read_bytes()
    assert_cells_same(path)
    assert_same(path)


def test_layout_of_sheets(tmp_path):
    path = _xlsxwriter(tmp_path / "layout.xlsx", _layout)
    sheets = assert_same(path)
    assert [(s.sheet, s.dataset, s.header_row) for s in sheets] == [("许可", "xzxk", 1), ("处罚", "xzcf", 2)]
    assert any("旧数据" in n for n in sheets[0].notes) and any("填报说明" in n for n in sheets[0].notes)


def _with_phonetics(path: Path) -> Path:
    """The workbook with phonetic runs (Japanese and Chinese Excel add them) in its shared strings."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    sst = parts["xl/sharedStrings.xml"].decode()
    sst = sst.replace(
        "<t>雷州市某某食品有限公司</t></si>",
        '<t>雷州市某某食品有限公司</t><rPh sb="0" eb="3"><t>レイシュウ</t></rPh>'
        '<phoneticPr fontId="1" type="noConversion"/></si>',
    )
    sst = re.sub("(<t>[^<]*</t>)</si>", r'\1<phoneticPr fontId="1" type="noConversion"/></si>', sst, count=5)
    parts["xl/sharedStrings.xml"] = sst.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_phonetic_runs_are_left_out(tmp_path, calamine_reads):
    path = _with_phonetics(_xlsxwriter(tmp_path / "ph.xlsx", _values_sheet))
    assert b"<rPh" in zipfile.ZipFile(path).read("xl/sharedStrings.xml")
    (sheet,) = assert_same(path)
    assert len(calamine_reads) == 1  # only the comparison: the default engine read it itself
    assert sheet.raw.loc[2, "counterpart_name"] == "雷州市某某食品有限公司"
    assert_cells_same(path)


def test_the_default_engine_reads_a_plain_workbook_itself(tmp_path, monkeypatch):
    path = _xlsxwriter(tmp_path / "plain.xlsx", _layout)
    want = read_file(path, engine="calamine")

    def refuse(data):
        raise AssertionError("calamine was asked to read the workbook")

    monkeypatch.setattr(excel, "_sheets_calamine", refuse)
    got = read_file(path)
    for a, b in zip(got, want, strict=True):
        pd.testing.assert_frame_equal(a.data, b.data)
    assert "auto" in ENGINES and "calamine" in ENGINES and "openpyxl" in ENGINES


# --- what the parser declines: calamine reads the whole workbook -------------------------------------------
def _declined(book, what: str) -> None:
    _values_sheet(book)
    sheet = book.worksheets()[0]
    if what == "error":
        sheet.write_formula(3, 2, "=1/0", None, "#DIV/0!")
    elif what == "duration":
        sheet.write_number(3, 2, 1.5, book.add_format({"num_format": "[h]:mm"}))
    elif what == "time":
        sheet.write_number(3, 2, 0.5, book.add_format({"num_format": "h:mm"}))


@pytest.mark.parametrize("what", ["1904", "error", "duration", "time"])
def test_what_the_parser_declines_is_read_by_calamine(tmp_path, calamine_reads, what):
    options = {"date_1904": True} if what == "1904" else {}
    path = _xlsxwriter(tmp_path / f"{what}.xlsx", lambda book: _declined(book, what), **options)
    read_file(path)
    assert len(calamine_reads) == 1
    assert_same(path)
    with pytest.raises(xlsx.NotFast):
        for _, hidden, load in xlsx.worksheets(path.read_bytes()):
            if not hidden:
                load()


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"])
def test_a_part_too_large_to_inflate_whole_is_left_to_calamine(tmp_path, monkeypatch, calamine_reads, part):
    path = _xlsxwriter(tmp_path / "large.xlsx", _values_sheet)
    monkeypatch.setattr(package, "MAX_FAST_PART_BYTES", zipfile.ZipFile(path).getinfo(part).file_size - 1)
    inflated: list[str] = []
    read_part = package.Package.read
    monkeypatch.setattr(
        package.Package, "read", lambda pkg, name: inflated.append(name) or read_part(pkg, name)
    )
    with pytest.raises(xlsx.NotFast, match=re.escape(part)):
        list(xlsx.worksheets(path.read_bytes()))
    assert part not in inflated  # declined from the sizes the zip directory declares
    read_file(path)
    assert len(calamine_reads) == 1
    assert_same(path)


def test_unknown_engine():
    with pytest.raises(ValueError, match="auto"):
        excel.read_workbook(b"PK\x03\x04", max_rows=1, engine="xlrd")


# --- the workbooks the other tests and the generator write (openpyxl) --------------------------------------
def _reader_suite_books(folder: Path) -> list[Path]:
    """The workbooks of tests/test_readers.py, built with its own helpers."""
    grid, write = reader_tests._grid, reader_tests._write_xlsx
    variants = {
        v: grid(reader_tests._variant(v), CF.keys, title_rows=int(v == "g3")) for v in reader_tests.VARIANTS
    }
    books = [write(folder / f"{v}.xlsx", {"处罚": g}) for v, g in variants.items()]
    titled = grid(G3, CF.keys, title_rows=3)
    titled.insert(5, [""] * len(G3))
    dated, at = grid(G3, CF.keys), CF.keys.index  # as test_excel_cells_dates_numbers_and_engines
    typed = {
        "decision_date": dt.date(2023, 10, 1),
        "penalty_valid_until": dt.datetime(2024, 10, 1),
        "publicity_end_date": 45566,
        "fine_wan": 0.5,
        "legal_rep_id_type": 1,
    }
    for key, value in typed.items():
        dated[1][at(key)] = value
    dated[2][at("decision_date")] = 20231002
    missing = [k for k in CF.keys if k not in ("decision_date", "authority_uscc")]
    books += [
        write(folder / "titled.xlsx", {"S": titled}),
        write(folder / "dated.xlsx", {"S": dated}),
        write(folder / "header_only.xlsx", {"S": [G3]}),
        write(folder / "missing.xlsx", {"处罚": grid([CF.field(k).header for k in missing], missing)}),
        write(
            folder / "sheets.xlsx",
            {"说明": [["填报说明"]], "空表": [], "处罚": grid(G3, CF.keys), "旧": grid(G3, CF.keys)},
            hidden={"旧"},
        ),
        write_xlsx(folder / "rows.xlsx", [xzcf_row(n=i) for i in range(1, 4)], title="雷州市行政处罚信息"),
    ]
    return books


def test_workbooks_of_the_reader_tests(tmp_path):
    for path in _reader_suite_books(tmp_path):
        assert_same(path)
        assert_cells_same(path)


HOSTILE = [  # tests/reliability's Excel deliveries, but the zip bombs (slow to build; the guard refuses them)
    "truncated_xlsx",
    "corrupt_xlsx_crc",
    "far_corner_cell_xlsx",
    "billion_laughs_xlsx",
    "many_zip_members_xlsx",
    "encrypted_ole_xlsx",
    "xlsm_with_macros",
    "hidden_sheet_only",
    "multiple_sheets_two_datasets",
    "two_hundred_sheets",
    "merged_header_cells",
    "formulas_and_hyperlink",
    "handmade_inline_strings_xlsx",
    "html_saved_as_xls",
    "csv_named_xlsx",
    "real_xls",
    "truncated_xls",
    "random_bytes_xlsx",
    "empty_xlsx",
]


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_workbooks(tmp_path, kind):
    assert_same(KINDS[kind][2](tmp_path))


def test_a_corrupt_zip_is_refused_with_a_reason(tmp_path):
    """Zip data that do not inflate: both engines refuse the workbook in the clerk's words (once a bare
    zlib.error escaped the content guard)."""
    refused = assert_same(KINDS["corrupt_xlsx_crc"][2](tmp_path))
    assert isinstance(refused, UnreadableFile)
    assert refused.reason_zh == "Excel文件已损坏，无法读取，请重新保存后再报送"
    assert refused.reason_en.startswith("the Excel file is damaged (its zip data does not inflate): ")


def test_generated_day(tmp_path):
    day = generate_day(tmp_path, dt.date(2025, 6, 16), formats=("xlsx",), seed=11)
    paths = sorted(tmp_path.glob("inbox/**/*.xlsx"))
    assert paths and day
    for path in paths:
        assert_same(path)
        assert_cells_same(path)


def test_generated_bulk_in_write_only_mode(tmp_path, calamine_reads):
    """openpyxl's write-only layout (the benchmark's inline-string workbook): every CJK character a
    numeric character reference."""
    frame = generate_records("xzcf", 6_000, seed=5, report_date=dt.date(2025, 6, 16))
    path = tmp_path / "bulk.xlsx"
    write_frame(frame, path, "xlsx")
    assert b"&#" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    (sheet,) = assert_same(path)
    assert len(calamine_reads) == 1 and len(sheet.data) == len(frame)


# --- worksheet extents: measured by our parser, streamed by the guard for every other way in --------------
FAR = hostile.sheet_xml([*hostile.valid_grid(2), (1048576, [None] * 16383 + ["x"])])  # A1..XFD1048576
PLAIN = hostile.sheet_xml(hostile.valid_grid(2))
EXTENT = "的单元格范围过大（1048576行×16384列，超过40000000个单元格）"
_SHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


def _package(
    path: Path,
    sheets: dict[str, str],
    *,
    hidden: dict[str, str] | None = None,
    parts: dict[str, str | None] | None = None,
) -> Path:
    """A workbook built part by part: sheets (and hidden ones) as {target in the relationships: XML}, each
    stored at xl/<target>; `parts` ({zip name: XML, or None to leave it out}) overrides any part."""
    every = {**sheets, **(hidden or {})}
    elements = "".join(
        f'<sheet name="表{i}" sheetId="{i}" r:id="rId{i}"'
        + (' state="hidden"' if target in (hidden or {}) else "")
        + "/>"
        for i, target in enumerate(every, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_SHEET_REL}" Target="{target}"/>'
        for i, target in enumerate(every, start=1)
    )
    files: dict[str, str | bytes | None] = {
        "[Content_Types].xml": hostile.CT,
        "_rels/.rels": hostile.RELS,
        "xl/workbook.xml": hostile.WB.replace('<sheet name="行政处罚" sheetId="1" r:id="rId1"/>', elements),
        "xl/_rels/workbook.xml.rels": re.sub("<Relationship .*/>", rels, hostile.WB_RELS),
        **{f"xl/{target}": xml for target, xml in every.items()},
        **(parts or {}),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            if data is not None:
                z.writestr(name, data)
    return path


@pytest.fixture
def streamed(monkeypatch) -> list[str]:
    """The worksheet parts the guard streams."""
    calls: list[str] = []
    real = guards._check_sheet

    def counted(zf, info):
        calls.append(info.filename)
        return real(zf, info)

    monkeypatch.setattr(guards, "_check_sheet", counted)
    return calls


def test_our_parser_measures_the_sheets_it_reads_and_the_guard_streams_none(
    tmp_path, streamed, calamine_reads
):
    """The default engine pays for no second pass over a sheet it parses: it measures it itself, and refuses an
    absurd one in the guard's words (the same UnreadableFile as the calamine engine)."""
    plain = _package(tmp_path / "plain.xlsx", {"worksheets/sheet1.xml": PLAIN})
    (sheet,) = read_file(plain)
    assert len(sheet.data) == 2 and streamed == [] and calamine_reads == []
    far = _package(tmp_path / "far.xlsx", {"worksheets/sheet1.xml": FAR})
    with pytest.raises(UnreadableFile) as refused:
        read_file(far)
    assert streamed == [] and calamine_reads == []
    assert refused.value.reason_zh.startswith(f"工作表“sheet1”{EXTENT}")
    # The calamine engine: streamed by the guard, refused before calamine sees it, in the same words.
    slow = _read(far, "calamine")
    assert streamed == ["xl/worksheets/sheet1.xml"] and calamine_reads == []
    assert (slow.reason_zh, slow.reason_en) == (refused.value.reason_zh, refused.value.reason_en)


def test_a_hidden_sheet_is_bounded_though_our_parser_does_not_read_it(tmp_path, streamed):
    path = _package(
        tmp_path / "hidden.xlsx", {"worksheets/sheet1.xml": PLAIN}, hidden={"worksheets/sheet2.xml": FAR}
    )
    refused = assert_same(path)
    assert isinstance(refused, UnreadableFile) and refused.reason_zh.startswith(f"工作表“sheet2”{EXTENT}")
    assert streamed[0] == "xl/worksheets/sheet2.xml"  # the default engine streamed the hidden sheet only
    streamed.clear()
    path = _package(
        tmp_path / "small.xlsx", {"worksheets/sheet1.xml": PLAIN}, hidden={"worksheets/sheet2.xml": PLAIN}
    )
    assert len(read_file(path)) == 1 and streamed == ["xl/worksheets/sheet2.xml"]


@pytest.mark.parametrize(
    "target, rels",
    [
        ("worksheets/sub/sheet1.xml", "as written"),  # the guard once looked only at xl/worksheets/*.xml
        ("data/sheet1.xml", "as written"),  # calamine reads a worksheet wherever the relationship says
        ("data/x.xml", "lenient"),  # relationships our XML parser refuses and calamine's reads
        ("data/a&amp;b.xml", "as written"),  # calamine takes the target without unescaping it
    ],
)
def test_a_worksheet_anywhere_is_bounded_for_every_engine(tmp_path, target, rels):
    extra = {}
    if rels == "lenient":  # an unbound prefix: ElementTree fails on it, calamine does not
        extra["xl/_rels/workbook.xml.rels"] = hostile.WB_RELS.replace(
            "worksheets/sheet1.xml", target
        ).replace("</Relationships>", "<foo:bar/></Relationships>")
    path = _package(tmp_path / "far.xlsx", {target: FAR}, parts=extra)
    stem = Path(target).stem
    for engine in ENGINES:
        refused = _read(path, engine)
        assert isinstance(refused, UnreadableFile), engine
        assert refused.reason_zh.startswith(f"工作表“{stem}”{EXTENT}"), (engine, refused.reason_zh)
    path = _package(tmp_path / "plain.xlsx", {target: PLAIN}, parts=extra)
    (sheet,) = assert_same(path)
    assert len(sheet.data) == 2


@pytest.mark.parametrize("rels", ["garbage", "missing", "no main document", "another main document"])
def test_package_relationships_the_engines_agree_on(tmp_path, calamine_reads, rels):
    """calamine opens no package without a _rels/.rels that parses and names its main document: our parser
    leaves any _rels/.rels but the usual one to calamine, so both engines read the file or both refuse it."""
    written = {
        "garbage": "<Relationships garbage",
        "missing": None,
        "no main document": hostile.RELS.replace("relationships/officeDocument", "relationships/other"),
        "another main document": hostile.RELS.replace("xl/workbook.xml", "xl/book.xml"),
    }[rels]
    path = _package(tmp_path / "rels.xlsx", {"worksheets/sheet1.xml": PLAIN}, parts={"_rels/.rels": written})
    with pytest.raises(xlsx.NotFast, match="package relationships"):
        list(xlsx.worksheets(path.read_bytes()))
    calamine_reads.clear()
    result = assert_same(path)
    assert calamine_reads  # the default engine left it to calamine
    if rels == "another main document":  # calamine reads xl/workbook.xml whatever _rels/.rels names
        assert len(result[0].data) == 2
    else:
        assert isinstance(result, UnreadableFile) and "无法读取Excel文件" in result.reason_zh


def test_malformed_sheet_xml_where_it_has_to_be_measured(tmp_path):
    """A far reference in a worksheet whose XML then breaks: the guard's exact measurement failed with a bare
    ParseError; now every engine refuses the file as damaged, in the clerk's words."""
    broken = PLAIN.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" <<</row></sheetData>')
    path = _package(tmp_path / "broken.xlsx", {"worksheets/sheet1.xml": broken})
    for engine in ENGINES:
        refused = _read(path, engine)
        assert isinstance(refused, UnreadableFile), engine
        assert (
            refused.reason_zh
            == "Excel文件已损坏（工作表“sheet1”的内容格式错误），无法读取，请重新保存后再报送"
        )
        assert refused.reason_en.startswith(
            "the Excel file is damaged: worksheet part 'sheet1' is not well-formed"
        )
    # Cells read past the limit before the XML breaks: the rectangle is the reason, as our parser says it.
    trailing = FAR.replace("</worksheet>", "</worksheet><junk")
    path = _package(tmp_path / "trailing.xlsx", {"worksheets/sheet1.xml": trailing})
    refused = assert_same(path)
    assert isinstance(refused, UnreadableFile) and EXTENT in refused.reason_zh
