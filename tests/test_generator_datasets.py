"""The generic generator: sample rows for every dataset folder without a bespoke profile, made from the folder
alone (credit/datasets/README.md `[generator]`), pass that dataset's own suite; a reporting day writes one file
per dataset a unit reports; lifecycle datasets come back with a new status; a dataset added as a folder in a
tmp dir is generated with no code."""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
from collections import Counter

import pytest

from credit.check import run_check
from credit.datasets import catalogue
from credit.readers.headers import match_headers
from credit.units import all_units, reporting_units
from credit.units import unit as unit_of
from samples.generator import generate_day, generate_days
from samples.generator.datasets import DatasetRows, generic_datasets
from samples.generator.files import write_table

DAY = dt.date(2026, 11, 27)  # a Friday
ROWS = 40  # per dataset: every category, status and condition occurs


def _reporter(ds):
    return next(u for u in all_units().values() if ds.reporters.includes(u))


def _rows(ds, n=ROWS, seed=1):
    """n clean rows of `ds` for its first reporting unit, dated on or shortly before DAY."""
    gen = DatasetRows(ds)
    u = _reporter(ds)
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        date = DAY - dt.timedelta(days=rnd.choice([0, 0, 1, 3, 4]))
        out.append(gen.new_row(rnd, u, date, DAY, 1000 + i, "市监"))
    return u, gen, out


def _write(tmp_path, ds, rows):
    path = tmp_path / f"{ds.name}.csv"
    write_table(
        path, "csv-utf8", [f.header for f in ds.fields], [[r.values[k] for k in ds.keys] for r in rows]
    )
    return path


def _problems(doc):
    return [(r["row"], r["errors"], r["warnings"]) for r in doc["results"] if r["errors"] or r["warnings"]]


GENERIC = [ds.id for ds in generic_datasets()]


def test_every_dataset_folder_without_a_profile_is_generated():
    profiled = {ds.id for ds in catalogue().datasets.values() if ds.generator.get("profile")}
    assert set(GENERIC) | profiled == set(catalogue().datasets)
    assert {"xzxk", "xzcf"} <= profiled and len(GENERIC) >= 13


@pytest.mark.parametrize("dataset", GENERIC)
def test_generated_rows_pass_their_dataset_suite(dataset, tmp_path):
    ds = catalogue().dataset(dataset)
    u, gen, rows = _rows(ds)
    path = _write(tmp_path, ds, rows)
    doc, code = run_check(path, u.code, DAY)
    assert doc["dataset"] == dataset and doc["rows"] == ROWS
    assert _problems(doc) == [] and code == 0  # no error, not even a warning
    assert match_headers([f.header for f in ds.fields]).dataset == dataset
    # The identity block by category; the unit's own fields are the unit's.
    for r in rows:
        v = r.values
        assert v["counterpart_category"] in gen.subjects
        if v["counterpart_category"] == "自然人":
            assert v["id_type"] == "身份证" and len(v["id_no"]) == 18 and not v.get("uscc")
        else:
            assert v["uscc"] and v["legal_rep_name"]
            assert v["uscc"].startswith("92") == (v["counterpart_category"] == "个体工商户")
        assert (v["source_unit"], v["source_unit_uscc"]) == (u.name, u.uscc)
        if ds.deadline_field:
            assert v[ds.deadline_field] <= DAY
    # Every conditional requirement of the suite is met when its condition holds, and only then.
    for key, conds in gen.conditions.items():
        held = [r for r in rows if any(r.values.get(w) in vals for w, vals in conds)]
        assert all(r.values[key] not in (None, "") for r in held), key
        assert all(r.values[key] is None for r in rows if r not in held), key


def test_values_of_the_folders_are_in_their_code_lists():
    """[generator.values] of an enum field draw from its code list (a folder's mistake would show here)."""
    lists = catalogue().code_lists
    wrong = []
    for ds in catalogue().datasets.values():
        for key, values in ds.generator.get("values", {}).items():
            f = ds.field(key)
            if f.code_list:
                wrong += [(ds.id, key, v) for v in values if v not in set(lists[f.code_list].values())]
    assert wrong == []


def test_a_day_writes_one_file_per_dataset_a_unit_reports(tmp_path):
    units = ["scjgj", "dag", "jtj", "zjj"]  # dag reports neither 行政处罚 nor 严重失信; jtj is no 双公示 unit
    days = generate_days(tmp_path, DAY - dt.timedelta(days=4), DAY, seed=2, units=units, datasets="all")
    seen = Counter()
    for day in days:
        per_unit = Counter((f["unit"], f["dataset"]) for f in day.manifest["files"])
        assert max(per_unit.values()) == 1  # one file per unit and dataset a day
        for f in day.manifest["files"]:
            ds = catalogue().dataset(f["dataset"])
            assert ds.reporters.includes(unit_of(f["unit"])), f
            assert ds.source.get("kind") != "sql"  # read from a database, never a file
            seen[f["unit"], f["dataset"]] += 1
    assert not any(u == "dag" and ds in ("xzcf", "sxmd", "jyyc") for u, ds in seen)
    assert {ds for u, ds in seen if u == "scjgj"} >= {"xzxk", "xzcf", "jyyc", "xycn", "xzjc"}
    assert ("jtj", "htly") in seen  # a unit outside the 49 reports what its folder names


def test_every_generated_file_is_read_and_passes_validation(tmp_path):
    units = ["scjgj", "gaj", "jtj", "rsj", "leicheng"]
    day = generate_day(tmp_path, DAY, seed=5, units=units, datasets="all", late_rate=0.0, defect_rate=0.0)
    from credit.keys import business_keys
    from credit.readers import read_file

    generic = [f for f in day.manifest["files"] if f["dataset"] not in ("xzxk", "xzcf")]
    assert len({f["dataset"] for f in generic}) >= 6
    for f in generic:
        [sheet] = read_file(day.home / f["path"])
        assert sheet.dataset == f["dataset"]
        assert business_keys(f["dataset"], sheet.data).tolist() == [r["business_key"] for r in f["rows"]]
        doc, _ = run_check(day.home / f["path"], f["unit"], DAY)
        assert _problems(doc) == [], f["path"]
        assert not any(r["late"] or r["planted"] for r in f["rows"])


def test_planted_defects_are_reported_with_their_rule(tmp_path):
    """A planted row breaks exactly its planted rule (an error), a clean row nothing."""
    units = [*[u.code for u in reporting_units()][:12], "jtj"]
    day = generate_day(
        tmp_path,
        DAY,
        seed=11,
        units=units,
        datasets="all",
        defect_rate=0.5,
        late_rate=0,
        formats=["csv-utf8"],
    )
    planted = Counter()
    for f in day.manifest["files"]:
        if f["dataset"] in ("xzxk", "xzcf"):
            continue
        doc, _ = run_check(day.home / f["path"], f["unit"], DAY)
        got = {r["row"]: ({e["rule"] for e in r["errors"]}, r["warnings"]) for r in doc["results"]}
        for r in f["rows"]:
            assert got[r["row"]] == (set(r["planted"]), []), (f["path"], r)
            assert r["valid"] == (not r["planted"])
            planted.update(r["planted"])
    assert len(planted) >= 7, planted  # REQ-1, ENUM-1, DATE-1, DATE-2, ID-2, ID-4, SRC-1 …


def test_the_shuanggongshi_files_are_the_same_with_every_dataset(tmp_path):
    units = ["scjgj", "zjj", "baisha"]
    a = generate_day(tmp_path / "a", DAY, seed=3, units=units, records=(3, 5))
    b = generate_day(tmp_path / "b", DAY, seed=3, units=units, records=(3, 5), datasets="all")
    only = [f for f in b.manifest["files"] if f["dataset"] in ("xzxk", "xzcf")]
    assert [f["path"] for f in a.manifest["files"]] == [f["path"] for f in only]
    for f in a.manifest["files"]:
        if f["path"].endswith(".csv"):
            assert (a.home / f["path"]).read_bytes() == (b.home / f["path"]).read_bytes()
    assert a.manifest["files"] == only
    for ref in sorted((a.home / "reference").rglob("*.csv")):
        assert ref.read_bytes() == (b.home / ref.relative_to(a.home)).read_bytes()
    assert len(b.manifest["files"]) > len(a.manifest["files"])


def test_deterministic_for_a_seed(tmp_path):
    units = ["scjgj", "jtj", "leicheng"]
    a = generate_day(tmp_path / "a", DAY, seed=8, units=units, datasets="all", formats=["csv-utf8"])
    b = generate_day(tmp_path / "b", DAY, seed=8, units=units, datasets="all", formats=["csv-utf8"])
    c = generate_day(tmp_path / "c", DAY, seed=9, units=units, datasets="all", formats=["csv-utf8"])
    assert a.manifest == b.manifest and a.manifest != c.manifest
    for fa, fb in zip(a.files, b.files, strict=True):
        assert fa.read_bytes() == fb.read_bytes()


def test_a_database_dataset_goes_into_a_sqlite_file_its_query_reads(tmp_path):
    day = generate_day(tmp_path, DAY, seed=5, units=["scjgj", "fy"], datasets=["djzc", "sfcp"])
    assert day.manifest["files"] == []  # neither is an inbox file
    sources = {s["dataset"]: s for s in day.manifest["sql_sources"]}
    assert set(sources) == {"djzc", "sfcp"}
    for ds_id, src in sources.items():
        ds = catalogue().dataset(ds_id)
        con = sqlite3.connect(tmp_path / src["path"])
        try:
            cur = con.execute(ds.source["query"], {"report_date": DAY.isoformat()})
            names = [c[0] for c in cur.description]
            got = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        finally:
            con.close()
        assert len(got) == src["rows"] > 0
        assert all(r[ds.deadline_field] == DAY.isoformat() for r in got)


def test_lifecycle_datasets_come_back_with_a_new_status(tmp_path):
    """Over three weeks, some 信用承诺 are sent again 已履约/未履约 and some 严重失信 entries 已移出 (same
    business key, new content: a correction), and such rows pass validation."""
    units = [u.code for u in reporting_units()][:20]
    start, end = dt.date(2026, 11, 2), dt.date(2026, 11, 20)
    days = generate_days(
        tmp_path,
        start,
        end,
        seed=6,
        units=units,
        datasets=["xycn", "sxmd"],
        formats=["csv-utf8"],
        defect_rate=0,
    )
    first: dict[str, tuple] = {}  # business key -> (file, row) where the record was first delivered
    pairs: list[tuple] = []  # (dataset, first (file, row), correction (file, row))
    checked = Counter()
    for day in days:
        for f in day.manifest["files"]:
            for entry in f["rows"]:
                where = (day.home / f["path"], entry["row"])
                if entry["kind"] == "new":
                    first.setdefault(entry["business_key"], where)
                else:
                    assert entry["kind"] == "correction"
                    assert entry["business_key"] in first  # the same record, delivered earlier
                    pairs.append((f["dataset"], first[entry["business_key"]], where))
            if any(r["kind"] == "correction" for r in f["rows"]) and checked[f["dataset"]] < 3:
                checked[f["dataset"]] += 1
                doc, _ = run_check(day.home / f["path"], f["unit"], day.date)
                assert _problems(doc) == [], f["path"]
    tables: dict = {}

    def row(where):
        path, number = where
        if path not in tables:
            tables[path] = _table(path)
        return tables[path][number - 2]

    corrected = {"xycn": [], "sxmd": []}
    for ds, before, after in pairs:
        corrected[ds].append((row(before), row(after)))
    assert checked == {"xycn": 3, "sxmd": 3}
    assert len(corrected["xycn"]) >= 3 and len(corrected["sxmd"]) >= 3, {
        k: len(v) for k, v in corrected.items()
    }
    for before, after in corrected["xycn"]:
        assert before["fulfilment_status"] == "履约中" and after["fulfilment_status"] in ("已履约", "未履约")
        assert after["fulfilment_check_date"] and not before["fulfilment_check_date"]
        assert bool(after["breach_description"]) == (after["fulfilment_status"] == "未履约")
    for before, after in corrected["sxmd"]:
        assert before["list_status"] == "有效" and after["list_status"] == "已移出"
        assert after["removal_date"] and not before["removal_date"]


def test_lifecycle_carries_over_separate_calls(tmp_path):
    """As `credit demo` generates: one call per day; the open records travel in the manifest."""
    units = [u.code for u in reporting_units()][:25]
    kinds = Counter()
    d = dt.date(2026, 11, 2)
    while d <= dt.date(2026, 11, 13):
        if d.weekday() < 5:
            day = generate_day(tmp_path, d, seed=d.toordinal(), units=units, datasets=["xycn"], defect_rate=0)
            kinds.update(r["kind"] for _, r in day.rows())
            assert json.loads(day.manifest_path.read_text(encoding="utf-8"))["open_records"]
        d += dt.timedelta(days=1)
    assert kinds["correction"] >= 2 and kinds["new"] > 50


def _table(path) -> list[dict]:
    """The rows of a generated file as the project reads them (field key -> normalised value)."""
    from credit.readers import read_file

    [sheet] = read_file(path)
    return [{k: (None if v != v else v) for k, v in r.items()} for r in sheet.data.to_dict("records")]


@pytest.fixture
def extra_dataset(tmp_path, monkeypatch):
    """A dataset added as a folder in a tmp dir (as tests/test_dataset_added.py), with a [generator] section."""
    from tests.test_dataset_added import FIELDS, SUITE, TOML

    folder = tmp_path / "datasets" / "xyxf"
    folder.mkdir(parents=True)
    (folder / "fields.csv").write_text(FIELDS, encoding="utf-8")
    toml = (
        TOML
        + """
[lifecycle]
status_field = "repair_status"

[generator]
rows_per_unit_day = [2, 4]
subjects = ["法人及非法人组织", "自然人"]

[generator.values]
repair_doc_no = ["雷{abbr}修〔{year}〕{n}号"]
repair_note = ["失信行为尚未纠正", "未按期提交信用修复材料"]
"""
    )
    (folder / "dataset.toml").write_text(toml, encoding="utf-8")
    (folder / "suite.json").write_text(json.dumps(SUITE, ensure_ascii=False), encoding="utf-8")
    (folder / "code_lists.csv").write_text(
        "code_list,label,accepts,other_prefix\nrepair_status,已修复,已修复|1,\nrepair_status,未修复,未修复|2,\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CREDIT_DATASETS_DIR", str(tmp_path / "datasets"))
    return folder


def test_a_dataset_added_as_a_folder_is_generated_with_no_code(extra_dataset, tmp_path):
    ds = catalogue().dataset("xyxf")
    assert "xyxf" in [d.id for d in generic_datasets()]
    u, _, rows = _rows(ds)
    doc, code = run_check(_write(tmp_path, ds, rows), u.code, DAY)
    assert (doc["dataset"], doc["rows"], code) == ("xyxf", ROWS, 0) and _problems(doc) == []
    statuses = Counter(r.values["repair_status"] for r in rows)
    assert statuses["已修复"] > statuses["未修复"] > 0
    assert all(bool(r.values["repair_note"]) == (r.values["repair_status"] == "未修复") for r in rows)
    assert all(r.values["valid_to"] is None or r.values["valid_to"] >= r.values["repair_date"] for r in rows)
    # In a day: only the units the folder names (fgj, scjgj) get a file of it.
    day = generate_day(
        tmp_path / "home",
        DAY,
        seed=1,
        units=["fgj", "scjgj", "zjj"],
        datasets=["xyxf"],
        formats=["csv-utf8"],
        defect_rate=0,
    )
    assert sorted(f["unit"] for f in day.manifest["files"]) == ["fgj", "scjgj"]
    for f in day.manifest["files"]:
        doc, _ = run_check(day.home / f["path"], f["unit"], DAY)
        assert doc["dataset"] == "xyxf" and _problems(doc) == []
    first = _table(day.home / day.manifest["files"][0]["path"])[0]
    assert first["repair_doc_no"].startswith("雷") and "修〔2026〕" in first["repair_doc_no"]
