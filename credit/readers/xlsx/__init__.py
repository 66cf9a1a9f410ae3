"""Our own .xlsx/.xlsm reader, for workbooks saved the way Excel and WPS save them: a worksheet becomes its head
rows and arrow columns without a Python object per cell.

Parts are inflated whole with zlib. The tags of the XML are found with numpy over the raw bytes (where each '<'
is, what its first bytes say) and checked against a small grammar in one RE2 pass; cell positions and shared-
string indices are read from the bytes with vector arithmetic; texts are arrow slices of the XML itself, decoded
only where they need it; numbers and dates, which have few distinct values, are written once per distinct value.
The shared strings are read on a second thread while the first worksheet is scanned.

A worksheet whose cells span more than `refusals.MAX_SHEET_CELLS` is refused as the guard refuses it, from the
positions parsed; the worksheets this reader does not load are streamed by the guard before any is returned.

A cell comes out as `cell_text` writes python_calamine's value for it, with two known differences: this reader
decodes every `_xHHHH_` escape (calamine only _x0000_ to _x00FF_), and reads a worksheet with whole-row or
whole-column merges (`<mergeCell ref="A:A"/>`), which calamine refuses. tests/test_xlsx_corpus.py compares both
cell by cell on workbooks other programs wrote and asserts those differences. Whatever is not reproduced with
certainty (the 1904 date system, error cells, durations, cells without a position, unexpected attributes or
layouts, strict OOXML, a part that does not parse, a part larger than `package.MAX_FAST_PART_BYTES`) raises
`NotFast`: the caller logs its reason and reads the workbook with calamine.

The modules, bottom up: `package` (the zip, its parts, the workbook's sheets; `NotFast`), `styles` (number
formats), `tags` (the tag scanner and its grammar), `references` (&#NNNN;), `text` (texts and the shared
strings), `cells` (positions, attributes, number and date texts) and `sheet` (a worksheet as a Grid).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from credit.escape import log_line
from credit.readers.base import UnreadableFile
from credit.readers.guards import check_sheet_extents
from credit.readers.xlsx.package import NotFast, Package, check_package, entries
from credit.readers.xlsx.sheet import Grid, read_sheet
from credit.readers.xlsx.styles import style_kinds
from credit.readers.xlsx.text import Strings, shared_strings

__all__ = ["Grid", "NotFast", "worksheets"]

_THREAD_FROM = 1 << 20  # bytes of shared strings worth reading on a second thread
_MESSAGE_CHARS = 200  # of an unexpected error's message, in the log

log = logging.getLogger(__name__)


@contextlib.contextmanager
def _declining() -> Iterator[None]:
    """An unexpected error of this reader makes calamine read the workbook: it never fails a delivery. The
    caller logs the reason NotFast gives; here the error's type, where it was raised and its message (escaped,
    ID numbers masked, cut short: it may quote the file) go to a warning, for whoever fixes the reader."""
    try:
        yield
    except (NotFast, UnreadableFile):  # (a refusal: calamine would be refused the file too)
        raise
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        place = f"{Path(where.filename).name}:{where.lineno}"
        log.warning(
            "the xlsx reader failed (%s at %s: %s); calamine reads the workbook",
            type(exc).__name__,
            place,
            log_line(str(exc)[:_MESSAGE_CHARS]),
        )
        raise NotFast(f"the reader failed ({type(exc).__name__} at {place})") from exc


def worksheets(data: bytes) -> Iterator[tuple[str, bool, Callable[[], Grid]]]:
    """(name, hidden, load) per worksheet, as excel.py's calamine source; NotFast as soon as something is not
    for this reader (at the latest from `load`, or after the last sheet).

    The shared strings are checked before any sheet is returned, as calamine reads them when it opens a file:
    a broken table fails the workbook whatever its sheets hold. So are the extents of the worksheets excel.py
    does not load (the hidden ones, and parts no sheet names): the guard refuses an absurd one as it always
    did; the visible ones are measured as they are parsed."""
    with _declining():
        pkg = Package(data)
        check_package(pkg)
        sheets = [e for e in entries(pkg) if e.path is not None]
        for path in ("xl/sharedStrings.xml", *(e.path for e in sheets if not e.hidden)):
            pkg.check(path)  # a part too large declines the workbook before any is inflated
        kinds = style_kinds(pkg)
        loaded = [info.header_offset for e in sheets if not e.hidden and (info := pkg.check(e.path))]
    check_sheet_extents(data, bounded=loaded)
    pool = ThreadPoolExecutor(1) if pkg.size("xl/sharedStrings.xml") >= _THREAD_FROM else None
    try:
        if pool is None:  # a small table: a thread would cost more than it saves
            pending: Future[Strings] = Future()
            with _declining():
                pending.set_result(shared_strings(pkg))
        else:
            pending = pool.submit(shared_strings, pkg)
        for e in sheets:
            yield e.name, e.hidden, functools.partial(_load, pkg, e.path, pending.result, kinds)
        with _declining():
            pending.result()
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _load(pkg: Package, path: str, strings: Callable[[], Strings], kinds: np.ndarray) -> Grid:
    with _declining():
        info = pkg.check(path)
        grid = read_sheet(pkg.read(path), strings, kinds, part=info.filename if info else path)
        strings()
        return grid
