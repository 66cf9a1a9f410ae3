"""Files for 信用承诺, 严重失信主体名单 and 诚实守信相关荣誉 written from docs/standard.md §8 alone — header
variants, the rule traps of §3, lifecycle corrections — judged through `credit check --json` and through the
daily steps against the sandbox over loopback HTTP."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import select

from credit.identifiers import ric_check_char
from credit.units import unit
from tests.rows import uscc

DAY = dt.date(2026, 11, 27)  # a Friday
NEXT = dt.date(2026, 11, 30)  # the Monday after
UNIT = "scjgj"  # a 双公示 unit with the 失信惩戒 role: reports all three
PERSON = "44088219850607123"
PERSON_ID = PERSON + ric_check_char(PERSON)


def _source() -> dict[str, str]:
    u = unit(UNIT)
    return {"数据来源单位": u.name, "数据来源单位统一社会信用代码": u.uscc}


def _company(n: int) -> dict[str, str]:
    # §8: the identity block's headers without the 行政 prefix are accepted.
    return {
        "主体名称": f"雷州市诚信测试有限公司{n}",
        "主体类别": "法人及非法人组织",
        "统一社会信用代码": uscc(f"91440882MA8Y{n:04d}"),
        "法定代表人": "吴海燕",
    }


def xycn(n: int, **changes: str) -> dict[str, str]:
    u = unit(UNIT)
    row = {
        **_company(n),
        "承诺书编号": f"LZCN2026{n:05d}",
        "承诺类型": "审批替代型",
        "承诺事项": "食品经营许可告知承诺",
        "承诺内容": "本单位承诺所提交材料真实有效，并在三个月内补齐经营场所证明。",
        "承诺作出日期": "2026-11-20",
        "承诺受理单位": u.name,
        "承诺受理单位统一社会信用代码": u.uscc,
        "履约状态": "履约中",
        "履约核查日期": "",
        "未履约情形": "",
        **_source(),
    }
    row.update(changes)
    return row


def sxmd(n: int, **changes: str) -> dict[str, str]:
    u = unit(UNIT)
    row = {
        **_company(100 + n),
        "名单名称": "市场监督管理严重违法失信名单",
        "列入决定文书号": f"雷市监信列〔2026〕{n}号",
        "列入事由": "提交虚假材料取得登记，情节严重。",
        "列入依据": "《市场监督管理严重违法失信名单管理办法》第十条",
        "认定单位": u.name,
        "认定单位统一社会信用代码": u.uscc,
        "列入日期": "2026-11-23",
        "移出日期": "",
        "名单状态": "有效",
        **_source(),
    }
    row.update(changes)
    return row


def rongyu(n: int, **changes: str) -> dict[str, str]:
    u = unit(UNIT)
    row = {
        **_company(200 + n),
        "荣誉名称": "守合同重信用企业",
        "荣誉内容": "连续两年守合同重信用。",
        "荣誉级别": "市级",
        "授予单位": u.name,
        "授予单位统一社会信用代码": u.uscc,
        "授予文号": f"雷市监〔2026〕{n}号",
        "授予日期": "2026-11-24",
        "有效期至": "2028-11-23",
        **_source(),
    }
    row.update(changes)
    return row


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="gb18030", newline="") as fh:  # as WPS saves a CSV for Chinese Windows
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _check(path: Path) -> tuple[int, dict]:
    done = subprocess.run(
        [sys.executable, "-c", "from cli.main import main; raise SystemExit(main())", "check", str(path),
         "--unit", UNIT, "--date", DAY.isoformat(), "--json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return done.returncode, json.loads(done.stdout)


def _rules(result: dict) -> dict[int, set[tuple[str, str]]]:
    """Row -> {(rule, standard code)} of its errors."""
    return {r["row"]: {(e["rule"], e["field"]) for e in r["errors"]} for r in result["results"]}


def test_commitments_judged_as_section_8_says(tmp_path):
    person = {"主体名称": "陈志强", "主体类别": "自然人", "统一社会信用代码": "", "法定代表人": ""}
    rows = [
        xycn(1),  # row 2: valid, 履约中
        xycn(2, 履约状态="已履约"),  # 3: 履约核查日期 required when 已履约
        xycn(3, 履约状态="未履约", 履约核查日期="2026-11-25"),  # 4: 未履约情形 required when 未履约
        xycn(4, 履约状态="已履约", 履约核查日期="2026-11-19"),  # 5: before 承诺作出日期 (DATE-7)
        xycn(5, 承诺作出日期="2026-11-28"),  # 6: after the report date (DATE-2)
        xycn(6, 承诺受理单位统一社会信用代码="91440882MA4W00001X"),  # 7: not a valid USCC (ID-2)
        xycn(7, 承诺类型="口头承诺"),  # 8: not in the code list (ENUM-1)
        xycn(8),  # 9 and 10: one key twice, lifecycle differing: both DUP-1
        xycn(8, 履约状态="已履约", 履约核查日期="2026-11-26"),
        {**xycn(9), **person, "证件类型": "身份证", "证件号码": PERSON_ID},  # 11: a natural person, valid
        xycn(10, 承诺受理单位="雷州市人民政府办公室"),  # 12: SRC-1 is about 数据来源单位 only: valid
    ]
    # Header variants: a required marker, full-width brackets, a line break inside a header cell.
    for row in rows:
        row["*承诺书编号"] = row.pop("承诺书编号")
        row["履约\n状态"] = row.pop("履约状态")
        row.setdefault("证件类型", "")
        row.setdefault("证件号码", "")
    code, result = _check(_csv(tmp_path / "承诺.csv", rows))
    assert code == 1 and result["dataset"] == "xycn"
    found = _rules(result)
    assert found[2] == set() and found[11] == set() and found[12] == set()
    assert found[3] == {("REQ-1", "CN_LYHCRQ")}
    assert found[4] == {("REQ-1", "CN_WLYQX")}
    assert found[5] == {("DATE-7", "CN_LYHCRQ")}
    assert found[6] == {("DATE-2", "CN_CNRQ")}
    assert found[7] == {("ID-2", "CN_SLDWDM")}
    assert found[8] == {("ENUM-1", "CN_CNLX")}
    assert found[9] == found[10] == {("DUP-1", "CN_CNSBH")}
    [natural] = [r for r in result["results"] if r["row"] == 11]
    assert PERSON_ID not in json.dumps(result)  # masked everywhere in the clerk's check (§7)
    assert natural["status"] == "valid"
    date7 = next(e for r in result["results"] if r["row"] == 5 for e in r["errors"])
    assert "承诺作出日期" in date7["message"] and date7["column"] == "履约核查日期"


def test_black_list_and_honours_in_one_workbook(tmp_path):
    """One workbook, two sheets, two datasets: each sheet recognised from its headers."""
    black = [
        sxmd(1),  # row 2: valid
        sxmd(2, 名单状态="已移出"),  # 3: 移出日期 required when 已移出
        sxmd(3, 名单状态="已移出", 移出日期="2026-11-01"),  # 4: before 列入日期 (DATE-7)
        sxmd(4, 名单状态="暂停"),  # 5: ENUM-1
        sxmd(
            5, 认定单位统一社会信用代码="0" * 17 + "X"
        ),  # 6: the placeholder outside a subject's code (ID-3)
    ]
    honours = [
        rongyu(1),  # row 2: valid
        rongyu(2, 荣誉级别="区级"),  # 3: ENUM-1
        rongyu(3, 有效期至="2026-01-01"),  # 4: before 授予日期 (DATE-7)
        rongyu(4, 授予文号="", 荣誉内容=""),  # 5: optional fields blank: valid
        rongyu(5, 授予日期="2026-12-01"),  # 6: after the report date (DATE-2)
    ]
    wb = Workbook()
    for title, rows in (("黑名单", black), ("红榜", honours)):
        ws = wb.create_sheet(title)
        ws.append([f"{title}信息报送表"])  # a title row above the header row
        ws.append(list(rows[0]))
        for row in rows:
            ws.append(list(row.values()))
    wb.remove(wb["Sheet"])
    path = tmp_path / "名单与荣誉.xlsx"
    wb.save(path)
    code, result = _check(path)
    assert code == 1
    by_sheet: dict[str, dict[int, set]] = {}
    for r in result["results"]:
        by_sheet.setdefault(r["sheet"], {})[r["row"]] = {(e["rule"], e["field"]) for e in r["errors"]}
        assert r["dataset"] == {"黑名单": "sxmd", "红榜": "rongyu"}[r["sheet"]]
    # Rows as the spreadsheet shows them: the title row is row 1, the header row 2.
    black_found, honour_found = by_sheet["黑名单"], by_sheet["红榜"]
    assert black_found[3] == set()
    assert black_found[4] == {("REQ-1", "SX_YCRQ")}
    assert black_found[5] == {("DATE-7", "SX_YCRQ")}
    assert black_found[6] == {("ENUM-1", "SX_MDZT")}
    assert ("ID-3", "SX_RDDWDM") in black_found[7]
    assert honour_found[3] == set() and honour_found[6] == set()
    assert honour_found[4] == {("ENUM-1", "RY_RYDJ")}
    assert honour_found[5] == {("DATE-7", "RY_YXQZ")}
    assert honour_found[7] == {("DATE-2", "RY_RDRQ")}


def _day(settings, day: dt.date):
    from credit.steps.collect import collect
    from credit.steps.count import daily_statistics
    from credit.steps.deliver import fill_outbox, push
    from credit.steps.validate import validate_units

    collected = collect(settings, UNIT, day)
    validate_units(settings, [UNIT], day)
    fill_outbox(settings, [UNIT], day)
    push(settings, UNIT, day)
    return collected, daily_statistics(settings, day)


def test_lifecycle_corrections_reach_the_platform_once(platform):
    """履约中 → 已履约 is a correction of the same record; 有效 → 已移出 a correction the platform turns into
    un-publishing; an honour needs nothing. Each version reaches the platform exactly once."""
    from credit.settings import load_settings
    from credit.store import Record, RecordVersion, session_scope

    settings = load_settings()
    settings.ensure_dirs()
    inbox = settings.inbox / UNIT
    _csv(inbox / "承诺.csv", [xycn(1), xycn(2)])
    _csv(inbox / "失信名单.csv", [sxmd(1)])
    _csv(inbox / "荣誉.csv", [rongyu(1)])
    _, first = _day(settings, DAY)
    counts = {r.dataset: r.counts for r in first.report.rows if r.unit == UNIT}
    assert (counts["xycn"].received, counts["xycn"].accepted) == (2, 2)
    assert (counts["sxmd"].received, counts["rongyu"].received) == (1, 1)

    # The next working day: one commitment kept, the list entry removed, the honour sent again unchanged.
    _csv(inbox / "承诺-核查.csv", [xycn(1, 履约状态="已履约", 履约核查日期="2026-11-30"), xycn(2)])
    _csv(inbox / "失信名单-移出.csv", [sxmd(1, 名单状态="已移出", 移出日期="2026-11-30")])
    _csv(inbox / "荣誉.csv", [rongyu(1)])
    collected, second = _day(settings, NEXT)
    assert collected.new_versions == 2  # the unchanged rows are repeats
    counts = {r.dataset: r.counts for r in second.report.rows if r.unit == UNIT}
    assert counts["xycn"].received == 0 and counts["xycn"].corrections == 1
    assert counts["sxmd"].received == 0 and counts["sxmd"].corrections == 1
    assert counts["xycn"].accepted == counts["sxmd"].accepted == 1

    with session_scope(settings.database_url) as s:
        records = {r.dataset + r.decision_doc_no: r for r in s.exec(select(Record))}
        kept = records["xycnLZCN202600001"]
        removed = records["sxmd雷市监信列〔2026〕1号"]
        ops = {
            v.record_id: [
                x.op for x in s.exec(select(RecordVersion).where(RecordVersion.record_id == v.record_id))
            ]
            for v in s.exec(select(RecordVersion))
        }
        kept_key, removed_key = kept.record_key, removed.record_key
        assert ops[kept.id] == ["I", "U"] and ops[removed.id] == ["I", "U"]
    assert platform.store.held(kept_key)["CN_LYZT"] == "已履约"
    assert platform.store.held(removed_key)["SX_MDZT"] == "已移出"
    assert platform.store.published(removed_key) is False  # un-published by the platform
    assert platform.store.published(kept_key) is True
    accepted = platform.store.accepted_counts()
    assert accepted[kept_key] == accepted[removed_key] == 2  # I then U, each once
    assert all(n <= 2 for n in accepted.values())


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.mark.slow
def test_the_daily_flow_judges_and_delivers_them(harness, platform):
    """The same through the daily pipeline as Prefect runs it: verdicts, the unit's 问题数据 workbook, the
    platform's copy, then the lifecycle corrections the next working day."""
    from openpyxl import load_workbook

    from credit.settings import load_settings
    from credit.store import Record, session_scope
    from flows.daily import daily_pipeline

    settings = load_settings()
    settings.ensure_dirs()
    inbox = settings.inbox / UNIT
    _csv(inbox / "承诺.csv", [xycn(1), xycn(2, 履约状态="未履约", 履约核查日期="2026-11-25")])
    _csv(inbox / "失信名单.csv", [sxmd(1)])
    state = daily_pipeline(report_date=DAY, units=[UNIT], return_state=True)
    assert state.is_completed(), state.message
    [feedback] = (settings.out / "feedback" / DAY.isoformat()).glob(f"*{UNIT}*.xlsx")
    cells = [str(c) for row in load_workbook(feedback).active.iter_rows(values_only=True) for c in row if c]
    assert any("未履约情形" in c for c in cells), cells  # the missing 未履约情形 named for the clerk

    _csv(inbox / "失信名单-移出.csv", [sxmd(1, 名单状态="已移出", 移出日期="2026-11-30")])
    state = daily_pipeline(report_date=NEXT, units=[UNIT], return_state=True)
    assert state.is_completed(), state.message
    with session_scope(settings.database_url) as s:
        keys = {r.dataset: r.record_key for r in s.exec(select(Record)) if r.decision_doc_no.endswith("1号")}
    assert platform.store.published(keys["sxmd"]) is False
    stats = json.loads((settings.out / "daily" / NEXT.isoformat() / "stats.json").read_text(encoding="utf-8"))
    row = next(u for u in stats["units"] if (u["unit"], u["dataset"]) == (UNIT, "sxmd"))
    assert (row["received"], row["corrections"], row["accepted"]) == (0, 1, 1)
