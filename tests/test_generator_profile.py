"""The generator's defect profiles and numbering: a realistic month has most units clean, a few late, missing
or wrong; explicit rates still apply to every unit; each unit numbers its decisions in one series."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict

import pytest

from credit.stats import parse_doc_no
from credit.units import reporting_units
from samples.generator import PROFILES, generate_day, generate_days, problem_units

START, END = dt.date(2026, 11, 2), dt.date(2026, 11, 13)  # 10 working days


def _faults(day) -> Counter:
    """Per unit: rows with a planted rule or late, and decisions left unreported (listed or not)."""
    faults: Counter = Counter()
    for f, r in day.rows():
        if r["kind"] == "new" and (r["planted"] or r["late"]):
            faults[f["unit"]] += 1
    for m in day.manifest["unreported"] + day.manifest["unlisted"]:
        faults[m["unit"]] += 1
    return faults


def test_realistic_month_most_units_clean_a_few_late_missing_or_wrong(tmp_path):
    days = [
        generate_day(tmp_path, d, seed=d.toordinal(), records=(4, 12), profile="realistic")
        for d in (START + dt.timedelta(days=i) for i in range(12))
        if d.weekday() < 5
    ]
    units = [u.code for u in reporting_units()]
    problems = problem_units(PROFILES["realistic"]["problem_share"])
    assert len(problems) == 6 and days[0].manifest["problem_units"] == [u for u in units if u in problems]
    assert all(d.manifest["problem_units"] == days[0].manifest["problem_units"] for d in days)  # every day
    clean_days = [sum(1 for u in units if not _faults(d)[u]) for d in days]
    assert min(clean_days) >= 35, clean_days  # most units at 三清零 on most days…
    by_unit = Counter(u for d in days for u, n in _faults(d).items() if n)
    assert all(by_unit[u] >= 3 for u in problems), by_unit  # …a few units at fault often (few records here)
    assert sum(by_unit[u] for u in problems) > 2 * sum(n for u, n in by_unit.items() if u not in problems)
    # …each with its habit: some mostly wrong, some mostly late, some leave decisions out.
    kinds = defaultdict(Counter)
    for d in days:
        for f, r in d.rows():
            if f["unit"] in problems and r["kind"] == "new":
                kinds[f["unit"]]["wrong"] += bool(r["planted"])
                kinds[f["unit"]]["late"] += bool(r["late"])
        for m in d.manifest["unreported"] + d.manifest["unlisted"]:
            kinds[m["unit"]]["missing"] += 1
    assert {k.most_common(1)[0][0] for k in kinds.values()} == {"wrong", "late", "missing"}
    assert sum(len(d.manifest["unlisted"]) for d in days) > 0  # gaps only the numbering shows


def test_explicit_rates_apply_to_every_unit_by_default(tmp_path):
    units = ["scjgj", "zjj", "baisha", "leicheng"]
    day = generate_day(tmp_path, START, seed=2, units=units, records=(20, 20), defect_rate=0.5, late_rate=0.3)
    faults = _faults(day)
    assert all(faults[u] >= 5 for u in units), faults
    assert day.manifest["unlisted"] == []  # uniform: the feed lists every decision
    with pytest.raises(ValueError, match="profile"):
        generate_day(tmp_path / "x", START, units=units, profile="sloppy")


def _series(home, days) -> dict:
    """(unit, dataset, year) → {prefix: numbers} from the feed, the unlisted decisions and every row."""
    found: dict = defaultdict(lambda: defaultdict(list))
    for ds in ("xzxk", "xzcf"):
        for path in sorted((home / "reference" / ds).glob("*.csv")):
            with path.open(encoding="utf-8") as fh:
                for r in csv.DictReader(fh):
                    prefix, year, n = parse_doc_no(r["decision_doc_no"])
                    found[(r["unit"], ds, year)][prefix].append(("feed", n))
    for d in days:
        for m in d.manifest["unlisted"]:
            prefix, year, n = parse_doc_no(m["decision_doc_no"])
            found[(m["unit"], m["dataset"], year)][prefix].append(("unlisted", n))
        for f, r in d.rows():
            if r["decision_doc_no"]:
                prefix, year, n = parse_doc_no(r["decision_doc_no"])
                found[(f["unit"], f["dataset"], year)][prefix].append((r["kind"], n))
    return found


@pytest.mark.parametrize("how", ["separate days", "one run with resends"])
def test_each_unit_numbers_its_decisions_in_one_series(tmp_path, how):
    kw = dict(
        units=["scjgj", "gaj", "songzhu", "baisha"],
        records=(3, 8),
        profile="realistic",
        problem_share=1.0,  # every unit at fault, so defect variants and resends are many
        defect_rate=0.4,
        late_rate=0.2,
        missing_rate=0.2,
        unlisted_rate=0.5,
    )
    if how == "separate days":  # as `credit demo` does: one call and one seed per day
        days = []
        d = START
        while d <= END:
            if d.weekday() < 5:
                days.append(generate_day(tmp_path, d, seed=d.toordinal(), **kw))
            d += dt.timedelta(days=1)
    else:
        days = generate_days(tmp_path, START, END, seed=3, **kw)
        kinds = Counter(r["kind"] for d in days for _, r in d.rows())
        assert kinds["repeat"] and kinds["correction"]
    assert sum(bool(r["planted"]) for d in days for _, r in d.rows()) > 20
    for (unit, ds, year), by_prefix in _series(tmp_path, days).items():
        assert len(by_prefix) == 1, (unit, ds, year, list(by_prefix))  # one prefix a unit writes
        [numbers] = by_prefix.values()
        issued = sorted(n for kind, n in numbers if kind in ("feed", "unlisted"))
        assert issued == list(range(issued[0], issued[0] + len(issued))), (unit, ds)  # no hole, no twice
        assert {n for _, n in numbers} == set(issued)  # every row, resend or variant carries an issued number


def test_credit_generate_makes_a_realistic_month_by_default(tmp_path, monkeypatch, capsys):
    from cli.main import main

    monkeypatch.setenv("CREDIT_HOME", str(tmp_path))
    assert main(["generate", "--date", "2026-11-27"]) == 0
    import json

    manifest = json.loads((tmp_path / "generated" / "2026-11-27.json").read_text(encoding="utf-8"))
    assert len(manifest["problem_units"]) == 6
    assert main(["generate", "--date", "2026-11-26", "--profile", "uniform"]) == 0
    manifest = json.loads((tmp_path / "generated" / "2026-11-26.json").read_text(encoding="utf-8"))
    assert len(manifest["problem_units"]) == 49
