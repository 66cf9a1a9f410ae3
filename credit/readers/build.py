"""From a located header and its columns' cells to a Sheet: blank rows, limits, notes, normalisation.

Cells travel as arrow string arrays (vectorised work) and end as object arrays of str or None; a normalised
cell equal to its raw cell reuses the raw Python string, which halves the cost of building two frames.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from credit.normalise import normalise_arrow, to_arrow
from credit.readers.base import LONG_CELL, Sheet, UnreadableFile
from credit.readers.headers import HeaderMatch
from credit.standard import dataset

_NULL = pa.scalar(None, pa.string())


def too_many_rows(count: int, max_rows: int) -> UnreadableFile:
    return UnreadableFile(
        f"数据行数超过上限：至少{count}行，上限为{max_rows}行，请拆分文件后再报送",
        f"too many data rows: at least {count}, the limit is {max_rows}; split the file",
    )


def _column(values: pa.Array | pa.ChunkedArray | Sequence[object]) -> tuple[pa.Array, np.ndarray | None]:
    """(arrow strings with '' as null, the same cells as an object array when already at hand)."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        arr, obj = values.cast(pa.string()), None
    else:
        obj = np.array(values, dtype=object)
        arr = to_arrow(obj)
    blank = pc.equal(arr, "")
    if pc.any(blank).as_py():
        arr = pc.if_else(blank, _NULL, arr)
        obj = None
    return arr, obj


def _objects(arr: pa.Array) -> np.ndarray:
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=object)


def _reuse(raw_obj: np.ndarray, raw: pa.Array, norm: pa.Array) -> np.ndarray:
    """Normalised cells as objects, sharing the raw strings where nothing changed."""
    same = pc.fill_null(pc.equal(raw, norm), False)
    same = pc.or_(same, pc.and_(raw.is_null(), norm.is_null()))
    changed = np.asarray(pc.invert(same), dtype=bool)
    out = raw_obj.copy()
    if changed.any():
        out[changed] = _objects(norm.filter(pa.array(changed)))
    return out


def _rows(rows: pd.Index, limit: int = 5) -> str:
    return "、".join(str(r) for r in rows[:limit]) + ("等" if len(rows) > limit else "")


def build_sheet(
    match: HeaderMatch,
    headers: Sequence[object],
    header_row: int,
    cells: dict[str, pa.Array | Sequence[object]],
    index: Sequence[int],
    *,
    sheet: str | None,
    encoding: str | None,
    notes: list[str],
    max_rows: int,
) -> Sheet:
    """`cells`: field key -> the column's cells below the header (str or None); `index`: their row numbers."""
    ds = dataset(match.dataset)
    idx = np.asarray(index, dtype=np.int64)
    cols = {k: _column(cells[k]) for k in match.positions}
    if cols:
        nonblank = np.zeros(len(idx), dtype=bool)
        for arr, _ in cols.values():
            nonblank |= np.asarray(arr.is_valid(), dtype=bool)
    else:
        nonblank = np.zeros(len(idx), dtype=bool)
    if nonblank.sum() > max_rows:
        raise too_many_rows(int(nonblank.sum()), max_rows)
    if not nonblank.all():
        keep = pa.array(nonblank)
        idx = idx[nonblank]
        cols = {
            k: (arr.filter(keep), None if obj is None else obj[nonblank]) for k, (arr, obj) in cols.items()
        }

    raw_cols, data_cols = {}, {}
    for k, (arr, obj) in cols.items():
        obj = _objects(arr) if obj is None else obj
        if len(arr) and (pc.max(pc.binary_length(arr)).as_py() or 0) > LONG_CELL:  # bytes >= characters
            long = np.asarray(pc.fill_null(pc.greater(pc.utf8_length(arr), LONG_CELL), False), dtype=bool)
            if long.any():
                notes.append(
                    f"“{headers[match.positions[k]]}”列有超过{LONG_CELL}个字符的内容"
                    f"（第{_rows(pd.Index(idx[long]))}行），已保留，请核对"
                )
        raw_cols[k] = obj
        data_cols[k] = _reuse(obj, arr, normalise_arrow(ds.field(k), arr))

    # Rows of white space only are blank too, once normalised.
    keep = np.zeros(len(idx), dtype=bool)
    for values in data_cols.values():
        keep |= ~pd.isna(values)
    if not keep.all():
        idx = idx[keep]
        raw_cols = {k: v[keep] for k, v in raw_cols.items()}
        data_cols = {k: v[keep] for k, v in data_cols.items()}

    index_ = pd.Index(idx, dtype=np.int64)
    raw = pd.DataFrame(
        {k: pd.Series(v, index=index_, dtype=object, copy=False) for k, v in raw_cols.items()}, index=index_
    )
    data = pd.DataFrame(
        {
            f.key: pd.Series(
                data_cols[f.key] if f.key in data_cols else np.full(len(idx), None, dtype=object),
                index=index_,
                dtype=object,
                copy=False,
            )
            for f in ds.fields
        },
        index=index_,
    )
    if match.unknown:
        notes.append(f"以下列不是标准字段，已忽略：{'、'.join(f'“{h}”' for h in match.unknown)}")
    return Sheet(
        dataset=match.dataset,
        sheet=sheet,
        header_row=header_row,
        columns={k: str(headers[i]) for k, i in match.positions.items()},
        raw=raw,
        data=data,
        encoding=encoding,
        notes=notes,
    )
