"""Valid 双公示 rows with G3 headers, for tests that write real files."""

from __future__ import annotations

import csv
from pathlib import Path

from credit.identifiers import ric_check_char, uscc_check_char
from credit.standard import dataset
from credit.units import unit


def uscc(body: str = "91440882MA4W0000") -> str:
    """A valid credit code from 16 characters plus a padding digit and its check character."""
    first17 = (body + "00")[:17]
    return first17 + uscc_check_char(first17)


def ric(first17: str = "44088219800101001") -> str:
    return first17 + ric_check_char(first17)


def xzcf_row(unit_code: str = "scjgj", n: int = 1, **overrides: str) -> dict[str, str]:
    """A clean 行政处罚 row of `unit_code`, keyed by G3 header; overrides by field key."""
    u = unit(unit_code)
    values = {
        "counterpart_name": f"雷州市测试贸易有限公司{n}",
        "counterpart_category": "法人及非法人组织",
        "uscc": uscc(f"91440882MA4W{n:04d}"),
        "legal_rep_name": "陈大文",
        "decision_doc_no": f"雷市监罚〔2026〕{n}号",
        "violation_type": "销售不合格产品",
        "violation_facts": "当事人销售的产品经抽检不合格。",
        "legal_basis": "《中华人民共和国产品质量法》第四十九条",
        "penalty_categories": "罚款",
        "penalty_content": "罚款人民币5000元",
        "fine_wan": "0.5",
        "decision_date": "2026-11-25",
        "penalty_valid_until": "2027-11-25",
        "authority": u.name,
        "authority_uscc": u.uscc,
        "source_unit": u.name,
        "source_unit_uscc": u.uscc,
    }
    values.update(overrides)
    headers = {f.key: f.header for f in dataset("xzcf").fields}
    return {headers[k]: v for k, v in values.items()}


def xzxk_row(unit_code: str = "scjgj", n: int = 1, **overrides: str) -> dict[str, str]:
    """A clean 行政许可 row of `unit_code`, keyed by G3 header; overrides by field key."""
    u = unit(unit_code)
    values = {
        "counterpart_name": f"雷州市测试食品商行{n}",
        "counterpart_category": "法人及非法人组织",
        "uscc": uscc(f"91440882MA5X{n:04d}"),
        "legal_rep_name": "李小梅",
        "decision_doc_name": "食品经营许可决定书",
        "decision_doc_no": f"雷市监许〔2026〕{n}号",
        "permit_category": "普通",
        "permit_content": "食品经营许可",
        "decision_date": "2026-11-25",
        "valid_from": "2026-11-25",
        "valid_to": "2031-11-24",
        "authority": u.name,
        "authority_uscc": u.uscc,
        "status": "有效",
        "source_unit": u.name,
        "source_unit_uscc": u.uscc,
    }
    values.update(overrides)
    headers = {f.key: f.header for f in dataset("xzxk").fields}
    return {headers[k]: v for k, v in values.items()}


ROW_BUILDERS = {"xzcf": xzcf_row, "xzxk": xzxk_row}


def write_csv(
    path: Path, rows: list[dict[str, str]], encoding: str = "utf-8", dataset_id: str = "xzcf"
) -> Path:
    headers = [f.header for f in dataset(dataset_id).fields]
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=headers)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    return path


def write_sheets(
    path: Path, sheets: list[tuple[str, list[str], list[dict]]], title: str | None = None
) -> Path:
    """A workbook with one sheet per (name, headers, rows by header), a title row above each when given."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, headers, rows in sheets:
        ws = wb.create_sheet(name)
        if title:
            ws.append([title])
        ws.append(headers)
        for row in rows:
            ws.append([row.get(h) for h in headers])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_xlsx(path: Path, rows: list[dict[str, str]], title: str | None = None) -> Path:
    headers = [f.header for f in dataset("xzcf").fields]
    return write_sheets(path, [("行政处罚", headers, rows)], title)
