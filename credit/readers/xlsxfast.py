"""Our own .xlsx/.xlsm reader, for workbooks saved the way Excel and WPS save them: a worksheet becomes its head
rows and arrow columns without a Python object per cell.

Parts are inflated whole with zlib. The tags of the XML are found with numpy over the raw bytes (where each '<'
is, what its first bytes say) and checked against a small grammar in one RE2 pass; cell positions and shared-
string indices are read from the bytes with vector arithmetic; texts are arrow slices of the XML itself, decoded
only where they need it; numbers and dates, which have few distinct values, are written once per distinct value.
The shared strings are read on a second thread while the first worksheet is scanned.

Every cell comes out exactly as `cell_text` writes python_calamine's value. Whatever is not reproduced with
certainty (the 1904 date system, error cells, durations, cells without a position, unexpected attributes or
layouts, strict OOXML, a part that does not parse) raises `NotFast`: the caller then reads the workbook with
calamine.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import itertools
import logging
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from xml.etree import ElementTree
from xml.parsers import expat

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from credit.readers.guards import MAX_MEMBER_BYTES

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_MAIN_XMLNS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
MAX_COLUMNS = 16_384
MAX_ROWS = 1_048_576
_THREAD_FROM = 1 << 20  # bytes of shared strings worth reading on a second thread

log = logging.getLogger(__name__)


class NotFast(Exception):
    """The workbook holds something this reader does not give exactly as calamine would."""


# --- the zip package ---------------------------------------------------------------------------------------
class _Package:
    """The parts of the zip, found as calamine finds them (names compared without case), inflated whole."""

    def __init__(self, data: bytes):
        if not data.startswith(b"PK\x03\x04"):
            raise NotFast("not a zip package")
        try:
            infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
            raise NotFast(f"zip: {exc}") from None
        self._data = memoryview(data)
        self._parts: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            self._parts.setdefault(info.filename.lower(), info)

    def size(self, name: str) -> int:
        info = self._parts.get(name.lower())
        return info.file_size if info else 0

    def read(self, name: str) -> bytes | None:
        """The part's bytes, None if there is no such part; NotFast if it cannot be trusted."""
        info = self._parts.get(name.lower())
        if info is None:
            return None
        if info.flag_bits & 1 or info.file_size > MAX_MEMBER_BYTES:
            raise NotFast(f"{name}: encrypted or too large")
        start = self._payload(info)
        raw = self._data[start : start + info.compress_size]
        if info.compress_type == zipfile.ZIP_STORED:
            out = bytes(raw)
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            try:
                # Never more than the directory declares: a lying size cannot unpack a bomb here.
                out = zlib.decompressobj(-15).decompress(raw, max(info.file_size, 1))
            except zlib.error as exc:
                raise NotFast(f"{name}: {exc}") from None
        else:
            raise NotFast(f"{name}: compression method {info.compress_type}")
        if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
            raise NotFast(f"{name}: size or checksum differs from the zip directory")
        return out

    def _payload(self, info: zipfile.ZipInfo) -> int:
        head = bytes(self._data[info.header_offset : info.header_offset + 30])
        if len(head) < 30 or not head.startswith(b"PK\x03\x04"):
            raise NotFast(f"{info.filename}: no local header")
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        return info.header_offset + 30 + name_len + extra_len


# --- small parts: workbook, relationships, styles ----------------------------------------------------------
_DECLARED = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding=[\"']([^\"']+)")


def _check_utf8(raw: bytes, part: str) -> None:
    """calamine reads parts as UTF-8; another declared encoding, or a DTD, is not for this reader."""
    declared = _DECLARED.match(raw[:256])
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise NotFast(f"{part}: encoding {declared.group(1)!r}")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"<!DOCTYPE" in raw[:4096]:
        raise NotFast(f"{part}: UTF-16 or a DTD")


def _parse(raw: bytes | None, part: str) -> ElementTree.Element:
    if raw is None:
        raise NotFast(f"no {part}")
    _check_utf8(raw, part)
    try:
        return ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        raise NotFast(f"{part}: {exc}") from None


@dataclass(frozen=True)
class Entry:
    name: str
    hidden: bool
    path: str | None  # the part of a worksheet; None for a chart or dialog sheet


_STATES = {"visible": False, "hidden": True, "veryHidden": True}
_TYPES = {"worksheets": True, "chartsheets": False, "dialogsheets": False}
_SHEET_TAG = re.compile(rb"<sheet\b[^>]*>")


def _relationships(pkg: _Package) -> dict[str, str]:
    raw = pkg.read("xl/_rels/workbook.xml.rels")
    root = _parse(raw, "workbook relationships")
    if b"&" in raw:  # calamine takes targets as written, without unescaping
        raise NotFast("an escaped relationship target")
    return {r.get("Id"): r.get("Target", "") for r in root.iter(f"{_PKG}Relationship")}


def _part_path(target: str) -> str:
    """The part a workbook relationship names, resolved as calamine resolves it."""
    if target.startswith("/xl/"):
        return target[1:]
    return target if target.startswith("xl/") else f"xl/{target}"


def entries(pkg: _Package) -> list[Entry]:
    """The workbook's sheets in order, as python_calamine's `sheets_metadata` lists them."""
    raw = pkg.read("xl/workbook.xml")
    root = _parse(raw, "workbook")
    if root.tag != f"{_MAIN}workbook":
        raise NotFast("not a transitional SpreadsheetML workbook")
    if re.search(rb"date1904\s*=\s*[\"'](?!(?:0|false)[\"'])", raw):
        raise NotFast("the 1904 date system")
    sheets = list(root.iter(f"{_MAIN}sheet"))
    tags = _SHEET_TAG.findall(raw)
    # calamine looks for the literal r:id attribute, and keeps attribute values unnormalised.
    if len(tags) != len(sheets) or any(b" r:id=" not in t or re.search(rb"[\t\n\r]", t) for t in tags):
        raise NotFast("unusual sheet elements")
    rels = _relationships(pkg)
    out = []
    for el in sheets:
        name, state, rid = el.get("name", ""), el.get("state", "visible"), el.get(f"{_REL}id")
        if state not in _STATES or rid not in rels:
            raise NotFast(f"sheet state {state!r} or relationship {rid!r}")
        path = _part_path(rels[rid])
        folder = path.split("/")[1] if path.count("/") >= 2 else ""
        if folder not in _TYPES:
            raise NotFast(f"sheet part {path!r}")
        out.append(Entry(name, _STATES[state], path if _TYPES[folder] else None))
    if len({e.name for e in out}) != len(out):
        raise NotFast("two sheets with one name")
    return out


# Number formats as calamine sees them (src/formats.rs): a number, a date or time, or a duration.
NUMBER, DATE, DURATION = 0, 1, 2
_BUILTIN_DATE = frozenset({"14", "15", "16", "17", "18", "19", "20", "21", "22", "45", "47"})


def format_kind(code: str) -> int:
    """calamine's `detect_custom_number_format`, branch for branch (the order of the tests matters)."""
    escaped = is_quote = ap = hms = False
    brackets = 0
    prev = " "
    for s in code:
        if escaped:
            escaped = False
        elif s in "_\\*":  # the next character is a literal, even inside quotes
            escaped = True
        elif is_quote:
            is_quote = s != '"'
        elif s == '"':
            is_quote = True
        elif s == ";":
            return NUMBER
        elif s == "[":
            brackets += 1
            if brackets > 255:  # calamine counts in a u8
                raise NotFast("a number format with too many brackets")
        elif s == "]" and brackets == 1 and hms:
            return DURATION
        elif s == "]":
            brackets = max(brackets - 1, 0)
        elif s in "aA" and not ap and brackets == 0:
            ap = True
        elif brackets == 0 and (s in "pm/PM" if ap else s in "dmhysDMHYS"):  # after an 'a': a/p, am/pm
            return DATE
        elif not (hms and s.lower() == prev.lower()):
            hms = prev == "[" and s in "mhsMHS"
        prev = s
    return NUMBER


def style_kinds(pkg: _Package) -> np.ndarray:
    """Per cell style (`s`), whether its numbers are numbers, dates or durations."""
    raw = pkg.read("xl/styles.xml")
    if raw is None:
        return np.zeros(0, dtype=np.uint8)
    root = _parse(raw, "styles")
    if 0 <= raw.find(b"<cellXfs") < raw.rfind(b"<numFmts"):  # calamine would not know those formats yet
        raise NotFast("number formats defined after the cell styles")
    # As calamine: formats from any numFmts element, styles from any cellXfs, in document order.
    custom = {
        f.get("numFmtId", ""): f.get("formatCode", "")
        for group in root.iter(f"{_MAIN}numFmts")
        for f in group.iter(f"{_MAIN}numFmt")
        if f.get("formatCode")
    }
    kinds = []
    for group in root.iter(f"{_MAIN}cellXfs"):
        for xf in group.iter(f"{_MAIN}xf"):
            fid = xf.get("numFmtId")
            if fid is None:
                kinds.append(NUMBER)
            elif fid in custom:
                kinds.append(format_kind(custom[fid]))
            else:
                kinds.append(DATE if fid in _BUILTIN_DATE else DURATION if fid == "46" else NUMBER)
    return np.array(kinds, dtype=np.uint8)


# --- bytes -------------------------------------------------------------------------------------------------
PAD = 32  # bytes after a region: a fixed-width look past any of its tags stays inside the buffer


def padded(xml: bytes, hi: int) -> bytes:
    """The part with PAD bytes after the region [.., hi): its own closing tags, or zeros (a copy) if too short."""
    return xml if len(xml) - hi >= PAD else xml + bytes(PAD)


def windows(buf: np.ndarray, pos: np.ndarray, width: int) -> np.ndarray:
    """buf[pos : pos + width] for every position, as the rows of one array (for a few positions)."""
    return np.lib.stride_tricks.sliding_window_view(buf, width)[pos]


def words(buf: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """The 8 bytes at each position as one little-endian uint64 (byte k is `nth(word, k)`): a gather of whole
    words is twice as fast as one of byte rows."""
    return np.ndarray((len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))[pos]


def nth(word: np.ndarray, k: int) -> np.ndarray:
    return ((word >> np.uint64(8 * k)) & np.uint64(0xFF)).astype(np.uint8)


def table(letters: bytes) -> np.ndarray:
    """A 256-entry lookup, True for the given bytes (tag codes): `table(b"CK")[code]`."""
    out = np.zeros(256, dtype=bool)
    out[list(letters)] = True
    return out


# --- tags --------------------------------------------------------------------------------------------------
# Every tag gets a one-letter code; the grammars say which sequences this reader understands.
#   sheetData: R <row> Q </row> E <row/>  C <c> K <c/> D </c>  V <v> W </v>  F <f> G </f> H <f/>  I <is> J </is>
#   strings:   A <si> B </si> M <si/>  T <t> P <t xml:space="preserve"> L <t/> U </t>
#              r <r> s </r>  p <rPr> q </rPr> e (empty tag inside rPr)  x <rPh> y </rPh>  z <phoneticPr/>
_RUNS = r"(?:[TP]U|L|r(?:pe*q)?(?:[TP]U|L)s|x(?:[TP]U|L)y|z)*"
SHEET_GRAMMAR = rf"^(?:E|R(?:K|C(?:(?:FG|H)?(?:VW)?|I{_RUNS}J)D)*Q)*$"
STRINGS_GRAMMAR = rf"^(?:A{_RUNS}B|M)*$"
_PRESERVE = np.frombuffer(b'<t xml:space="preserve">', dtype=np.uint8)
_TEXT_SKIP = np.zeros(256, dtype=np.int32)  # from a text tag's '<' to its text
_TEXT_SKIP[[ord("V"), ord("T"), ord("P")]] = 3, 3, len(_PRESERVE)
_RARE = table(b"R1234?")  # provisional codes that need a closer look


def _lut() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(code by the two bytes after '<' read as b1 | b2 << 8, fixed tag length by code, codes that must end
    where the next tag starts)."""
    first = np.full(1 << 16, ord("?"), dtype=np.uint8)
    for pair, code in {
        "ro": "R", "/r": "1", "c ": "C", "/c": "D", "v>": "V", "/v": "W", "f>": "F", "f ": "F", "/f": "G",
        "is": "I", "/i": "J", "t>": "T", "t ": "2", "t/": "L", "/t": "U", "r>": "r", "rP": "3",
        "ph": "z", "si": "4", "/s": "B",
    }.items():  # fmt: skip
        first[pair.encode()[1] << 8 | pair.encode()[0]] = ord(code)
    fixed = np.zeros(256, dtype=np.uint8)
    for code, n in {"D": 4, "W": 4, "G": 4, "I": 4, "J": 5, "L": 4, "U": 4, "r": 3, "B": 5}.items():
        fixed[ord(code)] = n
    closed = np.ones(256, dtype=bool)
    closed[[ord("V"), ord("T"), ord("2"), ord("F")]] = False  # text follows them
    return first, fixed, closed


_FIRST, _FIXED, _CLOSED = _lut()


@dataclass
class Tags:
    """The tags of an XML region: where each starts, where the next one starts, and its code. Texts are read
    from `texts`: the part itself, or a copy with its numeric character references decoded."""

    raw: bytes  # the whole part, `padded` after the region
    buf: np.ndarray  # the same bytes, uint8
    start: np.ndarray
    next: np.ndarray
    code: np.ndarray  # uint8 letters
    texts: np.ndarray | None = None
    texts_raw: bytes = b""
    _refs: tuple[np.ndarray, np.ndarray] | None = None  # (where references start, bytes saved before each)

    def __post_init__(self):
        if self.texts is None:
            self.texts, self.texts_raw = self.buf, self.raw

    def where(self, letters: str) -> np.ndarray:
        """Indices of the tags with one of the codes."""
        if len(letters) == 1:
            return np.flatnonzero(self.code == ord(letters))
        return np.flatnonzero(table(letters.encode())[self.code])

    def text(self, i: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """[start, end) in `texts` of the text after the text tags i (V, T, P; L has none)."""
        s = self.start[i] + _TEXT_SKIP[self.code[i]]
        e = np.where(self.code[i] == ord("L"), s, self.next[i])
        if self._refs is not None:
            at, saved = self._refs
            s, e = s - saved[np.searchsorted(at, s)], e - saved[np.searchsorted(at, e)]
        return s.astype(np.int64), e.astype(np.int64)


def _root(xml: bytes, name: bytes, part: str) -> None:
    """The part's root element is `name` in the transitional namespace (strict OOXML is not for us)."""
    _check_utf8(xml, part)
    tag = re.search(rb"<" + name + rb"[\s>/][^>]*", xml[:8192])
    if tag is None or _MAIN_XMLNS not in tag.group(0):
        raise NotFast(f"{part}: not transitional SpreadsheetML")


def region(xml: bytes, open_tag: bytes, close_tag: bytes, part: str) -> tuple[int, int]:
    """[lo, hi) of the content of <open_tag ...> ... </close_tag>, with the XML before it checked (calamine
    parses that part too); (0, 0) when the element is empty or absent."""
    at = xml.find(open_tag)
    if at < 0:
        return 0, 0
    end = xml.find(b">", at)
    if end < 0:
        raise NotFast(f"{part}: unterminated tag")
    try:
        expat.ParserCreate().Parse(xml[: end + 1], False)
    except expat.ExpatError as exc:
        raise NotFast(f"{part}: {exc}") from None
    if xml[end - 1 : end] == b"/":
        return 0, 0
    hi = xml.rfind(close_tag, end)  # from the end: it is near there (two of them fail the grammar)
    if hi < 0:
        raise NotFast(f"{part}: no {close_tag!r}")
    return end + 1, hi


def check_text(xml: bytes, lo: int, hi: int, part: str) -> None:
    """UTF-8 (calamine fails on anything else; arrow validates at C speed), without a raw carriage return
    (the XML parser turns one into a line feed: not worth reproducing)."""
    whole = pa.Array.from_buffers(
        pa.large_string(), 1, [None, pa.py_buffer(np.array([lo, hi], dtype=np.int64)), pa.py_buffer(xml)]
    )
    try:
        whole.validate(full=True)
    except pa.ArrowInvalid:
        raise NotFast(f"{part}: not UTF-8") from None
    if xml.find(b"\r", lo, hi) >= 0:
        raise NotFast(f"{part}: a raw carriage return")


def scan(raw: bytes, lo: int, hi: int, grammar: str) -> Tags:
    """The tags in raw[lo:hi] (`padded`, lo >= 2), checked: nothing but tags and the texts of V, T, P and F,
    in the grammar."""
    buf = np.frombuffer(raw, dtype=np.uint8)
    start = np.flatnonzero(buf[lo:hi] == ord("<")).astype(np.int32)  # parts are below 2 GiB
    start += lo
    if not len(start) or start[0] != lo:
        raise NotFast("text before the first tag")
    nxt = np.empty_like(start)
    nxt[:-1] = start[1:]
    nxt[-1] = hi
    # One gather: the two bytes before each '<' (the end of the tag before) and the two after it.
    w = words(buf, start - 2)
    code = _FIRST[((w >> np.uint64(24)) & np.uint64(0xFFFF)).astype(np.uint16)]
    ends = np.empty(len(start), np.uint16)  # each tag's last two bytes, the very last one high
    ends[:-1] = (w[1:] & np.uint64(0xFFFF)).astype(np.uint16)
    ends[-1] = buf[hi - 1].astype(np.uint16) << 8 | buf[hi - 2]
    closed = (ends >> 8) == ord(">")
    empty = closed & ((ends & 0xFF) == ord("/"))
    length = nxt - start
    fixed = _FIXED[code]
    bad = (fixed != 0) & (length != fixed)
    bad |= _CLOSED[code] & ~closed
    code[(code == ord("C")) & empty] = ord("K")
    _resolve_rare(buf, start, length, empty, code)
    bad |= code == ord("?")
    if bad.any():
        raise NotFast(f"unexpected XML at byte {int(start[np.argmax(bad)])}")  # (never the cells' text)
    _resolve_formulas(code, empty)
    if not pc.match_substring_regex(pa.array([code.tobytes()], pa.large_binary()), grammar)[0].as_py():
        raise NotFast("an XML layout this reader does not know")
    tags = Tags(raw, buf, start, nxt, code)
    decode_references(tags, lo, hi)
    return tags


def _resolve_rare(buf, start, length, empty, code) -> None:
    """Codes whose first two bytes leave a doubt: row tags, run tags, <t ...>, <si>; any other empty tag is an
    'e' (the grammar allows those inside <rPr> only)."""
    rare = np.flatnonzero(_RARE[code])
    if not len(rare):
        return
    w = words(buf, start[rare])
    n, e, c = length[rare], empty[rare], code[rare]
    b1, b3, b4 = nth(w, 1), nth(w, 3), nth(w, 4)
    out = np.full(len(rare), ord("?"), dtype=np.uint8)
    row = (c == ord("R")) & (b3 == ord("w")) & table(b" >/")[b4]
    out[row] = np.where(e[row], ord("E"), ord("R"))
    slash_r = c == ord("1")
    out[slash_r & (n == 6) & (b3 == ord("o"))] = ord("Q")
    out[slash_r & (n == 4) & (b3 == ord(">"))] = ord("s")
    out[slash_r & (n == 6) & (b3 == ord("P")) & (b4 == ord("h"))] = ord("y")
    out[slash_r & (n == 6) & (b3 == ord("P")) & (b4 == ord("r"))] = ord("q")
    r_p = c == ord("3")
    out[r_p & (n == 5) & (b3 == ord("r")) & (b4 == ord(">"))] = ord("p")
    out[r_p & ~e & (b3 == ord("h")) & table(b" >")[b4]] = ord("x")
    si = c == ord("4")
    out[si & (n == 4) & (b3 == ord(">"))] = ord("A")
    out[si & (n == 5) & (b3 == ord("/"))] = ord("M")
    t_attr = np.flatnonzero(c == ord("2"))
    if len(t_attr):
        preserve = (windows(buf, start[rare[t_attr]], len(_PRESERVE)) == _PRESERVE).all(axis=1)
        out[t_attr[preserve]] = ord("P")
    out[(c == ord("?")) & e & table(bytes(range(ord("a"), ord("z") + 1)))[b1 | 0x20]] = ord("e")
    code[rare] = out


def _resolve_formulas(code: np.ndarray, empty: np.ndarray) -> None:
    """<f ...> followed by </f> holds a formula (its text is never read); otherwise it must close itself."""
    f = np.flatnonzero(code == ord("F"))
    if not len(f):
        return
    follows = np.full(len(f), ord("?"), dtype=np.uint8)
    inside = f + 1 < len(code)
    follows[inside] = code[f[inside] + 1]
    holds = follows == ord("G")
    if not (holds | empty[f]).all():
        raise NotFast("a formula tag that neither holds a formula nor closes itself")
    code[f[~holds]] = ord("H")


# --- numeric character references -------------------------------------------------------------------------
# openpyxl writes every character outside ASCII as &#NNNNN;. A sheet holds millions of them but only a few
# thousand distinct ones: each distinct 8-byte word starting at '&#' is decoded once, the UTF-8 bytes are
# written over the reference and the rest of it is cut out, a block of the part at a time.
_REF = re.compile(rb"&#(?:([0-9]{1,7})|x([0-9a-fA-F]{1,6}));")
_BLOCK = 32 << 20


def _xml_char(cp: int) -> bool:
    """A character XML 1.0 allows, other than '&' (decoded first, it would read as the start of an entity)."""
    if cp in (0x9, 0xA, 0xD):
        return True
    return (0x20 <= cp <= 0xD7FF and cp != 0x26) or 0xE000 <= cp <= 0xFFFD or 0x10000 <= cp <= 0x10FFFF


@functools.lru_cache(maxsize=1 << 16)  # the same few thousand characters, file after file
def _reference(raw: bytes) -> tuple[int, bytes] | None:
    """(length, UTF-8 bytes) of the reference at the start of raw; None if it is longer than raw."""
    m = _REF.match(raw)
    if m is None:
        if b";" in raw or len(raw) >= 16:
            raise NotFast("a malformed character reference")
        return None
    cp = int(m.group(1), 10) if m.group(1) else int(m.group(2), 16)
    if not _xml_char(cp):
        raise NotFast("a character reference to a character XML does not allow")
    return m.end(), chr(cp).encode()


@dataclass
class _References:
    """The references of a part: where each starts and which distinct one it is; per distinct reference, its
    length and its UTF-8 bytes."""

    at: np.ndarray
    which: np.ndarray
    length: np.ndarray  # per distinct reference
    utf8: list[bytes]  # per distinct reference

    def block(self, a: int, b: int) -> _References:
        """The references in [a, b), positions made relative to a."""
        i, j = np.searchsorted(self.at, [a, b])
        return _References(self.at[i:j] - a, self.which[i:j], self.length, self.utf8)

    def saved(self) -> np.ndarray:
        """Bytes saved by decoding before each reference (and in all, last)."""
        out = np.zeros(len(self.at) + 1, dtype=np.int64)
        saved = self.length - np.array([len(u) for u in self.utf8], dtype=np.int64)
        np.cumsum(saved[self.which], out=out[1:])
        return out


def references(buf: np.ndarray, at: np.ndarray) -> _References:
    """Each distinct 8-byte word at '&#' decoded once."""
    enc = pa.array(words(buf, at)).dictionary_encode()
    which = enc.indices.to_numpy().copy()  # int32; some are changed below
    found = [_reference(int(w).to_bytes(8, "little")) for w in enc.dictionary.to_pylist()]
    longer = np.flatnonzero([f is None for f in found])
    if len(longer):  # longer than 8 bytes (&#128512;): read one by one, there are few
        mine = np.flatnonzero(np.isin(which, longer))
        if len(mine) > 100_000:
            raise NotFast("too many long character references")
        for i in mine.tolist():
            which[i] = len(found)
            found.append(_reference(buf[at[i] : at[i] + 16].tobytes()))
        if any(f is None for f in found[len(found) - len(mine) :]):
            raise NotFast("a malformed character reference")
    found = [f or (0, b"") for f in found]
    return _References(at, which, np.array([f[0] for f in found], dtype=np.int64), [f[1] for f in found])


def decode_references(tags: Tags, lo: int, hi: int) -> None:
    """Give `tags` a copy of the part with its numeric character references decoded, if it has any. Only the
    texts are read from it, so references inside tags (calamine would not decode those) do no harm."""
    if tags.raw.find(b"&", lo, hi) < 0 or tags.raw.find(b"&#", lo, hi) < 0:  # memchr first: a quick no
        return
    buf = tags.buf
    amp = (np.flatnonzero(buf[lo:hi] == ord("&")) + lo).astype(np.int32)
    refs = references(buf, amp[buf[amp + 1] == ord("#")])
    out = [_decoded(buf[a:b], refs.block(a, b)) for a, b in _blocks(tags, lo, hi)]
    tags.texts_raw = b"".join([buf[:lo], *out, buf[hi:]])  # one copy, straight into bytes
    tags.texts = np.frombuffer(tags.texts_raw, dtype=np.uint8)
    tags._refs = (refs.at, refs.saved())


def _blocks(tags: Tags, lo: int, hi: int) -> Iterator[tuple[int, int]]:
    """[a, b) pieces of the region cut where tags start: no reference spans two (memory stays bounded)."""
    at = np.searchsorted(tags.start, np.arange(lo + _BLOCK, hi, _BLOCK))
    cuts = tags.start[np.minimum(at, len(tags.start) - 1)]
    return itertools.pairwise([lo, *sorted(set(cuts.tolist()) - {lo}), hi])


def _decoded(piece: np.ndarray, refs: _References) -> np.ndarray:
    """The piece with each reference replaced by its UTF-8 bytes: written over its first bytes, the rest of it
    cut out. References of one form (length, UTF-8 length) go together: one scatter per byte position."""
    if not len(refs.at):
        return piece
    out = piece.copy()
    keep = np.ones(len(piece), dtype=bool)
    size = np.array([len(u) for u in refs.utf8], dtype=np.int64)
    utf8 = np.zeros((4, len(refs.utf8)), dtype=np.uint8)
    for j, u in enumerate(refs.utf8):
        utf8[: len(u), j] = np.frombuffer(u, dtype=np.uint8)
    form = (refs.length * 8 + size)[refs.which]
    forms = np.flatnonzero(np.bincount(form))
    for f in forms.tolist():
        mine = form == f if len(forms) > 1 else slice(None)
        at, which = refs.at[mine], refs.which[mine]
        length, n = divmod(f, 8)
        for k in range(n):
            out[at + k] = utf8[k][which]
        for k in range(n, length):
            keep[at + k] = False
    return out[keep]


# --- texts -------------------------------------------------------------------------------------------------
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))
_X_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
XML_SPACE = " \t\n\r"
_SPACE = table(XML_SPACE.encode())


def gapped(data: pa.Buffer, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    """The byte ranges as the even elements of one large_string array over `data` (no copy; the odd elements
    are what lies between them, never read)."""
    n = len(starts)
    if not n:
        return pa.array([], type=pa.large_string())
    offsets = np.empty(2 * n, dtype=np.int64)
    offsets[0::2] = starts
    offsets[1::2] = ends
    return pa.Array.from_buffers(pa.large_string(), 2 * n - 1, [None, pa.py_buffer(offsets), data])


def compact(arr: pa.Array) -> pa.Array:
    """The even elements of a `gapped` array, copied together."""
    return arr.take(pa.array(np.arange(0, len(arr), 2, dtype=np.int64)))


def unescape_entities(arr: pa.Array) -> pa.Array:
    """XML's five named entities ('&amp;' last, so that '&amp;lt;' stays '&lt;'); NotFast for any other '&'
    (numeric references are decoded before)."""
    if not pc.any(pc.match_substring(arr, "&")).as_py():
        return arr
    amps = pc.sum(pc.count_substring(arr, "&")).as_py()
    if amps != sum(pc.sum(pc.count_substring(arr, e)).as_py() or 0 for e, _ in _ENTITIES):
        raise NotFast("an unknown entity")
    for entity, char in _ENTITIES:
        arr = pc.replace_substring(arr, entity, char)
    return arr


def _x_char(m: re.Match) -> str:
    code = int(m.group(1), 16)
    return m.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)  # as calamine: no lone surrogates


def unescape_x(arr: pa.Array) -> pa.Array:
    """Excel's _xHHHH_ escapes (lower-case x, as calamine), in the few texts that hold one."""
    hits = np.flatnonzero(pc.fill_null(pc.match_substring(arr, "_x"), False).to_numpy(zero_copy_only=False))
    if not len(hits):
        return arr
    fixed = [_X_ESCAPE.sub(_x_char, s) for s in arr.take(pa.array(hits)).to_pylist()]
    index = np.arange(len(arr), dtype=np.int64)
    index[hits] = len(arr) + np.arange(len(hits))
    return pa.concat_arrays([arr, pa.array(fixed, type=arr.type)]).take(pa.array(index))


def _edge_space(buf: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Ranges that start or end with XML white space."""
    filled = e > s
    out = np.zeros(len(s), dtype=bool)
    out[filled] = _SPACE[buf[s[filled]]] | _SPACE[buf[e[filled] - 1]]
    return out


def _needs_unescape(tags: Tags, s: np.ndarray, e: np.ndarray) -> bool:
    """Whether any text may hold an entity ('&') or an Excel escape ('_x'): one look at the bytes."""
    if not len(s):
        return False
    a, b = int(s[0]), int(e[-1])
    return tags.texts_raw.find(b"&", a, b) >= 0 or tags.texts_raw.find(b"_x", a, b) >= 0


def _join(texts: pa.Array, counts: np.ndarray) -> pa.Array:
    """One string per group: its texts joined (null for a group without texts)."""
    if counts.max(initial=0) <= 1:
        index = np.full(len(counts), -1, dtype=np.int64)
        index[counts == 1] = np.arange(len(texts), dtype=np.int64)
        return texts.take(pa.array(index, mask=index < 0))
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), texts)
    return pc.binary_join(lists, pa.scalar("", pa.large_string()))


class _Texts:
    """The strings of groups of <t> (a shared string, or an inline cell) as calamine reads them: each <t>
    unescaped, trimmed of XML white space unless xml:space="preserve", _xHHHH_ unescaped; phonetic runs left
    out; the runs of a group joined. Group g is `array[index[g]]`, blank where index[g] is -1."""

    def __init__(self, tags: Tags, owner: np.ndarray, groups: int):
        """`owner`: per tag, the group it belongs to (the grammar keeps every <t> inside one)."""
        t = tags.where("TPL")
        if (tags.code == ord("x")).any():
            phonetic = np.cumsum(
                (tags.code == ord("x")).astype(np.int8) - (tags.code == ord("y")), dtype=np.int8
            )
            t = t[phonetic[t] == 0]
        s, e = tags.text(t)
        group = owner[t]
        counts = np.bincount(group, minlength=groups)
        texts = gapped(pa.py_buffer(tags.texts), s, e)
        preserve = tags.code[t] == ord("P")
        plain = counts.max(initial=0) <= 1 and not (_edge_space(tags.texts, s, e) & ~preserve).any()
        if plain and not _needs_unescape(tags, s, e):  # the common case: the XML's own bytes, no copy
            self.array = texts
            self.index = np.full(groups, -1, dtype=np.int64)
            self.index[group] = 2 * np.arange(len(t), dtype=np.int64)
            return
        texts = unescape_entities(compact(texts))
        edge = pc.match_substring_regex(texts, r"^[ \t\n\r]|[ \t\n\r]$")  # '&#32;' counts too
        trim = np.asarray(edge.to_numpy(zero_copy_only=False), dtype=bool) & ~preserve
        if trim.any():
            texts = pc.if_else(pa.array(trim), pc.utf8_trim(texts, XML_SPACE), texts)
        self.array = _join(unescape_x(texts), counts)  # calamine unescapes each run, then joins
        self.index = np.where(counts > 0, np.arange(groups, dtype=np.int64), -1)


# --- shared strings ----------------------------------------------------------------------------------------
@dataclass
class Strings:
    """The shared strings: string k is pool[index[k]], or blank where index[k] is -1."""

    pool: pa.Array
    index: np.ndarray


def shared_strings(pkg: _Package) -> Strings:
    xml = pkg.read("xl/sharedStrings.xml")
    if xml is None:
        return Strings(pa.array([], type=pa.large_string()), np.zeros(0, dtype=np.int64))
    _root(xml, b"sst", "shared strings")
    lo, hi = region(xml, b"<sst", b"</sst>", "shared strings")
    if hi <= lo:
        return Strings(pa.array([], type=pa.large_string()), np.zeros(0, dtype=np.int64))
    check_text(xml, lo, hi, "shared strings")
    tags = scan(padded(xml, hi), lo, hi, STRINGS_GRAMMAR)
    opens = table(b"AM")[tags.code]
    texts = _Texts(tags, np.cumsum(opens) - 1, int(opens.sum()))
    return Strings(texts.array, texts.index)


# --- cells -------------------------------------------------------------------------------------------------
_S, _N, _B, _STR, _INLINE = 1, 2, 3, 4, 5
_CELL_TYPES = {None: _N, "n": _N, "s": _S, "b": _B, "str": _STR, "inlineStr": _INLINE}
_ATTR = re.compile(r' ([A-Za-z]+)="([^"<&]*)"')
_ATTRS = re.compile(r'(?: [A-Za-z]+="[^"<&]*")*')
_KNOWN_ATTRS = frozenset({"s", "t", "cm", "ph"})  # cm: dynamic-array metadata; ph: show phonetics
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # Rust's f64 syntax, finite
_EPOCH = dt.datetime(1899, 12, 30)


def cell_attributes(text: str) -> tuple[int, int]:
    """(type, style) from a cell tag's attributes after r, as calamine takes them; NotFast for e (error) and
    d (ISO date) cells, unknown attributes and anything unusual."""
    pairs = _ATTR.findall(text)
    attrs = dict(pairs)
    if not _ATTRS.fullmatch(text) or len(attrs) != len(pairs) or not attrs.keys() <= _KNOWN_ATTRS:
        raise NotFast(f"cell attributes {text!r}")
    t, style = attrs.get("t"), attrs.get("s")
    if t not in _CELL_TYPES:
        raise NotFast(f"cell type {t!r}")
    if style is not None and not (style.isascii() and style.isdigit() and len(style) < 10):
        raise NotFast(f"cell style {style!r}")
    return _CELL_TYPES[t], -1 if style is None else int(style)  # -1: no style, a plain number


def _digits(w: np.ndarray, first: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, bool]:
    """(value, whether all are digits) of the rows' bytes [first, end) read as decimal numbers."""
    value = np.zeros(len(w), dtype=np.int64)
    ok = True
    for j in range(int(first.min(initial=0)), int(end.max(initial=0))):
        inside = (j >= first) & (j < end)
        d = w[:, j].astype(np.int64) - 48
        ok = ok and not (inside & ((d < 0) | (d > 9))).any()
        value = np.where(inside, value * 10 + d, value)
    return value, ok


def cell_refs(buf: np.ndarray, tag_start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row 1-based, column 0-based, end of the attribute) of <c r="AB12" ...> tags; NotFast unless every tag
    starts with a plain upper-case reference."""
    if not len(tag_start):
        return (np.zeros(0, dtype=np.int64),) * 3
    head = words(buf, tag_start + 3)  # r="ABC1 (tag bytes 3..10)
    if ((head & np.uint64(0xFFFFFF)) != np.uint64(int.from_bytes(b'r="', "little"))).any():
        raise NotFast("a cell whose first attribute is not its position")
    ch = [nth(head, 3 + k) for k in range(4)]
    upper = [(c >= ord("A")) & (c <= ord("Z")) for c in ch]
    if not upper[0].all() or (upper[1] & upper[2] & upper[3]).any():
        raise NotFast("a cell reference without a column, or past XFD")
    letters = 1 + upper[1] + (upper[1] & upper[2])
    col = ch[0].astype(np.int64) - 65
    for k in (1, 2):
        col = np.where(k < letters, (col + 1) * 26 + ch[k].astype(np.int64) - 65, col)
    row, quote = _row_numbers(buf, tag_start + 6 + letters)
    if row.min() < 1 or row.max() > MAX_ROWS or col.max() >= MAX_COLUMNS:
        raise NotFast("a cell outside the sheet")
    return row, col, quote + 1


def _row_numbers(buf: np.ndarray, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(number, position of the closing quote) of the digits at `first`. The cells of a row write the same
    digits: they are compared as 8-byte words, and only the first of each run is read as a number."""
    word = words(buf, first)
    quote = np.full(len(word), 8, dtype=np.int64)
    for k in range(7, 0, -1):  # the first quote wins
        quote[nth(word, k) == ord('"')] = k
    if (quote > 7).any():
        raise NotFast("a cell reference this reader does not know")
    word &= (np.uint64(1) << (quote * 8).astype(np.uint64)) - np.uint64(1)
    runs = np.flatnonzero(np.concatenate(([True], word[1:] != word[:-1])))
    first_digit = np.zeros(len(runs), dtype=np.int64)
    value, digits_only = _digits(windows(buf, first[runs], 8), first_digit, quote[runs])
    if not digits_only:
        raise NotFast("a cell reference this reader does not know")
    return np.repeat(value, np.diff(np.append(runs, len(word)))), first + quote


def check_row_tags(tags: Tags) -> None:
    """calamine reads a row's r and fails on one that is not a row number: each must start <row r="N"."""
    rows = tags.start[tags.where("RE")]
    if not len(rows):
        return
    if (
        words(tags.buf, rows + 4) & np.uint64(0xFFFFFFFF) != np.uint64(int.from_bytes(b' r="', "little"))
    ).any():
        raise NotFast("a row whose first attribute is not its number")
    number, _ = _row_numbers(tags.buf, rows + 8)
    if number.min() < 1:
        raise NotFast("a row numbered 0")


def small_integers(buf: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """The texts [s, e) as integers; NotFast unless each is 1 to 9 ASCII digits."""
    if not len(s):
        return np.zeros(0, dtype=np.int64)
    n = e - s
    if n.min() < 1 or n.max() > 9:
        raise NotFast("a shared-string index that is not a number")
    value, ok = _digits(windows(buf, s, int(n.max())), np.zeros(len(s), dtype=np.int64), n)
    if not ok:
        raise NotFast("a shared-string index that is not a number")
    return value


def number_text(text: str, kind: int) -> str:
    """What `cell_text` makes of calamine's value for a number cell `text` whose style is of `kind`."""
    from credit.readers.excel import cell_text  # the one definition of a cell's text (excel imports us)

    if not _NUMBER.fullmatch(text):
        raise NotFast("a number cell that is not a number")
    value = float(text)  # correctly rounded, as Rust's parse
    if not math.isfinite(value) or kind == DURATION:
        raise NotFast("an infinite number or a duration")
    if kind == NUMBER:
        return cell_text(value) or ""
    # calamine: milliseconds since 1899-12-30, rounded half away from zero. python_calamine makes a time of a
    # serial below 1 and shifts those below 60 (Excel's 1900-02-29): such dates stay with calamine.
    if not 61 <= value < 2_958_466:
        raise NotFast("a date before 1900-03-01 or after 9999")
    try:
        return cell_text(_EPOCH + dt.timedelta(milliseconds=math.floor(value * 86_400_000 + 0.5))) or ""
    except OverflowError:
        raise NotFast("a date after 9999") from None


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


def read_sheet(xml: bytes | None, strings: Callable[[], Strings], kinds: np.ndarray) -> Grid:
    """One worksheet part as a Grid, or NotFast. `strings` gives the shared strings (when a cell needs them)."""
    if xml is None:
        raise NotFast("a worksheet part is missing")
    _root(xml, b"worksheet", "worksheet")
    if re.search(rb"<sheetData[\s>/]", xml) is None:
        raise NotFast("no sheetData")  # calamine fails on such a sheet
    lo, hi = region(xml, b"<sheetData", b"</sheetData>", "worksheet")
    dimension = re.search(rb'<dimension ref="([^"]*)"', xml[:lo])
    if dimension and not re.fullmatch(rb"[A-Z]{1,3}[1-9][0-9]*(?::[A-Z]{1,3}[1-9][0-9]*)?", dimension[1]):
        raise NotFast("a dimension calamine may refuse")
    if hi <= lo:
        return Grid(0, 0, *(np.zeros(0, dtype=np.int64),) * 3, pa.array([], type=pa.large_string()))
    check_text(xml, lo, hi, "worksheet")
    return _Cells(scan(padded(xml, hi), lo, hi, SHEET_GRAMMAR), strings, kinds).grid()


class _Cells:
    """The cells of a scanned sheetData: positions, types, styles, and their texts in a pool."""

    def __init__(self, tags: Tags, strings: Callable[[], Strings], kinds: np.ndarray):
        self.tags, self.strings, self.kinds = tags, strings, kinds
        is_cell = (tags.code == ord("C")) | (tags.code == ord("K"))
        self.cell_tags = np.flatnonzero(is_cell)
        self.owner = np.cumsum(is_cell, dtype=np.int32) - 1  # per tag: its cell (the grammar nests values)
        check_row_tags(tags)
        self.row, self.col, attrs_start = cell_refs(tags.buf, tags.start[self.cell_tags])
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
        if (self.type[inline] != _INLINE).any() or (types == _INLINE).any():  # (inline without <is>: blank)
            raise NotFast("an inline string in a cell of another type, or a value in an inline cell")
        for kind, read in (
            (_S, self._shared),
            (_N, self._numbers),
            (_B, self._booleans),
            (_STR, self._formula_strings),
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
        texts = _Texts(self.tags, self.owner, len(self.cell_tags))
        base = self.pool.add(texts.array)
        mine = self.type == _INLINE
        self.src[mine] = np.where(texts.index[mine] >= 0, texts.index[mine] + base, -1)


# --- the workbook ------------------------------------------------------------------------------------------
@contextlib.contextmanager
def _declining() -> Iterator[None]:
    """An unexpected error of this reader makes calamine read the workbook: it never fails a delivery (only the
    error's type is logged, never what the cells hold)."""
    try:
        yield
    except NotFast:
        raise
    except Exception as exc:
        log.warning("the xlsx parser failed (%s); calamine reads the workbook", type(exc).__name__)
        raise NotFast(type(exc).__name__) from exc


def worksheets(data: bytes) -> Iterator[tuple[str, bool, Callable[[], Grid]]]:
    """(name, hidden, load) per worksheet, as excel.py's calamine source; NotFast as soon as something is not
    for this reader (at the latest from `load`, or after the last sheet).

    The shared strings are checked before any sheet is returned, as calamine reads them when it opens a file:
    a broken table fails the workbook whatever its sheets hold."""
    with _declining():
        pkg = _Package(data)
        sheets = [e for e in entries(pkg) if e.path is not None]
        kinds = style_kinds(pkg)
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


def _load(pkg: _Package, path: str, strings: Callable[[], Strings], kinds: np.ndarray) -> Grid:
    with _declining():
        grid = read_sheet(pkg.read(path), strings, kinds)
        strings()
        return grid
