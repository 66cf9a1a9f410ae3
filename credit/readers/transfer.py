"""A parsed unit file carried from the child process that parsed it to the run, at the cost of one copy.

The sheets' columns are arrow arrays: the child writes each sheet's distinct arrays (raw and normalised
columns share most of them) as one Arrow IPC stream into a file in shared memory (/dev/shm), and the run maps
that file: its frames are built over the mapped buffers, nothing is copied or unpickled. Everything else (names,
notes, a 撤销清单) travels pickled with the message. Where the file cannot be written (no space), the streams
travel through the pipe instead.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from credit.normalise import text_series
from credit.readers.base import Sheet

_SHM = "/dev/shm"


def scratch_dir() -> str:
    """Where result files go: shared memory if there is any, else the temporary folder."""
    if os.path.isdir(_SHM) and os.access(_SHM, os.W_OK | os.X_OK):
        return _SHM
    return tempfile.gettempdir()


@dataclass
class _SheetPlan:
    """A Sheet without its frames: which column of the sheet's table each frame column is."""

    fields: dict  # the Sheet's other fields
    raw: list[tuple[str, int]]
    data: list[tuple[str, int]]
    raw_index: int
    data_index: int
    frames: tuple[pd.DataFrame, pd.DataFrame] | None = None  # pickled whole (not "str" columns: never seen)


@dataclass
class Packed:
    plans: list[_SheetPlan]
    extents: list[tuple[int, int]]  # (offset, length) of each sheet's IPC stream in the file
    inline: bytes | None = None  # the streams themselves when they could not be written to the file
    other: dict = field(default_factory=dict)  # anything else of the result, pickled


def _key(arr: pa.ChunkedArray) -> tuple:
    """The identity of an array's memory: arrays over the same buffers are carried once."""
    return tuple(
        (c.offset, len(c), tuple(b.address if b is not None else 0 for b in c.buffers())) for c in arr.chunks
    )


def _arrow(series: pd.Series) -> pa.ChunkedArray | None:
    if not isinstance(series.dtype, pd.StringDtype) or series.dtype.storage != "pyarrow":
        return None
    arr = series.array.__arrow_array__()  # zero-copy
    return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])


def _plan(sheet: Sheet) -> tuple[_SheetPlan, pa.Table]:
    slots: dict[tuple, int] = {}
    arrays: list[pa.ChunkedArray] = []

    def slot(arr: pa.ChunkedArray) -> int:
        key = _key(arr)
        if key not in slots:
            slots[key] = len(arrays)
            arrays.append(arr)
        return slots[key]

    fields = {
        k: getattr(sheet, k) for k in ("dataset", "sheet", "header_row", "columns", "encoding", "notes")
    }
    columns = {
        name: [(k, _arrow(frame[k])) for k in frame.columns]
        for name, frame in (("raw", sheet.raw), ("data", sheet.data))
    }
    if any(a is None for cols in columns.values() for _, a in cols) or len(sheet.raw) != len(sheet.data):
        empty = pa.table({"i": pa.array([], pa.int64())})
        return _SheetPlan(fields, [], [], 0, 0, frames=(sheet.raw, sheet.data)), empty
    raw_index = slot(pa.chunked_array([pa.array(np.asarray(sheet.raw.index, dtype=np.int64))]))
    data_index = slot(pa.chunked_array([pa.array(np.asarray(sheet.data.index, dtype=np.int64))]))
    raw = [(k, slot(a)) for k, a in columns["raw"]]
    data = [(k, slot(a)) for k, a in columns["data"]]
    table = pa.table({str(i): a for i, a in enumerate(arrays)})
    return _SheetPlan(fields, raw, data, raw_index, data_index), table


def _write(tables: list[pa.Table], sink) -> list[tuple[int, int]]:
    extents = []
    for table in tables:
        start = sink.tell()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        extents.append((start, sink.tell() - start))
    return extents


def pack(sheets: list[Sheet], path: str, **other) -> Packed:
    """Write the sheets' arrays to `path` (or, failing that, into the message) and describe them."""
    planned = [_plan(s) for s in sheets]
    tables = [t for _, t in planned]
    try:
        with pa.OSFile(path, "wb") as sink:
            extents = _write(tables, sink)
        inline = None
    except OSError:  # no room in shared memory: the pipe carries them
        sink = pa.BufferOutputStream()
        extents = _write(tables, sink)
        inline = sink.getvalue().to_pybytes()
    return Packed([p for p, _ in planned], extents, inline, other)


def unpack(packed: Packed, path: str) -> list[Sheet]:
    """The sheets, their frames over the mapped file (or the inline streams)."""
    if not packed.plans:
        return []
    if packed.inline is not None:
        whole = pa.py_buffer(packed.inline)
    else:
        with pa.memory_map(path, "r") as mapped:
            whole = mapped.read_buffer()
    sheets = []
    for plan, (offset, length) in zip(packed.plans, packed.extents, strict=True):
        if plan.frames is not None:
            raw, data = plan.frames
        else:
            table = pa.ipc.open_stream(whole.slice(offset, length)).read_all()
            cols = [table.column(i) for i in range(table.num_columns)]

            def index(slot: int, cols=cols) -> pd.Index:
                return pd.Index(cols[slot].to_numpy(), dtype=np.int64)

            raw_index, data_index = index(plan.raw_index), index(plan.data_index)
            raw = pd.DataFrame(
                {k: text_series(cols[s], raw_index) for k, s in plan.raw}, index=raw_index, copy=False
            )
            data = pd.DataFrame(
                {k: text_series(cols[s], data_index) for k, s in plan.data}, index=data_index, copy=False
            )
        sheets.append(Sheet(raw=raw, data=data, **plan.fields))
    return sheets
