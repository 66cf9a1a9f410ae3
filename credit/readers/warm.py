"""Warming the fork server: a child forked from it starts with what parsing a file first fills (caches, compiled
patterns, arrow's kernels) instead of filling it again for each file (≈ 30 ms a file otherwise)."""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
import zipfile
from pathlib import Path

from credit.readers.base import UnreadableFile
from credit.readers.unit_file import parse_unit_file
from credit.standard import dataset

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook {_NS} xmlns:r="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="s" sheetId="1" r:id="rId1"/>'
    "</sheets></workbook>",
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
    'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def _values(n: int) -> list[str]:
    out = []
    for f in dataset("xzcf").fields:
        out.append({"date": f"2026-01-{n + 1:02d}", "decimal": f"{n}.5"}.get(f.type, f"{f.header}{n}"))
    return out


def _csv() -> str:
    rows = [[f.header for f in dataset("xzcf").fields], _values(1), _values(2)]
    return "\n".join(",".join(r) for r in rows) + "\n"


def _xlsx() -> bytes:
    """A workbook laid out as Excel saves one: shared strings, a date format, dates and numbers."""
    fields = dataset("xzcf").fields
    strings = [f.header for f in fields] + [f"{f.header}1" for f in fields]
    head = "".join(f'<c r="{_col(i)}1" t="s"><v>{i}</v></c>' for i in range(len(fields)))
    cells = []
    for i, f in enumerate(fields):
        ref = f"{_col(i)}2"
        if f.type == "date":
            cells.append(f'<c r="{ref}" s="1"><v>46000</v></c>')
        elif f.type == "decimal":
            cells.append(f'<c r="{ref}"><v>0.5</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="s"><v>{len(fields) + i}</v></c>')
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}><dimension ref="A1:{_col(len(fields) - 1)}2"/>'
        f'<sheetData><row r="1">{head}</row><row r="2">{"".join(cells)}</row></sheetData></worksheet>'
    )
    sst = "".join(f"<si><t>{s}</t></si>" for s in strings)
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet {_NS}><numFmts count="1"><numFmt numFmtId="164" '
        'formatCode="yyyy-mm-dd"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" '
        'applyNumberFormat="1"/></cellXfs></styleSheet>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in _PARTS.items():
            z.writestr(name, text)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        z.writestr("xl/styles.xml", styles)
        z.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">{sst}</sst>',
        )
    return buf.getvalue()


def _col(i: int) -> str:
    s, n = "", i + 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def warm_up() -> None:
    """Parse a small CSV (UTF-8 and GBK) and workbook once; never raises."""
    folder = Path(tempfile.mkdtemp(prefix="credit-warm-"))
    try:
        samples = {"w.csv": _csv().encode("utf-8"), "g.csv": _csv().encode("gbk"), "w.xlsx": _xlsx()}
        for name, data in samples.items():
            (folder / name).write_bytes(data)
            with contextlib.suppress(UnreadableFile, Exception):
                parse_unit_file(folder / name, max_rows=100, engine="auto", revocation_lists=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
