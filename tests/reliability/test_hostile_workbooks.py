"""Workbooks laid out to slip past the worksheet guard, through the real collect step: each is quarantined with
a reason (never a process killed by a 512 GiB allocation), the unit's good file beside it still collected."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from credit.collect import collect_unit
from tests.reliability import hostile
from tests.reliability.test_hostile_files import check_reason, entries
from tests.rows import write_csv

pytestmark = pytest.mark.reliability

DAY = dt.date(2026, 11, 26)
UNIT = "scjgj"
FAR = hostile.sheet_xml([*hostile.valid_grid(2), (1048576, [None] * 16383 + ["x"])])  # A1..XFD1048576
_SHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


def _workbook(sheets: list[tuple[str, str, str]], **parts: str | None) -> bytes:
    """sheets: (state, target, XML) each, stored at xl/<target>; parts override (None: leave out) any part."""
    elements = "".join(
        f'<sheet name="表{i}" sheetId="{i}" state="{state}" r:id="rId{i}"/>'
        for i, (state, _, _) in enumerate(sheets, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_SHEET}" Target="{target}"/>'
        for i, (_, target, _) in enumerate(sheets, start=1)
    )
    files = {
        "[Content_Types].xml": hostile.CT,
        "_rels/.rels": hostile.RELS,
        "xl/workbook.xml": hostile.WB.replace('<sheet name="行政处罚" sheetId="1" r:id="rId1"/>', elements),
        "xl/_rels/workbook.xml.rels": hostile.WB_RELS.replace(
            hostile.WB_RELS[hostile.WB_RELS.index("<Relationship ") : hostile.WB_RELS.index("</Rel")], rels
        ),
        **{f"xl/{target}": xml for _, target, xml in sheets},
        **parts,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            if data is not None:
                z.writestr(name, data)
    return buf.getvalue()


PLAIN = hostile.sheet_xml(hostile.valid_grid(2))
KINDS: dict[str, tuple[str, bytes]] = {  # name -> (reason fragment, workbook)
    "far_cell_sheet_in_a_subfolder": ("范围过大", _workbook([("visible", "worksheets/sub/sheet1.xml", FAR)])),
    "far_cell_sheet_outside_worksheets": ("范围过大", _workbook([("visible", "data/sheet1.xml", FAR)])),
    "far_cell_hidden_sheet": (
        "范围过大",
        _workbook([("visible", "worksheets/sheet1.xml", PLAIN), ("hidden", "worksheets/sheet2.xml", FAR)]),
    ),
    "far_reference_then_broken_xml": (
        "损坏",
        _workbook(
            [
                (
                    "visible",
                    "worksheets/sheet1.xml",
                    PLAIN.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" <<</row></sheetData>'),
                )
            ]
        ),
    ),
    "corrupt_package_relationships": (
        "Excel",
        _workbook([("visible", "worksheets/sheet1.xml", PLAIN)], **{"_rels/.rels": "<Relationships garbage"}),
    ),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_workbook_is_quarantined_with_a_reason(settings, kind):
    fragment, data = KINDS[kind]
    inbox = settings.inbox / UNIT
    inbox.mkdir(parents=True)
    write_csv(inbox / "good.csv", hostile.rows(2, start=1))
    Path(inbox / f"{kind}.xlsx").write_bytes(data)
    before = len(entries(settings))

    result = collect_unit(settings, UNIT, DAY)

    by_name = {f.name: f for f in result.files}
    good = by_name.pop("good.csv")
    assert good.outcome == "collected" and good.new_versions == 2, good
    [bad] = by_name.values()
    assert bad.outcome == "quarantined", (bad.outcome, bad.reason)
    check_reason(bad, fragment)
    assert len(entries(settings)) == before, "a file was lost or duplicated"
