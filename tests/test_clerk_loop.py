"""The clerk's loop from the 问题数据 workbook alone (issue 14 §2): a unit's file with faulty rows goes through
the real path (inbox → collect → validate), the clerk opens the feedback workbook, corrects the highlighted
cells with openpyxl as Excel would save them, and puts the workbook back in the unit's inbox. The next run
stores corrections of the same records, creates none, and the rows become valid. `credit check` on the
untouched workbook gives the verdicts the unit got, and resending it untouched changes nothing."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from credit.check import run_check
from credit.collect import collect_unit
from credit.reports.feedback import FIXED, RED, YELLOW
from credit.settings import Settings
from credit.standard import DATASET_NAMES, dataset
from credit.steps.collect import sync_units
from credit.steps.report import feedback_items, unit_feedback, units_feedback
from credit.steps.validate import UnitValidation, validate_units
from credit.store import Record, RecordVersion, session_scope
from tests.rows import ric, xzcf_row

UNIT = "scjgj"
DAY1 = dt.date(2026, 11, 25)
DAY2 = dt.date(2026, 11, 26)
PERSON = ric("44088219850315003")
REP = ric("44088219700101004")
# The unit's own headers, not the standard's: the workbook must come back under them.
OWN_HEADERS = {
    "counterpart_name": "企业名称",
    "id_no": "身份证号码",
    "legal_rep_id_no": "法定代表人身份证号码",
    "fine_wan": "罚款金额",
}


def settings_for(tmp_path: Path, url: str | None = None) -> Settings:
    home = tmp_path / "home"
    settings = Settings(home=home, database_url=url or f"sqlite:///{home / 'credit.db'}")
    settings.ensure_dirs()
    return settings


def clean_rows() -> list[dict[str, str]]:
    """Six decisions as the unit keeps them (keyed by field), all valid."""
    rows = []
    for n in range(1, 7):
        g3 = xzcf_row(UNIT, n, decision_date="2026-11-24", penalty_valid_until="2027-11-24")
        by_key = {f.key: g3.get(f.header) for f in dataset("xzcf").fields}
        rows.append(by_key)
    # 2: a natural person (the business key holds the 证件号码); 4: a company with its legal rep's number
    rows[1].update(
        counterpart_name="陈某某",
        counterpart_category="自然人",
        uscc=None,
        legal_rep_name=None,
        id_type="身份证",
        id_no=PERSON,
    )
    rows[3].update(legal_rep_id_type="身份证", legal_rep_id_no=REP)
    return rows


# What goes wrong in the unit's file, by row: errors a clerk can fix without touching the business key.
DEFECTS = {
    1: {"counterpart_category": "企业"},  # ENUM-1
    2: {"violation_facts": None},  # REQ-1, on the natural person's row
    3: {"decision_date": "2026-02-30"},  # DATE-1, on the row with a legal representative's number
    4: {"fine_wan": "5千"},  # AMT-4
}
WARNING_ROW = 5  # AMT-5 (a fine in 元 in the 万元 column): a warning, the row stays valid


def unit_file(path: Path, rows: list[dict]) -> Path:
    """The unit's workbook: a title row, its own headers, columns in its own order (name last)."""
    fields = [f for f in dataset("xzcf").fields if f.key != "counterpart_name"]
    fields.append(dataset("xzcf").field("counterpart_name"))
    wb = Workbook()
    ws = wb.active
    ws.title = "处罚台账"
    ws.append(["雷州市市场监督管理局行政处罚信息（2026年11月）"])
    ws.append([OWN_HEADERS.get(f.key, f.header) for f in fields])
    for row in rows:
        ws.append([row.get(f.key) for f in fields])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def faulty_rows() -> list[dict]:
    rows = clean_rows()
    for i, defect in DEFECTS.items():
        rows[i].update(defect)
    rows[WARNING_ROW].update(fine_wan="5000", penalty_content="罚款人民币5000元")
    return rows


@dataclass
class Day:
    """A day of the unit through the steps: its verdicts, then its 问题数据 workbook."""

    validation: UnitValidation
    feedback: Path | None

    @property
    def checked(self) -> int:
        return self.validation.checked

    @property
    def valid(self) -> int:
        return self.validation.valid

    @property
    def invalid(self) -> int:
        return self.validation.invalid


def run(settings: Settings, day: dt.date) -> Day:
    collect_unit(settings, UNIT, day)
    validation = validate_units(settings, [UNIT], day)[UNIT]
    return Day(validation, unit_feedback(settings, UNIT, day))


def records(settings: Settings) -> dict[int, tuple[str, int, str]]:
    """record id -> (决定文书号, current version, status of the current version)."""
    with session_scope(settings.database_url) as s:
        out = {}
        for rec in s.exec(select(Record).where(Record.unit == UNIT)):
            v = s.exec(
                select(RecordVersion).where(
                    RecordVersion.record_id == rec.id, RecordVersion.version == rec.current_version
                )
            ).one()
            out[rec.id] = (rec.decision_doc_no, rec.current_version, v.status)
        return out


def header_of(ws) -> list[str]:
    return [c.value for c in ws[1]]


def fix_highlighted(path: Path, clean: list[dict]) -> tuple[Path, int]:
    """What the clerk does in Excel: every red cell of the 行政处罚 sheet gets the right value (from the unit's
    own ledger), nothing else is touched; the file is saved under a new name."""
    wb = load_workbook(path)
    ws = wb[DATASET_NAMES["xzcf"]]
    header = header_of(ws)
    key_of = {OWN_HEADERS.get(f.key, f.header): f.key for f in dataset("xzcf").fields}
    doc_col = header.index("行政处罚决定书文号") + 1
    by_doc = {row["decision_doc_no"]: row for row in clean}
    fixed = 0
    for r in range(2, ws.max_row + 1):
        right = by_doc[ws.cell(r, doc_col).value]
        for c in range(len(FIXED) + 1, ws.max_column + 1):
            cell = ws.cell(r, c)
            if cell.fill.start_color.rgb == RED.start_color.rgb:
                cell.value = right[key_of[header[c - 1]]]
                fixed += 1
    out = path.with_name("问题数据_已改正.xlsx")
    wb.save(out)
    return out, fixed


def test_the_clerk_fixes_the_highlighted_cells_and_resends_the_workbook(tmp_path):
    settings = settings_for(tmp_path)
    unit_file(settings.inbox / UNIT / "处罚台账.xlsx", faulty_rows())
    first = run(settings, DAY1)
    assert (first.checked, first.valid, first.invalid) == (6, 2, 4)
    before = records(settings)
    invalid_ids = {rid for rid, (_, _, status) in before.items() if status == "invalid"}
    assert len(before) == 6 and len(invalid_ids) == 4

    path = Path(first.feedback)
    wb = load_workbook(path)
    ws = wb[DATASET_NAMES["xzcf"]]
    header = header_of(ws)
    # The unit's own headers in its own column order, after the four columns the reader ignores.
    assert header[: len(FIXED)] == FIXED
    assert header[len(FIXED) :][-1] == "企业名称" and {
        "身份证号码",
        "法定代表人身份证号码",
        "罚款金额",
    } <= set(header)
    values = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    # As sent, unmasked: the natural person's and the legal representative's numbers (docs/standard.md §7).
    assert PERSON in values and REP in values
    yellow = [
        c for row in ws.iter_rows(min_row=2) for c in row if c.fill.start_color.rgb == YELLOW.start_color.rgb
    ]
    assert [c.value for c in yellow] == ["5000"]

    fixed_path, fixed = fix_highlighted(path, clean_rows())
    assert fixed == 4
    shutil.copy(fixed_path, settings.inbox / UNIT / fixed_path.name)
    second = run(settings, DAY2)

    after = records(settings)
    assert set(after) == set(before), "resending the feedback workbook created records"
    for rid in invalid_ids:
        doc, version, status = after[rid]
        assert (version, status) == (before[rid][1] + 1, "valid"), doc  # a correction of the same record
    for rid in set(before) - invalid_ids:
        assert after[rid] == before[rid]  # the warning row came back unchanged: a repeat
    assert (second.checked, second.valid, second.invalid) == (4, 4, 0)
    assert unit_feedback(settings, UNIT, DAY2) is None  # nothing left to send back


def verdicts_of_items(items: list[dict]) -> dict[tuple[str, int], list[str]]:
    """(sheet, row in the feedback workbook) -> rules, in the order the workbook lists the items."""
    out, position = {}, Counter()
    for item in items:
        if any(e["rule"] == "REVOKE" for e in item["errors"]):
            continue
        sheet = DATASET_NAMES[item["dataset"]]
        position[sheet] += 1
        out[(sheet, position[sheet] + 1)] = sorted(i["rule"] for i in item["errors"] + item["warnings"])
    return out


def verdicts_of_check(doc: dict) -> dict[tuple[str, int], list[str]]:
    return {
        (r["sheet"], r["row"]): sorted(i["rule"] for i in r["errors"] + r["warnings"])
        for r in doc["results"]
        if r["errors"] or r["warnings"]
    }


def test_credit_check_on_the_untouched_workbook_gives_the_original_verdicts(tmp_path):
    settings = settings_for(tmp_path)
    unit_file(settings.inbox / UNIT / "处罚台账.xlsx", faulty_rows())
    first = run(settings, DAY1)
    doc, code = run_check(Path(first.feedback), UNIT, DAY1)
    assert code == 1
    assert verdicts_of_check(doc) == verdicts_of_items(feedback_items(settings, UNIT, DAY1))
    assert not any("ID-4" in rules for rules in verdicts_of_check(doc).values())


@pytest.fixture(scope="module")
def generated_day(tmp_path_factory):
    """A generated day of eight units run through collect and validate: their feedback workbooks."""
    from credit.units import all_units
    from samples.generator import generate_day

    tmp_path = tmp_path_factory.mktemp("generated")
    settings = settings_for(tmp_path)
    from credit.store import init_db

    init_db(settings.database_url)
    sync_units(settings)
    units = list(all_units())[:8]
    generate_day(settings.home, DAY1, seed=7, units=units)
    for code in units:
        collect_unit(settings, code, DAY1)
    validate_units(settings, units, DAY1)
    books = {u: path for u, path in units_feedback(settings, units, DAY1).items() if path}
    assert len(books) >= 4
    return settings, books


def test_a_generated_day_checks_back_as_it_was_judged(generated_day):
    """Every row of every unit's workbook gets the verdict the unit got; only a control character (which a
    worksheet cannot hold: the workbook shows a marker the clerk deletes) is not carried back."""
    settings, books = generated_day
    compared = 0
    for code, path in books.items():
        doc, _ = run_check(path, code, DAY1)
        want = verdicts_of_items(feedback_items(settings, code, DAY1))
        got = verdicts_of_check(doc)
        for where, rules in want.items():
            if rules == ["TXT-1"]:
                ws = load_workbook(path)[where[0]]
                assert any("[控制字符U+" in str(c.value) for c in ws[where[1]])
                continue
            assert got.get(where, []) == rules, (code, where)
            compared += 1
    assert compared >= 10


def test_resending_the_untouched_workbook_creates_no_record(generated_day):
    """The mask changed the business key: a resent workbook made new records. Unmasked, every row is the
    same record again: a valid row a repeat (no new version), an invalid one stored again to be judged again
    (the store's rule for identical resends of rejected rows); only a row whose control character became the
    marker is changed content."""
    settings, books = generated_day

    def state() -> dict[int, tuple[int, str]]:
        with session_scope(settings.database_url) as s:
            rows = s.exec(
                select(Record.id, Record.current_version, RecordVersion.status)
                .join(RecordVersion, RecordVersion.record_id == Record.id)
                .where(RecordVersion.version == Record.current_version)
            ).all()
            return {rid: (version, status) for rid, version, status in rows}

    before = state()
    txt = 0
    for code, path in books.items():
        txt += sum(
            rules == ["TXT-1"] for rules in verdicts_of_items(feedback_items(settings, code, DAY1)).values()
        )
        shutil.copy(path, settings.inbox / code / f"重报_{path.name}")
        [outcome] = collect_unit(settings, code, DAY2).files
        assert outcome.outcome == "collected", outcome
    after = state()
    assert set(after) == set(before), "resending the feedback workbook created records"
    changed_valid = [i for i, (v, status) in before.items() if status == "valid" and after[i][0] != v]
    assert len(changed_valid) <= txt
    again = [
        i for i, (v, status) in before.items() if status == "invalid" and after[i][0] > v
    ]  # DUP-1 rows: one record, two
    assert again and len(again) == sum(status == "invalid" for _, status in before.values())


def test_a_unit_whose_only_problem_is_an_unreadable_file_gets_a_workbook(tmp_path):
    """Quarantined, the file is reported to its unit in its feedback, not only in a server log."""
    settings = settings_for(tmp_path)
    (settings.inbox / UNIT).mkdir(parents=True, exist_ok=True)
    (settings.inbox / UNIT / "11月处罚.xlsx").write_bytes(b"not a workbook")
    result = run(settings, DAY1)
    assert result.checked == 0 and result.feedback
    wb = load_workbook(result.feedback)
    assert wb.sheetnames == ["无法读取的文件", "规则说明"]
    name, when, reason, to_do = (c.value for c in wb["无法读取的文件"][2])
    assert name == "11月处罚.xlsx" and when.startswith("20") and "收件箱" in to_do
    assert "无法读取Excel文件" in reason and "/" not in reason  # the Chinese part only
