"""When our .xlsx reader declines a workbook, calamine reads it and the log says why, in words an operator
understands, escaped and masked, from the reader process too."""

from __future__ import annotations

import logging

import pytest
import xlsxwriter

from credit.readers import read_file, read_unit_file, xlsx
from credit.readers.xlsx import sheet
from credit.standard import dataset
from tests.rows import xzcf_row

HEADERS = [f.header for f in dataset("xzcf").fields]
ID_NUMBER = "440882198001010011"


def _workbook(path, *, error_cell: bool):
    book = xlsxwriter.Workbook(path)
    ws = book.add_worksheet("行政处罚")
    ws.write_row(0, 0, HEADERS)
    row = xzcf_row()
    ws.write_row(1, 0, [row.get(h, "") for h in HEADERS])
    if error_cell:
        ws.write_formula(1, len(HEADERS), "=NA()", None, "#N/A")  # t="e": calamine's to read
    book.close()
    return path


def _declines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "xlsx reader" in r.getMessage()]


def test_an_error_cell_is_declined_with_its_reason(tmp_path, caplog):
    path = _workbook(tmp_path / "na.xlsx", error_cell=True)
    with caplog.at_level(logging.INFO, logger="credit"):
        (fast,) = read_file(path)
    assert _declines(caplog) == [
        "the xlsx reader declined the workbook, calamine reads it: an error cell (#N/A, #DIV/0! ...)"
    ]
    assert fast.raw.shape[0] == 1


def test_a_workbook_read_is_not_logged(tmp_path, caplog):
    path = _workbook(tmp_path / "plain.xlsx", error_cell=False)
    with caplog.at_level(logging.INFO, logger="credit"):
        read_file(path)
    assert _declines(caplog) == []


def test_the_reader_process_sends_its_log_back(tmp_path, caplog):
    path = _workbook(tmp_path / "na.xlsx", error_cell=True)
    with caplog.at_level(logging.INFO, logger="credit"):
        (sheet_read,) = read_unit_file(path, max_rows=100).sheets
    (line,) = _declines(caplog)
    assert line.startswith("(in the reader process) the xlsx reader declined the workbook")
    assert "error cell" in line
    assert sheet_read.raw.shape[0] == 1


def test_an_unexpected_error_logs_where_and_what(tmp_path, caplog, monkeypatch):
    """A bug of the reader: its type, where it was raised and its message (an ID number in it masked, a line
    break made visible) go to a warning; calamine reads the workbook."""

    def broken(*args, **kwargs):
        raise ValueError(f"cannot parse {ID_NUMBER}\nforged line")

    monkeypatch.setattr(sheet, "cell_refs", broken)
    path = _workbook(tmp_path / "bug.xlsx", error_cell=False)
    with caplog.at_level(logging.INFO, logger="credit"):
        (slow,) = read_file(path)
    failed, declined = _declines(caplog)
    assert failed.startswith("the xlsx reader failed (ValueError at test_xlsx_declines.py:")
    assert ID_NUMBER not in failed and "\n" not in failed and "forged line" in failed
    assert declined.startswith("the xlsx reader declined the workbook, calamine reads it: the reader failed")
    assert slow.raw.shape[0] == 1
    with pytest.raises(xlsx.NotFast, match=r"ValueError at test_xlsx_declines\.py:\d+"):
        for _, _, load in xlsx.worksheets(path.read_bytes()):
            load()
