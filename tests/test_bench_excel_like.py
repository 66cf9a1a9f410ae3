"""The benchmark's Excel-layout workbook reads back exactly the records it was written from."""

from __future__ import annotations

import datetime as dt
import zipfile

from bench.excel_like import write_excel_like
from credit.readers import read_file
from samples.generator import generate_records_with_meta


def test_excel_like_workbook_round_trips(tmp_path):
    frame, meta = generate_records_with_meta(
        "xzcf", 600, seed=5, report_date=dt.date(2025, 6, 16), defect_rate=0.1
    )
    frame = frame[(meta["planted"] != "TXT-1").to_numpy()]  # xlsx cannot hold control characters
    path = tmp_path / "excel.xlsx"
    write_excel_like(frame, path, "xzcf")

    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
        assert "xl/sharedStrings.xml" in z.namelist()
    assert b"inlineStr" not in sheet
    assert b' s="1"' in sheet  # dates are date cells with a date format, as Excel saves them
    assert b"<c r=" in sheet and b't="s"' in sheet

    got = read_file(path, engine="calamine")[0].raw.reset_index(drop=True)
    assert len(got) == len(frame)
    want = frame.reset_index(drop=True).set_axis(got.columns, axis=1)
    for key in got.columns:
        g = [None if v != v else v for v in got[key].astype(object)]
        w = [None if v != v else v for v in want[key].astype(object)]
        assert g == w, key
