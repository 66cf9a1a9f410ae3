"""`credit check`: JSON shape, exit codes 0/1/2 on real csv and xlsx files, masking, the text summary."""

from __future__ import annotations

import csv
import json
import re

import pytest
from openpyxl import Workbook

from credit.check import format_check_text, run_check
from credit.identifiers import is_valid_ric
from credit.standard import dataset
from tests.test_validation_samples import NATURAL, PERSON_ID, REPORT_DATE, UNIT, base_row


def _rows(ds, changes_list):
    out = []
    for i, changes in enumerate(changes_list):
        row = {**base_row(ds), **changes}
        row["decision_doc_no"] = f"{row['decision_doc_no']}-{i}"
        out.append(row)
    return out


def write_csv(path, ds, rows):
    fields = dataset(ds).fields
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([f.header for f in fields])
        for r in rows:
            w.writerow(
                [
                    (r.get(f.key) or "").replace("-", "/") if f.type == "date" else r.get(f.key) or ""
                    for f in fields
                ]
            )
    return path


def write_xlsx(path, ds, rows, title=True):
    wb = Workbook()
    ws = wb.active
    ws.title = "处罚数据"
    if title:
        ws.append(["雷州市行政处罚信息"])
    fields = dataset(ds).fields
    ws.append([f.header for f in fields])
    for r in rows:
        ws.append([r.get(f.key) for f in fields])
    wb.save(path)
    return path


def _no_plain_ids(text):
    found = [m for m in re.findall(r"[0-9]{17}[0-9X]", text) if is_valid_ric(m)]
    assert not found, found


def test_all_valid_csv_exits_0(tmp_path):
    p = write_csv(
        tmp_path / "ok.csv",
        "xzcf",
        _rows("xzcf", [{}, NATURAL, {"penalty_content": "罚款5000元", "fine_wan": "5000"}]),
    )
    doc, code = run_check(p, UNIT, REPORT_DATE)
    assert code == 0
    assert set(doc) == {"file", "dataset", "rows", "valid", "invalid", "results"}
    assert (doc["file"], doc["dataset"], doc["rows"], doc["valid"], doc["invalid"]) == (
        "ok.csv",
        "xzcf",
        3,
        3,
        0,
    )
    assert [r["row"] for r in doc["results"]] == [2, 3, 4]
    assert doc["results"][2]["warnings"][0]["rule"] == "AMT-5"
    assert "全部记录可以报送" in format_check_text(doc)
    json.dumps(doc, ensure_ascii=False)


def test_invalid_xlsx_exits_1_with_masked_values(tmp_path):
    rows = _rows(
        "xzcf",
        [
            {},
            {**NATURAL, "id_no": "110105194912310021", "legal_rep_id_no": PERSON_ID},
            {"counterpart_name": None},
            {
                "counterpart_category": "自然人",
                "legal_rep_name": None,
                "id_type": "身份证",
                "id_no": PERSON_ID,
                "uscc": PERSON_ID,
            },
        ],
    )
    p = write_xlsx(tmp_path / "bad.xlsx", "xzcf", rows)
    doc, code = run_check(p, UNIT, REPORT_DATE)
    assert code == 1
    assert (doc["rows"], doc["valid"], doc["invalid"]) == (4, 1, 3)
    by_row = {r["row"]: r for r in doc["results"]}
    assert sorted(by_row) == [3, 4, 5, 6]  # a title row above the header
    r4 = by_row[4]
    assert r4["status"] == "invalid"
    e = next(e for e in r4["errors"] if e["rule"] == "ID-4")
    assert e["field"] == "CF_XDR_ZJHM" and e["column"] == "证件号码"
    assert e["value"] == "110105********0021" and "110105********0021" in e["message"]
    id5 = next(e for e in r4["errors"] if e["rule"] == "ID-5")
    assert id5["column"] == "法定代表人证件类型"
    req = by_row[5]["errors"][0]
    assert (req["rule"], req["field"], req["column"]) == ("REQ-1", "CF_XDR_MC", "行政相对人名称")
    assert "不能为空" in req["message"]
    text = json.dumps(doc, ensure_ascii=False) + format_check_text(doc)
    _no_plain_ids(text)
    summary = format_check_text(doc)
    assert "第4行" in summary and "第5行" in summary and "「行政相对人名称」" in summary


def test_unreadable_exits_2(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    doc, code = run_check(p, None, REPORT_DATE)
    assert code == 2
    assert set(doc) == {"file", "error"} and doc["error"]["zh"] and doc["error"]["en"]
    assert "无法读取" in format_check_text(doc)
    p = tmp_path / "notes.txt"
    p.write_text("hello", encoding="utf-8")
    assert run_check(p, None, REPORT_DATE)[1] == 2


def test_several_sheets_keep_order(tmp_path):
    wb = Workbook()
    for ds, title in (("xzxk", "许可"), ("xzcf", "处罚")):
        ws = wb.active if ds == "xzxk" else wb.create_sheet()
        ws.title = title
        fields = dataset(ds).fields
        ws.append([f.header for f in fields])
        for r in _rows(ds, [{}, {"counterpart_name": None}]):
            ws.append([r.get(f.key) for f in fields])
    p = tmp_path / "both.xlsx"
    wb.save(p)
    doc, code = run_check(p, UNIT, REPORT_DATE)
    assert code == 1 and doc["dataset"] == "xzxk" and doc["rows"] == 4 and doc["invalid"] == 2
    assert [(r["sheet"], r["row"], r["status"]) for r in doc["results"]] == [
        ("许可", 2, "valid"), ("许可", 3, "invalid"), ("处罚", 2, "valid"), ("处罚", 3, "invalid"),
    ]  # fmt: skip


def test_unknown_unit_is_an_error(tmp_path):
    p = write_csv(tmp_path / "ok.csv", "xzcf", _rows("xzcf", [{}]))
    with pytest.raises(KeyError):
        run_check(p, "nosuchunit", REPORT_DATE)


def test_data_docs(tmp_path):
    p = write_csv(tmp_path / "ok.csv", "xzcf", _rows("xzcf", [{}, {"counterpart_name": None}]))
    from credit.readers import read_file
    from credit.validation import validate_frame

    sheet = read_file(p)[0]
    v = validate_frame(
        "xzcf", sheet.data, unit_code=UNIT, report_date=REPORT_DATE, docs_dir=tmp_path / "docs"
    )
    assert v.docs_index is not None and v.docs_index.is_file()
    assert str(v.docs_index).startswith(str(tmp_path / "docs"))
    assert (tmp_path / "docs" / "index.html").is_file()
    assert list(v.valid()) == [True, False]
