"""The refusals the guards and readers share, in words a clerk understands: a zip that does not inflate, a
worksheet that spans too many cells, one whose XML does not parse, a suspected zip bomb. Its own module so that
guards.py and the container guards it calls (ooxml_guard, xls_guard) import it rather than each other."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import ParseError

from credit.readers.base import UnreadableFile

MAX_SHEET_CELLS = 40_000_000  # the rectangle a worksheet's cells span (the engine allocates all of it)
# What inflating a member whose compressed data are damaged raises: zlib's own error, a CRC or local header
# that zipfile rejects, a stream that ends early, a header too short to unpack.
INFLATE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, struct.error)


def mib(n: int) -> str:
    return f"{n / (1 << 20):.0f} MiB"


def bomb(zh: str, en: str) -> UnreadableFile:
    return UnreadableFile(
        f"Excel文件结构异常（疑似压缩炸弹），未打开：{zh}",
        f"the Excel file is abnormal (a suspected zip bomb) and was not opened: {en}",
    )


def damaged(exc: BaseException) -> UnreadableFile:
    """A member of the zip does not inflate: the clerk is told to save the file again (only the error's type
    is kept, never the bytes it failed on)."""
    kind = type(exc)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    return UnreadableFile(
        "Excel文件已损坏，无法读取，请重新保存后再报送",
        f"the Excel file is damaged (its zip data does not inflate): {name}",
    )


def sheet_too_large(part: str, rows: int, columns: int) -> UnreadableFile:
    """A worksheet whose cells span rows x columns, more than MAX_SHEET_CELLS: what every reader says of it."""
    stem = Path(part.replace("\\", "/")).stem
    return UnreadableFile(
        f"工作表“{stem}”的单元格范围过大（{rows}行×{columns}列，"
        f"超过{MAX_SHEET_CELLS}个单元格），可能有远处的零散单元格；请删除多余的行列后再报送",
        f"worksheet part {stem!r} spans {rows} rows x {columns} columns (more than "
        f"{MAX_SHEET_CELLS} cells), probably stray cells far away; delete the unused rows and columns",
    )


def malformed(part: str, exc: ParseError) -> UnreadableFile:
    """A worksheet whose XML does not parse (only its position is kept, never the text around it)."""
    stem = Path(part.replace("\\", "/")).stem
    line, column = exc.position
    return UnreadableFile(
        f"Excel文件已损坏（工作表“{stem}”的内容格式错误），无法读取，请重新保存后再报送",
        f"the Excel file is damaged: worksheet part {stem!r} is not well-formed XML (line {line}, "
        f"column {column})",
    )
