"""Checks of an .xlsx/.xlsm zip package made before any reader opens it: what two readers could read
differently, and what a native reader would trust, is refused with a reason.

- one package, from its first byte: zip data behind a prefix (calamine tries every format on the bytes,
  whatever the name says, and would read the zip no guard looked at) is refused;
- every entry read the same way by every reader: the central directory holds as many entries as its end
  record declares, and no two entry names are the same once compared as calamine compares them (case and
  `\\` against `/`): our reader took the first of two, calamine the last;
- the main document's folder (calamine reads `<folder of _rels/.rels' main document>workbook.xml` and the
  sheets from there): `main_folders`, for the worksheet guard to follow the relationships from each;
- counts the shared-string table declares (`uniqueCount`, `count`): calamine reserves `uniqueCount` strings
  before reading one (a 2.4 KB file declaring 10^11 aborted the whole process); a count larger than the
  bytes could ever hold is a lie;
- no XML part holds a document type declaration (Excel never writes one; expat expands its entities and
  calamine does not): `has_dtd` looks at a whole part, streamed.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile

from credit.readers.base import UnreadableFile
from credit.readers.refusals import damaged, mib

# What a reader compares entry names by: calamine lower-cases ASCII and reads `\\` as `/`; our Package and the
# guard lower-case (all of Unicode: stricter, never looser) the same way.


def part_key(name: str) -> str:
    return name.replace("\\", "/").lower()


_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_SST_HEAD_BYTES = 64 << 10  # an XML declaration and the root tag take ~200 bytes
_MIN_STRING_BYTES = 5  # `<si/>`: the smallest shared string
_MIN_CELL_BYTES = 10  # `<c t="s"/>`: the smallest cell that can reference one
_COUNT = re.compile(
    rb"""(?<![\w:.-])(?:[\w.-]+:)?(uniqueCount|count)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE
)
_ROOT_SST = re.compile(rb"<(?:[\w.-]+:)?sst\b([^>]*)>", re.IGNORECASE)
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(rb"""(?<![\w:.-])(Type|Target)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_OFFICE_DOCUMENT = b"/relationships/officeDocument"
_DTD_WORDS = (b"DOCTYPE", b"ENTITY")


def _structure(zh: str, en: str) -> UnreadableFile:
    return UnreadableFile(
        f"Excel文件结构异常，不同的读取程序会读出不同的内容，未打开：{zh}；请用Excel重新保存后再报送",
        f"the Excel file's structure is abnormal (readers would read different contents), not opened: {en};"
        " save it again with Excel",
    )


def dtd_found(part: str) -> UnreadableFile:
    return UnreadableFile(
        f"Excel文件中的部件“{part}”含有文档类型声明（DOCTYPE/ENTITY），Excel从不写入，未读取；请用Excel重新保存后再报送",
        f"part {part!r} of the Excel file holds a document type declaration (DOCTYPE/ENTITY), which Excel "
        "never writes; not read",
    )


def has_dtd(buf: bytes | memoryview, start: int = 0) -> bool:
    """Whether a `<!DOCTYPE` or `<!ENTITY` (any case) begins at or after `start`. `<!` is rare in a part
    (comments, CDATA): found at C speed, each hit looked at."""
    data = buf if isinstance(buf, bytes) else bytes(buf)
    i = data.find(b"<!", start)
    while i >= 0:
        word = data[i + 2 : i + 9].upper()
        if word.startswith(_DTD_WORDS):
            return True
        i = data.find(b"<!", i + 2)
    return False


def _declared_entries(data: bytes) -> int | None:
    """The entry count the end of central directory record declares (zip64 where it says so), as a reader
    that trusts it would read it; None if there is no such record (zipfile then refused the file)."""
    at = data.rfind(_EOCD, max(0, len(data) - (22 + 0xFFFF)))
    if at < 0 or len(data) < at + 22:
        return None
    total = struct.unpack_from("<H", data, at + 10)[0]
    if total != 0xFFFF:
        return total
    locator = at - 20
    if locator >= 0 and data[locator : locator + 4] == _EOCD64_LOCATOR:
        offset = struct.unpack_from("<Q", data, locator + 8)[0]
        if data[offset : offset + 4] == _EOCD64 and len(data) >= offset + 40:
            return struct.unpack_from("<Q", data, offset + 32)[0]
    return total


def check_container(data: bytes) -> None:
    """An Excel file must be one package from its first byte: a zip that starts elsewhere (data before it, or
    an OLE file that is also a zip) is read by calamine and by no guard."""
    if data.startswith(b"PK\x03\x04"):
        return
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # An OLE workbook: calamine reads it as .xls (xls_guard bounds it). Excel writes a zipped theme into
        # its .xls files, so a zip end record inside one is ordinary.
        return
    try:
        is_zip = zipfile.is_zipfile(io.BytesIO(data))
    except (OSError, ValueError):
        is_zip = False
    if is_zip:
        raise _structure("压缩包数据前有多余内容，或同一文件同时是两种格式", "zip data behind other bytes")


def check_entries(zf: zipfile.ZipFile, data: bytes) -> None:
    infos = zf.infolist()
    declared = _declared_entries(data)
    if declared is not None and declared != len(infos):
        raise _structure(
            f"压缩包目录声明{declared}个部件，实际有{len(infos)}个",
            f"the zip directory declares {declared} entries and holds {len(infos)}",
        )
    seen: dict[str, str] = {}
    for info in infos:
        key = part_key(info.filename)
        if key in seen:
            raise _structure(
                f"部件名称重复：“{seen[key]}”与“{info.filename}”",
                f"two entries named {seen[key]!r} and {info.filename!r}",
            )
        seen[key] = info.filename


ZIP_ERRORS = (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error)
MAX_RATIO = 200  # office parts compress 5-30 times; a bomb 1000 times and more
RATIO_FROM_BYTES = 8 << 20  # small parts may compress as well as they like


class ZipUnreadable(Exception):
    """zipfile cannot open the container (`cause`: its error)."""

    def __init__(self, cause: BaseException):
        super().__init__(type(cause).__name__)
        self.cause = cause


class ZipOutOfBounds(Exception):
    """The container's directory promises more than a reader should unpack (a suspected zip bomb)."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


def open_bounded(data: bytes, *, members: int, member_bytes: int, total_bytes: int) -> zipfile.ZipFile:
    """The zip in `data`, opened and judged from its directory before a part is inflated: entries as declared
    and named once (`check_entries`), at most `members` parts, none over `member_bytes` unpacked, all together
    at most `total_bytes`, no large part compressed more than MAX_RATIO times. Raises ZipUnreadable or
    ZipOutOfBounds; each caller says it in its own words (a workbook, a Word attachment)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS as exc:
        raise ZipUnreadable(exc) from None
    try:
        check_entries(zf, data)
        infos = zf.infolist()
        if len(infos) > members:
            raise ZipOutOfBounds(f"包含{len(infos)}个部件", f"{len(infos)} parts")
        total = 0
        for info in infos:
            size, packed = info.file_size, info.compress_size
            total += size
            if size > member_bytes or total > total_bytes:
                bound = mib(member_bytes if size > member_bytes else total_bytes)
                raise ZipOutOfBounds(f"解压后超过{bound}", f"more than {bound} unpacked")
            if size > RATIO_FROM_BYTES and size > MAX_RATIO * max(packed, 1):
                raise ZipOutOfBounds(
                    f"部件“{info.filename}”压缩比{size // max(packed, 1)}倍",
                    f"part {info.filename!r} compressed {size // max(packed, 1)} times",
                )
    except BaseException:
        zf.close()
        raise
    return zf


def _read_head(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    with zf.open(info) as fh:
        return fh.read(limit)


def main_folders(zf: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], errors: tuple) -> list[str]:
    """The folders calamine may read the workbook from: xl/, and the folder of each main document `_rels/.rels`
    names (calamine takes the last one, as written or unescaped: all are looked at). Read leniently, as
    calamine's parser reads it."""
    folders = {"xl/": None}
    info = names.get("_rels/.rels")
    if info is None or info.file_size > (16 << 20):
        return list(folders)
    try:
        raw = zf.read(info)
    except errors:
        return list(folders)
    for tag in _RELATIONSHIP.finditer(raw):
        attrs = {m[1]: (m[2] if m[2] is not None else m[3]) for m in _ATTR.finditer(tag[1])}
        if not attrs.get(b"Type", b"").endswith(_OFFICE_DOCUMENT) or b"Target" not in attrs:
            continue
        written = attrs[b"Target"].decode("utf-8", "replace")
        for target in (written, html.unescape(written)):
            cut = target.rfind("/")
            folders[part_key(target[: cut + 1].removeprefix("/") if cut >= 0 else "")] = None
    return list(folders)


def _count_bound(attr: bytes, sst_size: int, total: int) -> int:
    return (sst_size // _MIN_STRING_BYTES if attr.lower() == b"uniquecount" else total // _MIN_CELL_BYTES) + 1


def check_shared_string_counts(zf: zipfile.ZipFile, total: int, errors: tuple) -> None:
    """The counts each shared-string table's root declares (any part named sharedStrings.xml, wherever calamine
    may look for it), bounded by what its bytes (uniqueCount) or the whole package's (count) could hold. Only
    the part's start is read."""
    for info in zf.infolist():
        if part_key(info.filename).rsplit("/", 1)[-1] == "sharedstrings.xml":
            _check_counts(zf, info, total, errors)


def _check_counts(zf: zipfile.ZipFile, info: zipfile.ZipInfo, total: int, errors: tuple) -> None:
    try:
        head = _read_head(zf, info, _SST_HEAD_BYTES)
    except errors as exc:
        raise damaged(exc) from None
    root = _ROOT_SST.search(head)
    if root is None:
        if (
            len(head) >= _SST_HEAD_BYTES
        ):  # a prolog padded past what is looked at: what would follow is unseen
            raise _structure("共享字符串表的开头异常", "the shared-string table's root is not at its start")
        return  # no table root: every reader refuses the part (calamine: "sst" not found)
    for m in _COUNT.finditer(root[1]):
        text = html.unescape((m[2] if m[2] is not None else m[3]).decode("ascii", "replace")).strip("\t\n\r ")
        if not text.isascii() or not text.isdigit():
            continue  # not a number calamine reads: it ignores the attribute
        bound = _count_bound(m[1], info.file_size, total)
        if int(text) > bound:
            name = m[1].decode()
            raise UnreadableFile(
                f"Excel文件的共享字符串表声明了{text[:24]}个字符串（{name}），远超文件实际能容纳的数量，"
                "未打开；请用Excel重新保存后再报送",
                f"the shared-string table declares {name}={text[:24]}, more than the file could hold "
                f"(at most {bound}); not opened",
            )
