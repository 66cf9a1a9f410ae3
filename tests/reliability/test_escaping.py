"""Everything a person opens is escaped (issue 13 §3): the hostile strings of `hostile_text.HOSTILE`, planted
in units' files (行政相对人类别, 行政相对人名称, 决定文书号, the file name) and in a reference-feed file, are
pushed through a real day: the `daily-pipeline` flow on Prefect's test harness against the sandbox, then the
real `credit check`, `credit stats` and `credit bulletin` commands. Every output is then read as its reader
reads it: Data Docs parsed as HTML, every workbook opened with openpyxl, the Markdown artifacts rendered, the
bulletin read with python-docx and pdftotext, log records as captured, alert payloads as emitted, the
terminal output as printed. Each shows the hostile text as text, one line per event, ID numbers masked."""

from __future__ import annotations

import asyncio
import csv
import json
import logging
import os
import shutil
import subprocess
import sys

import pytest

from credit.reference_feed import doc_no_key
from tests.reliability import common
from tests.reliability.hostile_text import (
    CONTROLS,
    CONTROLS_OR_LINE_BREAKS,
    FILE_NAME,
    FORGED,
    HOSTILE,
    ID_MASKED,
    assert_markdown_is_text,
    assert_masked,
    assert_no_live_markup,
    full_ids_in,
    parse_page,
)
from tests.rows import write_csv, xzcf_row

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

DAY = common.DAY
MONTH = DAY.strftime("%Y-%m")
# Where each hostile string goes as a 决定文书号 prefix (1号 and 3号: 2号 is then a 疑似漏报 listed with it).
# The Markdown summary lists 5 gaps per unit, the workbook all: leicheng's first gap starts with "=".
DOC_PREFIXES = {
    "scjgj": [
        "plus",
        "at",
        "minus",
        "ansi",
        "crlf",
        "nul_bel",
        "rtl",
        "id_plain",
        "id_hyphens",
        "id_fullwidth",
    ],
    "zjj": ["md_bold", "img", "script", "md_link", "md_code"],
    "leicheng": ["hyperlink", "md_pipes"],
}
UNITS = list(DOC_PREFIXES)
LOGGERS = ("prefect.flow_runs", "prefect.task_runs", "credit", "tasks", "flows")


def in_file(text: str) -> str:
    """As a delivered file can carry it: a CSV with a NUL byte is quarantined whole (README, hostile files)."""
    return text.replace("\x00", "")


def gap(name: str) -> str:
    """The 疑似漏报 listed for a hostile prefix: 2号, its prefix in the form it is compared in and written
    back as offices write brackets (雷公（治）)."""
    from credit.stats.doc_numbers import _written

    return _written(doc_no_key(in_file(HOSTILE[name]))) + "〔2026〕2号"


def hostile_rows(unit: str) -> list[dict]:
    """Every hostile string in 行政相对人类别 and 行政相对人名称 (scjgj), and the unit's document prefixes."""
    rows = []
    names = list(HOSTILE) if unit == "scjgj" else []
    for i, name in enumerate(names):
        h = in_file(HOSTILE[name])
        rows.append(
            xzcf_row(unit, 500 + i, counterpart_category=h, decision_doc_no=f"雷市测〔2026〕{500 + i}号")
        )
        rows.append(xzcf_row(unit, 600 + i, counterpart_name=h, decision_doc_no=f"雷市测〔2026〕{600 + i}号"))
    for i, name in enumerate(DOC_PREFIXES[unit]):
        for n in (1, 3):
            rows.append(
                xzcf_row(unit, 700 + 10 * i + n, decision_doc_no=f"{in_file(HOSTILE[name])}〔2026〕{n}号")
            )
    return rows


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    """The day run with the hostile files; everything it and the commands after it wrote or printed."""
    from prefect.events.clients import AssertingEventsClient
    from prefect.events.worker import EventsWorker
    from prefect.testing.utilities import prefect_test_harness

    import tasks.alerts
    from credit.alerts import Digest
    from credit.sandbox import start_sandbox
    from flows.daily import daily_pipeline  # before the handlers: importing it sets Prefect's logging up

    root = tmp_path_factory.mktemp("escaping")
    home = common.generate(root / "home")
    hostile_file = write_csv(home / "inbox" / "scjgj" / f"{FILE_NAME}.csv", hostile_rows("scjgj"))
    checked = shutil.copy(hostile_file, root / f"{FILE_NAME}.csv")  # what the clerk checks before sending
    for unit in ("zjj", "leicheng"):
        write_csv(home / "inbox" / unit / f"{unit}_{DAY:%Y%m%d}.csv", hostile_rows(unit))
    (home / "inbox" / "zjj" / f"{FILE_NAME}.xlsx").write_bytes(b"not a workbook")  # quarantined, logged
    # Each hostile prefix is declared an independent numbering series of its unit (CREDIT_DOC_SERIES), so
    # that its 疑似漏报 (2号, between 1号 and 3号) is listed with the hostile prefix itself.
    series = root / "doc_number_series.csv"
    with open(series, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["unit", "dataset", "prefix_pattern", "series"])
        for unit, names in DOC_PREFIXES.items():
            for name in names:
                prefix = in_file(HOSTILE[name])
                # ("*" stands for any characters: `**bold**` still matches only itself among the unit's
                # prefixes; a line break cannot be held by one line of the file.)
                if "\n" not in prefix and "\r" not in prefix:
                    writer.writerow([unit, "xzcf", prefix, name])
    feed = home / "reference" / "xzcf" / f"{FILE_NAME}.csv"
    feed.parent.mkdir(parents=True, exist_ok=True)
    feed.write_text(
        "unit,decision_doc_no,decision_date\n"
        f'"{HOSTILE["script"]}{HOSTILE["id_spaces"]}",雷市测〔2026〕1号,2026-11-20\n',
        encoding="utf-8",
    )

    records = _Records()
    loggers = [logging.getLogger(name) for name in LOGGERS]
    levels = [lg.level for lg in loggers]
    with (
        pytest.MonkeyPatch.context() as mp,
        start_sandbox(app_key=common.KEY, app_secret=common.SECRET) as sandbox,
        prefect_test_harness(server_startup_timeout=180),
    ):
        for name, value in {
            "CREDIT_HOME": str(home),
            "CREDIT_DATABASE_URL": f"sqlite:///{home / 'credit.db'}",
            "CREDIT_PLATFORM_URL": sandbox.url,
            "CREDIT_PLATFORM_APP_KEY": common.KEY,
            "CREDIT_PLATFORM_APP_SECRET": common.SECRET,
            "CREDIT_DOC_SERIES": str(series),
        }.items():
            mp.setenv(name, value)
        EventsWorker.set_client_override(AssertingEventsClient)  # every event emitted is kept here
        AssertingEventsClient.reset()
        for lg in loggers:
            lg.addHandler(records)
            lg.setLevel(logging.INFO)
        try:
            state = daily_pipeline(report_date=DAY, units=UNITS, return_state=True)
            assert state.is_completed(), state.message
            # A push digest carries the platform's cause: the digest's own emitter, given each string.
            for h in HOSTILE.values():
                tasks.alerts.emit_digest(Digest("push", DAY, h, [f"原因：{h}"], 1, {"scjgj": {h: 1}}))
            EventsWorker.instance().drain()
            events = [e.model_dump(mode="json") for c in AssertingEventsClient.all for e in c.events]
        finally:
            EventsWorker.set_client_override(None)
            for lg, level in zip(loggers, levels, strict=True):
                lg.removeHandler(records)
                lg.setLevel(level)
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            artifacts = {a.key: a for a in client.read_artifacts() if a.key}

    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_")}
    env.update(
        CREDIT_HOME=str(home),
        CREDIT_DOC_SERIES=str(series),
        PYTHONPATH=str(common.PROJECT),
        GX_ANALYTICS_ENABLED="false",
    )

    def cli(*args: str, ok=(0, 1)) -> str:
        res = subprocess.run(
            [sys.executable, "-m", "cli", *args], env=env, cwd=root, capture_output=True, timeout=300
        )
        assert res.returncode in ok, res.stderr.decode("utf-8", "replace")[-3000:]
        return res.stdout.decode("utf-8") + res.stderr.decode("utf-8")

    day = DAY.isoformat()
    terminal = {
        "credit check": cli("check", str(checked), "--unit", "scjgj", "--date", day),
        "credit check --json": cli("check", str(checked), "--unit", "scjgj", "--date", day, "--json"),
        "credit stats": cli("stats", "--date", day, ok=(0,)),
        "credit stats --json": cli("stats", "--date", day, "--json", ok=(0,)),
        "credit bulletin": cli("bulletin", "--month", MONTH, ok=(0,)),
    }
    return {
        "home": home,
        "out": home / "out",
        "records": records.records,
        "events": events,
        "artifacts": artifacts,
        "terminal": terminal,
    }


# --- Data Docs --------------------------------------------------------------------------------------------


def test_data_docs_show_failing_values_as_text(day):
    pages = list((day["out"] / "data_docs" / "validations").rglob("*.html"))
    assert pages
    shown = ""
    for path in pages:
        text = path.read_text(encoding="utf-8")
        page = parse_page(text)
        assert_no_live_markup(str(path), page)
        assert "<script>alert" not in text and "<img src=x" not in text
        assert not CONTROLS.search(text), f"{path}: a raw control character"
        assert_masked(str(path), text)
        shown += "\n".join(page.text)
    # The failing 行政相对人类别 values are on the page, as text the operator can read.
    for name in ("script", "img", "hyperlink", "md_link"):
        assert HOSTILE[name] in shown, f"{name} not shown on the Data Docs page"
    assert "␛[31mred␛[0m" in shown and ID_MASKED in shown


# --- workbooks ----------------------------------------------------------------------------------------------


def _workbooks(day) -> dict[str, list]:
    from openpyxl import load_workbook

    found = {}
    for path in sorted(day["out"].rglob("*.xlsx")):
        wb = load_workbook(path)
        found[str(path.relative_to(day["out"]))] = [c for ws in wb for row in ws.iter_rows() for c in row]
    return found


def test_every_workbook_holds_text_never_a_formula(day):
    books = _workbooks(day)
    assert any("日统计" in name for name in books) and any("scjgj_问题数据" in name for name in books), list(
        books
    )
    for name, cells in books.items():
        formulas = [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
        assert not formulas, f"{name}: formula cells {formulas[:3]}"
        for c in cells:
            if isinstance(c.value, str):
                assert not CONTROLS.search(c.value.replace("\t", "")), f"{name}!{c.coordinate}: {c.value!r}"
                # docs/standard.md §7: the unit's own values in its 问题数据 workbook are shown as sent
                own = "_问题数据_" in name and c.parent.title in ("行政处罚", "行政许可") and c.column > 4
                if not own:
                    assert_masked(f"{name}!{c.coordinate}", c.value)
                if c.value.startswith(("=", "+", "-", "@")):
                    assert c.quotePrefix, (
                        f"{name}!{c.coordinate} starts like a formula without a quote prefix"
                    )
    texts = {name: [str(c.value) for c in cells if isinstance(c.value, str)] for name, cells in books.items()}
    daily = next(v for k, v in texts.items() if "日统计" in k)
    # the 疑似漏报 sheet: leicheng's gaps start with the formula, shown as text
    assert any(t.startswith(gap("hyperlink")) for t in daily), daily
    assert any(gap("ansi").replace("\x1b", "␛") in t for t in daily), daily
    feedback = next(v for k, v in texts.items() if "scjgj_问题数据" in k)
    # the unit's own values, shown as sent (controls as a text marker), the file name masked in 原文件
    for name in ("script", "img", "hyperlink", "plus", "at", "minus", "md_link", "id_plain"):
        assert HOSTILE[name] in feedback, f"{name} not in the feedback workbook"
    esc = "[控制字符U+001B]"
    assert f"{esc}[31mred{esc}[0m" in feedback and "ab[控制字符U+0007]c" in feedback
    assert "abc[隐藏字符U+202E]gnp.exe" in feedback
    original = [t for t in feedback if "forged line" in t and "onerror" in t]
    assert original and all(ID_MASKED in t and f"{esc}[31m" in t for t in original), original[:2]


# --- Prefect artifacts --------------------------------------------------------------------------------------


def test_markdown_artifacts_render_as_text(day):
    summary = day["artifacts"]["daily-summary"].data
    assert "未实现“三清零”的单位" in summary
    assert_markdown_is_text("daily-summary", summary)
    assert not CONTROLS.search(summary) and "\r" not in summary
    assert_masked("daily-summary", summary)
    from tests.reliability.hostile_text import rendered_markdown

    shown = "".join(parse_page(rendered_markdown(summary)).text)
    for name in ("md_bold", "img", "script", "md_link", "md_code", "ansi", "plus"):
        assert gap(name).replace("\x1b", "␛") in shown, f"{name} not shown as text"

    table = day["artifacts"]["daily-stats"].data
    rows = json.loads(table) if isinstance(table, str) else table
    cells = [v for row in rows for v in row.values() if isinstance(v, str)]
    assert any("HYPERLINK" in c for c in cells) and any("bold" in c for c in cells)
    for cell in cells:  # the Prefect UI renders every table cell as Markdown
        assert_markdown_is_text(f"daily-stats cell {cell[:40]!r}", cell)
        assert not CONTROLS_OR_LINE_BREAKS.search(cell)
        assert_masked("daily-stats", cell)


# --- the bulletin -------------------------------------------------------------------------------------------


def test_bulletin_prints_hostile_text_literally(day):
    import docx

    folder = day["out"] / "bulletins" / MONTH
    document = docx.Document(str(next(folder.glob("*.docx"))))
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    body = "\n".join(texts)
    pdf = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(next(folder.glob("*.pdf"))), "-"], capture_output=True, timeout=60
    ).stdout.decode("utf-8")
    # A long 疑似漏报 list goes to the 附件2 workbook beside the document (issue 14), its cells text as sent:
    # the hostile prefixes are checked there, controls shown as in every workbook.
    annex = next(folder.glob("附件2_*.xlsx"), None)
    outputs = [("docx", body, "[U+001B]"), ("pdf", pdf, "[U+001B]")]
    if annex is not None:
        from openpyxl import load_workbook

        cells = [c.value for ws in load_workbook(annex) for row in ws.iter_rows() for c in row]
        outputs.append(("附件2 xlsx", "\n".join(v for v in cells if isinstance(v, str)), "␛"))
    for where, text, esc in outputs:
        flat = text.replace("\n", "")
        if annex is None or where == "附件2 xlsx":
            for name in ("md_bold", "img", "script", "hyperlink", "md_code", "plus", "at"):
                assert gap(name) in flat, f"{where}: {name} interpreted or lost"
            assert gap("ansi").replace("\x1b", esc) in flat, f"{where}: ESC not shown"
            assert gap("rtl").replace("\u202e", "[U+202E]") in flat, f"{where}: RTL override not shown"
            assert ID_MASKED in flat  # the ID-like prefix, masked
        assert not CONTROLS.search(text.replace("\x0c", "")), f"{where}: a raw control character"
        assert_masked(where, text)


# --- logs, alerts, terminal ---------------------------------------------------------------------------------


def test_each_log_record_is_one_masked_line(day):
    records = day["records"]
    named = [r for r in records if "forged line" in r.getMessage()]
    assert named, "the quarantined file and the reference feed were logged"
    assert any(r.name.startswith("prefect.task_runs") for r in named)  # tasks/collect.py's warning
    assert any(r.name.startswith("credit.") for r in named)  # credit/reference_feed.py's warning
    for r in records:
        message = r.getMessage()
        assert not CONTROLS_OR_LINE_BREAKS.search(message), f"{r.name}: {message!r}"
        assert_masked(f"log record of {r.name}", message)
        if r.exc_text:
            assert not CONTROLS.search(r.exc_text), f"{r.name}: {r.exc_text[-300:]!r}"
            assert_masked(f"traceback in {r.name}", r.exc_text)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


def test_alerts_show_hostile_values_as_one_line(day):
    ours = [e for e in day["events"] if e["event"].startswith("credit.")]
    assert any(e["event"] == "credit.validation.failed" for e in ours)
    pushed = [e for e in ours if e["event"] == "credit.push.failed"]
    assert len(pushed) == len(HOSTILE), "the push alerts were not all emitted"
    for event in ours:
        for text in _strings([event["payload"], event["resource"]]):
            assert not CONTROLS_OR_LINE_BREAKS.search(text), (event["event"], text)
            assert_masked(event["event"], text)
    errors = [e["payload"]["subject"] for e in pushed]
    for name in ("script", "img", "hyperlink", "md_link"):
        assert HOSTILE[name] in errors, f"{name} not shown as it is in a push alert"
    assert "ok␍␊2026-11-26 18:00:00 INFO forged line" in errors and ID_MASKED in errors

    # The flow-run alert shows Prefect's state message (deployments/automations.yaml).
    import yaml
    from prefect.server.utilities.user_templates import _template_environment

    spec = yaml.safe_load((common.PROJECT / "deployments" / "automations.yaml").read_text(encoding="utf-8"))
    failed = next(a for a in spec["automations"] if a["name"] == "credit-flow-run-failed")

    class State:
        name = "Failed"
        message = "".join(HOSTILE[k] for k in ("ansi", "crlf", "rtl"))

    class Run:
        name, state = "daily 2026-11-26", State()

    class Flow:
        name = "daily-pipeline"

    body = asyncio.run(
        _template_environment.from_string(failed["body"]).render_async(flow_run=Run(), flow=Flow())
    )
    # Prefect's message is the alert's last line, "技术信息：…", one line whatever it holds.
    last = body.split("\n")[-1]
    assert last.startswith("技术信息：") and FORGED in last, repr(body)
    assert not CONTROLS_OR_LINE_BREAKS.search(last) and not CONTROLS.search(body), repr(body)


def test_terminal_output_is_escaped(day):
    for command, out in day["terminal"].items():
        assert "\x1b" not in out and "\r" not in out, f"{command}: raw ESC or CR"
        assert not CONTROLS.search(out.replace("\n", "")), f"{command}: a raw control character"
        assert not [
            line for line in out.splitlines() if line.lstrip().startswith("2026-11-26 18:00:00 INFO")
        ], f"{command}: a forged line"
        assert_masked(command, out)
    check = day["terminal"]["credit check"]
    assert "<script>alert(1)</script>" in check and "␛[31mred␛[0m" in check and ID_MASKED in check
    document = json.loads(day["terminal"]["credit check --json"])
    assert ID_MASKED in document["file"] and not full_ids_in(json.dumps(document, ensure_ascii=False))
    values = [e["value"] for r in document["results"] for e in r["errors"] if e["field"] == "CF_XDR_LB"]
    assert HOSTILE["script"] in values and HOSTILE["crlf"] in values  # exact values, JSON-escaped on screen
    stats = json.loads(day["terminal"]["credit stats --json"])
    assert any(g.startswith("=HYPERLINK") for u in stats["units"] for g in u["suspected_gaps"])


def test_log_records_of_the_domain_are_escaped(caplog, tmp_path):
    """caplog, without Prefect: a reference-feed file whose name and unit forge lines and carry an ID."""
    from credit.steps.collect import load_references

    settings = common.make_settings(tmp_path / "home")
    feed = settings.home / "reference" / "xzcf" / f"{FILE_NAME}.csv"
    feed.parent.mkdir(parents=True, exist_ok=True)
    feed.write_text(
        f'unit,decision_doc_no,decision_date\n"{HOSTILE["crlf"]}{HOSTILE["id_fullwidth"]}",a〔2026〕1号,2026-11-20\n',
        encoding="utf-8",
    )
    with caplog.at_level(logging.INFO, logger="credit"):
        load_references(settings)
    warned = [r for r in caplog.records if r.name.startswith("credit.") and "forged" in r.getMessage()]
    assert warned
    for r in warned:
        message = r.getMessage()
        assert "\n" not in message and "\r" not in message and "\x1b" not in message, repr(message)
        assert_masked("log record", message)
    assert len([line for line in caplog.text.splitlines() if FORGED in line]) == len(
        [r for r in caplog.records if FORGED in r.getMessage()]
    )
