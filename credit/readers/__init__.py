"""Read a unit's file (Excel or CSV) or a SQL result into normalised 双公示 records.

read_unit_file(path) -> UnitFile    THE way a unit's file is read (collect, 撤销清单, `credit check`, any later
                                    upload): guarded, parsed in a contained child process; its datasets
                                    (.sheets) or the 撤销清单 it is (.revocations); raises UnreadableFile
read_file(path) -> list[Sheet]      the same guards and parser in this process, datasets only: for tests and
                                    the bench's comparisons (Sheet.raw / .data: pandas "str" columns, NaN blank)
read_frame(frame) -> Sheet          a SQL result whose column names are headers
detect_dataset(headers)             (dataset, {field key: header as written})
normalise_frame(dataset, raw)       docs/standard.md §2.5, also in credit.normalise
"""

from __future__ import annotations

from pathlib import Path

from credit.normalise import normalise_frame
from credit.readers.base import Sheet, UnreadableFile
from credit.readers.excel import ENGINES
from credit.readers.frame import read_frame
from credit.readers.headers import detect_dataset
from credit.readers.unit_file import (
    EXTENSIONS,
    ReaderUnavailable,
    UnitFile,
    read_unit_file,
)

__all__ = [
    "ENGINES",
    "EXTENSIONS",
    "ReaderUnavailable",
    "Sheet",
    "UnitFile",
    "UnreadableFile",
    "detect_dataset",
    "normalise_frame",
    "read_file",
    "read_frame",
    "read_unit_file",
]


def read_file(path: Path | str, *, max_rows: int = 1_000_000, engine: str = "auto") -> list[Sheet]:
    """Every worksheet of the file that holds a dataset, parsed in this process. `engine` ("auto" | "calamine"
    | "openpyxl") is for Excel files: "auto" is our own .xlsx parser, calamine for what it declines (see
    credit.readers.excel). Production reads go through `read_unit_file`."""
    return read_unit_file(
        path, max_rows=max_rows, engine=engine, revocation_lists=False, contained=False
    ).sheets
