"""The tags of a part's XML, found with numpy over its bytes and checked against a small grammar in one RE2
pass; the byte-level helpers the other modules read cells and texts with."""

from __future__ import annotations

from dataclasses import dataclass
from xml.parsers import expat

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from credit.readers.xlsx.package import NotFast

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
    refs: tuple[np.ndarray, np.ndarray] | None = None  # (where references start, bytes saved before each)

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
        if self.refs is not None:
            at, saved = self.refs
            s, e = s - saved[np.searchsorted(at, s)], e - saved[np.searchsorted(at, e)]
        return s.astype(np.int64), e.astype(np.int64)


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
    in the grammar. Their texts are as written until `references.decode_references` decodes them."""
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
    return Tags(raw, buf, start, nxt, code)


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
