"""The rule registry is the one list: GX registers a class per custom check with the check's parameters as
its fields, the suites use only registered types for the rules they serve, every rule is served, the
catalogue docs/rules.md is what the registry generates, and `credit.validation` never imports `expectations`."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from credit.datasets import catalogue as catalogue_of_datasets
from credit.validation import catalogue, load_suite_json, rules
from credit.validation.checks import CHECKS
from credit.validation.registry import BY_EXPECTATION, REGISTRY
from credit.validation.suites import SUITES_DIR

ROOT = Path(__file__).resolve().parents[1]


def test_every_check_is_in_the_registry_once():
    assert sorted(c.name for c in REGISTRY) == sorted(CHECKS)
    assert len(BY_EXPECTATION) == len(REGISTRY)


def test_gx_registers_a_class_per_custom_check_with_its_parameters():
    from great_expectations.expectations.registry import get_expectation_impl

    from credit.validation import gx_expectations  # noqa: F401  registers

    for check in REGISTRY:
        cls = get_expectation_impl(check.expectation)
        if check.builtin:
            assert cls.__module__.startswith("great_expectations"), check
            continue
        assert cls.__name__ == check.class_name and cls.map_metric == check.metric
        assert set(check.value_keys) <= set(cls.__fields__), check
        assert cls.success_keys == ("mostly", *check.value_keys)


@pytest.mark.parametrize("ds", sorted(catalogue_of_datasets().all))
def test_suites_use_registered_types_for_the_rules_they_serve(ds):
    for exp in load_suite_json(ds)["expectations"]:
        check = BY_EXPECTATION[exp["type"]]
        assert exp["meta"]["rule_id"] in check.rules, exp
        assert set(exp["kwargs"]) <= {"column", "column_list", *check.value_keys}, exp


def test_every_rule_is_served_and_every_served_rule_exists():
    served = {r for c in REGISTRY for r in c.rules}
    assert served == set(rules())
    used = {
        e["meta"]["rule_id"]
        for ds in catalogue_of_datasets().all
        for e in load_suite_json(ds)["expectations"]
    }
    assert used == set(rules())


def test_catalogue_is_generated():
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == catalogue.render(), f"docs/rules.md is out of date: run `{catalogue.REGENERATE}`"
    for rule in rules().values():
        assert f"## {rule.id}\n" in committed and rule.message in committed


def test_suites_dir_is_the_installed_package_data():
    spec = importlib.util.find_spec("expectations")
    assert Path(spec.origin).parent == SUITES_DIR
    assert {p.stem for p in SUITES_DIR.glob("*.json")} == set(catalogue_of_datasets().all)


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_credit_never_imports_expectations():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "credit").rglob("*.py")
        if any(m == "expectations" or m.startswith("expectations.") for m in _imports(p))
    ]
    assert offenders == []


_VERDICTS = """
import datetime as dt, json, sys
from pathlib import Path
from samples.generator import generate_day
from credit.readers import read_file
from credit.validation import validate_frame
from credit.validation import gx_expectations
day = generate_day(Path(sys.argv[1]), dt.date(2026, 11, 26), units=["scjgj", "zjj", "gaj", "cgj"], seed=7,
                   defect_rate=0.5)
out = {"patched": gx_expectations.KWARGS_GETTERS_PATCHED, "issues": []}
for f in day.manifest["files"]:
    for sheet in read_file(day.home / f["path"]):
        v = validate_frame(sheet.dataset, sheet.data, unit_code=f["unit"], report_date=dt.date(2026, 11, 26))
        out["issues"].append(v.issues.astype(str).values.tolist())
print(json.dumps(out))
"""


def test_kwargs_getters_off_gives_the_same_verdicts(tmp_path):
    """GX's stock kwargs getters (CREDIT_GX_PATCHES=off) and the private ones give identical verdicts."""
    results = {}
    for switch in ("on", "off"):
        env = {**os.environ, "CREDIT_GX_PATCHES": switch, "CREDIT_HOME": str(tmp_path / switch / "home")}
        run = subprocess.run(
            [sys.executable, "-c", _VERDICTS, str(tmp_path / switch)],
            env=env, capture_output=True, text=True, check=True, cwd=ROOT,
        )  # fmt: skip
        results[switch] = json.loads(run.stdout.strip().splitlines()[-1])
    assert results["off"]["patched"] is False
    if not results["on"]["patched"]:
        pytest.skip("the installed GX is not the release the private getters were written for")
    assert results["on"]["issues"] == results["off"]["issues"]
    assert sum(len(i) for i in results["off"]["issues"]) > 50
