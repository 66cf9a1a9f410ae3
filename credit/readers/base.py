"""The reader's result type and its one error."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

HEADER_SCAN_ROWS = 20  # units put at most a few title rows above the header
MIN_HEADER_FIELDS = 3  # fewer mapped cells than this is not a header row (an instructions sheet, a title)
LONG_CELL = 10_000  # characters; kept, but the clerk is told


class UnreadableFile(Exception):
    """The file cannot be read as a 双公示 dataset; the reason goes to the unit in Chinese and English."""

    def __init__(self, reason_zh: str, reason_en: str):
        super().__init__(f"{reason_zh} / {reason_en}")
        self.reason_zh = reason_zh
        self.reason_en = reason_en

    def __reduce__(self):
        # Default pickling would call __init__ with the joined message only; Dask and Prefect pickle errors.
        return (type(self), (self.reason_zh, self.reason_en))


@dataclass
class Sheet:
    dataset: str  # 'xzxk' | 'xzcf'
    sheet: str | None  # worksheet name, None for CSV and frames
    header_row: int  # 1-based row of the header as a spreadsheet shows it (0 for a frame: no header row)
    columns: dict[str, str]  # field key -> header text exactly as the file wrote it
    # Both frames hold pandas "str" columns (pyarrow-backed; a blank cell is missing: NaN, `pd.isna`), and
    # share the memory of every column that normalisation left unchanged.
    raw: pd.DataFrame  # index: spreadsheet row number; columns: keys present; text as written
    data: pd.DataFrame  # same index; all keys of the dataset in registry order; normalised text; then
    # `derived` when the file lacked a column its rows give (credit.normalise.derive, DRV-1)
    encoding: str | None  # CSV only
    notes: list[str] = field(default_factory=list)  # Chinese notes for the clerk
