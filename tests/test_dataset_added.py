"""A twelfth dataset added as a folder, with no change to Python code (credit/datasets/README.md): collected from
a unit's inbox, judged by its own and the shared rules, pushed to the sandbox over loopback HTTP, counted."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from sqlmodel import select

from tests.rows import uscc

DAY = dt.date(2026, 11, 27)  # a Friday

FIELDS = """\
seq,key,code,header,type,max_len,required,code_list,code_like
1,@identity,,,,,,,
2,repair_doc_no,XF_WSH,信用修复决定文书号,str,128,yes,,0
3,repair_date,XF_XFRQ,修复日期,date,,yes,,0
4,repair_status,XF_ZT,修复状态,enum,,yes,repair_status,0
5,repair_note,XF_SM,未修复原因,str,500,cond,,0
6,valid_to,XF_YXQ,修复结果有效期至,date,,no,,0
7,@source,,,,,,,
"""

TOML = """\
id = "xyxf"
name = "信用修复结果"
category = "信用评价结果信息"
code_prefix = "XF_"
order = 90

[key]
fields = ["repair_doc_no", "@subject"]
doc_no = "repair_doc_no"

[deadline]
field = "repair_date"
workdays = 5

[destination]
resource = "credit-repair"  # the platform names it otherwise: the path says so
table = "T_XYXF"

[reporters]
units = ["fgj", "scjgj"]

[masking]
hidden = ["legal_rep_id_no"]
masked = ["id_no"]
"""

SUITE = {
    "expectations": [
        {
            "type": "expect_column_to_be_filled_when",
            "kwargs": {
                "column_list": ["repair_status", "repair_note"],
                "when_field": "repair_status",
                "when_values": ["未修复"],
                "flag": "repair_note",
            },
            "meta": {"rule_id": "REQ-1", "severity": "error", "field": "repair_note"},
        },
        {
            "type": "expect_dates_in_order",
            "kwargs": {
                "column_list": ["repair_date", "valid_to"],
                "earlier": "repair_date",
                "later": "valid_to",
                "flag": "valid_to",
            },
            "meta": {"rule_id": "DATE-7", "severity": "error", "field": "valid_to"},
        },
    ]
}


@pytest.fixture
def extra_dataset(tmp_path, monkeypatch):
    folder = tmp_path / "datasets" / "xyxf"
    folder.mkdir(parents=True)
    (folder / "fields.csv").write_text(FIELDS, encoding="utf-8")
    (folder / "dataset.toml").write_text(TOML, encoding="utf-8")
    (folder / "suite.json").write_text(json.dumps(SUITE, ensure_ascii=False), encoding="utf-8")
    (folder / "code_lists.csv").write_text(
        "code_list,label,accepts,other_prefix\nrepair_status,已修复,已修复|1,\nrepair_status,未修复,未修复|2,\n",
        encoding="utf-8",
    )
    (folder / "aliases.csv").write_text("key,alias\nrepair_doc_no,修复文书号\n", encoding="utf-8")
    (folder / "README.md").write_text("# 信用修复结果\n\nA test dataset.\n", encoding="utf-8")
    monkeypatch.setenv("CREDIT_DATASETS_DIR", str(tmp_path / "datasets"))
    return folder


def _row(n: int, **overrides: str) -> dict[str, str]:
    from credit.units import unit

    u = unit("scjgj")
    values = {
        "主体名称": f"雷州市修复测试有限公司{n}",  # the identity block's aliases (docs/standard.md §8)
        "主体类别": "法人及非法人组织",
        "统一社会信用代码": uscc(f"91440882MA7X{n:04d}"),
        "法定代表人": "黄志明",
        "修复文书号": f"雷发改修〔2026〕{n}号",  # the folder's own alias
        "修复日期": "2026-11-20",
        "修复状态": "已修复",
        "未修复原因": "",
        "修复结果有效期至": "2027-11-20",
        "数据来源单位": u.name,
        "数据来源单位统一社会信用代码": u.uscc,
    }
    values.update(overrides)
    return values


def _write(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_dataset_added_as_a_folder_runs_from_inbox_to_statistics(extra_dataset, home, monkeypatch):
    from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox
    from credit.settings import load_settings
    from credit.standard import datasets
    from credit.steps.collect import collect
    from credit.steps.count import daily_statistics
    from credit.steps.deliver import fill_outbox, push
    from credit.steps.validate import validate_units
    from credit.store import Record, RecordVersion, session_scope

    assert datasets()["xyxf"].name == "信用修复结果"
    sandbox = start_sandbox()
    try:
        monkeypatch.setenv("CREDIT_PLATFORM_URL", sandbox.url)
        monkeypatch.setenv("CREDIT_PLATFORM_APP_KEY", DEMO_APP_KEY)
        monkeypatch.setenv("CREDIT_PLATFORM_APP_SECRET", DEMO_APP_SECRET)
        settings = load_settings()
        settings.ensure_dirs()
        rows = [
            _row(1),  # valid
            _row(2, 修复状态="未修复"),  # REQ-1 under the folder's condition
            _row(3, 修复结果有效期至="2026-11-01"),  # DATE-7: before 修复日期
            _row(4, 修复日期="2026-11-10"),  # valid, received 13 working days after: late
        ]
        _write(settings.inbox / "scjgj" / "修复结果.csv", rows)

        assert collect(settings, "scjgj", DAY).new_versions == 4
        [result] = validate_units(settings, ["scjgj"], DAY).values()
        assert (result.checked, result.valid, result.invalid) == (4, 2, 2)
        with session_scope(settings.database_url) as s:
            versions = {
                v.row: v for v in s.exec(select(RecordVersion).join(Record).where(Record.dataset == "xyxf"))
            }
            assert {e["rule"] for e in versions[3].errors} == {"REQ-1"}
            [date7] = versions[4].errors
            assert (date7["rule"], date7["field"]) == ("DATE-7", "XF_YXQ")
            assert "修复日期" in date7["message"]

        assert fill_outbox(settings, ["scjgj"], DAY).queued == 2
        summary = push(settings, "scjgj", DAY)
        assert summary.accepted == 2, summary
        stats = daily_statistics(settings, DAY)
        [row] = [r for r in stats.report.rows if (r.unit, r.dataset) == ("scjgj", "xyxf")]
        c = row.counts
        assert (c.received, c.invalid, c.late, c.pushed, c.accepted) == (4, 2, 1, 2, 2)
        assert row.deadline_workdays == 5
        # Only the units the folder names report it: another unit has no row for it.
        assert not [r for r in stats.report.rows if (r.unit, r.dataset) == ("xcb", "xyxf")]
        payload = json.loads(stats.json.read_text(encoding="utf-8"))
        listed = {u["unit"]: u for u in payload["units"] if u["dataset"] == "xyxf"}
        assert set(listed) == {"fgj", "scjgj"}  # the units the folder names, and no other
        listed = listed["scjgj"]
        assert (listed["unit"], listed["received"], listed["late"]) == ("scjgj", 4, 1)
        with session_scope(settings.database_url) as s:
            record = s.exec(
                select(Record).where(Record.dataset == "xyxf", Record.decision_doc_no.like("%1号"))
            ).one()
            held = sandbox.store.held(record.record_key)
        assert held["XF_WSH"] == "雷发改修〔2026〕1号" and held["XF_XFRQ"] == "2026/11/20"
        assert (
            held["XF_XDR_MC"] == "雷州市修复测试有限公司1"
            and held["XF_SJLYDM"] == rows[0]["数据来源单位统一社会信用代码"]
        )
    finally:
        sandbox.stop()


def test_a_folder_that_breaks_the_format_fails_loudly(tmp_path, monkeypatch):
    from credit.datasets import DatasetFolderError, catalogue

    folder = tmp_path / "datasets" / "bad"
    folder.mkdir(parents=True)
    (folder / "fields.csv").write_text(FIELDS, encoding="utf-8")
    (folder / "dataset.toml").write_text(TOML.replace('"repair_date"', '"repair_day"'), encoding="utf-8")
    monkeypatch.setenv("CREDIT_DATASETS_DIR", str(tmp_path / "datasets"))
    with pytest.raises(DatasetFolderError, match=r"bad/dataset\.toml"):
        catalogue().datasets  # noqa: B018


def test_the_committed_suites_are_the_composed_ones():
    """expectations/<id>.json is what the folders compose (regenerate: python -m credit.validation.suites)."""
    from credit.standard import datasets
    from credit.validation.suites import SUITES_DIR, load_suite_json

    for ds in datasets():
        committed = json.loads((SUITES_DIR / f"{ds}.json").read_text(encoding="utf-8"))
        assert committed == load_suite_json(ds), f"expectations/{ds}.json is out of date"
