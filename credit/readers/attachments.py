"""The one way an attachment of the evidence sheets (.pdf, .docx, .jpg/.jpeg, .png) is looked at: its bytes are
checked, never executed, rendered, or handed to another program (docs/architecture.md, trust boundaries).

- size: at most `max_bytes` (CREDIT_ATTACHMENT_MAX_BYTES, 20 MiB), refused on `stat` before a byte is read;
- type: sniffed from the bytes and equal to what the extension says (an .exe named .pdf is refused);
- docx: one bounded zip package (the xlsx guards: container, entries, member and ratio caps) holding
  word/document.xml, without macros (vbaProject), ActiveX, OLE embeddings, a document type declaration, or a
  relationship to an external target other than a hyperlink (a remote template or object is fetched on open);
- pdf: a `%PDF-` header and none of the names that run or carry something (/JavaScript, /JS, /Launch,
  /EmbeddedFile, /RichMedia, /XFA), looked for in the file and inside its Flate streams, each inflated within a
  bound; names written with `#xx` escapes are decoded first;
- png/jpeg: the signature, and the dimensions read from the headers (IHDR, SOFn) without decoding, bounded.

A refusal is `UnreadableFile` with a Chinese reason for the unit and an English one for the log.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from credit.readers import ooxml_guard
from credit.readers.base import UnreadableFile
from credit.readers.guards import MAX_MEMBERS, check_path
from credit.readers.ooxml_guard import has_dtd, part_key
from credit.readers.refusals import INFLATE_ERRORS, mib

DEFAULT_MAX_BYTES = 20 << 20
KINDS = {".pdf": "pdf", ".docx": "docx", ".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png"}
SUFFIXES = tuple(KINDS)
LABELS = {"pdf": "PDF文档", "docx": "Word文档（docx）", "jpeg": "JPEG图片", "png": "PNG图片"}

MAX_PIXELS = 200_000_000  # a 20 MiB photograph has ~50 Mpx; beyond this a viewer's decoder is the target
MAX_SIDE = 40_000
MAX_INFLATED = 64 << 20  # all of a pdf's Flate streams, inflated, and of a docx's parts, unpacked
PDF_ACTIVE = {
    b"JavaScript": "JavaScript脚本",
    b"JS": "JavaScript脚本",
    b"Launch": "启动外部程序的动作（Launch）",
    b"EmbeddedFile": "嵌入的文件（EmbeddedFile）",
    b"RichMedia": "富媒体（RichMedia）",
    b"XFA": "XFA动态表单",
}
# A PDF name: `/` then regular characters (PDF 32000-1 §7.3.5), `#xx` escapes included.
_PDF_NAME = re.compile(rb"/((?:[^\x00\t\n\x0c\r ()<>\[\]{}/%#]|#[0-9A-Fa-f]{2})+)")
_PDF_STREAM = re.compile(rb"stream\r?\n")
_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
# docx parts that carry code or other programs' objects (any case, any folder).
_DOCX_ACTIVE = (
    (re.compile(r"vbaproject|vbadata|\.bin$"), "宏代码（VBA）"),
    (re.compile(r"(^|/)activex/"), "ActiveX控件"),
    (re.compile(r"(^|/)embeddings/|oleobject"), "嵌入的OLE对象"),
)
_MACRO_TYPES = re.compile(rb"macroEnabled|vbaProject|ms-office\.activeX|oleObject", re.IGNORECASE)
# Relationships that pull another whole document into this one (an altChunk may be a macro document).
_EMBEDDING_TYPES = re.compile(rb"/(?:aFChunk|package|subDocument)$", re.IGNORECASE)
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(rb"""(?<![\w:.-])(Type|Target|TargetMode)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_MAX_XML_BYTES = 16 << 20  # a relationships part or [Content_Types].xml, read whole
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB" if n >= 1 << 20 else f"{n / 1024:.0f} KiB"


@dataclass(frozen=True)
class Attachment:
    kind: str  # pdf | docx | jpeg | png
    size: int
    width: int | None = None  # images only
    height: int | None = None


def unsafe(zh: str, en: str) -> UnreadableFile:
    return UnreadableFile(f"附件不安全，已隔离：{zh}", f"unsafe attachment, quarantined: {en}")


def sniff(data: bytes) -> str | None:
    """The kind the bytes are, whatever the name says."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        return "docx"  # a zip: the package checks say whether it is a Word document
    return None


def check_attachment(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Attachment, bytes]:
    """The attachment's kind, size and (images) dimensions, and its bytes; raises UnreadableFile."""
    expected = KINDS.get(path.suffix.lower())
    if expected is None:
        raise UnreadableFile(
            f"附件类型不支持（{path.suffix or '无扩展名'}），只接收pdf、docx、jpg、png",
            f"attachment type not supported: {path.suffix!r}",
        )
    size = check_path(path)
    if size > max_bytes:
        raise unsafe(
            f"文件过大（{_mib(size)}，上限{_mib(max_bytes)}），请压缩或拆分后再报送",
            f"too large ({_mib(size)}; the limit is {_mib(max_bytes)})",
        )
    with open(path, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise unsafe(f"文件过大（上限{_mib(max_bytes)}）", f"grew past the limit ({_mib(max_bytes)})")
    found = sniff(data)
    if found != expected:
        what = f"是{LABELS[found]}" if found else "不是任何可接收的格式（可能是程序或其他文件）"
        raise unsafe(
            f"文件内容与扩展名不符：扩展名为{path.suffix}，内容却{what}",
            f"content does not match the extension {path.suffix!r}: {found or 'unknown'}",
        )
    if expected == "pdf":
        check_pdf(data)
        return Attachment("pdf", len(data)), data
    if expected == "docx":
        check_docx(data)
        return Attachment("docx", len(data)), data
    width, height = png_size(data) if expected == "png" else jpeg_size(data)
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE and width * height <= MAX_PIXELS):
        raise unsafe(
            f"图片尺寸异常（{width}×{height}像素）", f"image dimensions out of bounds: {width}x{height}"
        )
    return Attachment(expected, len(data), width, height), data


# ---------------------------------------------------------------- pdf


def _pdf_names(data: bytes) -> set[bytes]:
    return {_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), n) for n in _PDF_NAME.findall(data)}


def _streams(data: bytes):
    """Each stream's inflated bytes (Flate or not: a stream that does not inflate is skipped), within
    MAX_INFLATED for the whole file."""
    budget = MAX_INFLATED
    for m in _PDF_STREAM.finditer(data):
        start = m.end()
        end = data.find(b"endstream", start)
        if end < 0:
            end = len(data)
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(data[start:end], budget + 1)
        except zlib.error:
            continue
        if len(out) > budget or inflater.unconsumed_tail:
            raise unsafe(
                "压缩内容解压后过大（疑似压缩炸弹）", f"Flate streams inflate past {mib(MAX_INFLATED)}"
            )
        budget -= len(out)
        yield out


def check_pdf(data: bytes) -> None:
    found = _pdf_names(data)
    for inner in _streams(data):
        found |= _pdf_names(inner)
    active = [label for name, label in PDF_ACTIVE.items() if name in found]
    if active:
        raise unsafe(
            f"PDF含有{'、'.join(dict.fromkeys(active))}，请导出为不含脚本和附件的PDF后再报送",
            f"the PDF carries {', '.join(n.decode() for n in PDF_ACTIVE if n in found)}",
        )


# ---------------------------------------------------------------- docx


def _read_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > _MAX_XML_BYTES:
        raise unsafe(f"部件“{info.filename}”过大", f"part {info.filename!r} too large")
    try:
        return zf.read(info)
    except INFLATE_ERRORS as exc:
        raise unsafe("Word文档已损坏", f"damaged docx ({type(exc).__name__})") from None


def _relationships(rels: bytes):
    for m in _RELATIONSHIP.finditer(rels):
        attrs = {a: (v1 or v2) for a, v1, v2 in _ATTR.findall(m.group(1))}
        yield attrs.get(b"Type", b""), attrs.get(b"Target", b""), attrs.get(b"TargetMode", b"")


def check_docx(data: bytes) -> None:
    ooxml_guard.check_container(data)
    try:
        zf = ooxml_guard.open_bounded(
            data, members=MAX_MEMBERS, member_bytes=MAX_INFLATED, total_bytes=MAX_INFLATED
        )
    except ooxml_guard.ZipUnreadable:
        raise unsafe("Word文档已损坏（压缩包无法读取）", "not a readable zip") from None
    except ooxml_guard.ZipOutOfBounds as exc:
        raise unsafe(f"Word文档{exc.zh}（疑似压缩炸弹）", exc.en) from None
    with zf:
        names = {part_key(i.filename): i for i in zf.infolist()}
        for key, info in names.items():
            for pattern, label in _DOCX_ACTIVE:
                if pattern.search(key):
                    raise unsafe(
                        f"Word文档含有{label}，请另存为普通docx后再报送", f"carries {info.filename!r}"
                    )
        if "word/document.xml" not in names:
            raise unsafe("不是Word文档（缺少word/document.xml）", "no word/document.xml")
        for key, info in names.items():
            if not (key.endswith(".rels") or key == "[content_types].xml"):
                continue
            part = _read_part(zf, info)
            if has_dtd(part):
                raise unsafe(
                    "Word文档的部件含有文档类型声明（DOCTYPE/ENTITY）", f"{info.filename!r} holds a DTD"
                )
            if key == "[content_types].xml" and _MACRO_TYPES.search(part):
                raise unsafe("Word文档声明了宏、ActiveX或OLE对象", "content types declare macros/ActiveX/OLE")
            for kind, target, mode in _relationships(part):
                if _MACRO_TYPES.search(kind):
                    raise unsafe("Word文档引用了宏、ActiveX或OLE对象", f"relationship {kind!r}")
                if _EMBEDDING_TYPES.search(kind):
                    raise unsafe("Word文档嵌入了其他文档，请另存为普通docx后再报送", f"relationship {kind!r}")
                # A hyperlink is followed only when a reader clicks it; any other external target (a
                # template, a frame, an object) is fetched when the document opens.
                if mode.lower() == b"external" and not kind.endswith(b"/hyperlink"):
                    raise unsafe(
                        "Word文档引用了外部文件或网址（如远程模板），请删除外部引用后再报送",
                        f"external relationship {kind.rsplit(b'/', 1)[-1].decode(errors='replace')!r}"
                        f" to {target[:80]!r}",
                    )


# ---------------------------------------------------------------- images


def png_size(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise unsafe("PNG图片已损坏（缺少IHDR）", "png without IHDR")
    return struct.unpack(">II", data[16:24])


def jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from the first SOFn segment, walking the markers without decoding."""
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            break
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if length < 2:
            break
        if marker in _JPEG_SOF:
            if i + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        if marker == 0xDA:  # image data before any frame header
            break
        i += 2 + length
    raise unsafe("JPEG图片已损坏（找不到图像尺寸）", "jpeg without a frame header")
