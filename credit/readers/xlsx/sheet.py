"""A worksheet part as a Grid: its cells' positions, and their texts in one arrow string array."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from credit.readers.refusals import MAX_SHEET_CELLS, sheet_too_large
from credit.readers.xlsx.cells import (
    CELL_B,
    CELL_INLINE,
    CELL_N,
    CELL_S,
    CELL_STR,
    MAX_COLUMNS,
    cell_attributes,
    cell_refs,
    check_row_tags,
    number_text,
    small_integers,
)
from credit.readers.xlsx.package import NotFast, check_root
from credit.readers.xlsx.references import decode_references
from credit.readers.xlsx.styles import NUMBER
from credit.readers.xlsx.tags import SHEET_GRAMMAR, Tags, check_text, padded, region, scan, table
from credit.readers.xlsx.text import Strings, Texts, compact, gapped, unescape_entities, unescape_x


class _Pool:
    """The cells' texts, from several arrays put end to end (cells keep indices into the whole)."""

    def __init__(self):
        self.parts: list[pa.Array] = []
        self.size = 0

    def add(self, arr: pa.Array) -> int:
        """Where arr starts in the pool."""
        self.parts.append(arr)
        self.size += len(arr)
        return self.size - len(arr)

    def array(self) -> pa.Array:
        if not self.parts:
            return pa.array([], type=pa.large_string())
        return self.parts[0] if len(self.parts) == 1 else pa.concat_arrays(self.parts)


@dataclass
class Grid:
    """A worksheet's non-blank cells: positions, and indices into one arrow string array."""

    nrows: int  # the last row holding a cell
    width: int
    row: np.ndarray  # 1-based, in document order (rows ascending, then columns)
    col: np.ndarray  # 0-based
    src: np.ndarray  # index into pool
    pool: pa.Array

    def head(self, n: int) -> list[list[str | None]]:
        """Rows 1..n as `cell_text` gives them (None for blank)."""
        rows: list[list[str | None]] = [[None] * self.width for _ in range(min(n, self.nrows))]
        k = int(np.searchsorted(self.row, n, side="right"))
        texts = self.pool.take(pa.array(self.src[:k])).to_pylist()
        for r, c, text in zip(self.row[:k].tolist(), self.col[:k].tolist(), texts, strict=True):
            rows[r - 1][c] = text or None
        return rows

    def column(self, pos: int, start: int) -> pa.Array:
        """Column `pos` from 0-based row `start` to the last row (null where blank)."""
        idx = np.full(max(self.nrows - start, 0), -1, dtype=np.int64)
        lo, hi = np.searchsorted(self._columns, [pos, pos + 1])
        mine = self._order[lo:hi]
        r = self.row[mine] - 1 - start
        keep = r >= 0
        idx[r[keep]] = self.src[mine[keep]]
        return self.pool.take(pa.array(idx, mask=idx < 0))

    @functools.cached_property
    def _order(self) -> np.ndarray:
        """The cells by column (within one, by row): a radix sort of 16-bit columns, linear."""
        return np.argsort(self.col.astype(np.int16), kind="stable")

    @functools.cached_property
    def _columns(self) -> np.ndarray:
        return self.col[self._order]


def read_sheet(
    xml: bytes | None, strings: Callable[[], Strings], kinds: np.ndarray, part: str = "worksheet"
) -> Grid:
    """One worksheet part (the zip member `part`) as a Grid, or NotFast; UnreadableFile, as the guard says it,
    if its cells span more than MAX_SHEET_CELLS. `strings` gives the shared strings (when a cell needs them)."""
    if xml is None:
        raise NotFast("a worksheet part is missing")
    check_root(xml, b"worksheet", "worksheet")
    if re.search(rb"<sheetData[\s>/]", xml) is None:
        raise NotFast("no sheetData")  # calamine fails on such a sheet
    lo, hi = region(xml, b"<sheetData", b"</sheetData>", "worksheet")
    dimension = re.search(rb'<dimension ref="([^"]*)"', xml[:lo])
    if dimension and not re.fullmatch(rb"[A-Z]{1,3}[1-9][0-9]*(?::[A-Z]{1,3}[1-9][0-9]*)?", dimension[1]):
        raise NotFast("a dimension calamine may refuse")
    if hi <= lo:
        return Grid(0, 0, *(np.zeros(0, dtype=np.int64),) * 3, pa.array([], type=pa.large_string()))
    check_text(xml, lo, hi, "worksheet")
    tags = scan(padded(xml, hi), lo, hi, SHEET_GRAMMAR)
    decode_references(tags, lo, hi)
    return _Cells(tags, strings, kinds, part).grid()


class _Cells:
    """The cells of a scanned sheetData: positions, types, styles, and their texts in a pool."""

    def __init__(self, tags: Tags, strings: Callable[[], Strings], kinds: np.ndarray, part: str):
        self.tags, self.strings, self.kinds = tags, strings, kinds
        is_cell = (tags.code == ord("C")) | (tags.code == ord("K"))
        self.cell_tags = np.flatnonzero(is_cell)
        self.owner = np.cumsum(is_cell, dtype=np.int32) - 1  # per tag: its cell (the grammar nests values)
        check_row_tags(tags)
        self.row, self.col, attrs_start = cell_refs(tags.buf, tags.start[self.cell_tags])
        # Every cell counts, blank ones too, as the guard counts them (calamine allocates their rectangle).
        rows, columns = int(self.row.max(initial=0)), int(self.col.max(initial=-1)) + 1
        if rows * columns > MAX_SHEET_CELLS:
            raise sheet_too_large(part, rows, columns)
        key = self.row * MAX_COLUMNS + self.col
        if len(key) > 1 and (np.diff(key) <= 0).any():
            raise NotFast("cells out of order or repeated")
        self.type, self.style = self._attributes(attrs_start)
        self.src = np.full(len(self.cell_tags), -1, dtype=np.int64)
        self.pool = _Pool()

    def _attributes(self, attrs_start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per cell (type, style), parsed once per distinct attribute text."""
        if not len(self.cell_tags):
            return np.zeros(0, dtype=np.uint8), np.zeros(0, dtype=np.int64)
        tags = self.tags
        end = tags.next[self.cell_tags] - 1 - (tags.code[self.cell_tags] == ord("K"))  # at '>' or '/>'
        attrs = pc.dictionary_encode(compact(gapped(pa.py_buffer(tags.buf), attrs_start, end)))
        parsed = [cell_attributes(a) for a in attrs.dictionary.to_pylist()]
        index = attrs.indices.to_numpy()
        types = np.array([t for t, _ in parsed], dtype=np.uint8)[index]
        styles = np.array([s for _, s in parsed], dtype=np.int64)[index]
        return types, styles

    def grid(self) -> Grid:
        v = self.tags.where("V")
        cell_of_v = self.owner[v]
        s, e = self.tags.text(v)
        types = self.type[cell_of_v]
        inline = np.zeros(len(self.cell_tags), dtype=bool)
        inline[self.owner[self.tags.where("I")]] = True
        # (An inline cell without <is> is blank.)
        if (self.type[inline] != CELL_INLINE).any() or (types == CELL_INLINE).any():
            raise NotFast("an inline string in a cell of another type, or a value in an inline cell")
        for kind, read in (
            (CELL_S, self._shared),
            (CELL_N, self._numbers),
            (CELL_B, self._booleans),
            (CELL_STR, self._formula_strings),
        ):
            mine = types == kind
            if mine.any():
                read(cell_of_v[mine], s[mine], e[mine])
        if inline.any():
            self._inline()
        filled = np.flatnonzero(self.src >= 0)
        row, col = self.row[filled], self.col[filled]
        return Grid(
            nrows=int(row.max(initial=0)),
            width=int(col.max(initial=-1)) + 1,
            row=row,
            col=col,
            src=self.src[filled],
            pool=self.pool.array(),
        )

    def _texts(self, s: np.ndarray, e: np.ndarray) -> pa.Array:
        return compact(gapped(pa.py_buffer(self.tags.texts), s, e))

    def _shared(self, cells: np.ndarray, s: np.ndarray, e: np.ndarray) -> None:
        k = small_integers(self.tags.texts, s, e)
        strings = self.strings()
        if k.max() >= len(strings.index):
            raise NotFast("a shared-string index past the table")
        index = strings.index[k]
        base = self.pool.add(strings.pool)
        self.src[cells] = np.where(index >= 0, index + base, -1)

    def _numbers(self, cells: np.ndarray, s: np.ndarray, e: np.ndarray) -> None:
        """Numbers and dates, written once per distinct (text, format kind)."""
        filled = e > s  # calamine: <v></v> in a number cell is an empty cell
        cells, s, e = cells[filled], s[filled], e[filled]
        if not len(cells):
            return
        values = pc.dictionary_encode(self._texts(s, e))
        key = pc.dictionary_encode(pa.array(values.indices.to_numpy() * 3 + self._format_kind(cells)))
        texts = values.dictionary.to_pylist()
        written = [number_text(texts[k // 3], k % 3) for k in key.dictionary.to_pylist()]
        self.src[cells] = self.pool.add(pa.array(written, type=pa.large_string())) + key.indices.to_numpy()

    def _format_kind(self, cells: np.ndarray) -> np.ndarray:
        """Per cell: NUMBER, DATE or DURATION; no style, or one past the table, is a plain number (calamine)."""
        style = self.style[cells]
        kinds = np.append(self.kinds, np.uint8(NUMBER))
        return kinds[np.where((style >= 0) & (style < len(self.kinds)), style, len(self.kinds))].astype(
            np.int64
        )

    def _booleans(self, cells: np.ndarray, s: np.ndarray, e: np.ndarray) -> None:
        value = self.tags.texts[s]
        if ((e - s) != 1).any() or not table(b"01")[value].all():
            raise NotFast("a boolean cell that is neither 0 nor 1")
        base = self.pool.add(pa.array(["FALSE", "TRUE"], type=pa.large_string()))
        self.src[cells] = base + (value == ord("1"))

    def _formula_strings(self, cells: np.ndarray, s: np.ndarray, e: np.ndarray) -> None:
        """t="str": a formula's cached text, entities and _xHHHH_ unescaped, never trimmed."""
        base = self.pool.add(unescape_x(unescape_entities(self._texts(s, e))))
        self.src[cells] = np.where(e > s, base + np.arange(len(cells)), -1)

    def _inline(self) -> None:
        texts = Texts(self.tags, self.owner, len(self.cell_tags))
        base = self.pool.add(texts.array)
        mine = self.type == CELL_INLINE
        self.src[mine] = np.where(texts.index[mine] >= 0, texts.index[mine] + base, -1)
