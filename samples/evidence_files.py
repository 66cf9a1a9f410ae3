"""Tiny, valid attachment files built byte by byte (no external tool, no library beyond the standard one):
a PDF with one line of text, a PNG, a baseline JPEG and a DOCX; and an unsafe PDF that runs JavaScript when
opened (/OpenAction → /JavaScript), which the evidence intake must quarantine.

Every builder is deterministic: the same text gives the same bytes (the DOCX's zip entries carry a fixed
time stamp)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from xml.sax.saxutils import escape as xml_escape

MAGIC = {
    "pdf": b"%PDF-",
    "png": b"\x89PNG\r\n\x1a\n",
    "jpg": b"\xff\xd8\xff",
    "docx": b"PK\x03\x04",
}


def _pdf_text(text: str) -> str:
    """PDF literal string content: ASCII only (the standard Helvetica font), ( ) \\ escaped."""
    ascii_text = text.encode("ascii", "replace").decode("ascii")
    return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of the given objects (1 0 obj … in order; object 1 is the catalog), with a correct xref."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def pdf(text: str, *, javascript: str | None = None) -> bytes:
    """One A4 page showing `text`; with `javascript`, a catalog whose /OpenAction runs it (unsafe)."""
    stream = f"BT /F1 12 Tf 72 770 Td ({_pdf_text(text)}) Tj ET".encode()
    catalog = b"<< /Type /Catalog /Pages 2 0 R"
    if javascript is not None:
        # Run at opening, and listed as document-level JavaScript too (what viewers and checkers look at).
        catalog += b" /OpenAction 6 0 R /Names << /JavaScript << /Names [(open) 6 0 R] >> >>"
    objects = [
        catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n".encode() + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if javascript is not None:
        objects.append(f"<< /Type /Action /S /JavaScript /JS ({_pdf_text(javascript)}) >>".encode())
    return _pdf(objects)


def unsafe_pdf(text: str) -> bytes:
    """A PDF that asks the viewer to run JavaScript as it opens."""
    return pdf(text, javascript="app.alert('evidence');")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A filled RGB image (8 bits per channel, no interlace)."""
    row = b"\x00" + bytes(rgb) * width  # filter type 0 per scanline
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        MAGIC["png"]
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(row * height))
        + _chunk(b"IEND", b"")
    )


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def jpeg() -> bytes:
    """An 8×8 mid-grey baseline JPEG: one block whose DC difference is 0 and whose AC part is one EOB.
    Each Huffman table holds a single symbol (category 0, EOB) coded `0`, so the scan is the bits `00`
    padded with ones: one byte, 0x3F."""
    one_symbol = bytes([1] + [0] * 15) + b"\x00"  # 1 code of length 1, symbol 0x00
    return b"".join(
        [
            b"\xff\xd8",
            _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xDB, b"\x00" + b"\x01" * 64),  # quantisation table 0: all ones
            _segment(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00"),  # 8 bits, 8×8, one component
            _segment(0xC4, b"\x00" + one_symbol),  # DC table 0
            _segment(0xC4, b"\x10" + one_symbol),  # AC table 0
            _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),  # scan: component 1, tables 0/0, 0..63
            b"\x3f",
            b"\xff\xd9",
        ]
    )


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/>'
    "</Relationships>"
)


def docx(paragraphs: list[str]) -> bytes:
    """A Word document of plain paragraphs: no macros, no ActiveX, no external relationships."""
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{xml_escape(p)}</w:t></w:r></w:p>' for p in paragraphs
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _RELS),
            ("word/document.xml", document),
        ):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text.encode("utf-8"))
    return buffer.getvalue()
