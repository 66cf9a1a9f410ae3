"""The feedback workbook, opened back with openpyxl."""

from __future__ import annotations

from openpyxl import load_workbook

from credit.reports.feedback import RED, YELLOW, write_feedback
from credit.validation import describe_rows, validate_frame
from tests.test_validation_samples import NATURAL, PERSON_ID, REPORT_DATE, UNIT, base_row


def _items():
    import pandas as pd

    rows = [
        {
            **base_row("xzcf"),
            "decision_doc_no": "a",
            "counterpart_name": '=HYPERLINK("http://x","点我")',
            "fine_wan": "5000",
        },
        {
            **base_row("xzcf"),
            **NATURAL,
            "decision_doc_no": "b",
            "id_no": "110105194912310021",
            "legal_rep_id_no": PERSON_ID,
        },
        {**base_row("xzcf"), "decision_doc_no": "c"},
    ]
    frame = pd.DataFrame(rows, index=[5, 6, 7])
    columns = {"counterpart_name": "企业名称", "id_no": "身份证号码", "fine_wan": "罚款金额(万元)"}
    v = validate_frame("xzcf", frame, unit_code=UNIT, report_date=REPORT_DATE)
    described = describe_rows(v, frame, columns)
    items = []
    for row, info in described.items():
        if info["errors"] or info["warnings"]:
            items.append(
                {"dataset": "xzcf", "file_name": "处罚.xlsx", "sheet": "Sheet1", "row": row, "columns": columns,
                 "raw": {k: frame.at[row, k] for k in frame.columns}, "errors": info["errors"], "warnings": info["warnings"]}
            )  # fmt: skip
    items.append(
        {"dataset": "xzxk", "file_name": "许可.csv", "sheet": None, "row": 9, "columns": {}, "raw": {**base_row("xzxk"), "remark": "+1 @x"},
         "errors": [{"rule": "PLATFORM", "field": "XK_WSH", "column": "行政许可决定文书号", "value": "x", "message": "平台：文书号重复"}], "warnings": []}
    )  # fmt: skip
    return items


def test_feedback_workbook(tmp_path):
    path = write_feedback(tmp_path, UNIT, REPORT_DATE, _items())
    assert path.name == f"{UNIT}_问题数据_20240501.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["行政处罚", "行政许可", "规则说明"]
    ws = wb["行政处罚"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["原文件", "工作表", "行号", "问题说明"]
    assert "企业名称" in header and "身份证号码" in header and "行政相对人名称" not in header
    col = {h: i + 1 for i, h in enumerate(header)}
    assert [ws.cell(r, 3).value for r in range(2, ws.max_row + 1)] == [5, 6]  # row 7 was clean
    # Formula-like text stays text.
    name = ws.cell(2, col["企业名称"])
    assert name.data_type == "s" and name.value.startswith("=HYPERLINK")
    # Warning fill on the 元-in-万元 amount, with a comment naming the rule.
    fine = ws.cell(2, col["罚款金额(万元)"])
    assert fine.fill.start_color.rgb == YELLOW.start_color.rgb and "AMT-5" in fine.comment.text
    # Error fill on the bad ID, shown as sent (docs/standard.md §7: only the sending unit gets this workbook), as
    # is the legal representative's number; our own text (问题说明, comments) still masks them.
    idc = ws.cell(3, col["身份证号码"])
    assert idc.value == "110105194912310021" and idc.fill.start_color.rgb == RED.start_color.rgb
    assert "ID-4" in idc.comment.text and "110105194912310021" not in idc.comment.text
    assert ws.cell(3, col["法定代表人证件号码"]).value == PERSON_ID
    assert "ID-4" in ws.cell(3, 4).value and "证件号码" in ws.cell(3, 4).value
    assert "110105194912310021" not in ws.cell(3, 4).value
    # Platform rejections and the rules sheet.
    xk = wb["行政许可"]
    assert xk.cell(2, 3).value == 9 and "PLATFORM" in xk.cell(2, 4).value
    remark_col = [c.value for c in xk[1]].index("备注") + 1
    assert xk.cell(2, remark_col).data_type == "s" and xk.cell(2, remark_col).value == "+1 @x"
    rules_ws = wb["规则说明"]
    ids = [rules_ws.cell(r, 1).value for r in range(2, rules_ws.max_row + 1)]
    assert "REQ-1" in ids and "DUP-1" in ids and "PLATFORM" in ids


def test_control_characters_are_shown_not_written(tmp_path):
    """A TXT-1 row carries a control character, which a worksheet cannot store: it is shown as a text marker
    every font draws (no font has ␇)."""
    items = [
        {
            "dataset": "xzcf",
            "file_name": "处罚.csv",
            "sheet": None,
            "row": 4,
            "columns": {},
            "raw": {**base_row("xzcf"), "violation_facts": "经查\x07，当事人"},
            "errors": [],
            "warnings": [
                {
                    "rule": "TXT-1",
                    "field": "CF_SY",
                    "column": "违法事实",
                    "value": "经查\x07，当事人",
                    "message": "含控制字符\x07",
                }
            ],
        }
    ]
    wb = load_workbook(write_feedback(tmp_path, UNIT, REPORT_DATE, items))
    ws = wb["行政处罚"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "经查[控制字符U+0007]，当事人" in texts
    assert not any("\x07" in t or "␇" in t for t in texts)


def test_rows_are_as_high_as_their_wrapped_text_and_the_sheet_prints_landscape(tmp_path):
    """问题说明 of several rules never overlaps the next row; long headers wrap instead of being cut; the
    sheet prints landscape on the page width with its header on every page."""
    from credit.sheets import LINE_HEIGHT, display_width

    wb = load_workbook(write_feedback(tmp_path, UNIT, REPORT_DATE, _items()))
    ws = wb["行政处罚"]
    header = [c.value for c in ws[1]]
    problems = ws.cell(3, 4).value
    width = ws.column_dimensions["D"].width
    wrapped = sum(-(-display_width(line) // int(width - 1.5)) or 1 for line in problems.split("\n"))
    assert len(problems.split("\n")) >= 2 and ws.row_dimensions[3].height >= LINE_HEIGHT * wrapped
    for c, title in enumerate(header, start=1):
        cell = ws.cell(1, c)
        letter = cell.column_letter
        assert cell.alignment.wrap_text, title
        # two lines of header at most: half the title fits the column
        assert ws.column_dimensions[letter].width * 2 >= display_width(title), title
    long_header = max(header, key=display_width)
    assert ws.row_dimensions[1].height >= LINE_HEIGHT * 2, long_header
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1" and ws.freeze_panes == "E2"


def test_a_quarantined_file_is_reported_to_its_unit(tmp_path):
    import datetime as dt

    quarantined = [
        {
            "file_name": "处罚台账.xlsx",
            "received_at": dt.datetime(2024, 5, 1, 10, 5, tzinfo=dt.UTC),
            "reason": "工作簿设有密码，请取消密码后再报送 / the workbook is password-protected",
        }
    ]
    wb = load_workbook(write_feedback(tmp_path, UNIT, REPORT_DATE, [], quarantined))
    assert wb.sheetnames == ["无法读取的文件", "规则说明"]
    ws = wb["无法读取的文件"]
    assert [c.value for c in ws[1]] == ["文件名", "收取时间（北京时间）", "原因", "处理办法"]
    name, when, reason, to_do = (c.value for c in ws[2])
    assert (name, when, reason) == ("处罚台账.xlsx", "2024-05-01 18:05", "工作簿设有密码，请取消密码后再报送")
    assert "收件箱" in to_do
    # Beside rows with problems: after the dataset sheets.
    wb = load_workbook(write_feedback(tmp_path / "both", UNIT, REPORT_DATE, _items(), quarantined))
    assert wb.sheetnames == ["行政处罚", "行政许可", "无法读取的文件", "规则说明"]


def test_unapplied_revocations_stay_out_of_the_data_sheets(tmp_path):
    """A 撤销清单 row that could not be applied is listed apart: a resent workbook must not make it a record."""
    item = {
        "dataset": "xzcf",
        "file_name": "撤销.csv",
        "sheet": None,
        "row": 3,
        "columns": {"decision_doc_no": "决定文书号"},
        "raw": {"decision_doc_no": "雷市监罚〔2026〕77号", "remark": "撤销原因：录入错误"},
        "errors": [
            {"rule": "REVOKE", "field": "CF_WSH", "column": "决定文书号", "value": "x", "message": "未找到"}
        ],
        "warnings": [],
    }
    wb = load_workbook(write_feedback(tmp_path, UNIT, REPORT_DATE, [*_items(), item]))
    assert wb.sheetnames == ["行政处罚", "行政许可", "撤销未执行", "规则说明"]
    ws = wb["撤销未执行"]
    assert [c.value for c in ws[2]] == [
        "撤销.csv",
        3,
        "行政处罚",
        "雷市监罚〔2026〕77号",
        "录入错误",
        "✗ [REVOKE] 未找到",
    ]
    docs = [c.value for c in wb["行政处罚"]["E"]]
    assert not any("77号" in str(d) for d in docs)
