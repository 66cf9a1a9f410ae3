"""`credit duties --month YYYY-MM [--json]`: the obligations falling due in the month, printed, as JSON and as
the xlsx workbook under out/duties/<yyyy-mm>/."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from cli.main import main
from tests.harness import PROJECT

COMMAND = "from cli.main import main; raise SystemExit(main())"


def run_cli(home, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_")}
    env["CREDIT_HOME"] = str(home)
    env["PYTHONPATH"] = str(PROJECT)
    return subprocess.run(
        [sys.executable, "-c", COMMAND, *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_duties_json_for_october_2026(tmp_path):
    done = run_cli(tmp_path, "duties", "--month", "2026-10", "--json", "--today", "2026-10-14")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert list(document) == ["month", "obligations"] and document["month"] == "2026-10"
    rows = document["obligations"]
    assert len(rows) == 137
    for row in rows:
        assert list(row) == ["unit", "task", "duty", "period", "due", "status"]
        assert isinstance(row["task"], int) and row["status"] in ("open", "delivered", "late", "missing")
    assert {
        "unit": "fucheng",
        "task": 32,
        "duty": "信用宣传活动报告",
        "period": "2026-09",
        "due": "2026-10-13",
        "status": "missing",
    } in rows
    assert {
        "unit": "fgj",
        "task": 4,
        "duty": "“双公示”月通报",
        "period": "2026-09",
        "due": "2026-10-15",
        "status": "open",
    } in rows
    assert {"unit": "jyj", "task": 32, "duty": "信用宣传活动报告", "period": "2026-Q3", "due": "2026-10-20",
            "status": "open"} in rows  # fmt: skip
    assert sum(r["task"] == 9 for r in rows) == 15 and sum(r["task"] == 17 for r in rows) == 21
    assert (tmp_path / "out" / "duties" / "2026-10" / "重点工作任务_202610.xlsx").is_file()


def test_duties_table_and_workbook(home, capsys):
    assert main(["duties", "--month", "2026-10", "--today", "2026-10-01"]) == 0
    out = capsys.readouterr().out
    assert "2026-10 到期的重点工作任务" in out and "137 项" in out
    assert "附城镇" in out and "信用宣传活动报告" in out and "未到期" in out and "逾期未报" not in out
    ws = load_workbook(home / "out" / "duties" / "2026-10" / "重点工作任务_202610.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1] == ("单位代码", "单位", "任务序号", "事项", "期间", "截止日期", "状态")
    assert len(rows) == 2 + 137
    assert ("fucheng", "附城镇", 32, "信用宣传活动报告", "2026-09", "2026-10-13", "未到期") in rows
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(2, ws.max_row + 1))


def test_duties_rejects_a_bad_month(home, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["duties", "--month", "2026-13"])
    assert exc.value.code == 2
    assert "YYYY-MM" in capsys.readouterr().err


def test_duties_says_which_calendar_is_missing(home, capsys):
    # January 2027 needs the 2027 holiday schedule, which the project does not have yet.
    assert main(["duties", "--month", "2027-01", "--today", "2027-01-02"]) == 1
    err = capsys.readouterr().err
    assert "无法列出 2027-01 的重点工作任务" in err and "2027年的法定节假日和调休安排未知" in err
