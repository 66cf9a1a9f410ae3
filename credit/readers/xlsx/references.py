"""Numeric character references (&#NNNNN;) in a scanned part, decoded into a copy its texts are read from."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from credit.readers.xlsx.package import NotFast
from credit.readers.xlsx.tags import Tags, words

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
    tags.refs = (refs.at, refs.saved())


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
