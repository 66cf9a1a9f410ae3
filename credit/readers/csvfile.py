"""CSV files: encoding from the bytes, header row below title rows, cells kept as text.

The body is parsed by pyarrow straight to arrow bytes. A UTF-8 file is checked as UTF-8 once, over its whole
buffer, and is never decoded into a Python string; only the header rows are. A file with blank lines or
ragged rows, which pyarrow cannot number faithfully, goes through pandas' parser instead.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from credit.readers.base import HEADER_SCAN_ROWS, Sheet, UnreadableFile
from credit.readers.build import build_sheet, too_many_rows
from credit.readers.guards import check_content
from credit.readers.headers import HeaderMatch, find_header, match_headers, merge_sub_header
from credit.readers.utf8stream import CheckedUtf8Reader, NotPlainUtf8, is_utf8, line_ends

# Tried in this order; GBK before GB18030 so that a plain GBK file says so.
ENCODINGS = ("utf-8", "gbk", "gb18030")
_HEAD_CHARS = 1 << 20  # the header scan reads this much text first
_HEAD_BYTES = 1 << 20  # … or this much of a UTF-8 file
_BLOCK = 4 << 20  # the parser's unit of work (threads) and of output chunks


def _utf16(data: bytes) -> None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(
            "文件是UTF-16编码（Excel“Unicode文本”），请另存为UTF-8编码的CSV或Excel文件",
            "the file is UTF-16 (Excel 'Unicode text'); save it as UTF-8 CSV or as an Excel workbook",
        )
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise UnreadableFile(
            "文件内容是Excel工作簿，扩展名却是.csv，请改回.xlsx/.xls扩展名",
            "the file is an Excel workbook named .csv; give it its .xlsx/.xls extension",
        )


def _unknown_encoding() -> UnreadableFile:
    return UnreadableFile(
        "无法识别文件编码：不是UTF-8、GBK或GB18030编码的文本，请另存为UTF-8编码的CSV",
        "unknown encoding: the file is not UTF-8, GBK or GB18030 text; save it as UTF-8 CSV",
    )


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) from the bytes alone; raises UnreadableFile."""
    _utf16(data)
    candidates = (("utf-8-sig",) if data.startswith(codecs.BOM_UTF8) else ()) + ENCODINGS
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text, enc
    raise _unknown_encoding()


def utf8_encoding(data: bytes) -> str | None:
    """'utf-8-sig' or 'utf-8' when `decode` would say so, without decoding (None: not UTF-8)."""
    _utf16(data)
    if b"\x00" in data or not is_utf8(data):  # UTF-8 (and GBK) put a NUL character only as a 0 byte
        return None
    return "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"


def _head_records(head: str, whole: Callable[[], str] | None) -> tuple[list[list[str]], list[int], str]:
    """The first records, the character offset just after each (a quoted cell may span lines) and the text
    they were read from: `head` (the start of the file), or `whole()` when the head holds too few records."""
    text = head
    while True:
        records, ends, consumed = [], [], 0
        lines = io.StringIO(text, newline="")

        def counting(lines=lines):
            nonlocal consumed
            for line in lines:
                consumed += len(line)
                yield line

        try:
            for row in csv.reader(counting()):
                records.append(row)
                ends.append(consumed)
                if len(records) > HEADER_SCAN_ROWS:
                    return records, ends, text
        except csv.Error as exc:
            raise UnreadableFile(
                "CSV格式错误，无法解析表头", f"malformed CSV near the header: {exc}"
            ) from None
        if whole is None or text is not head:
            return records, ends, text
        text = whole()


def _empty() -> UnreadableFile:
    return UnreadableFile("文件为空", "the file is empty")


def _locate_header(
    head: str, whole: Callable[[], str] | None
) -> tuple[list[object], HeaderMatch, int, str, int]:
    """(headers, their match, 0-based header record, the text scanned, character offset of the body)."""
    head_rows, ends, scanned = _head_records(head, whole)
    h = find_header(head_rows)
    if h is None:
        raise UnreadableFile(
            f"前{HEADER_SCAN_ROWS}行中找不到表头（行政许可或行政处罚的列名）",
            f"no header row (行政许可 or 行政处罚 column names) in the first {HEADER_SCAN_ROWS} rows",
        )
    headers = head_rows[h]
    if h + 1 < len(head_rows):
        merged = merge_sub_header(head_rows[h], head_rows[h + 1])
        if merged is not None:
            headers, h = merged, h + 1
    return headers, match_headers(headers), h, scanned, ends[h]


def _sheet(
    headers, match: HeaderMatch, h: int, columns: dict[int, object], encoding: str, max_rows: int
) -> Sheet:
    cells = {k: columns[pos] for k, pos in match.positions.items()}
    count = len(next(iter(columns.values()))) if columns else 0
    # Records, not physical lines, as a spreadsheet numbers them.
    index = range(h + 2, h + 2 + count)
    return build_sheet(
        match, headers, h + 1, cells, index, sheet=None, encoding=encoding, notes=[], max_rows=max_rows
    )


def read_csv(data: bytes, *, max_rows: int) -> Sheet:
    """A CSV file's bytes, in any accepted encoding."""
    encoding = utf8_encoding(data)
    if encoding is None:  # GBK, GB18030 or unreadable: decoded whole (the body is re-encoded anyway)
        text, encoding = decode(data)
        head, whole = text[:_HEAD_CHARS], (None if len(text) <= _HEAD_CHARS else lambda: text)
        bom = 0
    else:
        bom = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0
        # Only the start is decoded; a character cut at its end is left out by the incremental decoder.
        head = codecs.getincrementaldecoder("utf-8")().decode(data[bom : bom + _HEAD_BYTES])
        whole = None if len(data) <= bom + _HEAD_BYTES else lambda: data[bom:].decode("utf-8")
    if not head.strip() and (whole is None or not whole().strip()):
        raise _empty()
    headers, match, h, scanned, body_at = _locate_header(head, whole)
    # The body as UTF-8 bytes: a view of the file itself when it is UTF-8, re-encoded otherwise.
    if encoding.startswith("utf-8"):
        body = memoryview(data)[bom + len(scanned[:body_at].encode("utf-8")) :]
    else:
        body = memoryview(text[body_at:].encode("utf-8"))
        del text, head, whole, scanned
    usecols = sorted(set(match.positions.values()))
    columns = _parse_body(body, len(headers), usecols, max_rows)
    del body
    return _sheet(headers, match, h, columns, encoding, max_rows)


def read_csv_path(path: Path, *, max_rows: int) -> Sheet:
    """A CSV file on disk. A plain UTF-8 file is streamed to the parser and never held whole; any other
    file, and any file the streamed reading finds unusual, is read by `read_csv` (whose verdict counts)."""
    sheet = read_csv_streamed(path, max_rows=max_rows)
    return sheet if sheet is not None else read_csv_whole(path, max_rows=max_rows)


def read_csv_streamed(path: Path, *, max_rows: int) -> Sheet | None:
    """A plain UTF-8 CSV, streamed; None for any other file or anything unusual (`read_csv_whole` reads it).

    This path is bounded before its native parser goes far: the file is at most MAX_FILE_BYTES (checked by the
    caller), every block is checked as UTF-8 before the parser sees it, lines beyond twice the row limit stop
    it, the first ragged or blank row stops it, a row beyond one block stops it, and only the columns the
    dataset maps are kept."""
    try:
        headers, match, h, columns, encoding = _read_streamed(
            path, max_lines=2 * max_rows + HEADER_SCAN_ROWS + 2
        )
    except (NotPlainUtf8, UnreadableFile, OSError):
        return None
    return _sheet(headers, match, h, columns, encoding, max_rows)


def read_csv_whole(path: Path, *, max_rows: int) -> Sheet:
    """Any CSV, read whole (decoded whole when not UTF-8): what the streamed path declines."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile("文件无法打开", f"cannot open the file: {exc.strerror}") from None
    if not data[:4096].strip() and not data.strip():  # the prefix spares a copy of a large file
        raise _empty()
    check_content(data, ".csv")
    return read_csv(data, max_rows=max_rows)


def _too_long() -> str:
    raise NotPlainUtf8("the header rows run past the head")


def _read_streamed(path: Path, *, max_lines: int):
    """(headers, match, header record, columns, encoding); raises NotPlainUtf8 or UnreadableFile for anything
    `read_csv` should judge. Every byte is checked: the head here, the rest as the parser reads it."""
    with open(path, "rb") as fh:
        start = fh.read(_HEAD_BYTES)
        if not start.strip() or b"\x00" in start:
            raise NotPlainUtf8("blank start or NUL byte")
        _utf16(start)
        bom = len(codecs.BOM_UTF8) if start.startswith(codecs.BOM_UTF8) else 0
        try:
            head = codecs.getincrementaldecoder("utf-8")().decode(start[bom:])
        except UnicodeDecodeError:
            raise NotPlainUtf8("not UTF-8") from None
        if not head.strip():
            raise NotPlainUtf8("blank start")
        whole = None if len(start) < _HEAD_BYTES else _too_long
        headers, match, h, scanned, body_at = _locate_header(head, whole)
        fh.seek(bom + len(scanned[:body_at].encode("utf-8")))
        usecols = sorted(set(match.positions.values()))
        columns = _parse_stream(CheckedUtf8Reader(fh, max_lines=max_lines), len(headers), usecols)
    return headers, match, h, columns, "utf-8-sig" if bom else "utf-8"


def _blank(body: memoryview) -> bool:
    return not bytes(body[:4096]).strip() and not bytes(body).strip()  # the prefix spares a copy


def _arrow_csv(source, width: int, usecols: list[int]) -> tuple[pa.Table | None, list[str]]:
    """(the table, or None when a row is ragged or blank: pyarrow cannot number those faithfully; the names)."""
    names = [f"c{i}" for i in range(width)]
    bad: list[object] = []

    def invalid(row) -> str:
        # The first one decides (the file goes to the slower path): stop there rather than keep every bad
        # row (10 MB of blank lines once held 3.7 GB of them).
        bad.append(row)
        return "error"

    table = pacsv.read_csv(
        source,
        read_options=pacsv.ReadOptions(column_names=names, block_size=_BLOCK),
        parse_options=pacsv.ParseOptions(
            newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=invalid
        ),
        convert_options=pacsv.ConvertOptions(
            # Bytes, not strings: the file is known to be UTF-8 and its cells need no second check.
            column_types=dict.fromkeys(names, pa.large_binary()),
            include_columns=[names[c] for c in usecols],
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    return (None if bad else table), names


def _columns(table: pa.Table, names: list[str], usecols: list[int]) -> dict[int, pa.ChunkedArray]:
    # The file was checked as UTF-8, so its cells are taken as text as they are (no copy); blanks are null.
    return {c: _as_text(table.column(names[c])) for c in usecols}


def _parse_stream(stream: CheckedUtf8Reader, width: int, usecols: list[int]) -> dict[int, pa.ChunkedArray]:
    try:
        table, names = _arrow_csv(stream, width, usecols)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        table = None
    if table is None:
        raise NotPlainUtf8("ragged or blank rows")
    return _columns(table, names, usecols)


def _lines(body: memoryview, chunk: int = 64 << 20) -> int:
    """A bound on the lines the bytes hold (`line_ends`), counted a slice at a time."""
    return sum(line_ends(body[at : at + chunk]) for at in range(0, len(body), chunk))


def _parse_body(body: memoryview, width: int, usecols: list[int], max_rows: int) -> dict[int, object]:
    """Column position -> the cells of the records after the header (arrow text or an object array)."""
    if _blank(body):
        return {c: [] for c in usecols}
    if _lines(body) > 2 * max_rows + 1:
        # Arrow would build every row (blank lines are rows to it: 12 MiB of them took 6 GiB); pandas stops
        # at the limit, and first counts the records on one column only (3.5 million empty rows of 30
        # columns held 1.8 GB before it could say there were too many).
        records = _records(body, 2 * max_rows + 1)
        if records > 2 * max_rows:
            raise too_many_rows(records, max_rows)
        return _parse_pandas(body, width, usecols, max_rows)
    try:
        table, names = _arrow_csv(pa.BufferReader(pa.py_buffer(body)), width, usecols)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        table = None
    if table is not None:
        return _columns(table, names, usecols)
    return _parse_pandas(body, width, usecols, max_rows)


def _as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pa.chunked_array([c.view(pa.large_string()) for c in column.chunks], type=pa.large_string())


def _records(body: memoryview, limit: int) -> int:
    """How many records the body holds (blank lines included), counted up to `limit` on its first column;
    0 when pandas cannot parse it (the full parse then says what is wrong)."""
    try:
        frame = pd.read_csv(
            io.BytesIO(body),
            encoding="utf-8",
            header=None,
            usecols=[0],
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            nrows=limit,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        return 0
    return len(frame)


def _parse_pandas(body: memoryview, width: int, usecols: list[int], max_rows: int) -> dict[int, object]:
    """Blank lines and ragged rows kept in place, so that row numbers stay true.

    Reading stops at twice the row limit: more records than that cannot be mostly blank lines.
    """
    try:
        frame = pd.read_csv(
            io.BytesIO(body),
            encoding="utf-8",
            header=None,
            names=list(range(width)),
            usecols=usecols,
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            nrows=max_rows * 2 + 1,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        frame = _parse_python(body, usecols, max_rows * 2 + 1)
    if len(frame) > max_rows * 2:
        raise too_many_rows(len(frame), max_rows)
    return {c: frame[c].to_numpy() for c in usecols}


def _parse_python(body: memoryview, usecols: list[int], limit: int) -> pd.DataFrame:
    """Rows longer than the header (stray cells on the right): the csv module, row by row."""
    rows = []
    try:
        for row in csv.reader(io.StringIO(str(body, "utf-8"), newline="")):
            rows.append([row[c] if c < len(row) else "" for c in usecols])
            if len(rows) >= limit:
                break
    except csv.Error as exc:
        raise UnreadableFile("CSV格式错误，无法解析", f"malformed CSV: {exc}") from None
    return (
        pd.DataFrame(rows, columns=usecols, dtype=object)
        if rows
        else pd.DataFrame(columns=usecols, dtype=object)
    )
