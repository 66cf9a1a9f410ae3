"""Every read of a unit's file goes through `read_unit_file`: collect, the 撤销清单, `credit check`, and any
later way a file arrives (an upload).

    read_unit_file(path) -> UnitFile     its datasets (`.sheets`), or the 撤销清单 it is (`.revocations`);
                                         raises UnreadableFile with the reason in Chinese and English

Before a byte is parsed the path is checked (a regular file of a sane size) and the bytes are bounded by the
guards (zip bombs, packages two readers read differently, counts and extents a native reader trusts: see
credit.readers.guards). Then:

- a workbook (.xlsx, .xlsm, .xls) is parsed in a child process (credit.readers.contained): whatever native code
  does on it (an abort, a panic, all the memory, no end), the run goes on and the file is quarantined with a
  reason;
- a CSV is looked at here for a 撤销清单 header (its first MiB, pure Python), then, if it is plain UTF-8, parsed
  here by Arrow's streaming reader on a path bounded before it goes far (`csvfile.read_csv_streamed`: size,
  lines, blocks, columns; measured: containing it would cost ≈ 30 % of CSV ingest, the sheets' columns copied
  across); any other CSV (GBK, ragged or blank rows, …) is read whole in a child process like a workbook.

`contained=False` parses everything in this process (tests, and the bench's comparison); a BaseException from
native code is caught there too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from credit.readers import revocation
from credit.readers.base import Sheet, UnreadableFile
from credit.readers.contained import ReaderUnavailable, cleanup, internal_error, run_contained
from credit.readers.csvfile import read_csv_path, read_csv_streamed, read_csv_whole
from credit.readers.excel import read_delivered_workbook
from credit.readers.guards import check_content, check_path
from credit.readers.revocation import RevocationTable
from credit.readers.transfer import Packed, pack, unpack

__all__ = ["EXTENSIONS", "ReaderUnavailable", "UnitFile", "parse_unit_file", "read_unit_file"]

EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls")
EXTENSIONS = (*EXCEL_EXTENSIONS, ".csv")


@dataclass
class UnitFile:
    """What a unit's file holds: its datasets, or (then `sheets` is empty) a 撤销清单."""

    sheets: list[Sheet]
    revocations: RevocationTable | None = None
    reader_peak_bytes: int | None = None  # the reader process's peak RSS (contained reads; for the bench)


def _unsupported(path: Path) -> UnreadableFile:
    return UnreadableFile(
        f"不支持的文件类型“{path.suffix or '（无扩展名）'}”：请报送.xlsx、.xls或.csv文件",
        f"unsupported file type {path.suffix or '(no extension)'!r}: send .xlsx, .xls or .csv",
    )


def read_unit_file(
    path: Path | str,
    *,
    max_rows: int = 1_000_000,
    engine: str = "auto",
    revocation_lists: bool = True,
    contained: bool = True,
) -> UnitFile:
    """The one way to read a unit's file. `revocation_lists=False` reads datasets only (a 撤销清单 is then
    a file without a dataset header). `engine` is for Excel files (see credit.readers.excel)."""
    path = Path(path)
    if path.suffix.lower() not in EXTENSIONS:
        raise _unsupported(path)
    check_path(path)  # a pipe, a device or an absurd size is refused from `stat`, before a byte is read
    if not contained:
        return _guarded(
            parse_unit_file, path, max_rows=max_rows, engine=engine, revocation_lists=revocation_lists
        )
    if path.suffix.lower() == ".csv":
        plain = _guarded(_plain_csv, path, max_rows=max_rows, revocation_lists=revocation_lists)
        if plain is not None:
            return plain
        packed, out_path = run_contained(_whole_csv_packed, str(path), max_rows)
    else:
        packed, out_path = run_contained(_parse_packed, str(path), max_rows, engine, revocation_lists)
    try:
        assert isinstance(packed, Packed)
        other = packed.other
        return UnitFile(unpack(packed, out_path), other.get("revocations"), other.get("reader_peak_bytes"))
    finally:
        cleanup(out_path)


def _parse_packed(path: str, max_rows: int, engine: str, revocation_lists: bool, *, out_path: str) -> Packed:
    """What the child runs: parse, then hand the sheets over through `out_path`."""
    result = parse_unit_file(Path(path), max_rows=max_rows, engine=engine, revocation_lists=revocation_lists)
    return pack(result.sheets, out_path, revocations=result.revocations, reader_peak_bytes=_peak_rss())


def _peak_rss() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _plain_csv(path: Path, *, max_rows: int, revocation_lists: bool) -> UnitFile | None:
    """A 撤销清单, or a plain UTF-8 CSV's sheet, read here; None for a CSV the child reads whole."""
    if revocation_lists and (table := revocation.from_csv(path)) is not None:
        return UnitFile([], table)
    sheet = read_csv_streamed(path, max_rows=max_rows)
    return None if sheet is None else UnitFile([sheet])


def _whole_csv_packed(path: str, max_rows: int, *, out_path: str) -> Packed:
    """What the child runs for a CSV the streamed path declined."""
    sheet = read_csv_whole(Path(path), max_rows=max_rows)
    return pack([sheet], out_path, reader_peak_bytes=_peak_rss())


def _guarded(fn, *args, **kwargs):
    """fn in this process, a BaseException from native code (pyo3's PanicException) turned into a reason."""
    try:
        return fn(*args, **kwargs)
    except (Exception, KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as exc:
        raise internal_error(type(exc).__name__) from None


def parse_unit_file(path: Path, *, max_rows: int, engine: str, revocation_lists: bool) -> UnitFile:
    """Guard and parse the file in this process (the child's work; `read_file` for tests and the bench)."""
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:
        raise _unsupported(path)
    check_path(path)
    if suffix == ".csv":
        if revocation_lists and (table := revocation.from_csv(path)) is not None:
            return UnitFile([], table)
        return UnitFile([read_csv_path(path, max_rows=max_rows)])  # streamed: never held whole
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile("文件无法打开", f"cannot open the file: {exc.strerror}") from None
    if not data[:4096].strip() and not data.strip():  # the prefix spares a copy of a large file
        raise UnreadableFile("文件为空", "the file is empty")
    # Zip bombs, ambiguous packages, declared counts here; absurd worksheet extents in the workbook reader,
    # where it knows which engine reads the sheets.
    check_content(data, suffix, sheets=False)
    result = read_delivered_workbook(
        data, max_rows=max_rows, engine=engine, revocation_lists=revocation_lists
    )
    if isinstance(result, RevocationTable):
        return UnitFile([], result)
    return UnitFile(result)
