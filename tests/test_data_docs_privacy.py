"""Data Docs pages never show an ID number in full, valid or mistyped (docs/standard.md §7)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from credit.validation import validate_frame
from tests.test_validation_samples import NATURAL, base_row

MISTYPED = "110105194912310022"  # wrong check digit: an ID-4 failure, still a person's number
REP_ID = "11010519491231002X"


def test_failing_id_numbers_are_masked_on_data_docs_pages(tmp_path):
    rows = [
        {**base_row("xzcf"), **NATURAL, "decision_doc_no": "a", "id_no": MISTYPED},
        {**base_row("xzcf"), "decision_doc_no": "b", "legal_rep_id_no": REP_ID},  # ID-5: no 证件类型
    ]
    frame = pd.DataFrame(rows, index=[2, 3])
    verdicts = validate_frame(
        "xzcf", frame, unit_code=None, report_date=dt.date(2024, 5, 1), docs_dir=tmp_path
    )
    assert set(verdicts.issues["rule"]) >= {"ID-4", "ID-5"}
    pages = [p.read_text(encoding="utf-8", errors="replace") for p in tmp_path.rglob("*.html")]
    assert pages
    text = "\n".join(pages)
    assert MISTYPED not in text and REP_ID not in text
    assert "110105********0022" in text  # shown masked, so the clerk can still find the row
