"""File readers: real files in real formats, written here into tmp_path (docs/standard.md §2.4, docs/contracts.md#inbox)."""

from __future__ import annotations

import csv
import datetime as dt
import pickle
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from credit.readers import Sheet, UnreadableFile, detect_dataset, read_file, read_frame
from credit.standard import dataset

CF = dataset("xzcf")
XK = dataset("xzxk")
G3 = [f.header for f in CF.fields]
CODES = [f.code for f in CF.fields]

# Two penalty records as a unit writes them: messy spellings that normalise to the same values.
ROWS = [
    {
        "counterpart_name": " 雷州市某某食品有限公司 ",
        "counterpart_category": "02",
        "uscc": "９１４４０８８２ＭＡ４ＵＸＸＸＸ１Ｘ",
        "legal_rep_name": "张三",
        "legal_rep_id_type": "1",
        "legal_rep_id_no": "11010519491231002x",
        "decision_doc_no": "雷市监罚〔2023〕12号",
        "violation_type": "销售过期食品",
        "violation_facts": "经查，\n当事人销售过期食品。",
        "legal_basis": "《中华人民共和国食品安全法》第一百二十四条",
        "penalty_categories": "没收违法所得、没收非法财物；罚款",
        "penalty_content": "罚款人民币伍仟元",
        "fine_wan": "0.50",
        "confiscation_wan": "1200元",
        "decision_date": "2023/10/1",
        "penalty_valid_until": "2024年10月1日",
        "publicity_end_date": "45566",
        "authority": "雷州市市场监督管理局",
        "authority_uscc": "11440882007028602x",
        "source_unit": "雷州市市场监督管理局",
        "source_unit_uscc": "11440882007028602X",
    },
    {
        "counterpart_name": "李四",
        "counterpart_category": "自然人",
        "id_type": "身份证",
        "id_no": "360426199101010071",
        "decision_doc_no": "雷市监罚〔2023〕13号",
        "violation_type": "无证经营",
        "violation_facts": "无证经营",
        "legal_basis": "《无证无照经营查处办法》第十三条",
        "penalty_categories": "警告",
        "penalty_content": "警告",
        "decision_date": "20231002",
        "penalty_valid_until": "2024.10.02",
        "authority": "雷州市市场监督管理局",
        "authority_uscc": "11440882007028602X",
        "source_unit": "雷州市市场监督管理局",
        "source_unit_uscc": "11440882007028602X",
        "remark": "　",
    },
]
EXPECTED_0 = {
    "counterpart_name": "雷州市某某食品有限公司",
    "counterpart_category": "法人及非法人组织",
    "uscc": "91440882MA4UXXXX1X",
    "legal_rep_id_type": "身份证",
    "legal_rep_id_no": "11010519491231002X",
    "violation_facts": "经查， 当事人销售过期食品。",
    "penalty_categories": "罚款;没收违法所得;没收非法财物",
    "fine_wan": "0.5",
    "confiscation_wan": "1200元",
    "decision_date": "2023-10-01",
    "penalty_valid_until": "2024-10-01",
    "publicity_end_date": "2024-10-01",
    "authority_uscc": "11440882007028602X",
    "business_reg_no": None,
}


def _grid(headers: list[str], keys: list[str], rows=ROWS, title_rows: int = 0) -> list[list[object]]:
    grid: list[list[object]] = [["雷州市行政处罚信息报送表"] + [""] * (len(headers) - 1)] * title_rows
    grid.append(list(headers))
    grid += [[r.get(k, "") for k in keys] for r in rows]
    return grid


def _write_csv(path: Path, grid, encoding="utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(grid)
    return path


def _write_xlsx(path: Path, sheets: dict[str, list[list[object]]], hidden=()) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, grid in sheets.items():
        ws = wb.create_sheet(name)
        for row in grid:
            ws.append([None if v == "" else v for v in row])
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def _one(path) -> Sheet:
    sheets = read_file(path)
    assert len(sheets) == 1
    return sheets[0]


def _value(v: object) -> object:
    """A frame cell as the tests compare it: missing (NaN in a "str" column) as None."""
    return None if pd.isna(v) else v


def _check_expected(sheet: Sheet):
    assert sheet.dataset == "xzcf"
    assert list(sheet.data.columns) == CF.keys
    for k, v in EXPECTED_0.items():
        assert _value(sheet.data.iloc[0][k]) == v, k
    assert _value(sheet.data.iloc[1]["remark"]) is None
    assert sheet.data.iloc[1]["decision_date"] == "2023-10-02"


@pytest.fixture
def reference(tmp_path) -> pd.DataFrame:
    sheet = _one(_write_csv(tmp_path / "ref.csv", _grid(G3, CF.keys)))
    _check_expected(sheet)
    return sheet.data


# --- header variants -----------------------------------------------------------------------------------
G2_LEGAL = {
    "uscc": "行政相对人代码_1",
    "business_reg_no": "行政相对人代码_2",
    "org_code": "行政相对人代码_3",
    "tax_reg_no": "行政相对人代码_4",
    "public_inst_cert_no": "行政相对人代码_5",
    "social_org_reg_no": "行政相对人代码_6",
    "legal_rep_id_no": "法定代表人身份证号",
}


def _variant(name: str) -> list[str]:
    if name == "g3":
        return G3
    if name == "codes":
        return CODES
    if name == "g2_legal":
        return [G2_LEGAL.get(f.key, f.header) for f in CF.fields]
    if name == "half_width":
        return [h.replace("（", "(").replace("）", ")") for h in G3]
    if name == "full_width":
        return [h.replace("(", "（").replace(")", "）") for h in G3]
    if name == "spaces":
        return [f" {h[:2]} {h[2:]}\n" if len(h) > 3 else f"{h}\u3000" for h in G3]
    if name == "line_breaks":
        return [h.replace("（", "\n（").replace("代码_", "代码\r\n_") for h in G3]
    if name == "starred":
        return [f"*{f.header}" if f.required == "yes" else f.header for f in CF.fields]
    raise KeyError(name)


VARIANTS = ["g3", "codes", "g2_legal", "half_width", "full_width", "spaces", "line_breaks", "starred"]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_header_variants_and_formats_give_identical_data(tmp_path, reference, variant, fmt):
    headers = _variant(variant)
    grid = _grid(headers, CF.keys, title_rows=1 if variant == "g3" else 0)
    path = (
        _write_csv(tmp_path / "f.csv", grid)
        if fmt == "csv"
        else _write_xlsx(tmp_path / "f.xlsx", {"处罚": grid})
    )
    sheet = _one(path)
    assert sheet.columns["uscc"] == headers[CF.keys.index("uscc")]
    pd.testing.assert_frame_equal(sheet.data.reset_index(drop=True), reference.reset_index(drop=True))


def test_g2_natural_person_template(tmp_path):
    keys = [k for k in CF.keys if k not in G2_LEGAL and k not in ("legal_rep_name", "legal_rep_id_type")]
    sheet = _one(
        _write_csv(tmp_path / "p.csv", _grid([CF.field(k).header for k in keys], keys, rows=ROWS[1:]))
    )
    assert sheet.data.iloc[0]["id_no"] == "360426199101010071"
    assert _value(sheet.data.iloc[0]["uscc"]) is None
    assert "uscc" not in sheet.raw.columns


def test_title_rows_and_row_numbers(tmp_path):
    grid = _grid(G3, CF.keys, title_rows=3)
    grid.insert(5, [""] * len(G3))  # a blank row between the two records
    sheet = _one(_write_csv(tmp_path / "t.csv", grid))
    assert sheet.header_row == 4
    assert list(sheet.data.index) == [5, 7]
    assert list(sheet.raw.index) == [5, 7]
    xlsx = _one(_write_xlsx(tmp_path / "t.xlsx", {"S": grid}))
    assert xlsx.header_row == 4 and list(xlsx.data.index) == [5, 7]
    assert xlsx.sheet == "S" and xlsx.encoding is None


def test_two_row_header_with_a_group_cell(tmp_path):
    group = [k for k in G2_LEGAL if k != "legal_rep_id_no"]  # 行政相对人代码 over its six sub-headers
    top = ["行政相对人代码" if k == "uscc" else "" if k in group else CF.field(k).header for k in CF.keys]
    below = [CF.field(k).header.split("(")[1].rstrip(")") if k in group else "" for k in CF.keys]
    grid = [top, below, *_grid(G3, CF.keys)[1:]]
    sheet = _one(_write_xlsx(tmp_path / "two.xlsx", {"S": grid}))
    assert sheet.header_row == 2
    assert sheet.data.loc[3, "uscc"] == "91440882MA4UXXXX1X"


def test_raw_is_as_written(tmp_path):
    sheet = _one(_write_csv(tmp_path / "r.csv", _grid(G3, CF.keys)))
    assert sheet.raw.loc[2, "counterpart_name"] == " 雷州市某某食品有限公司 "
    assert sheet.raw.loc[2, "fine_wan"] == "0.50"
    assert _value(sheet.raw.loc[2, "business_reg_no"]) is None
    assert sheet.raw.loc[3, "remark"] == "　"
    assert list(sheet.raw.columns) == CF.keys


# --- encodings -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings(tmp_path, reference, encoding):
    sheet = _one(_write_csv(tmp_path / "e.csv", _grid(G3, CF.keys), encoding=encoding))
    # GB18030 text made only of GBK characters is byte for byte GBK, and is reported so.
    assert sheet.encoding == ("gbk" if encoding == "gb18030" else encoding)
    pd.testing.assert_frame_equal(sheet.data, reference)


def test_gb18030_outside_gbk(tmp_path):
    rows = [dict(ROWS[0], counterpart_name="𠀀记商行")]
    sheet = _one(_write_csv(tmp_path / "g.csv", _grid(G3, CF.keys, rows=rows), encoding="gb18030"))
    assert sheet.encoding == "gb18030"
    assert sheet.data.iloc[0]["counterpart_name"] == "𠀀记商行"


def test_encoding_never_guessed_from_name(tmp_path):
    path = tmp_path / "utf8_数据_GBK.csv"
    _write_csv(path, _grid(G3, CF.keys), encoding="gbk")
    assert _one(path).encoding == "gbk"


def test_undecodable_bytes(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(",".join(G3).encode("utf-8") + b"\n\xff\xfe\x00\x81\x00\xff,\x80\n")
    with pytest.raises(UnreadableFile) as err:
        read_file(path)
    assert "编码" in err.value.reason_zh and "encoding" in err.value.reason_en


def test_quoted_line_breaks_and_ragged_rows_in_csv(tmp_path):
    path = tmp_path / "q.csv"
    grid = _grid([h.replace("（", "\n（") for h in G3], CF.keys)
    grid[1] = [*grid[1], "", "stray"]  # a row longer than the header
    grid.insert(2, [])  # an empty line
    _write_csv(path, grid)
    sheet = _one(path)
    assert list(sheet.data.index) == [2, 4]
    assert sheet.data.loc[2, "violation_facts"] == "经查， 当事人销售过期食品。"


# --- Excel specifics -----------------------------------------------------------------------------------
def test_excel_cells_dates_numbers_and_engines(tmp_path, reference):
    grid = _grid(G3, CF.keys)
    k = CF.keys.index
    grid[1][k("decision_date")] = dt.date(2023, 10, 1)
    grid[1][k("penalty_valid_until")] = dt.datetime(2024, 10, 1)
    grid[1][k("publicity_end_date")] = 45566
    grid[1][k("fine_wan")] = 0.5
    grid[1][k("counterpart_category")] = 2
    grid[1][k("legal_rep_id_type")] = 1
    grid[2][k("decision_date")] = 20231002
    path = _write_xlsx(tmp_path / "x.xlsx", {"S": grid})
    for engine in ("calamine", "openpyxl"):
        sheet = read_file(path, engine=engine)[0]
        assert sheet.raw.loc[2, "decision_date"] == "2023-10-01"
        assert sheet.raw.loc[2, "penalty_valid_until"] == "2024-10-01"
        assert sheet.raw.loc[2, "publicity_end_date"] == "45566"
        assert sheet.raw.loc[2, "counterpart_category"] == "2"
        assert sheet.raw.loc[3, "decision_date"] == "20231002"
        assert sheet.raw.loc[2, "fine_wan"] == "0.5"
        pd.testing.assert_frame_equal(sheet.data, reference)


def test_xls(tmp_path, reference):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    ws = book.add_sheet("处罚")
    for r, row in enumerate(_grid(G3, CF.keys)):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    book.save(str(tmp_path / "old.xls"))
    sheet = _one(tmp_path / "old.xls")
    pd.testing.assert_frame_equal(sheet.data, reference)


def test_multiple_sheets_hidden_and_unrelated(tmp_path):
    xk_row = {
        "counterpart_name": "雷州市某某药店",
        "counterpart_category": "法人及非法人组织",
        "uscc": "91440882MA4UXXXX1X",
        "legal_rep_name": "王五",
        "decision_doc_name": "药品经营许可证",
        "decision_doc_no": "粤AA7590001",
        "permit_category": "1",
        "permit_content": "药品零售",
        "decision_date": "2023-10-01",
        "valid_from": "2023-10-01",
        "valid_to": "2028/9/30",
        "authority": "雷州市市场监督管理局",
        "authority_uscc": "11440882007028602X",
        "status": "1",
        "source_unit": "雷州市市场监督管理局",
        "source_unit_uscc": "11440882007028602X",
    }
    path = _write_xlsx(
        tmp_path / "m.xlsx",
        {
            "填报说明": [["填报说明"], ["1. 行政相对人名称：填写全称"], ["2. 日期格式：YYYY/MM/DD"]],
            "许可": _grid([f.header for f in XK.fields], XK.keys, rows=[xk_row]),
            "空表": [],
            "处罚": _grid(G3, CF.keys),
            "旧数据": _grid(G3, CF.keys),
        },
        hidden={"旧数据"},
    )
    sheets = read_file(path)
    assert [(s.sheet, s.dataset, len(s.data)) for s in sheets] == [("许可", "xzxk", 1), ("处罚", "xzcf", 2)]
    assert sheets[0].data.iloc[0]["permit_category"] == "普通"
    assert sheets[0].data.iloc[0]["valid_to"] == "2028-09-30"
    assert any("旧数据" in n for n in sheets[0].notes)


# --- unreadable files and limits ------------------------------------------------------------------------
def _reason(path) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as err:
        read_file(path)
    assert str(err.value) == f"{err.value.reason_zh} / {err.value.reason_en}"
    return err.value


def test_missing_required_columns_are_named(tmp_path):
    keys = [k for k in CF.keys if k not in ("decision_date", "authority_uscc")]
    err = _reason(_write_csv(tmp_path / "m.csv", _grid([CF.field(k).header for k in keys], keys)))
    assert "处罚决定日期" in err.reason_zh and "处罚机关统一社会信用代码" in err.reason_zh
    assert "缺少必填列" in err.reason_zh
    err = _reason(_write_xlsx(tmp_path / "m.xlsx", {"处罚": _grid([CF.field(k).header for k in keys], keys)}))
    assert "处罚决定日期" in err.reason_zh and "处罚" in err.reason_zh


def test_duplicate_columns_are_named(tmp_path):
    headers = [*G3, "统一社会信用代码"]
    err = _reason(_write_csv(tmp_path / "d.csv", _grid(headers, [*CF.keys, "uscc"])))
    assert (
        "统一社会信用代码" in err.reason_zh
        and "行政相对人代码_1" in err.reason_zh
        and "重复" in err.reason_zh
    )


def test_unknown_columns_are_ignored_with_a_note(tmp_path):
    headers = ["序号", *G3, "经办人"]
    grid = [headers] + [["1", *r[:], "小王"] for r in _grid(G3, CF.keys)[1:]]
    sheet = _one(_write_csv(tmp_path / "u.csv", grid))
    assert any("序号" in n and "经办人" in n for n in sheet.notes)
    assert "序号" not in sheet.raw.columns


@pytest.mark.parametrize("content", [b"", b"  \r\n \n", "\ufeff".encode()])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    assert "空" in _reason(path).reason_zh
    if not content.startswith(b"\xef"):
        (tmp_path / "empty.xlsx").write_bytes(content)
        assert "空" in _reason(tmp_path / "empty.xlsx").reason_zh


def test_header_only_file_is_a_sheet_without_rows(tmp_path):
    for path in (
        _write_csv(tmp_path / "h.csv", [G3]),
        _write_xlsx(tmp_path / "h.xlsx", {"S": [G3]}),
    ):
        sheet = _one(path)
        assert sheet.dataset == "xzcf" and sheet.raw.empty and sheet.data.empty
        assert list(sheet.data.columns) == CF.keys


@pytest.mark.parametrize("name", ["data.txt", "data.pdf", "data", "data.ods"])
def test_unknown_extension(tmp_path, name):
    path = _write_csv(tmp_path / name, _grid(G3, CF.keys))
    assert "文件类型" in _reason(path).reason_zh


def test_not_really_excel(tmp_path):
    path = tmp_path / "web.xls"
    path.write_text("<html><table><tr><td>行政相对人名称</td></tr></table></html>", encoding="utf-8")
    assert "HTML" in _reason(path).reason_zh
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not a zip at all")
    assert "Excel" in _reason(path).reason_zh


def _damaged(path: Path, how: str) -> Path:
    """The workbook with its worksheet's zip data damaged: the deflate stream, the checksum, or the method."""
    data = bytearray(path.read_bytes())
    member = b"xl/worksheets/sheet1.xml"
    info = zipfile.ZipFile(path).getinfo(member.decode())
    local, central = info.header_offset, data.rindex(member) - 46  # the directory comes last
    start = local + 30 + len(member) + int.from_bytes(data[local + 28 : local + 30], "little")
    if how == "stream":
        middle = slice(start + info.compress_size // 3, start + 2 * info.compress_size // 3)
        data[middle] = bytes(b ^ 0x5A for b in data[middle])
    elif how == "checksum":
        crc = slice(central + 16, central + 20)
        data[crc] = bytes(b ^ 0xFF for b in data[crc])
    else:  # a compression method zipfile does not know
        data[local + 8 : local + 10] = data[central + 10 : central + 12] = (99).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("how", ["stream", "checksum", "method"])
@pytest.mark.parametrize("engine", ["auto", "calamine", "openpyxl"])
def test_damaged_zip_data(tmp_path, how, engine):
    path = _damaged(_write_xlsx(tmp_path / "d.xlsx", {"处罚": _grid(G3, CF.keys)}), how)
    with pytest.raises(UnreadableFile) as err:
        read_file(path, engine=engine)
    assert err.value.reason_zh == "Excel文件已损坏，无法读取，请重新保存后再报送"
    assert err.value.reason_en.startswith("the Excel file is damaged (its zip data does not inflate): ")


def test_no_header_anywhere(tmp_path):
    err = _reason(_write_csv(tmp_path / "n.csv", [["姓名", "年龄"], ["张三", "30"]]))
    assert "表头" in err.reason_zh


def test_row_limit(tmp_path):
    path = _write_csv(tmp_path / "big.csv", _grid(G3, CF.keys, rows=ROWS * 3))
    assert len(read_file(path, max_rows=6)[0].data) == 6
    assert "上限" in _reason_limit(path).reason_zh


def _reason_limit(path) -> UnreadableFile:
    with pytest.raises(UnreadableFile) as err:
        read_file(path, max_rows=5)
    return err.value


def test_long_cell_kept_and_noted(tmp_path):
    rows = [dict(ROWS[0], violation_facts="违" * 10_001)]
    sheet = _one(_write_csv(tmp_path / "l.csv", _grid(G3, CF.keys, rows=rows)))
    assert len(sheet.data.iloc[0]["violation_facts"]) == 10_001
    assert any("违法事实" in n and "10000" in n for n in sheet.notes)


def test_unreadable_file_pickles():
    err = pickle.loads(pickle.dumps(UnreadableFile("文件为空", "the file is empty")))
    assert (err.reason_zh, err.reason_en, str(err)) == (
        "文件为空",
        "the file is empty",
        "文件为空 / the file is empty",
    )


# --- SQL frames and dataset detection --------------------------------------------------------------------
def test_read_frame_from_sql_values(reference):
    frame = pd.DataFrame([{h: r.get(k) for h, k in zip(CODES, CF.keys, strict=True)} for r in ROWS])
    frame["CF_JDRQ"] = [dt.date(2023, 10, 1), dt.datetime(2023, 10, 2)]
    frame["CF_NR_FK"] = [Decimal("0.50"), None]
    sheet = read_frame(frame)
    assert list(sheet.data.index) == [1, 2] and sheet.header_row == 0
    assert sheet.raw.loc[1, "decision_date"] == "2023-10-01"
    pd.testing.assert_frame_equal(sheet.data.reset_index(drop=True), reference.reset_index(drop=True))


def test_detect_dataset():
    assert detect_dataset([f.header for f in XK.fields])[0] == "xzxk"
    ds, cols = detect_dataset(["序号", *G3])
    assert ds == "xzcf" and cols["uscc"] == "行政相对人代码_1(统一社会信用代码)"
    with pytest.raises(UnreadableFile):
        detect_dataset(["行政相对人名称", "行政相对人类别", "备注"])


# --- frame contract and large files ------------------------------------------------------------------------
def test_frames_hold_arrow_strings_with_blanks_missing(tmp_path):
    for path in (
        _write_csv(tmp_path / "s.csv", _grid(G3, CF.keys)),
        _write_xlsx(tmp_path / "s.xlsx", {"S": _grid(G3, CF.keys)}),
    ):
        sheet = _one(path)
        for frame in (sheet.raw, sheet.data):
            assert all(dtype == "str" for dtype in frame.dtypes)  # pyarrow-backed, what validation expects
        assert pd.isna(sheet.raw.loc[2, "business_reg_no"]) and pd.isna(sheet.data.loc[2, "business_reg_no"])
        assert pd.isna(sheet.data.loc[3, "remark"])  # white space only, once normalised


BIG_ROWS = 12_000  # ≈ 5 MB: past the 1 MiB head and across several parser blocks


def _big_csv(path: Path, extra: bytes = b"") -> Path:
    _write_csv(path, _grid(G3, CF.keys, rows=ROWS * (BIG_ROWS // 2)))
    with open(path, "ab") as fh:
        fh.write(extra)
    return path


def test_large_utf8_file_read_whole_and_exact(tmp_path):
    sheet = _one(_big_csv(tmp_path / "big.csv"))
    assert sheet.encoding == "utf-8" and len(sheet.data) == BIG_ROWS
    assert list(sheet.data.index[:3]) == [2, 3, 4] and sheet.data.index[-1] == BIG_ROWS + 1
    names = sheet.raw["counterpart_name"].tolist()
    assert names == [" 雷州市某某食品有限公司 ", "李四"] * (BIG_ROWS // 2)  # no character cut at a block edge
    assert set(sheet.data["penalty_valid_until"]) == {"2024-10-01", "2024-10-02"}


def test_large_file_with_a_late_nul_byte(tmp_path):
    path = _big_csv(tmp_path / "nul.csv", extra="张三,\x00\n".encode())
    err = _reason(path)
    assert "NUL" in err.reason_zh


def test_large_file_with_late_non_utf8_bytes_is_judged_whole(tmp_path):
    # UTF-8 for megabytes, then a row saved as GBK: never taken as UTF-8.
    path = _big_csv(tmp_path / "mixed.csv", extra="王五商行".encode("gbk") + b"\n")
    try:
        sheets = read_file(path)
    except UnreadableFile as err:
        assert "编码" in err.reason_zh or "表头" in err.reason_zh
    else:
        assert sheets[0].encoding != "utf-8"


@pytest.mark.parametrize("block", [1, 2, 3, 5, 7])
def test_checked_reader_across_block_edges(block):
    import io

    from credit.readers.utf8stream import CheckedUtf8Reader, NotPlainUtf8

    good = "a雷州𠀀b，\u3000é\n".encode() * 3
    reader, out = CheckedUtf8Reader(io.BytesIO(good)), b""
    while piece := reader.read(block):
        out += piece
    assert out == good
    for bad in (b"ab\xe4\xb8", b"a\xffb", b"\xed\xa0\x80", "雷".encode()[1:] + b"x", b"ok\x00"):
        reader = CheckedUtf8Reader(io.BytesIO(bad))
        with pytest.raises(NotPlainUtf8):
            while reader.read(block):
                pass


def test_sheet_guard_finds_cells_without_a_position():
    from credit.readers.guards import _cell_without_ref

    assert not _cell_without_ref(b'<row r="1"><c r="A1" t="s"><v>0</v></c><c s="1" r="B1"/></row>')
    assert _cell_without_ref(b'<row r="1"><c r="A1"/><c t="s"><v>0</v></c></row>')
    assert _cell_without_ref(b"<row><c><v>1</v></c></row>")
    many = b'<c s="1" r="A1"/>' * 1_500  # past the candidates looked at one by one
    assert not _cell_without_ref(many) and _cell_without_ref(many + b"<c/>")


def test_content_guard_still_bounds_worksheets_for_callers_of_its_own(tmp_path):
    """credit.revocations reads the first sheet with calamine after check_content alone: the worksheet scan
    stays check_content's default; read_file leaves it to read_workbook, which knows the engine."""
    from credit import revocations
    from credit.readers.guards import check_content
    from tests.reliability.hostile import handmade_xlsx, sheet_xml, valid_grid

    far = handmade_xlsx(sheet_xml([*valid_grid(2), (1048576, [None] * 16383 + ["x"])]))
    for suffix in (".xlsx", ".xlsm", ".xls"):  # a zip named .xls: calamine reads it by its content
        with pytest.raises(UnreadableFile, match="范围过大"):
            check_content(far, suffix)
    check_content(far, ".xlsx", sheets=False)
    path = tmp_path / "撤销清单.xlsx"
    path.write_bytes(far)
    assert revocations.is_revocation_list(path) is False
    with pytest.raises(UnreadableFile, match="范围过大"):
        revocations.read_revocation_list(path)
    named_xls = tmp_path / "其实是xlsx.xls"
    named_xls.write_bytes(far)
    for engine in ("auto", "calamine"):
        with pytest.raises(UnreadableFile, match="范围过大"):
            read_file(named_xls, engine=engine)
