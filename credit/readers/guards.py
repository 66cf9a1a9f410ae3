"""Checks made before a delivered file is parsed: what is absurd is refused with a reason, never opened.

- not a regular file (a FIFO would block the reader forever, a device never ends), or larger than
  MAX_FILE_BYTES: refused on `stat`, before a byte is read;
- .xlsx/.xlsm (a zip, or one named .xls): too many members, a member or the whole unpacking larger than
  the caps, a compression ratio only a zip bomb has, sizes that contradict the member's header; a package
  two readers could read differently, or whose shared strings declare an absurd count (`ooxml_guard`);
- .xls (an OLE compound file): declared sizes, chains and extents the Excel engine trusts (`xls_guard`);
- a worksheet whose cells span an absurd rectangle (one cell in A1 and one in XFD1048576 is a 1 KB file
  that makes calamine allocate 512 GiB and abort the whole process): `check_sheet_extents` streams its XML,
  never held, and bounds the rectangle before calamine or openpyxl reads the workbook (our own .xlsx reader
  measures the sheets it parses itself, see credit.readers.excel); one whose zip data do not inflate, or
  whose XML does not parse where it had to be measured, is refused as damaged;
- a CSV holding NUL bytes (a binary file, or UTF-16 without its BOM) says so instead of "unknown encoding".
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import stat
import zipfile
from collections.abc import Collection, Iterator
from pathlib import Path
from xml.etree.ElementTree import ParseError, iterparse

from credit.readers import ooxml_guard, xls_guard
from credit.readers.base import UnreadableFile
from credit.readers.ooxml_guard import dtd_found, has_dtd, part_key
from credit.readers.refusals import (
    INFLATE_ERRORS,
    MAX_SHEET_CELLS,
    bomb,
    damaged,
    malformed,
    mib,
    sheet_too_large,
)

MAX_FILE_BYTES = 1 << 30  # 1 GiB: a million records of the widest dataset stay well below
MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 1 << 30  # one part of an xlsx, unpacked
MAX_UNPACKED_BYTES = 2 << 30  # all parts of an xlsx, unpacked
_CHUNK = 8 << 20
# The workbook, its relationships and [Content_Types].xml take a few KiB (10,000 sheets: 1 MiB); past this
# their sheets are not looked up, every part that may be one is bounded instead.
_MAX_INDEX_BYTES = 16 << 20
# Where worksheets live: every part there is bounded, named by the workbook or not (as it always was).
_WORKSHEETS = "xl/worksheets/"
# A relationship's target as written: calamine's XML parser reads relationships ours refuses.
_TARGET = re.compile(rb"""\bTarget\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_WORKBOOK = "xl/workbook.xml"
# openpyxl finds the workbook part from [Content_Types].xml instead.
_WORKBOOK_TYPES = frozenset(
    f"application/vnd.{kind}.main+xml"
    for kind in (
        "openxmlformats-officedocument.spreadsheetml.sheet",
        "openxmlformats-officedocument.spreadsheetml.template",
        "ms-excel.sheet.macroEnabled",
        "ms-excel.template.macroEnabled",
    )
)
# Any `r="AB12"` counts, not only a cell's: a stray match can only raise the bound (the exact measurement
# below settles it), and the literal start makes this scan 4x faster than one anchored on `<c`.
_COLUMNS = re.compile(rb'r="([A-Z]{2,3})[0-9]')
_CELL_NO_REF = re.compile(rb"<c(?:>|/>|\s(?![^>]*\br=)[^>]*>)")
# Cells whose first attribute is not r: the only places where a cell without a position can start.
_CELL_NOT_R_FIRST = re.compile(rb'<c(?:>|/>|\s(?!r="))')
_MAX_CANDIDATES = 1_000  # beyond this, one full search of the block is cheaper
_REF = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")


def check_path(path: Path) -> int:
    """The file's size; refuses what is not a regular file or is too large to read."""
    try:
        st = path.stat()
    except OSError as exc:
        raise UnreadableFile("文件无法打开", f"cannot open the file: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFile(
            "不是普通文件（文件夹、管道或设备），不读取", "not a regular file (a folder, pipe or device)"
        )
    if st.st_size > MAX_FILE_BYTES:
        raise UnreadableFile(
            f"文件过大（{mib(st.st_size)}，上限{mib(MAX_FILE_BYTES)}），请拆分后再报送",
            f"the file is too large ({mib(st.st_size)}; the limit is {mib(MAX_FILE_BYTES)}); split it",
        )
    return st.st_size


def check_content(data: bytes, suffix: str, *, sheets: bool = True) -> None:
    """Refuses content that would exhaust memory or mislead the reader; silent for ordinary files.

    `sheets=False` leaves out the worksheet scan (`check_sheet_extents`), the one check that inflates parts:
    for a caller that reads the workbook with `credit.readers.excel.read_workbook`, which runs it itself
    wherever an engine would allocate a worksheet's rectangle."""
    # (.xls too: calamine reads a zip package by its content, whatever the name says.)
    excel = suffix in (".xlsx", ".xlsm", ".xls")
    if excel:
        ooxml_guard.check_container(data)
    if data.startswith(b"PK\x03\x04") and excel:
        _check_zip(data)
        if sheets:
            check_sheet_extents(data)
    elif excel and data.startswith(xls_guard.OLE_SIGNATURE):
        xls_guard.check_xls(data)
    elif (
        suffix == ".csv"
        and not data.startswith((b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))
        and b"\x00" in data
    ):
        raise UnreadableFile(
            "文件含有NUL空字节，不是文本CSV（可能是二进制文件或不带BOM的UTF-16）；请另存为UTF-8编码的CSV",
            "the file holds NUL bytes: no text encoding (binary, or UTF-16 without a BOM); save it as UTF-8 CSV",
        )


def _check_zip(data: bytes) -> None:
    try:
        # Refused here when zipfile cannot open it: the Excel engine's zip reader is more lenient than zipfile,
        # and reads what no guard has looked at.
        zf = ooxml_guard.open_bounded(
            data, members=MAX_MEMBERS, member_bytes=MAX_MEMBER_BYTES, total_bytes=MAX_UNPACKED_BYTES
        )
    except ooxml_guard.ZipUnreadable as exc:
        raise damaged(exc.cause) from None
    except ooxml_guard.ZipOutOfBounds as exc:
        raise bomb(exc.zh, exc.en) from None
    with zf:
        total = sum(info.file_size for info in zf.infolist())
        ooxml_guard.check_shared_string_counts(zf, total, _PART_ERRORS)


def check_sheet_extents(data: bytes, *, bounded: Collection[int] | None = None) -> None:
    """Refuses a workbook one of whose worksheets spans more than MAX_SHEET_CELLS cells, or whose worksheet
    data do not inflate, or one of whose XML parts holds a DTD. Every part a reader may take for a worksheet
    is streamed (`worksheet_parts`) but those in `bounded` (their zip header offsets): parts the caller
    measures (and looks at for a DTD) itself as it parses them. Without `bounded` (calamine or openpyxl reads
    the workbook) every other XML part is streamed for a DTD too."""
    if not data.startswith(b"PK\x03\x04"):
        return
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return  # the Excel engine says it is damaged, in its words
    with zf:
        sheets = worksheet_parts(zf)
        for info in sheets:
            if bounded is None or info.header_offset not in bounded:
                _check_sheet(zf, info)
        if bounded is None:
            streamed = {info.header_offset for info in sheets}
            for info in zf.infolist():
                key = part_key(info.filename)
                if info.header_offset not in streamed and key.endswith((".xml", ".rels")):
                    _check_dtd(zf, info)


def worksheet_parts(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The parts a reader may read as a worksheet, in zip order: every part in the main document's
    worksheets/ folder, and the sheets the workbook's relationships name, resolved as calamine and our reader
    resolve them (from the folder of the main document `_rels/.rels` names: xl/ as a rule, calamine follows any)
    and as openpyxl does (from the workbook part [Content_Types].xml names), wherever they are. If a workbook or
    its relationships do not parse, every target the relationships hold and every .xml part under the folder
    whose name says sheet. Names are compared without case (and `\\` as `/`), as calamine compares them;
    resolving a target several ways only bounds more parts."""
    infos = zf.infolist()
    names: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        names.setdefault(part_key(info.filename), info)
    folders = ooxml_guard.main_folders(zf, names, _PART_ERRORS)
    wanted = {
        n for n in names for f in folders if n.startswith(f"{f}worksheets/") and not n.endswith(".rels")
    }
    workbooks = {f"{f}workbook.xml": f for f in folders}
    main = _main_part(zf, names)
    if main is not None:
        workbooks.setdefault(main, posixpath.dirname(main) + "/" if "/" in main else "")
    readable = True
    for workbook, folder in workbooks.items():
        targets, exact = _sheet_targets(zf, names, workbook)
        readable = readable and exact
        for target in targets:
            resolved = (
                calamine_part(target),
                target.lstrip("/"),
                f"{folder}{target}",
                _opc_path(workbook, target),
            )
            wanted.update(part_key(p) for r in resolved for p in (r, posixpath.normpath(r)))
    if not readable:
        wanted.update(
            n
            for n in names
            for f in folders
            if n.startswith(f)
            and n.endswith(".xml")
            and "/_rels/" not in n
            and "sheet" in n.rsplit("/", 1)[-1]
        )
    return [info for info in infos if part_key(info.filename) in wanted]


def calamine_part(target: str) -> str:
    """The part a workbook relationship's target names, resolved as calamine resolves it (our reader too)."""
    if target.startswith("/xl/"):
        return target[1:]
    return target if target.startswith("xl/") else f"xl/{target}"


def _opc_path(source: str, target: str) -> str:
    """A relationship's target as openpyxl resolves it: from the package root, or beside its source part."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _elements(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[tuple[str, dict[str, str]]]:
    """(local name, attributes by local name) of each element of a package part, streamed and let go."""
    if info.file_size > _MAX_INDEX_BYTES:
        raise ValueError("too large to look into")
    with zf.open(info) as fh:
        for event, el in iterparse(fh, events=("start", "end")):
            if event == "end":
                el.clear()
            else:
                yield el.tag.rsplit("}", 1)[-1], {k.rsplit("}", 1)[-1]: v for k, v in el.attrib.items()}


# What reading a damaged or malformed part may raise (see _check_sheet for the last three).
_PART_ERRORS = (*INFLATE_ERRORS, ParseError, OSError, ValueError, NotImplementedError, RuntimeError)


def _main_part(zf: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> str | None:
    """The workbook part [Content_Types].xml names (openpyxl reads that one), None if it names none."""
    info = names.get("[content_types].xml")
    if info is None:
        return None
    try:
        for tag, attrs in _elements(zf, info):
            if tag == "Override" and attrs.get("ContentType") in _WORKBOOK_TYPES:
                return attrs.get("PartName", "").lstrip("/").lower() or None
    except _PART_ERRORS:
        return None
    return None


def _sheet_targets(
    zf: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], workbook: str
) -> tuple[list[str], bool]:
    """(targets, exact): the relationship targets of the workbook's sheets, exact if the workbook and its
    relationships parse; else every target the relationships hold (calamine's parser is more lenient than
    ours), as far as they can be read."""
    folder, file = posixpath.split(workbook)
    wb, rels = (
        names.get(workbook.lower()),
        names.get(posixpath.join(folder, "_rels", f"{file}.rels").lower()),
    )
    if wb is None or rels is None or rels.file_size > _MAX_INDEX_BYTES:
        return [], False
    try:
        raw = zf.read(rels)
    except _PART_ERRORS:
        return [], False
    # calamine takes a target as written, openpyxl unescaped: an escaped one may name either part.
    written = [(m[1] if m[1] is not None else m[2]).decode("utf-8", "replace") for m in _TARGET.finditer(raw)]
    every = [*written, *(html.unescape(t) for t in written)]
    try:
        ids = [v for tag, attrs in _elements(zf, wb) if tag == "sheet" for k, v in attrs.items() if k == "id"]
        targets = {}
        for _, el in iterparse(io.BytesIO(raw), events=("start",)):
            if el.tag.rsplit("}", 1)[-1] == "Relationship":
                targets[el.get("Id")] = el.get("Target", "")
    except _PART_ERRORS:
        return every, False
    return [targets[i] for i in ids if i in targets] + (every if b"&" in raw else []), True


def _check_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Bound the rectangle the worksheet's cells span, streaming its XML (cheap: a few C-speed scans)."""
    digits, columns, no_ref, tail = 1, set(), False, b""
    try:
        with zf.open(info) as fh:
            while block := fh.read(_CHUNK):
                chunk = tail + block
                # The longest row number written anywhere: one scan for a longer one than known so far.
                # No leading \b: the engine can then jump to the literal `r="` (7x faster); a stray match
                # only raises the bound, which the exact measurement below settles.
                if digits < 7 and re.search(rb'r="[A-Z]{0,3}[0-9]{%d,7}"' % (digits + 1), chunk):
                    for k in range(7, digits, -1):
                        if re.search(rb'r="[A-Z]{0,3}[0-9]{%d}"' % k, chunk):
                            digits = k
                            break
                columns.update(_COLUMNS.findall(chunk))
                no_ref = no_ref or _cell_without_ref(chunk)
                if has_dtd(chunk):
                    raise dtd_found(info.filename)
                tail = chunk[-64:]
    # (NotImplementedError: a compression method zipfile lacks; RuntimeError: a member encrypted within the zip,
    # which Excel never writes.) The stream is read to its end, so the CRC is checked too: the exact
    # measurement below re-reads a member known to inflate.
    except (*INFLATE_ERRORS, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise damaged(exc) from None
    width = max((_col_number(c.decode()) for c in columns), default=26)
    if no_ref:
        width = 16_384  # cells without a position: the engine numbers them, the width is unknown
    height = min(10**digits - 1, 1_048_576)
    if width * height <= MAX_SHEET_CELLS:
        return
    height, width = _exact_extent(zf, info)  # rare: measure instead of bounding
    if width * height > MAX_SHEET_CELLS:
        raise sheet_too_large(info.filename, height, width)


def _check_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Stream an XML part for a DTD anywhere in it (a block's last bytes carried into the next)."""
    tail = b""
    try:
        with zf.open(info) as fh:
            while block := fh.read(_CHUNK):
                if has_dtd(tail + block):
                    raise dtd_found(info.filename)
                tail = block[-16:]
    except (*INFLATE_ERRORS, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise damaged(exc) from None


def _cell_without_ref(chunk: bytes) -> bool:
    """Whether a cell tag in the block has no r= attribute (looked at only where r is not written first)."""
    for n, m in enumerate(_CELL_NOT_R_FIRST.finditer(chunk)):
        if n >= _MAX_CANDIDATES:
            return _CELL_NO_REF.search(chunk, m.start()) is not None
        if _CELL_NO_REF.match(chunk, m.start()):
            return True
    return False


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _exact_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """(rows, columns) as the Excel engine would place the cells, numbering the unnumbered in order."""
    max_row = max_col = 0
    row = 0
    col = 0
    try:
        with zf.open(info) as fh:
            for event, el in iterparse(fh, events=("start", "end")):
                tag = el.tag.rsplit("}", 1)[-1]
                if event == "end":
                    if tag == "row":
                        el.clear()
                elif tag == "row":
                    r = el.get("r")
                    row = int(r) if r and r.isdigit() else row + 1
                    col = 0
                elif tag == "c":
                    m = _REF.match(el.get("r") or "")
                    if m:
                        col, cell_row = _col_number(m.group(1)), int(m.group(2))
                    else:
                        col, cell_row = col + 1, row
                    max_row, max_col = max(max_row, cell_row), max(max_col, col)
    except ParseError as exc:
        # Cells already read past the limit are what the engine would choke on (and what our reader, which
        # stops at </sheetData>, reports): the rectangle is the reason. Otherwise the XML itself is.
        if max_row * max_col <= MAX_SHEET_CELLS:
            raise malformed(info.filename, exc) from None
    return max_row, max_col
