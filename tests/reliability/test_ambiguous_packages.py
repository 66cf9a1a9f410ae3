"""Packages two readers could read differently are refused by every engine, in the same words (issue 13 §2).

Before, our .xlsx parser took the first of two entries of one name and calamine the last: `credit check` (our
parser) and the 撤销清单 sniffer (calamine) saw different rows in the same file."""

from __future__ import annotations

import io

import pytest
import python_calamine

from credit.readers import ENGINES, UnreadableFile, read_unit_file, xlsx
from tests.reliability import hostile

pytestmark = pytest.mark.reliability

AMBIGUOUS = [
    "duplicate_zip_entries_xlsx",
    "case_duplicate_zip_entries_xlsx",
    "zip_entries_fewer_declared_xlsx",
    "far_cell_zip_behind_a_prefix_xlsx",
    "far_cell_main_document_outside_xl",
    "far_cell_backslash_part_name_xlsx",
    "doctype_after_4k_xlsx",
]


@pytest.mark.parametrize("kind", AMBIGUOUS)
def test_every_engine_refuses_it_alike(tmp_path, kind):
    fragment, build, name = hostile.NATIVE_KINDS[kind]
    path = tmp_path / name
    path.write_bytes(build())
    reasons = set()
    for engine in ENGINES:
        with pytest.raises(UnreadableFile) as refused:
            read_unit_file(path, engine=engine, revocation_lists=False)
        reasons.add((refused.value.reason_zh, refused.value.reason_en))
    [(zh, _)] = reasons
    assert fragment in zh


@pytest.mark.parametrize("second", ["xl/worksheets/sheet1.xml", "XL/Worksheets/Sheet1.xml"])
def test_the_readers_really_differ_on_duplicate_entries(second):
    """Without the guard: our parser reads the first entry (2 data rows), calamine the last (1)."""
    data = hostile.duplicate_entries_xlsx(second)
    ours = [load() for _, hidden, load in xlsx.worksheets(data) if not hidden]
    theirs = (
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    )
    assert ours[0].nrows == 3 and len(theirs) == 2
