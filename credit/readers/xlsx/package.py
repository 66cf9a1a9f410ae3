"""The zip package: its parts (inflated whole), the workbook's sheets and their relationships; `NotFast`."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

from credit.readers.guards import calamine_part
from credit.readers.ooxml_guard import dtd_found, has_dtd, part_key

MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
MAIN_XMLNS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A part is inflated whole and its tag arrays take several times its size: larger ones are left to calamine,
# which streams them. Well below the guard's MAX_MEMBER_BYTES, which refuses the file outright.
MAX_FAST_PART_BYTES = 256 << 20


class NotFast(Exception):
    """The workbook holds something this reader does not read as calamine does, or not with certainty; the
    message says what, for the log."""


class Package:
    """The parts of the zip, found as calamine finds them (names compared without case, `\\` as `/`: the guard
    refuses a package where two names compare equal), inflated whole."""

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
            self._parts.setdefault(part_key(info.filename), info)

    def size(self, name: str) -> int:
        info = self._parts.get(part_key(name))
        return info.file_size if info else 0

    def check(self, name: str) -> zipfile.ZipInfo | None:
        """The part's directory entry, None if there is no such part; NotFast, from the sizes the directory
        declares, for a part this reader would not inflate."""
        info = self._parts.get(part_key(name))
        if info is not None and info.flag_bits & 1:
            raise NotFast(f"{name}: encrypted")
        if info is not None and info.file_size > MAX_FAST_PART_BYTES:
            raise NotFast(f"{name}: {info.file_size} bytes unpacked, more than this reader inflates whole")
        return info

    def read(self, name: str) -> bytes | None:
        """The part's bytes, None if there is no such part; NotFast if it cannot be trusted; UnreadableFile if
        it holds a DTD anywhere (calamine would not expand its entities: the readers would differ)."""
        info = self.check(name)
        if info is None:
            return None
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
        if has_dtd(out):
            raise dtd_found(info.filename)
        return out

    def _payload(self, info: zipfile.ZipInfo) -> int:
        head = bytes(self._data[info.header_offset : info.header_offset + 30])
        if len(head) < 30 or not head.startswith(b"PK\x03\x04"):
            raise NotFast(f"{info.filename}: no local header")
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        return info.header_offset + 30 + name_len + extra_len


_DECLARED = re.compile(rb"^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding=[\"']([^\"']+)")


def check_utf8(raw: bytes, part: str) -> None:
    """calamine reads parts as UTF-8; another declared encoding is not for this reader (a DTD anywhere in a part
    is refused when the part is read: `Package.read`)."""
    declared = _DECLARED.match(raw[:256])
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise NotFast(f"{part}: encoding {declared.group(1)!r}")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NotFast(f"{part}: UTF-16")


def parse(raw: bytes | None, part: str) -> ElementTree.Element:
    if raw is None:
        raise NotFast(f"no {part}")
    check_utf8(raw, part)
    try:
        return ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        raise NotFast(f"{part}: {exc}") from None


def check_root(xml: bytes, name: bytes, part: str) -> None:
    """The part's root element is `name` in the transitional namespace (strict OOXML is not for us)."""
    check_utf8(xml, part)
    tag = re.search(rb"<" + name + rb"[\s>/][^>]*", xml[:8192])
    if tag is None or MAIN_XMLNS not in tag.group(0):
        raise NotFast(f"{part}: not transitional SpreadsheetML")


@dataclass(frozen=True)
class Entry:
    name: str
    hidden: bool
    path: str | None  # the part of a worksheet; None for a chart or dialog sheet


_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def check_package(pkg: Package) -> None:
    """calamine opens a package only if _rels/.rels parses and names its main document: this reader reads one
    whose _rels/.rels names xl/workbook.xml (the part it reads), and leaves any other to calamine, which then
    reads it or says why not (on the package both engines agree whether a file is readable; a worksheet with
    whole-row or whole-column merges is one calamine refuses and this reader reads)."""
    root = parse(pkg.read("_rels/.rels"), "package relationships")
    if root.tag != f"{_PKG}Relationships":
        raise NotFast("package relationships: not OPC relationships")
    targets = [r.get("Target") for r in root.iter(f"{_PKG}Relationship") if r.get("Type") == _OFFICE_DOCUMENT]
    if targets not in (["xl/workbook.xml"], ["/xl/workbook.xml"]):
        raise NotFast("package relationships: no single main document at xl/workbook.xml")


_STATES = {"visible": False, "hidden": True, "veryHidden": True}
_TYPES = {"worksheets": True, "chartsheets": False, "dialogsheets": False}
_SHEET_TAG = re.compile(rb"<sheet\b[^>]*>")


def _relationships(pkg: Package) -> dict[str, str]:
    raw = pkg.read("xl/_rels/workbook.xml.rels")
    root = parse(raw, "workbook relationships")
    if b"&" in raw:  # calamine takes targets as written, without unescaping
        raise NotFast("an escaped relationship target")
    return {r.get("Id"): r.get("Target", "") for r in root.iter(f"{_PKG}Relationship")}


def entries(pkg: Package) -> list[Entry]:
    """The workbook's sheets in order, as python_calamine's `sheets_metadata` lists them."""
    raw = pkg.read("xl/workbook.xml")
    root = parse(raw, "workbook")
    if root.tag != f"{MAIN_NS}workbook":
        raise NotFast("not a transitional SpreadsheetML workbook")
    if re.search(rb"date1904\s*=\s*[\"'](?!(?:0|false)[\"'])", raw):
        raise NotFast("the 1904 date system")
    sheets = list(root.iter(f"{MAIN_NS}sheet"))
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
        path = calamine_part(rels[rid])
        folder = path.split("/")[1] if path.count("/") >= 2 else ""
        if folder not in _TYPES:
            raise NotFast(f"sheet part {path!r}")
        out.append(Entry(name, _STATES[state], path if _TYPES[folder] else None))
    if len({e.name for e in out}) != len(out):
        raise NotFast("two sheets with one name")
    return out
