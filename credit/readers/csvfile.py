"""CSV files: encoding from the bytes, header row below title rows, cells kept as text.

The body is parsed by pyarrow (multi-threaded, straight to arrow strings); a file with blank lines or ragged
rows, which pyarrow cannot number faithfully, goes through pandas' parser instead.
"""

from __future__ import annotations

import codecs
import csv
import io

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from credit.readers.base import HEADER_SCAN_ROWS, Sheet, UnreadableFile
from credit.readers.build import build_sheet, too_many_rows
from credit.readers.headers import find_header, match_headers, merge_sub_header

# Tried in this order; GBK before GB18030 so that a plain GBK file says so.
ENCODINGS = ("utf-8", "gbk", "gb18030")
_HEAD_CHARS = 1 << 20  # the header scan reads this much text first


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) from the bytes alone; raises UnreadableFile."""
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
    candidates = (("utf-8-sig",) if data.startswith(codecs.BOM_UTF8) else ()) + ENCODINGS
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text, enc
    raise UnreadableFile(
        "无法识别文件编码：不是UTF-8、GBK或GB18030编码的文本，请另存为UTF-8编码的CSV",
        "unknown encoding: the file is not UTF-8, GBK or GB18030 text; save it as UTF-8 CSV",
    )


def _head_records(text: str) -> tuple[list[list[str]], list[int]]:
    """The first records and the character offset just after each (a quoted cell may span lines)."""
    for chunk in (text[:_HEAD_CHARS], text):
        records, ends, consumed = [], [], 0
        lines = io.StringIO(chunk, newline="")

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
                    return records, ends
        except csv.Error as exc:
            raise UnreadableFile(
                "CSV格式错误，无法解析表头", f"malformed CSV near the header: {exc}"
            ) from None
        if len(chunk) == len(text):
            break
    return records, ends


def read_csv(data: bytes, *, max_rows: int) -> Sheet:
    text, encoding = decode(data)
    if not text or text.isspace():
        raise UnreadableFile("文件为空", "the file is empty")
    head, ends = _head_records(text)
    h = find_header(head)
    if h is None:
        raise UnreadableFile(
            f"前{HEADER_SCAN_ROWS}行中找不到表头（行政许可或行政处罚的列名）",
            f"no header row (行政许可 or 行政处罚 column names) in the first {HEADER_SCAN_ROWS} rows",
        )
    headers = head[h]
    if h + 1 < len(head):
        merged = merge_sub_header(head[h], head[h + 1])
        if merged is not None:
            headers, h = merged, h + 1
    match = match_headers(headers)
    # The body as UTF-8 bytes: sliced from the file itself when it is UTF-8, re-encoded otherwise.
    if encoding.startswith("utf-8"):
        bom = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0
        body = data[bom + len(text[: ends[h]].encode("utf-8")) :]
    else:
        body = text[ends[h] :].encode("utf-8")
    usecols = sorted(set(match.positions.values()))
    columns = _parse_body(body, len(headers), usecols, max_rows)
    cells = {k: columns[pos] for k, pos in match.positions.items()}
    count = len(next(iter(columns.values()))) if columns else 0
    # Records, not physical lines, as a spreadsheet numbers them.
    index = range(h + 2, h + 2 + count)
    return build_sheet(
        match, headers, h + 1, cells, index, sheet=None, encoding=encoding, notes=[], max_rows=max_rows
    )


def _parse_body(body: bytes, width: int, usecols: list[int], max_rows: int) -> dict[int, object]:
    """Column position -> the cells of the records after the header (arrow strings or an object array)."""
    if not body[:4096].strip() and not body.strip():
        return {c: [] for c in usecols}
    names = [f"c{i}" for i in range(width)]
    bad: list[object] = []

    def invalid(row) -> str:
        bad.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                include_columns=[names[c] for c in usecols],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        table = None
    if table is not None and not bad:
        return {c: table.column(names[c]) for c in usecols}  # the builder counts non-blank rows
    return _parse_pandas(body, width, usecols, max_rows)


def _parse_pandas(body: bytes, width: int, usecols: list[int], max_rows: int) -> dict[int, object]:
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


def _parse_python(body: bytes, usecols: list[int], limit: int) -> pd.DataFrame:
    """Rows longer than the header (stray cells on the right): the csv module, row by row."""
    rows = []
    try:
        for row in csv.reader(io.StringIO(body.decode("utf-8"), newline="")):
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
