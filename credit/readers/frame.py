"""SQL sources: a DataFrame whose column names are headers (or, for a source that names its dataset, field
keys), mapped and normalised like a file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd

from credit.readers.base import Sheet, UnreadableFile
from credit.readers.build import build_sheet
from credit.readers.cell_text import cell_text
from credit.readers.headers import match_headers


def value_text(v: object) -> str | None:
    """A database value as the text a spreadsheet cell would hold: NULL blank, dates ISO, Decimals plain."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bytes):
        return v.decode("utf-8", errors="replace")
    if isinstance(v, int | float | bool | dt.date | dt.time):
        return cell_text(v)
    return str(v)


def read_frame(
    frame: pd.DataFrame, *, source: str = "sql", max_rows: int = 1_000_000, dataset: str | None = None
) -> Sheet:
    """Rows are numbered 1..n in query order (header_row 0: there is no header row). `dataset`: the source
    says which dataset it holds (no recognition from the column names)."""
    headers = [str(c) for c in frame.columns]
    try:
        match = match_headers(headers, dataset)
    except UnreadableFile as exc:
        raise UnreadableFile(f"{source}：{exc.reason_zh}", f"{source}: {exc.reason_en}") from None
    cells = {
        k: [v if v.__class__ is str else value_text(v) for v in frame.iloc[:, pos].to_numpy(dtype=object)]
        for k, pos in match.positions.items()
    }
    return build_sheet(
        match,
        headers,
        0,
        cells,
        range(1, len(frame) + 1),
        sheet=None,
        encoding=None,
        notes=[],
        max_rows=max_rows,
    )
