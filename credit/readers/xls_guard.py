"""Checks of an .xls (a BIFF workbook in an OLE compound file) made before the Excel engine reads it.

calamine trusts what the file declares: the FAT's length and a DIFAT length read from the header (it
reserves that many entries), sector chains (it follows them without a bound: a cycle never ends), a
worksheet's DIMENSIONS record (it reserves rows x columns cells: 4 billion rows declared in an 18-byte
record aborted the whole process) and the positions of the cells (it allocates the rectangle they span: one
cell record at column 65535 asked for 128 GiB). This module reads the compound file as calamine reads it
(the same header fields, the same directory lookup, the same chains) and refuses what is absurd; a file it
cannot follow is left to calamine, which then refuses it in its words.
"""

from __future__ import annotations

import struct

from credit.readers.base import UnreadableFile
from credit.readers.refusals import MAX_SHEET_CELLS, sheet_too_large

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENDOFCHAIN = 0xFFFFFFFE
_RESERVED = 0xFFFFFFFA  # sector ids from here on are markers, not sectors
_DIFSECT = 0xFFFFFFFC
_MAX_RESERVE = 1 << 28  # entries calamine may reserve for the DIFAT (4 bytes each)
_STREAMS = ("Workbook", "Book", "WORKBOOK", "BOOK")  # in calamine's order
_MINI_CUTOFF = 4096
_BOF, _EOF, _BOUNDSHEET, _CONTINUE, _DIMENSIONS = 0x0809, 0x000A, 0x0085, 0x003C, 0x0200
# Cell records calamine places on the sheet: (row, col) are the first two u16 of each.
_CELLS = {0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006}
_MULRK = 0x00BD


def _damaged(what: str) -> UnreadableFile:
    return UnreadableFile(
        "Excel文件已损坏（文件结构异常），无法读取，请重新保存后再报送",
        f"the Excel file is damaged: its compound-file structure is inconsistent ({what})",
    )


class _Unfollowed(Exception):
    """The file is not one calamine opens: it refuses it itself."""


def _u16(b: bytes, at: int) -> int:
    return struct.unpack_from("<H", b, at)[0]


def _u32(b: bytes, at: int) -> int:
    return struct.unpack_from("<I", b, at)[0]


class _Compound:
    """The compound file as calamine reads it (`cfb.rs`): sector k is at (k + 1) * size."""

    def __init__(self, data: bytes):
        if len(data) < 512 or not data.startswith(OLE_SIGNATURE):
            raise _Unfollowed
        shift = _u16(data, 30)
        if shift not in (9, 12) or _u16(data, 32) != 6:
            raise _Unfollowed
        self.data = data
        self.size = 1 << shift
        self.header = 512 if shift == 9 else 4096
        self.maxid = len(data) // self.size
        fat_len, self.dir_start = _u32(data, 44), _u32(data, 48)
        self.mini_fat_start, self.mini_fat_len = _u32(data, 60), _u32(data, 64)
        difat_start = _u32(data, 68)
        # calamine reserves both before reading a sector: `fat_len` FAT entries, and a DIFAT "length" it reads
        # from bytes 62..66 (where the header holds no such field).
        if fat_len > self.maxid + 1:
            raise _damaged(f"the header declares {fat_len} FAT sectors in a file of {self.maxid}")
        if _u32(data, 62) > _MAX_RESERVE:
            raise _damaged("the header declares an absurd DIFAT length")
        if self.mini_fat_len > self.maxid + 1:
            raise _damaged(f"the header declares {self.mini_fat_len} mini FAT sectors")
        difat = list(struct.unpack_from("<109I", data, 76))
        seen: set[int] = set()
        sector = difat_start
        while sector < _RESERVED:  # calamine: extend with the sector, then pop its last entry as the next
            if sector in seen or len(seen) > self.maxid:
                raise _damaged("the DIFAT chain loops")
            seen.add(sector)
            difat.extend(struct.unpack(f"<{self.size // 4}I", self.sector(sector)))
            sector = difat.pop()
        self.fat: list[int] = []
        for sector in difat:
            if sector < _DIFSECT:
                self.fat.extend(struct.unpack(f"<{self.size // 4}I", self.sector(sector)))

    def sector(self, sector: int) -> bytes:
        if sector > self.maxid:
            raise _Unfollowed  # calamine: "sector points past end of file"
        start = self.header + sector * self.size
        return self.data[start : start + self.size]

    def chain(self, sector: int, length: int, fat: list[int], read) -> bytes:
        """A stream's bytes, following `fat` from `sector` until ENDOFCHAIN or `length` bytes."""
        out = bytearray()
        seen: set[int] = set()
        while sector != _ENDOFCHAIN and len(out) < length:
            if sector in seen:
                raise _damaged("a sector chain loops")
            seen.add(sector)
            out += read(sector)[: length - len(out)]
            if sector >= len(fat):
                raise _damaged("a sector chain leaves the FAT")  # calamine indexes out of bounds: a panic
            sector = fat[sector]
        return bytes(out)

    def stream(self) -> bytes | None:
        """The workbook stream calamine reads, None if there is none (an encrypted package has none). The
        directory and, as calamine loads them on opening, the mini stream and mini FAT are followed too."""
        dirs = self.chain(self.dir_start, len(self.data) + self.size, self.fat, self.sector)
        entries = []
        for at in range(0, len(dirs) - 127, 128):
            name = dirs[at : at + 64].decode("utf-16-le", "replace").split("\x00", 1)[0]
            start = _u32(dirs, at + 116)
            length = _u32(dirs, at + 120) if self.size == 512 else struct.unpack_from("<Q", dirs, at + 120)[0]
            entries.append((name, start, length))
        if not entries:
            raise _Unfollowed
        mini_stream, mini_fat = b"", []
        if self.mini_fat_len > 0:
            mini_stream = self.chain(entries[0][1], entries[0][2], self.fat, self.sector)
            raw = self.chain(self.mini_fat_start, self.mini_fat_len * self.size, self.fat, self.sector)
            mini_fat = list(struct.unpack(f"<{len(raw) // 4}I", raw[: len(raw) // 4 * 4]))
        by_name: dict[str, tuple[int, int]] = {}
        for name, start, length in entries:
            by_name.setdefault(name, (start, length))  # calamine takes the first of a name
        found = next((by_name[n] for n in _STREAMS if n in by_name), None)
        if found is None:
            return None
        start, length = found
        if length >= _MINI_CUTOFF:
            return self.chain(start, length, self.fat, self.sector)

        def mini(sector: int) -> bytes:
            if sector * 64 >= len(mini_stream):
                raise _Unfollowed
            return mini_stream[sector * 64 : sector * 64 + 64]

        return self.chain(start, length, mini_fat, mini)


def _records(stream: bytes, at: int):
    """(type, data) of the records from `at` as calamine iterates them (CONTINUE records belong to the one
    before); stops where a record runs past the stream (calamine fails there)."""
    while at + 4 <= len(stream):
        kind, length = _u16(stream, at), _u16(stream, at + 2)
        if at + 4 + length > len(stream):
            return
        yield kind, stream[at + 4 : at + 4 + length]
        at += 4 + length
        while at + 4 < len(stream) and _u16(stream, at) == _CONTINUE:
            at += 4 + _u16(stream, at + 2)


def _dimensions(data: bytes) -> tuple[int, int]:
    """(rows, columns) calamine reserves cells for, from a DIMENSIONS record (its arithmetic, u32 wrapping
    included)."""
    if len(data) == 10:
        rf, rl, cf, cl = _u16(data, 0), _u16(data, 2), _u16(data, 4), _u16(data, 6)
    elif len(data) == 14:
        rf, rl, cf, cl = _u32(data, 0), _u32(data, 4), _u16(data, 8), _u16(data, 10)
    else:
        return 0, 0  # calamine refuses the record
    if cf > 0xFF or cl < cf:
        cf = 0
    if rl < 1 or cl < 1:
        return 1, 1
    return ((rl - 1) - rf + 1) & 0xFFFFFFFF, ((cl - 1) - cf + 1) & 0xFFFFFFFF


def _sheet_name(record: bytes, number: int) -> str:
    """The BOUNDSHEET record's sheet name (BIFF8 short string), or 第N个工作表 where it does not decode."""
    try:
        count, flags = record[6], record[7]
        raw = record[8 : 8 + count * (2 if flags & 1 else 1)]
        name = raw.decode("utf-16-le" if flags & 1 else "latin-1")
    except (IndexError, UnicodeDecodeError):
        name = ""
    return name if name.isprintable() and name else f"第{number}个工作表"


def _check_sheet(stream: bytes, at: int, name: str, limit: int, too_large) -> None:
    depth, seen_bof = 0, False
    max_row = max_col = -1
    for kind, data in _records(stream, at):
        if depth:
            depth += kind == _BOF
            depth -= kind == _EOF
            continue
        if kind == _BOF:
            if seen_bof:
                depth = 1
            seen_bof = True
        elif kind == _EOF:
            break
        elif kind == _DIMENSIONS:
            rows, cols = _dimensions(data)
            if rows * cols > limit:
                raise too_large(name, rows, cols)
        elif kind in _CELLS and len(data) >= 4:
            max_row, max_col = max(max_row, _u16(data, 0)), max(max_col, _u16(data, 2))
        elif kind == _MULRK and len(data) >= 6:  # one cell per 6 bytes from the first column on
            max_row = max(max_row, _u16(data, 0))
            max_col = max(max_col, _u16(data, 2) + max(0, (len(data) - 6 + 5) // 6 - 1))
    if (max_row + 1) * (max_col + 1) > limit:
        raise too_large(name, max_row + 1, max_col + 1)


def check_xls(data: bytes) -> None:
    """Refuses an OLE workbook whose structure would make calamine reserve, allocate or loop without bound.
    Silent for ordinary files and for files calamine will refuse by itself."""
    try:
        stream = _Compound(data).stream()
    except (_Unfollowed, struct.error):
        return
    if stream is None:
        return
    sheets = []
    for kind, record in _records(stream, 0):
        if kind == _BOUNDSHEET:
            if len(record) < 6:
                raise _damaged("a sheet record too short")  # calamine reads past it: a panic
            sheets.append((_u32(record, 0), _sheet_name(record, len(sheets) + 1)))
        elif kind == _EOF:
            break
    for at, name in sheets:
        if at > len(stream):  # calamine slices the stream there: out of bounds is a panic
            raise _damaged("a sheet starts past the workbook stream")
        _check_sheet(stream, at, name, MAX_SHEET_CELLS, sheet_too_large)
