"""Sample records for the validation tests: a valid base row per dataset and one case per rule."""

from __future__ import annotations

from datetime import date

import pandas as pd

from credit.identifiers import USCC_PLACEHOLDER, is_valid_ric, is_valid_uscc, ric_check_char, uscc_check_char
from credit.units import unit

UNIT = "dag"
REPORT_DATE = date(2024, 5, 1)


def uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def ric(first17: str) -> str:
    return first17 + ric_check_char(first17)


LEGAL_USCC = "91110000600037341L"
AUTHORITY_USCC = "91230500MA1B3N1N2M"
INDIVIDUAL_USCC = uscc("92440882MA4UJ1234")
LETTER_USCC = uscc("N2440882MA4UJ1234")  # 农业 prefix: valid although stdnum rejects it
PERSON_ID = "11010519491231002X"
PERSON_ID_UNKNOWN_REGION = ric("99999919900101123")


def base_row(dataset: str) -> dict[str, str | None]:
    u = unit(UNIT)
    common = {
        "counterpart_name": "雷州市某某贸易有限公司",
        "counterpart_category": "法人及非法人组织",
        "uscc": LEGAL_USCC,
        "legal_rep_name": "张三",
        "authority": "雷州市市场监督管理局",
        "authority_uscc": AUTHORITY_USCC,
        "source_unit": u.name,
        "source_unit_uscc": u.uscc,
        "decision_date": "2024-03-01",
    }
    if dataset == "xzxk":
        return {
            **common,
            "decision_doc_name": "准予行政许可决定书",
            "decision_doc_no": "雷市监许〔2024〕1号",
            "permit_category": "普通",
            "permit_content": "食品经营许可",
            "valid_from": "2024-03-01",
            "valid_to": "2099-12-31",
            "status": "有效",
        }
    return {
        **common,
        "decision_doc_no": "雷市监罚〔2024〕1号",
        "violation_type": "无照经营",
        "violation_facts": "当事人未取得营业执照从事经营活动。",
        "legal_basis": "《无证无照经营查处办法》第十三条",
        "penalty_categories": "罚款",
        "penalty_content": "罚款5000元",
        "fine_wan": "0.5",
        "penalty_valid_until": "2024-09-01",
        "publicity_end_date": "2025-03-01",
    }


NATURAL = {
    "counterpart_category": "自然人",
    "uscc": None,
    "legal_rep_name": None,
    "id_type": "身份证",
    "id_no": PERSON_ID,
}
INDIVIDUAL = {"counterpart_category": "个体工商户", "uscc": INDIVIDUAL_USCC}

# (case id, datasets, changes, rule, key, fires)
BOTH = ("xzxk", "xzcf")
CASES: list[tuple[str, tuple[str, ...], dict, str, str, bool]] = [
    ("req-blank-name", BOTH, {"counterpart_name": None}, "REQ-1", "counterpart_name", True),
    ("req-blank-authority-uscc", BOTH, {"authority_uscc": "  "}, "REQ-1", "authority_uscc", True),
    ("req-optional-blank", BOTH, {"remark": None, "org_code": None}, "REQ-1", "remark", False),
    (
        "enum-category",
        BOTH,
        {"counterpart_category": "企业", "uscc": INDIVIDUAL_USCC},
        "ENUM-1",
        "counterpart_category",
        True,
    ),
    (
        "enum-category-no-id1",
        BOTH,
        {"counterpart_category": "企业", "legal_rep_name": None},
        "ID-1",
        "legal_rep_name",
        False,
    ),
    (
        "enum-category-no-id7",
        BOTH,
        {"counterpart_category": "企业", "uscc": INDIVIDUAL_USCC},
        "ID-7",
        "uscc",
        False,
    ),
    ("enum-id-type", BOTH, {**NATURAL, "id_type": "驾驶证"}, "ENUM-1", "id_type", True),
    (
        "enum-id-type-other",
        BOTH,
        {**NATURAL, "id_type": "其他-军官证", "id_no": "军字123"},
        "ENUM-1",
        "id_type",
        False,
    ),
    (
        "enum-legal-rep-id-type",
        BOTH,
        {"legal_rep_id_type": "工作证", "legal_rep_id_no": "A1"},
        "ENUM-1",
        "legal_rep_id_type",
        True,
    ),
    ("len-long-name", BOTH, {"counterpart_name": "很" * 201}, "LEN-1", "counterpart_name", True),
    ("len-exact-name", BOTH, {"counterpart_name": "很" * 200}, "LEN-1", "counterpart_name", False),
    ("txt-control", BOTH, {"counterpart_name": "某某\x07公司"}, "TXT-1", "counterpart_name", True),
    ("txt-label-noise", BOTH, {"business_reg_no": "注册号:440882000123"}, "TXT-1", "business_reg_no", True),
    ("txt-clean-brn", BOTH, {"business_reg_no": "440882000123456"}, "TXT-1", "business_reg_no", False),
    ("id1-legal-no-rep", BOTH, {"legal_rep_name": None}, "ID-1", "legal_rep_name", True),
    ("id1-legal-no-uscc", BOTH, {"uscc": None}, "ID-1", "uscc", True),
    ("id1-natural-with-uscc", BOTH, {**NATURAL, "uscc": LEGAL_USCC}, "ID-1", "uscc", True),
    ("id1-natural-no-id", BOTH, {**NATURAL, "id_no": None}, "ID-1", "id_no", True),
    ("id1-natural-no-type", BOTH, {**NATURAL, "id_type": None}, "ID-1", "id_type", True),
    ("id1-natural-ok", BOTH, NATURAL, "ID-1", "uscc", False),
    ("id1-individual-no-rep", BOTH, {**INDIVIDUAL, "legal_rep_name": None}, "ID-1", "legal_rep_name", True),
    ("id2-bad-check", BOTH, {"uscc": "91110000600037341X"}, "ID-2", "uscc", True),
    ("id2-bad-authority", BOTH, {"authority_uscc": "91230500MA1B3N1N2A"}, "ID-2", "authority_uscc", True),
    ("id2-bad-source", BOTH, {"source_unit_uscc": "1144088217711438"}, "ID-2", "source_unit_uscc", True),
    ("id2-letter-prefix-ok", BOTH, {"uscc": LETTER_USCC}, "ID-2", "uscc", False),
    (
        "id2-placeholder-not-id2",
        BOTH,
        {**INDIVIDUAL, "uscc": USCC_PLACEHOLDER, "business_reg_no": "440882600123456"},
        "ID-2",
        "uscc",
        False,
    ),
    (
        "id3-placeholder-legal",
        BOTH,
        {"uscc": USCC_PLACEHOLDER, "business_reg_no": "440882600123456"},
        "ID-3",
        "uscc",
        True,
    ),
    (
        "id3-placeholder-no-brn",
        BOTH,
        {**INDIVIDUAL, "uscc": USCC_PLACEHOLDER},
        "ID-3",
        "business_reg_no",
        True,
    ),
    ("id3-placeholder-authority", BOTH, {"authority_uscc": USCC_PLACEHOLDER}, "ID-3", "authority_uscc", True),
    (
        "id3-placeholder-ok",
        BOTH,
        {**INDIVIDUAL, "uscc": USCC_PLACEHOLDER, "business_reg_no": "440882600123456"},
        "ID-3",
        "uscc",
        False,
    ),
    ("id4-bad-check", BOTH, {**NATURAL, "id_no": "110105194912310021"}, "ID-4", "id_no", True),
    ("id4-15-digits", BOTH, {**NATURAL, "id_no": "110105491231002"}, "ID-4", "id_no", True),
    ("id4-bad-birth", BOTH, {**NATURAL, "id_no": ric("11010519490231002")}, "ID-4", "id_no", True),
    ("id4-unknown-region-ok", BOTH, {**NATURAL, "id_no": PERSON_ID_UNKNOWN_REGION}, "ID-4", "id_no", False),
    (
        "id4-passport-not-checked",
        BOTH,
        {**NATURAL, "id_type": "护照号", "id_no": "E12345678"},
        "ID-4",
        "id_no",
        False,
    ),
    (
        "id4-legal-rep",
        BOTH,
        {"legal_rep_id_type": "身份证", "legal_rep_id_no": "110105194912310021"},
        "ID-4",
        "legal_rep_id_no",
        True,
    ),
    (
        "id4-legal-rep-ok",
        BOTH,
        {"legal_rep_id_type": "身份证", "legal_rep_id_no": PERSON_ID},
        "ID-4",
        "legal_rep_id_no",
        False,
    ),
    ("id5-no-type", BOTH, {"legal_rep_id_no": PERSON_ID}, "ID-5", "legal_rep_id_type", True),
    ("id6-mismatch", BOTH, {"org_code": "12345678-9"}, "ID-6", "org_code", True),
    ("id6-match", BOTH, {"org_code": "60003734-1"}, "ID-6", "org_code", False),
    ("id7-individual-91", BOTH, {"counterpart_category": "个体工商户"}, "ID-7", "uscc", True),
    ("id7-legal-92", BOTH, {"uscc": INDIVIDUAL_USCC}, "ID-7", "uscc", True),
    ("id7-individual-92-ok", BOTH, INDIVIDUAL, "ID-7", "uscc", False),
    ("src-name", BOTH, {"source_unit": "雷州市别的局"}, "SRC-1", "source_unit", True),
    ("src-uscc", BOTH, {"source_unit_uscc": AUTHORITY_USCC}, "SRC-1", "source_unit_uscc", True),
    ("src-short-name-ok", BOTH, {"source_unit": "市档案局"}, "SRC-1", "source_unit", False),
    ("date1-feb-30", BOTH, {"decision_date": "2024-02-30"}, "DATE-1", "decision_date", True),
    ("date1-text", BOTH, {"decision_date": "三月一日"}, "DATE-1", "decision_date", True),
    ("date1-suppresses-date2", BOTH, {"decision_date": "2099-02-30"}, "DATE-2", "decision_date", False),
    ("date2-future", BOTH, {"decision_date": "2024-05-02"}, "DATE-2", "decision_date", True),
    ("date2-today-ok", BOTH, {"decision_date": "2024-05-01"}, "DATE-2", "decision_date", False),
    (
        "date3-reversed",
        ("xzxk",),
        {"valid_from": "2024-05-01", "valid_to": "2024-04-01"},
        "DATE-3",
        "valid_from",
        True,
    ),
    ("date3-ok", ("xzxk",), {"valid_to": "2024-03-01"}, "DATE-3", "valid_from", False),
    ("date4-before-decision", ("xzxk",), {"valid_from": "2024-02-01"}, "DATE-4", "valid_from", True),
    ("doc2-bare-other", ("xzxk",), {"permit_category": "其他"}, "DOC-2", "permit_category", True),
    ("doc2-other-named-ok", ("xzxk",), {"permit_category": "其他-备案"}, "DOC-2", "permit_category", False),
    ("enum-permit-category", ("xzxk",), {"permit_category": "特殊"}, "ENUM-1", "permit_category", True),
    ("enum-status", ("xzxk",), {"status": "作废"}, "ENUM-1", "status", True),
    ("date5-before", ("xzcf",), {"penalty_valid_until": "2024-01-01"}, "DATE-5", "penalty_valid_until", True),
    (
        "date5-long-term-ok",
        ("xzcf",),
        {"penalty_valid_until": "2099-12-31"},
        "DATE-5",
        "penalty_valid_until",
        False,
    ),
    (
        "date6-too-short",
        ("xzcf",),
        {"publicity_end_date": "2024-04-01"},
        "DATE-6",
        "publicity_end_date",
        True,
    ),
    ("date6-too-long", ("xzcf",), {"publicity_end_date": "2027-03-02"}, "DATE-6", "publicity_end_date", True),
    (
        "date6-three-years-ok",
        ("xzcf",),
        {"publicity_end_date": "2027-03-01"},
        "DATE-6",
        "publicity_end_date",
        False,
    ),
    ("date6-blank-ok", ("xzcf",), {"publicity_end_date": None}, "DATE-6", "publicity_end_date", False),
    (
        "enum-penalty-part",
        ("xzcf",),
        {"penalty_categories": "罚款;打板子"},
        "ENUM-1",
        "penalty_categories",
        True,
    ),
    (
        "enum-penalty-legacy-ok",
        ("xzcf",),
        {"penalty_categories": "警告、罚款"},
        "ENUM-1",
        "penalty_categories",
        False,
    ),
    ("amt1-no-fine", ("xzcf",), {"fine_wan": None}, "AMT-1", "fine_wan", True),
    ("amt1-zero", ("xzcf",), {"fine_wan": "0"}, "AMT-1", "fine_wan", True),
    (
        "amt2-no-confiscation",
        ("xzcf",),
        {"penalty_categories": "没收违法所得", "fine_wan": None},
        "AMT-2",
        "confiscation_wan",
        True,
    ),
    (
        "amt2-ok",
        ("xzcf",),
        {"penalty_categories": "罚款;没收非法财物", "confiscation_wan": "0.2"},
        "AMT-2",
        "confiscation_wan",
        False,
    ),
    (
        "amt3-no-license",
        ("xzcf",),
        {"penalty_categories": "罚款;吊销许可证件"},
        "AMT-3",
        "suspended_license",
        True,
    ),
    (
        "amt3-ok",
        ("xzcf",),
        {"penalty_categories": "暂扣许可证件;罚款", "suspended_license": "食品经营许可证JY123"},
        "AMT-3",
        "suspended_license",
        False,
    ),
    ("amt4-yuan-unit", ("xzcf",), {"fine_wan": "500元"}, "AMT-4", "fine_wan", True),
    ("amt4-negative", ("xzcf",), {"fine_wan": "-1"}, "AMT-4", "fine_wan", True),
    ("amt4-thousands", ("xzcf",), {"fine_wan": "1,000"}, "AMT-4", "fine_wan", True),
    ("amt4-seven-decimals", ("xzcf",), {"fine_wan": "0.1234567"}, "AMT-4", "fine_wan", True),
    (
        "amt4-confiscation",
        ("xzcf",),
        {"penalty_categories": "罚款;没收违法所得", "confiscation_wan": "2万"},
        "AMT-4",
        "confiscation_wan",
        True,
    ),
    ("amt4-six-decimals-ok", ("xzcf",), {"fine_wan": "0.123456"}, "AMT-4", "fine_wan", False),
    ("amt5-yuan-in-wan", ("xzcf",), {"fine_wan": "5000"}, "AMT-5", "fine_wan", True),
    (
        "amt5-wan-in-text-ok",
        ("xzcf",),
        {"penalty_content": "罚款5万元", "fine_wan": "5"},
        "AMT-5",
        "fine_wan",
        False,
    ),
    (
        "amt6-warning-with-fine",
        ("xzcf",),
        {"penalty_categories": "警告", "penalty_content": "警告"},
        "AMT-6",
        "fine_wan",
        True,
    ),
    (
        "amt6-warning-ok",
        ("xzcf",),
        {"penalty_categories": "警告;通报批评", "penalty_content": "警告", "fine_wan": None},
        "AMT-6",
        "fine_wan",
        False,
    ),
]


def case_frame(dataset: str) -> tuple[pd.DataFrame, dict[str, int]]:
    """One row per applicable case (plus the base row and a duplicate pair), indexed like a spreadsheet."""
    rows, where = [base_row(dataset)], {"base": 2}
    for i, (name, datasets, changes, *_rest) in enumerate(CASES):
        if dataset not in datasets:
            continue
        row = {**base_row(dataset), **changes}
        row["decision_doc_no"] = f"{row['decision_doc_no']}-{i}"
        where[name] = len(rows) + 2
        rows.append(row)
    dup = {**base_row(dataset), "decision_doc_no": "DUP-X"}
    where["dup-a"], where["dup-b"] = len(rows) + 2, len(rows) + 3
    rows += [dup, {**dup}]
    same_doc_other_party = {**dup, "uscc": LETTER_USCC}
    where["dup-other-party"] = len(rows) + 2
    rows.append(same_doc_other_party)
    frame = pd.DataFrame(rows)
    frame.index = pd.RangeIndex(2, 2 + len(rows))
    return frame, where


def test_samples_are_what_they_claim():
    for code in (LEGAL_USCC, AUTHORITY_USCC, INDIVIDUAL_USCC, LETTER_USCC, unit(UNIT).uscc):
        assert is_valid_uscc(code), code
    assert is_valid_ric(PERSON_ID) and is_valid_ric(PERSON_ID_UNKNOWN_REGION)
