"""Read a unit's file (Excel or CSV) or a SQL result into normalised 双公示 records.

read_file(path) -> list[Sheet]      every worksheet holding a dataset; raises UnreadableFile
                                    (Sheet.raw / .data: pandas "str" columns, missing = NaN)
read_frame(frame) -> Sheet          a SQL result whose column names are headers
detect_dataset(headers)             (dataset, {field key: header as written})
normalise_frame(dataset, raw)       STANDARD.md §2.5, also in credit.normalise
"""

from __future__ import annotations

from pathlib import Path

from credit.normalise import normalise_frame
from credit.readers.base import Sheet, UnreadableFile
from credit.readers.csvfile import read_csv_path
from credit.readers.excel import ENGINES, read_workbook
from credit.readers.frame import read_frame
from credit.readers.guards import check_content, check_path
from credit.readers.headers import detect_dataset

__all__ = [
    "ENGINES",
    "EXTENSIONS",
    "Sheet",
    "UnreadableFile",
    "detect_dataset",
    "normalise_frame",
    "read_file",
    "read_frame",
]

EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls")
EXTENSIONS = (*EXCEL_EXTENSIONS, ".csv")


def read_file(path: Path | str, *, max_rows: int = 1_000_000, engine: str = "auto") -> list[Sheet]:
    """Every worksheet of the file that holds a dataset. `engine` ("auto" | "calamine" | "openpyxl") is for
    Excel files: "auto" is our own .xlsx parser, calamine for what it declines (see credit.readers.excel)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:
        raise UnreadableFile(
            f"不支持的文件类型“{path.suffix or '（无扩展名）'}”：请报送.xlsx、.xls或.csv文件",
            f"unsupported file type {path.suffix or '(no extension)'!r}: send .xlsx, .xls or .csv",
        )
    check_path(path)  # a pipe, a device or an absurd size is refused before a byte is read
    if suffix == ".csv":
        return [read_csv_path(path, max_rows=max_rows)]  # streamed: a large CSV is never held whole
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile("文件无法打开", f"cannot open the file: {exc.strerror}") from None
    if not data[:4096].strip() and not data.strip():  # the prefix spares a copy of a large file
        raise UnreadableFile("文件为空", "the file is empty")
    # Zip bombs here; absurd worksheet extents in read_workbook, where it knows which engine reads the sheets.
    check_content(data, suffix, sheets=False)
    return read_workbook(data, max_rows=max_rows, engine=engine)
