"""From a located header and its columns' cells to a Sheet: blank rows, limits, notes, normalisation.

Cells travel as arrow large-string arrays and end in pandas "str" columns without ever becoming Python
objects; a normalised column in which nothing changed is the raw column itself (memory shared, not copied).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from credit.normalise import (
    DERIVED,
    blank_to_null,
    derive,
    derived_mask,
    frame_from_arrow,
    normalise_arrow,
    text_series,
    to_arrow,
)
from credit.readers.base import LONG_CELL, Sheet, UnreadableFile
from credit.readers.headers import HeaderMatch
from credit.standard import dataset
from credit.textscan import StrArray

_PARALLEL_CELLS = 200_000  # below this, starting threads costs more than it saves


def too_many_rows(count: int, max_rows: int) -> UnreadableFile:
    return UnreadableFile(
        f"数据行数超过上限：至少{count}行，上限为{max_rows}行，请拆分文件后再报送",
        f"too many data rows: at least {count}, the limit is {max_rows}; split the file",
    )


def text_column(values: StrArray | Sequence[object]) -> StrArray:
    """Large strings with '' as null, from arrow strings (chunks kept: no copy) or from objects."""
    arr = (
        values.cast(pa.large_string()) if isinstance(values, pa.Array | pa.ChunkedArray) else to_arrow(values)
    )
    return blank_to_null(arr)


def _filled(arrays) -> np.ndarray | None:
    """Rows with a value in any of the arrays; None when all rows have one (the common case, found cheaply)."""
    arrays = list(arrays)
    if not arrays:
        return None
    if any(a.null_count == 0 for a in arrays):
        return None
    filled = np.zeros(len(arrays[0]), dtype=bool)
    for a in arrays:
        filled |= np.asarray(pc.is_valid(a).to_numpy(zero_copy_only=False), dtype=bool)
    return None if filled.all() else filled


def _keep(arrays: dict[str, StrArray], mask: np.ndarray) -> dict[str, StrArray]:
    keep = pa.array(mask)
    return {k: a.filter(keep) for k, a in arrays.items()}


def _normalise(ds, raw: dict[str, StrArray]) -> dict[str, StrArray]:
    """Columns normalised two at a time: arrow's kernels release the GIL, and there are two cores."""
    if sum(len(a) for a in raw.values()) < _PARALLEL_CELLS:
        return {k: normalise_arrow(ds.field(k), a) for k, a in raw.items()}
    with ThreadPoolExecutor(2) as pool:
        done = pool.map(lambda item: normalise_arrow(ds.field(item[0]), item[1]), raw.items())
        return dict(zip(raw, done, strict=True))


def _rows(rows: np.ndarray, limit: int = 5) -> str:
    return "、".join(str(r) for r in rows[:limit]) + ("等" if len(rows) > limit else "")


def build_sheet(
    match: HeaderMatch,
    headers: Sequence[object],
    header_row: int,
    cells: dict[str, StrArray | Sequence[object]],
    index: Sequence[int],
    *,
    sheet: str | None,
    encoding: str | None,
    notes: list[str],
    max_rows: int,
) -> Sheet:
    """`cells`: field key -> the column's cells below the header (text or None); `index`: their row numbers."""
    ds = dataset(match.dataset)
    idx = np.asarray(index, dtype=np.int64)
    raw = {k: text_column(cells[k]) for k in match.positions}
    filled = _filled(raw.values()) if raw else np.zeros(len(idx), dtype=bool)
    count = len(idx) if filled is None else int(filled.sum())
    if count > max_rows:
        raise too_many_rows(count, max_rows)
    if filled is not None:
        idx, raw = idx[filled], _keep(raw, filled)

    for k, arr in raw.items():
        if len(arr) and (pc.max(pc.binary_length(arr)).as_py() or 0) > LONG_CELL:  # bytes >= characters
            long = pc.fill_null(pc.greater(pc.utf8_length(arr), LONG_CELL), False)
            rows = idx[np.asarray(long.to_numpy(zero_copy_only=False), dtype=bool)]
            if len(rows):
                notes.append(
                    f"“{headers[match.positions[k]]}”列有超过{LONG_CELL}个字符的内容"
                    f"（第{_rows(rows)}行），已保留，请核对"
                )
    data = _normalise(ds, raw)

    # Rows of white space only are blank too, once normalised.
    filled = _filled(data.values())
    if filled is not None:
        idx, raw, data = idx[filled], _keep(raw, filled), _keep(data, filled)

    index_ = pd.Index(idx, dtype=np.int64)
    if match.unknown:
        notes.append(f"以下列不是标准字段，已忽略：{'、'.join(f'“{h}”' for h in match.unknown)}")
    frame = frame_from_arrow(match.dataset, data, index_)
    if match.derive:
        frame = derive(frame, match.derive)
        for k in match.derive:
            got = int(derived_mask(frame[DERIVED], k).sum())
            if got:
                notes.append(
                    f"文件没有“{ds.field(k).header}”列，已根据其他列为{got}行推断，请增加此列（见DRV-1提醒）"
                )
    return Sheet(
        dataset=match.dataset,
        sheet=sheet,
        header_row=header_row,
        columns={k: str(headers[i]) for k, i in match.positions.items()},
        raw=pd.DataFrame({k: text_series(a, index_) for k, a in raw.items()}, index=index_, copy=False),
        data=frame,
        encoding=encoding,
        notes=notes,
    )
