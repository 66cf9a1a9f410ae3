"""A generated day with planted defects yields exactly the planted verdicts, through `credit check`, in
every file format and header variant the units use (issue 3: same verdicts whatever the headers)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from credit.check import run_check
from samples.generator import generate_day

DAY = dt.date(2026, 11, 26)
UNITS = ["scjgj", "zjj", "leicheng", "gaj", "wjj", "baisha", "cgj", "yjj", "nyj", "kelu", "sthj", "xfdd"]


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    return generate_day(tmp_path_factory.mktemp("planted"), DAY, units=UNITS, seed=23, defect_rate=0.4)


def test_the_day_covers_every_format_and_header_variant(day):
    files = day.manifest["files"]
    assert {f["header_variant"] for f in files} == {"g3", "codes", "g2-legal", "g2-natural", "messy"}
    assert {f["format"] for f in files} >= {"xlsx", "csv-utf8", "csv-utf8-sig", "csv-gbk", "csv-gb18030"}
    planted = Counter(rule for f in files for r in f["rows"] for rule in r["planted"])
    assert len(planted) >= 25  # nearly every rule of docs/standard.md §3 is planted somewhere


def test_every_file_gets_exactly_the_planted_verdicts(day):
    mismatches = []
    for f in day.manifest["files"]:
        result, code = run_check(day.home / f["path"], f["unit"], DAY)
        assert code in (0, 1), (f["path"], result)
        got = {r["row"]: r for r in result["results"]}
        assert set(got) == {r["row"] for r in f["rows"]}, f["path"]
        for row in f["rows"]:
            verdict = got[row["row"]]
            rules = sorted({i["rule"] for i in verdict["errors"] + verdict["warnings"]})
            status = "valid" if row["valid"] else "invalid"
            if rules != sorted(row["planted"]) or verdict["status"] != status:
                mismatches.append((f["path"], f["header_variant"], row["row"], row["planted"], rules))
        assert code == (0 if all(r["valid"] for r in f["rows"]) else 1)
    assert not mismatches, mismatches[:10]
