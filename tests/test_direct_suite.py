"""`credit check` runs the committed suites without importing Great Expectations (`credit.validation.direct`):
the same issues, in the same order, as the GX path of `validate_frame`, on generated days with planted defects."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from credit.check import run_check
from credit.readers import read_file
from credit.validation import validate_frame
from credit.validation.direct import supported
from samples.generator import generate_day

DAY = dt.date(2026, 11, 26)
UNITS = ["scjgj", "zjj", "leicheng", "gaj", "wjj", "baisha", "cgj", "yjj"]


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    return generate_day(tmp_path_factory.mktemp("direct"), DAY, units=UNITS, seed=31, defect_rate=0.5)


def test_both_suites_run_without_gx():
    assert supported("xzcf") and supported("xzxk")


def test_direct_and_gx_give_the_same_issues(day):
    compared = 0
    for f in day.manifest["files"]:
        for sheet in read_file(day.home / f["path"]):
            for unit in (f["unit"], None):
                gx = validate_frame(sheet.dataset, sheet.data, unit_code=unit, report_date=DAY)
                direct = validate_frame(
                    sheet.dataset, sheet.data, unit_code=unit, report_date=DAY, engine="direct"
                )
                pd.testing.assert_frame_equal(direct.issues, gx.issues)
                compared += len(gx.issues)
    assert compared > 100


def test_check_verdicts_equal_the_gx_path(day, tmp_path):
    """run_check without Data Docs (direct) and with Data Docs (GX) give the same document."""
    planted = 0
    for f in day.manifest["files"]:
        direct, code_direct = run_check(day.home / f["path"], f["unit"], DAY)
        gx, code_gx = run_check(day.home / f["path"], f["unit"], DAY, docs_dir=tmp_path / "docs")
        assert direct == gx, f["path"]
        assert code_direct == code_gx
        planted += sum(1 for r in f["rows"] if r["planted"])
    assert planted > 20
