"""Value normalisation, docs/standard.md §2.5: one test per rule, then the frame contract."""

from __future__ import annotations

import pandas as pd
import pytest

from credit.normalise import map_multi, normalise_frame, parse_date, parse_decimal
from credit.standard import dataset


def _norm(ds: str, key: str, values: list[object]) -> list[object]:
    index = range(2, 2 + len(values))
    raw = pd.DataFrame({key: pd.Series(values, index=index, dtype=object)}, index=index)
    return [None if pd.isna(v) else v for v in normalise_frame(ds, raw)[key].tolist()]


def test_text_is_trimmed_and_white_space_collapsed():
    values = ["  雷州市\u3000\u3000某公司 ", "a\r\nb\tc", "\u3000 \n", "", None, "张\u200b三", "单 空格"]
    assert _norm("xzcf", "counterpart_name", values) == [
        "雷州市 某公司",
        "a b c",
        None,
        None,
        None,
        "张三",
        "单 空格",
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("９１４４０８８２ＭＡ４ＵＸＸＸＸ１Ｘ", "91440882MA4UXXXX1X"),
        (" 914408 82MA4U\u3000XXXX1x ", "91440882MA4UXXXX1X"),
        ("11010519491231002x", "11010519491231002X"),
    ],
)
def test_codes_half_width_no_spaces_upper_x(raw, expected):
    assert _norm("xzcf", "uscc", [raw]) == [expected]
    assert _norm("xzcf", "id_no", [raw]) == [expected]
    assert _norm("xzxk", "authority_uscc", [raw]) == [expected]


def test_non_code_fields_keep_full_width_text():
    assert _norm("xzcf", "counterpart_name", ["ＡＢＣ商行"]) == ["ＡＢＣ商行"]


@pytest.mark.parametrize(
    "text",
    [
        "2023/10/01",
        "2023/10/1",
        "2023-10-01",
        "2023.10.01",
        "2023年10月1日",
        "2023年10月01日",
        "2023 年 10 月 1 日",
        "20231001",
        "45200",
        "45200.0",
        "2023-10-01 00:00:00",
        "2023-10-01 14:30:00",
        "２０２３年１０月１日",
    ],
)
def test_date_spellings(text):
    assert parse_date(text) == "2023-10-01"
    assert _norm("xzcf", "decision_date", [text]) == ["2023-10-01"]


@pytest.mark.parametrize(
    "text", ["2023-02-30", "2023/13/01", "12345", "99999", "明天", "2023-10", "20230230"]
)
def test_impossible_or_unparseable_dates_keep_the_text(text):
    assert parse_date(text) == text
    assert _norm("xzxk", "valid_to", [f" {text} "]) == [text]


def test_enum_codes_map_to_labels():
    assert _norm("xzcf", "counterpart_category", ["02", "01", "04", "03", "2", "个体户", "未知"]) == [
        "法人及非法人组织",
        "自然人",
        "个体工商户",
        "法人及非法人组织",
        "法人及非法人组织",  # Excel turned 02 into the number 2
        "个体工商户",
        "未知",
    ]
    assert _norm("xzcf", "legal_rep_id_type", ["1", "01", "居民身份证", "０２"]) == [
        "身份证",
        "身份证",
        "身份证",
        "护照号",
    ]
    assert _norm("xzxk", "status", ["1", "2", "有效"]) == ["有效", "无效", "有效"]
    assert _norm("xzxk", "permit_category", ["9", "06", "1", "普通"]) == ["其他", "其他", "普通", "普通"]


def test_other_with_a_name_is_kept_for_id_type_and_permit_category():
    assert (
        _norm("xzxk", "permit_category", ["其他-备案", "其他－备案", "其他 — 备案", "其他：备案"])
        == ["其他-备案"] * 4
    )
    assert _norm("xzxk", "id_type", ["其他-军官证"]) == ["其他-军官证"]
    assert _norm("xzxk", "status", ["其他-作废"]) == ["其他-作废"]  # unknown: kept for ENUM-1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("罚款", "罚款"),
        ("02;01", "警告;罚款"),
        ("罚款；警告、罚款", "警告;罚款"),
        ("没收违法所得、没收非法财物", "没收违法所得;没收非法财物"),
        ("罚款,没收违法所得、没收非法财物", "罚款;没收违法所得;没收非法财物"),
        ("暂扣或者吊销许可证、暂扣或者吊销执照", "吊销许可证件;暂扣许可证件"),
        ("责令停产停业、暂扣或者吊销许可证、暂扣或者吊销执照", "责令停产停业;吊销许可证件;暂扣许可证件"),
        ("吊销许可证", "吊销许可证件"),
        ("吊销许可证件", "吊销许可证件"),
        ("法律、行政法规规定的其他行政处罚", "法律、行政法规规定的其他行政处罚"),
        ("警告，法律、行政法规规定的其他行政处罚", "警告;法律、行政法规规定的其他行政处罚"),
        ("罚款；训诫；警告", "警告;罚款;训诫"),
        (" 罚款 ; ;", "罚款"),
    ],
)
def test_penalty_categories(text, expected):
    assert map_multi("penalty_category", text) == expected
    assert _norm("xzcf", "penalty_categories", [text]) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.50", "0.5"),
        ("3", "3"),
        ("3.000", "3"),
        ("007.10", "7.1"),
        ("0", "0"),
        (".5", "0.5"),
        ("0.123456", "0.123456"),
        ("１.５", "1.5"),
        ("5000元", "5000元"),
        ("0.5万元", "0.5万元"),
        ("-1", "-1"),
        ("1,000", "1,000"),
        ("1e3", "1e3"),
        ("无", "无"),
    ],
)
def test_amounts(text, expected):
    assert parse_decimal(text) == expected
    assert _norm("xzcf", "fine_wan", [text]) == [expected]


def test_frame_has_every_key_in_registry_order_and_leaves_raw_alone():
    raw = pd.DataFrame(
        {"decision_date": pd.Series(["2023/1/2", None], index=[7, 9], dtype=object), "uscc": ["ｘ", " "]},
        index=[7, 9],
    )
    before = raw.copy()
    data = normalise_frame("xzcf", raw)
    assert list(data.columns) == dataset("xzcf").keys
    assert list(data.index) == [7, 9]
    assert data.loc[7, "decision_date"] == "2023-01-02"
    assert pd.isna(data.loc[9, "decision_date"])
    assert pd.isna(data.loc[9, "uscc"])
    assert data["remark"].isna().all()
    assert all(dtype == "str" for dtype in data.dtypes)  # pandas' pyarrow-backed strings, missing = NaN
    pd.testing.assert_frame_equal(raw, before)


def test_empty_frame():
    data = normalise_frame("xzxk", pd.DataFrame({"remark": pd.Series([], dtype=object)}))
    assert data.shape == (0, len(dataset("xzxk").keys))


def test_text_cleaning_finds_every_cell_whatever_its_place():
    """Cells are scanned in blocks: a cell needing work is found at a block's edges as well as inside."""
    import re

    spaces = "[\t\n\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"

    def reference(v):
        v = re.sub(spaces, " ", re.sub("[\u200b-\u200d\u2060\ufeff]", "", v)).strip(" ")
        return v or None

    messy = [" 前", "后 ", "中  间", "甲\u3000乙", "换\n行", "零\u200b宽", "\u3000", "不\u00a0断", "a\tb"]
    values = [f"单位{i}" for i in range(300)]
    for n, i in enumerate([0, 1, 62, 63, 64, 65, 127, 128, 255, 256, 299]):
        values[i] = messy[n % len(messy)]
    values[150] = None
    assert _norm("xzcf", "counterpart_name", values) == [None if v is None else reference(v) for v in values]


def test_code_cleaning_finds_every_cell_whatever_its_place():
    values = ["91440882MA4UXXXX1X"] * 200
    values[0], values[64], values[199] = "９１４４０８８２ma4uxxxx1x", " 91440882 MA4UXXXX1X", "x"
    out = _norm("xzcf", "uscc", values)
    assert out[0] == out[64] == "91440882MA4UXXXX1X" and out[199] == "X"
    assert out[1:64] == values[1:64]


def test_unchanged_columns_share_their_memory_with_raw():
    raw = pd.DataFrame({"remark": pd.Series(["备注一", None, "备注二"], dtype="str")})
    data = normalise_frame("xzcf", raw)
    assert data["remark"].tolist()[::2] == ["备注一", "备注二"]
    assert data["remark"].array.__arrow_array__().chunk(0).buffers()[2].address == (
        raw["remark"].array.__arrow_array__().chunk(0).buffers()[2].address
    )
