"""The escaping rules of credit/escape.py, one per output kind, over the shared hostile strings, each output
read back by what reads it (a browser's parser, a Markdown renderer, openpyxl, python-docx, logging); and the
masking of ID numbers however they are written (docs/standard.md §7)."""

from __future__ import annotations

import csv
import logging

import pytest

from credit import escape
from credit.standard import DATA_DIR
from tests.reliability.hostile_text import (
    CONTROLS,
    CONTROLS_OR_LINE_BREAKS,
    HOSTILE,
    ID_MASKED,
    assert_markdown_is_text,
    assert_masked,
    assert_no_live_markup,
    parse_page,
    rendered_markdown,
)

pytestmark = pytest.mark.reliability

CASES = pytest.mark.parametrize("name", list(HOSTILE))


@pytest.mark.parametrize(
    "text",
    [
        "440882199001011234",
        "440882 1990 0101 1234",
        "440882-19900101-1234",
        "440882 - 19900101 - 1234",
        "４４０８８２１９９００１０１１２３４",
        "４４０８８２　１９９００１０１　１２３４",
        "４４０８８２-19900101-1234",
        "440882–19900101–1234",  # en dash
        "张三_440882 1990 0101 1234.xlsx",
        "sfz440882199001011234.csv",
        "编号 12 440882 19900101 1234 号",
    ],
)
def test_an_id_number_is_masked_however_it_is_written(text):
    masked = escape.mask(text)
    assert ID_MASKED in masked, masked
    assert_masked("masked text", masked)


def test_the_check_character_and_old_numbers_are_masked_too():
    assert escape.mask("44088219900101123X") == "440882********123X"
    assert escape.mask("44088219900101123x.csv") == "440882********123X.csv"
    assert escape.mask("sfz440882199001011234x.csv") == "sfz440882********1234x.csv"
    assert escape.mask("旧证 440882900101123") == "旧证 440882*****1123"


@pytest.mark.parametrize(
    "text",
    [
        "114408827924676798",  # a unit's credit code (valid, no birth date where an ID number has one)
        "91440882MA4W00010X",
        "12345678901234567890",  # longer than any ID number
        "4408821990010112345",
        "2026-11-26 18:00:00,123",
        "batch 3f2a1b44-0001-4a2b-9c3d-440882199001",
        "雷市监罚〔2026〕12号",
        "0759-88812345",
    ],
)
def test_other_numbers_are_left_alone(text):
    assert escape.mask(text) == text


def test_no_unit_credit_code_is_taken_for_an_id_number():
    with open(DATA_DIR / "units.csv", encoding="utf-8", newline="") as fh:
        codes = [row["uscc"] for row in csv.DictReader(fh)]
    assert codes and [c for c in codes if escape.mask(c) != c] == []


@CASES
def test_html(name):
    text = escape.html(f"<td>{HOSTILE[name]}</td>")
    page = parse_page(f"<div>{text}</div>")
    assert_no_live_markup(name, page)
    assert "<" not in text and ">" not in text and not CONTROLS.search(text)
    assert_masked(name, text)


@CASES
def test_markdown(name):
    line = f"- 疑似漏报：{escape.markdown(HOSTILE[name])}〔2026〕2号"
    assert_markdown_is_text(name, line)
    assert not CONTROLS_OR_LINE_BREAKS.search(line)
    assert_masked(name, line)
    assert len(rendered_markdown(line).strip().splitlines()) == 3  # <ul>, one <li>, </ul>


@CASES
def test_xlsx_cell(name, tmp_path):
    from openpyxl import Workbook, load_workbook

    wb = Workbook()
    ws = wb.active
    escape.xlsx_cell(ws, 1, 1, HOSTILE[name])
    ws.append(escape.xlsx_row(ws, [HOSTILE[name], 3, None]))
    wb.save(tmp_path / "x.xlsx")
    read = load_workbook(tmp_path / "x.xlsx").active
    for c in (read["A1"], read["A2"]):
        assert c.data_type == "s" and isinstance(c.value, str), (c.coordinate, c.data_type, c.value)
        assert not CONTROLS.search(c.value.replace("\t", ""))
        assert_masked(name, c.value)
        assert c.quotePrefix == c.value.startswith(("=", "+", "-", "@", "\t"))
    assert read["B2"].value == 3 and read["B2"].data_type == "n"
    if not name.startswith(("id_", "ansi", "crlf", "nul", "rtl")):
        assert read["A1"].value == HOSTILE[name]  # shown exactly as sent


def test_xlsx_cell_keeps_a_units_own_value_when_asked(tmp_path):
    from openpyxl import Workbook

    ws = Workbook().active
    assert escape.xlsx_cell(ws, 1, 1, HOSTILE["id_spaces"], mask_ids=False).value == HOSTILE["id_spaces"]
    assert escape.xlsx_cell(ws, 2, 1, "第一行\n第二行\t").value == "第一行\n第二行\t"


@CASES
def test_log_line_and_terminal(name):
    line = escape.log_line(f"文件 {HOSTILE[name]} 无法读取")
    assert not CONTROLS_OR_LINE_BREAKS.search(line)
    assert_masked(name, line)
    # composed text: our line breaks stay, nothing else a terminal acts on gets through
    out = escape.terminal(f"合计\n{HOSTILE[name]}")
    assert out.startswith("合计\n") and "\r" not in out and not CONTROLS.search(out.replace("\n", ""))


@CASES
def test_document_text_goes_into_docx_as_it_is(name, tmp_path):
    import docx

    text = escape.document(HOSTILE[name])
    assert not CONTROLS_OR_LINE_BREAKS.search(text)
    assert_masked(name, text)
    document = docx.Document()
    document.add_paragraph().add_run(text)  # python-docx refuses text an XML part cannot hold
    document.save(tmp_path / "x.docx")
    assert docx.Document(str(tmp_path / "x.docx")).paragraphs[0].text == text


def test_terminal_json_keeps_values_exact():
    import json

    document = {"value": "".join(HOSTILE[k] for k in ("ansi", "crlf", "rtl")) + "\x9b2J"}
    text = escape.terminal_json(json.dumps(document, ensure_ascii=False))
    assert not CONTROLS_OR_LINE_BREAKS.search(text)
    assert json.loads(text) == document


def test_a_log_record_with_a_traceback_is_escaped(caplog):
    log = logging.getLogger("credit.test_escape_rules")
    with caplog.at_level(logging.INFO, logger="credit"):
        try:
            raise ValueError(f"bad file {HOSTILE['crlf']} {HOSTILE['id_hyphens']}")
        except ValueError:
            log.exception("reading %s failed", HOSTILE["ansi"])
    (record,) = [r for r in caplog.records if r.name == "credit.test_escape_rules"]
    assert not CONTROLS_OR_LINE_BREAKS.search(record.getMessage())
    last = record.exc_text.splitlines()[-1]
    assert last.startswith("ValueError: bad file ok␍␊2026-11-26") and ID_MASKED in last
    assert not CONTROLS.search(record.exc_text)
    assert_masked("traceback", caplog.text)
