"""Texts as calamine reads them (but _xHHHH_ escapes past _x00FF_, see `unescape_x`): arrow slices of the XML,
entities and _xHHHH_ unescaped, runs trimmed and joined; the shared strings."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from credit.readers.xlsx.package import NotFast, Package, check_root
from credit.readers.xlsx.references import decode_references
from credit.readers.xlsx.tags import STRINGS_GRAMMAR, Tags, check_text, padded, region, scan, table

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
    """Excel's _xHHHH_ escapes (lower-case x, as calamine), in the few texts that hold one: all of them, where
    calamine decodes only _x0000_ to _x00FF_ (Excel escapes control characters: real files rarely differ)."""
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


class Texts:
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


def shared_strings(pkg: Package) -> Strings:
    xml = pkg.read("xl/sharedStrings.xml")
    if xml is None:
        return Strings(pa.array([], type=pa.large_string()), np.zeros(0, dtype=np.int64))
    check_root(xml, b"sst", "shared strings")
    lo, hi = region(xml, b"<sst", b"</sst>", "shared strings")
    if hi <= lo:
        return Strings(pa.array([], type=pa.large_string()), np.zeros(0, dtype=np.int64))
    check_text(xml, lo, hi, "shared strings")
    tags = scan(padded(xml, hi), lo, hi, STRINGS_GRAMMAR)
    decode_references(tags, lo, hi)
    opens = table(b"AM")[tags.code]
    texts = Texts(tags, np.cumsum(opens) - 1, int(opens.sum()))
    return Strings(texts.array, texts.index)
