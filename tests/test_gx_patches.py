"""GX's stock behaviour gives the same verdicts: a generated day with planted defects is validated here with the
private GX patches on and in a fresh process with `CREDIT_GX_PATCHES=off` (GX's public API only), and both
must give the same issues (row, rule, key, severity) and the same success flags (of the suite and of every
expectation: what a Data Docs page shows). The switch itself: names, `-name`, the version guard."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from credit.readers import read_file
from credit.validation import Group, gx_patches, validate_frame, validate_groups
from samples.generator import generate_day

DAY = dt.date(2026, 11, 26)
UNITS = ["scjgj", "zjj", "leicheng", "gaj", "wjj", "baisha"]
ROOT = Path(__file__).resolve().parent.parent


def verdicts_of(home: Path, docs_dir: Path) -> dict:
    """Every file of the day validated alone and each dataset's deliveries in one run (as the daily run does),
    with Data Docs; the issues, the results' success flags and which GX internals were left untouched."""

    from credit.validation import gx

    flags: list = []
    validate = gx._validate

    def recording(lo, frame, params, run_id):
        result = validate(lo, frame, params, run_id)
        flags.append(
            [lo.suite.name, result.success]
            + [[r.expectation_config.meta.get("rule_id"), r.success] for r in result.results]
        )
        return result

    gx._validate = recording
    try:
        return _verdicts_of(home, docs_dir, flags)
    finally:
        gx._validate = validate


def _verdicts_of(home: Path, docs_dir: Path, flags: list) -> dict:
    manifest = json.loads(next((home / "generated").glob("*.json")).read_text(encoding="utf-8"))
    issues: list = []
    groups: dict[str, list[Group]] = {}
    for f in manifest["files"]:
        for sheet in read_file(home / f["path"]):
            groups.setdefault(sheet.dataset, []).append(Group(sheet.data, f["unit"]))
            v = validate_frame(
                sheet.dataset, sheet.data, unit_code=f["unit"], report_date=DAY, docs_dir=docs_dir
            )
            issues.append([f["path"], v.issues.astype(str).values.tolist()])
    for dataset, batch in sorted(groups.items()):
        for i, v in enumerate(validate_groups(dataset, batch, report_date=DAY, docs_dir=docs_dir)):
            issues.append([f"{dataset} group {i}", v.issues.astype(str).values.tolist()])
    from great_expectations.core import id_dict
    from great_expectations.execution_engine import pandas_execution_engine
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    def gx_own(fn) -> bool:
        return fn.__module__.startswith("great_expectations")

    return {
        "issues": issues,
        "flags": flags,
        "pages": len(list(docs_dir.rglob("*.html"))) > 0,
        "stock": {
            "hash_threshold": pandas_execution_engine.HASH_THRESHOLD != 0,
            "to_id": gx_own(id_dict.IDDict.to_id),
            "json": gx_own(id_dict.convert_to_json_serializable),
            "to_domain_obj": gx_own(ExpectationConfiguration.to_domain_obj),
            "get_domain_records": gx_own(pandas_execution_engine.PandasExecutionEngine.get_domain_records),
        },
    }


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    return generate_day(tmp_path_factory.mktemp("gx-patches"), DAY, units=UNITS, seed=41, defect_rate=0.4)


@pytest.mark.skipif(gx_patches.switched_off(), reason="compares patches on with off: needs them on here")
def test_stock_gx_gives_the_same_verdicts_and_success_flags(day, tmp_path):
    here = verdicts_of(day.home, tmp_path / "on")
    code = (
        "import json, sys; from pathlib import Path; from tests.test_gx_patches import verdicts_of; "
        "print(json.dumps(verdicts_of(Path(sys.argv[1]), Path(sys.argv[2]))))"
    )
    env = {**os.environ, "CREDIT_GX_PATCHES": "off", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", code, str(day.home), str(tmp_path / "off")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    stock = json.loads(proc.stdout.strip().splitlines()[-1])
    assert sum(len(rows) for _, rows in here["issues"]) > 100  # planted defects were found
    assert stock["issues"] == here["issues"]
    assert stock["flags"] == here["flags"]
    assert stock["pages"] and here["pages"]
    assert all(stock["stock"].values()), stock["stock"]  # nothing of GX was changed with the switch off
    if gx_patches.enabled("hash_threshold"):
        assert not here["stock"]["hash_threshold"]  # and the patches did apply here


def test_the_switch(monkeypatch):
    monkeypatch.setattr(gx_patches, "installed_gx", lambda: gx_patches.WRITTEN_FOR)
    monkeypatch.setenv("CREDIT_GX_PATCHES", "on")
    assert all(gx_patches.enabled(name) for name in gx_patches.PATCHES)
    monkeypatch.setenv("CREDIT_GX_PATCHES", "off")
    assert not any(gx_patches.enabled(name) for name in gx_patches.PATCHES)
    first, *others = gx_patches.PATCHES
    monkeypatch.setenv("CREDIT_GX_PATCHES", f"-{first}")
    assert not gx_patches.enabled(first) and all(gx_patches.enabled(n) for n in others)
    monkeypatch.setenv("CREDIT_GX_PATCHES", f"+{first}")
    assert gx_patches.enabled(first) and not any(gx_patches.enabled(n) for n in others)
    with pytest.raises(KeyError):
        gx_patches.enabled("no_such_patch")
    monkeypatch.setenv("CREDIT_GX_PATCHES", "on")
    monkeypatch.setattr(gx_patches, "installed_gx", lambda: "1.99.0")  # another GX release: stock
    assert not any(gx_patches.enabled(name) for name in gx_patches.PATCHES)


@pytest.mark.skipif(not gx_patches.enabled("fast_json"), reason="the fast_json patch is off")
def test_fast_json_conversion_matches_gx():
    from great_expectations.util import convert_to_json_serializable

    from credit.validation import gx_speedups
    from credit.validation.gx import context

    context()  # installs the speed-ups
    original = gx_speedups._original_convert
    values = [
        None,
        "文本",
        3,
        True,
        2.5,
        math.nan,
        [1, "a", None, (2, 3)],
        {"a": [None, {"b": 1}], 2: "x"},
        np.int64(4),
        np.float32(1.5),
        np.bool_(True),
        dt.date(2025, 1, 2),
        {"value_set": ["x", "y"], "nested": {"k": np.int32(7)}},
    ]
    for v in values:
        assert gx_speedups._fast_convert(v) == original(v), v
    assert convert_to_json_serializable(values[-1]) == original(values[-1])
