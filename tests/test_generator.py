"""The sample data generator: files parse back, planted defects are exactly what an independent check of
docs/standard.md §3 finds, identifiers are right, the reference feed is complete, output is deterministic."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import time
import unicodedata
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from credit.identifiers import USCC_PLACEHOLDER, is_valid_ric, is_valid_uscc
from credit.keys import business_key
from credit.standard import code_lists, dataset, header_aliases, header_form, penalty_legacy
from credit.units import reporting_units, unit
from credit.workdays import WorkCalendar
from samples.generator import (
    FORMATS,
    RULES,
    SEVERITY,
    VARIANTS,
    generate_day,
    generate_days,
    generate_records,
    generate_records_with_meta,
    write_frame,
)

DAY = dt.date(2026, 11, 27)
LEGAL, NATURAL, INDIV = "法人及非法人组织", "自然人", "个体工商户"


# ---------------------------------------------------------------- reading back
def read_table(home: Path, entry: dict) -> list[tuple[int, list]]:
    """(row number as the sheet shows it, cells) for every row of a generated file."""
    path = home / entry["path"]
    if entry["format"] == "xlsx":
        ws = openpyxl.load_workbook(path).active
        return [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True), start=1)]
    with open(path, encoding=entry["encoding"], newline="") as fh:
        return [(i, r) for i, r in enumerate(csv.reader(fh), start=1)]


def mapped(ds: str, rows: list[tuple[int, list]]) -> tuple[int, dict[int, str], list[tuple[int, list]]]:
    aliases = header_aliases()[ds]
    for pos, (_, cells) in enumerate(rows):
        keys = {i: aliases.get(header_form(c)) for i, c in enumerate(cells) if c is not None}
        if sum(1 for k in keys.values() if k) >= 5:
            assert all(keys.values()), f"unmapped headers {cells}"
            return pos, keys, rows[pos + 1 :]
    raise AssertionError("no header row")


_DATE_PATTERNS = [
    (re.compile(r"^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})$"), None),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"), None),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), None),
]


def parse_date(value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    for pattern, _ in _DATE_PATTERNS:
        m = pattern.match(value)
        if m:
            try:
                return dt.date(*map(int, m.groups()))
            except ValueError:
                return "BAD"
    return "BAD"


def normalise(ds: str, raw: dict) -> dict:
    lists = code_lists()
    v = {}
    for f in dataset(ds).fields:
        x = raw.get(f.key)
        if isinstance(x, str):
            x = re.sub(r"\s+", " ", x).strip() or None
        if x is None:
            v[f.key] = None
        elif f.type == "date":
            v[f.key] = parse_date(x)
        elif f.type == "decimal":
            v[f.key] = x if isinstance(x, str) else repr(x)
        elif f.type == "enum":
            v[f.key] = lists[f.code_list].get(x, x)
        elif f.key in ("uscc", "id_no", "legal_rep_id_no", "authority_uscc", "source_unit_uscc", "org_code"):
            v[f.key] = unicodedata.normalize("NFKC", str(x)).upper()
        else:
            v[f.key] = str(x)
    return v


def categories(value: str | None) -> tuple[set[str], bool]:
    """Normalised 处罚类别 labels, and whether all parts were known."""
    if not value:
        return set(), True
    legacy = penalty_legacy()
    known = code_lists()["penalty_category"]
    if value in legacy:
        return set(legacy[value]), True
    labels, ok = set(), True
    for part in re.split(r"[;；、,，]", value):
        part = part.strip()
        if part in known:
            labels.add(known[part])
        elif part in legacy:
            labels.update(legacy[part])
        else:
            ok = False
    return labels, ok


def _months(d: dt.date, months: int) -> dt.date:
    m = d.month - 1 + months
    y, m = d.year + m // 12, m % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return dt.date(y, m, day)
        except ValueError:
            continue
    raise AssertionError


_DECIMAL = re.compile(r"^\d+(\.\d{1,6})?$")


def check(ds: str, v: dict, unit_code: str, report_date: dt.date) -> set[str]:
    """An independent, minimal reading of docs/standard.md §3 (DUP-1 is checked per file)."""
    fired: set[str] = set()
    d = dataset(ds)
    for f in d.fields:
        if f.required == "yes" and v[f.key] is None:
            fired.add("REQ-1")
        if isinstance(v[f.key], str):
            if f.max_len and len(v[f.key]) > f.max_len:
                fired.add("LEN-1")
            if any(unicodedata.category(c) == "Cc" for c in v[f.key]):
                fired.add("TXT-1")
        if v[f.key] == "BAD":
            fired.add("DATE-1")
    lists = code_lists()
    cat = v["counterpart_category"]
    cat_ok = cat in (LEGAL, NATURAL, INDIV)
    enum_ok = cat_ok
    for key, cl in (("id_type", "id_type"), ("legal_rep_id_type", "id_type"), ("status", "permit_status")):
        if key in v and v[key] is not None and v[key] not in lists[cl].values():
            enum_ok = False
    if (
        ds == "xzxk"
        and v["permit_category"]
        and not (
            v["permit_category"] in lists["permit_category"].values()
            or v["permit_category"].startswith("其他-")
        )
    ):
        enum_ok = False
    labels, labels_ok = categories(v.get("penalty_categories"))
    if not (enum_ok and labels_ok):
        fired.add("ENUM-1")
    uscc = v["uscc"]
    if cat_ok:
        if cat in (LEGAL, INDIV) and (not uscc or not v["legal_rep_name"]):
            fired.add("ID-1")
        if cat == NATURAL and (not v["id_type"] or not v["id_no"] or uscc):
            fired.add("ID-1")
        if uscc and uscc != USCC_PLACEHOLDER and ((cat == INDIV) != uscc.startswith("92")) and cat != NATURAL:
            fired.add("ID-7")
    for key in ("uscc", "authority_uscc", "source_unit_uscc"):
        if v[key] and v[key] != USCC_PLACEHOLDER and not is_valid_uscc(v[key]):
            fired.add("ID-2")
        if v[key] == USCC_PLACEHOLDER and (key != "uscc" or cat != INDIV or not v["business_reg_no"]):
            fired.add("ID-3")
    for tkey, nkey in (("id_type", "id_no"), ("legal_rep_id_type", "legal_rep_id_no")):
        if v[tkey] == "身份证" and v[nkey] and not is_valid_ric(v[nkey]):
            fired.add("ID-4")
    if v["legal_rep_id_no"] and not v["legal_rep_id_type"]:
        fired.add("ID-5")
    if v["org_code"] and uscc and uscc != USCC_PLACEHOLDER and v["org_code"] != uscc[8:17]:
        fired.add("ID-6")
    u = unit(unit_code)
    if v["source_unit"] not in (u.name, u.short_name) or v["source_unit_uscc"] != u.uscc:
        fired.add("SRC-1")

    def date(key):
        x = v.get(key)
        return x if isinstance(x, dt.date) else None

    decided = date("decision_date")
    if decided and decided > report_date:
        fired.add("DATE-2")
    if ds == "xzxk":
        vf, vt = date("valid_from"), date("valid_to")
        if vf and vt and vf > vt:
            fired.add("DATE-3")
        if vf and decided and vf < decided:
            fired.add("DATE-4")
        if v["permit_category"] == "其他":
            fired.add("DOC-2")
    else:
        until, pub = date("penalty_valid_until"), date("publicity_end_date")
        if until and decided and until < decided:
            fired.add("DATE-5")
        if pub and decided and not (_months(decided, 3) <= pub <= _months(decided, 36)):
            fired.add("DATE-6")
        amounts = {}
        for key in ("fine_wan", "confiscation_wan"):
            if v[key] is not None:
                if _DECIMAL.match(v[key]):
                    amounts[key] = Decimal(v[key])
                else:
                    fired.add("AMT-4")
        if "罚款" in labels and (v["fine_wan"] is None or amounts.get("fine_wan", 1) <= 0):
            fired.add("AMT-1")
        if labels & {"没收违法所得", "没收非法财物"} and v["confiscation_wan"] is None:
            fired.add("AMT-2")
        if labels & {"暂扣许可证件", "吊销许可证件"} and v["suspended_license"] is None:
            fired.add("AMT-3")
        m = re.search(r"罚款(?:人民币)?(\d+(?:\.\d+)?)元", v["penalty_content"] or "")
        if m and "fine_wan" in amounts:
            try:
                said = Decimal(m.group(1))
            except InvalidOperation:
                said = None
            if said and abs(amounts["fine_wan"] - said) <= said * Decimal("0.01"):
                fired.add("AMT-5")
        if labels and labels <= {"警告", "通报批评"} and (v["fine_wan"] or v["confiscation_wan"]):
            fired.add("AMT-6")
    if not cat_ok:
        fired -= {"ID-1", "ID-7"}
    return fired


def verify_day(home: Path, manifest: dict) -> Counter:
    """Read every file back and compare each row with the manifest; returns planted rules per dataset."""
    report_date = dt.date.fromisoformat(manifest["date"])
    seen: Counter = Counter()
    for entry in manifest["files"]:
        ds = entry["dataset"]
        rows = read_table(home, entry)
        pos, keys, data = mapped(ds, rows)
        assert pos == (1 if entry["header_variant"] == "messy" else 0), entry["path"]
        assert [r for r, _ in data] == [r["row"] for r in entry["rows"]], entry["path"]
        values = []
        for _, cells in data:
            raw = {keys[i]: c for i, c in enumerate(cells) if i in keys}
            values.append(normalise(ds, raw))
        bkeys = [
            business_key(
                ds, v["decision_doc_no"], v["uscc"], v["id_no"], v["counterpart_name"], v["authority_uscc"]
            )
            for v in values
        ]
        dup = Counter(bkeys)
        for v, bk, expected in zip(values, bkeys, entry["rows"], strict=True):
            fired = check(ds, v, entry["unit"], report_date)
            if dup[bk] > 1:
                fired.add("DUP-1")
            assert fired == set(expected["planted"]), (entry["path"], expected, fired, v)
            assert bk == expected["business_key"]
            assert v["decision_doc_no"] == expected["decision_doc_no"]
            assert expected["valid"] == all(SEVERITY[r] != "error" for r in expected["planted"])
            for rule in expected["planted"]:
                seen[(ds, rule)] += 1
            if not expected["planted"]:  # clean rows carry correct identifiers
                for key in ("uscc", "authority_uscc", "source_unit_uscc"):
                    assert v[key] is None or v[key] == USCC_PLACEHOLDER or is_valid_uscc(v[key])
                for key in ("id_no", "legal_rep_id_no"):
                    assert v[key] is None or is_valid_ric(v[key])
    return seen


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def day(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    return generate_day(home, DAY, seed=7, records=(4, 8), defect_rate=0.35, late_rate=0.1, missing_rate=0.1)


# ---------------------------------------------------------------- tests
def test_every_planted_rule_is_exactly_what_the_rows_break(day):
    seen = verify_day(day.home, day.manifest)
    for ds, rules in RULES.items():
        missing = [r for r in rules if seen[(ds, r)] == 0]
        assert not missing, f"{ds}: rules never planted: {missing}"


def test_every_format_and_header_variant_is_written(day):
    combos = {(f["format"], f["header_variant"]) for f in day.manifest["files"]}
    assert {fmt for fmt, _ in combos} == set(FORMATS)
    assert {var for _, var in combos} == set(VARIANTS)
    for f in day.manifest["files"]:
        assert (day.home / f["path"]).is_file()
        assert f["path"].startswith(f"inbox/{f['unit']}/")
        if f["header_variant"] == "g2-natural":
            assert {r["category"] for r in f["rows"]} <= {NATURAL, "居民"}
        if f["header_variant"] == "g2-legal":
            assert NATURAL not in {r["category"] for r in f["rows"]}


def test_csv_files_parse_with_pandas(day):
    for f in day.manifest["files"]:
        if f["format"] == "xlsx":
            continue
        skip = 1 if f["header_variant"] == "messy" else 0
        frame = pd.read_csv(day.home / f["path"], encoding=f["encoding"], dtype=str, skiprows=skip)
        assert len(frame) == len(f["rows"])
        if f["format"] == "csv-utf8-sig":
            assert (day.home / f["path"]).read_bytes().startswith(b"\xef\xbb\xbf")


def test_units_and_datasets(day):
    delivered = {(f["unit"], f["dataset"]) for f in day.manifest["files"]}
    codes = {u.code for u in reporting_units()}
    assert {u for u, _ in delivered} <= codes
    for u, ds in delivered:
        assert ds == "xzxk" or unit(u).punishment
    assert len({u for u, _ in delivered}) >= 40  # a few units deliver nothing some days


def test_late_rows_and_dates(day):
    cal = WorkCalendar()
    lates = 0
    for _, r in day.rows():
        decided = dt.date.fromisoformat(r["decision_date"])
        if "DATE-2" in r["planted"]:
            assert decided > DAY and not r["late"]
            continue
        assert r["late"] == cal.is_late(decided, DAY, 3)
        lates += r["late"]
    assert lates > 0


def test_reference_feed_holds_reported_and_unreported_decisions(day):
    cal = WorkCalendar()
    ref = {}
    for ds in ("xzxk", "xzcf"):
        frame = pd.read_csv(day.home / "reference" / ds / f"{DAY}.csv", dtype=str, encoding="utf-8")
        assert list(frame.columns) == ["unit", "decision_doc_no", "decision_date"]
        ref.update({(ds, u, d): date for u, d, date in frame.itertuples(index=False)})
    reported = {(f["dataset"], f["unit"], r["decision_doc_no"]) for f, r in day.rows()}
    unreported = {(m["dataset"], m["unit"], m["decision_doc_no"]) for m in day.manifest["unreported"]}
    assert unreported and not (reported & unreported)
    assert set(ref) == reported | unreported
    for m in day.manifest["unreported"]:
        decided = dt.date.fromisoformat(m["decision_date"])
        assert m["deadline"] == cal.deadline(decided, 3).isoformat() >= DAY.isoformat()
    # document numbers run in sequence per unit and dataset: the unreported ones are the gaps
    numbers: dict = {}
    for ds, u, doc in ref:
        numbers.setdefault((ds, u), []).append(int(re.search(r"(\d+)号$", doc).group(1)))
    for nums in numbers.values():
        nums.sort()
        assert nums == list(range(nums[0], nums[0] + len(nums)))


def test_doc_numbers_look_real(day):
    docs = [r["decision_doc_no"] for f, r in day.rows() if f["unit"] == "scjgj" and f["dataset"] == "xzcf"]
    assert docs and all(re.match(r"^雷市监.*〔2026〕.*\d+号$", d) for d in docs)


def test_deterministic(tmp_path):
    a = generate_day(tmp_path / "a", DAY, seed=3, units=["scjgj", "zjj", "baisha"], records=(3, 5))
    b = generate_day(tmp_path / "b", DAY, seed=3, units=["scjgj", "zjj", "baisha"], records=(3, 5))
    c = generate_day(tmp_path / "c", DAY, seed=4, units=["scjgj", "zjj", "baisha"], records=(3, 5))
    assert a.manifest == b.manifest
    for fa, fb in zip(a.files, b.files, strict=True):
        if fa.suffix == ".csv":
            assert fa.read_bytes() == fb.read_bytes()
    assert a.manifest != c.manifest


def test_month_with_repeats_corrections_and_late_arrivals(tmp_path):
    units = ["scjgj", "zjj", "cgj", "wjj", "baisha", "gaj"]
    days = generate_days(
        tmp_path,
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 13),
        seed=5,
        units=units,
        records=(5, 10),
        missing_rate=0.15,
    )
    assert [d.date.weekday() < 5 for d in days] == [True] * 10
    kinds = Counter(r["kind"] for d in days for _, r in d.rows())
    assert kinds["repeat"] and kinds["correction"] and kinds["new"]
    seen_keys: dict[str, int] = {}
    for d in days:
        verify_day(tmp_path, d.manifest)
        for _, r in d.rows():
            if r["kind"] == "new":
                assert r["business_key"] not in seen_keys or "DUP-1" in r["planted"]
            else:
                assert r["business_key"] in seen_keys
            seen_keys.setdefault(r["business_key"], 0)
    unreported = {(m["unit"], m["decision_doc_no"]) for d in days for m in d.manifest["unreported"]}
    arrived = {(f["unit"], r["decision_doc_no"]) for d in days for f, r in d.rows() if r["kind"] == "new"}
    assert unreported & arrived  # some unreported decisions arrive later
    # document numbers continue across days
    a, b = days[0].manifest["sequences"], days[-1].manifest["sequences"]
    assert all(b[k] >= a[k] for k in a)


def test_numbering_continues_across_separate_calls(tmp_path):
    one = generate_day(
        tmp_path, dt.date(2026, 11, 26), seed=1, units=["scjgj"], records=(3, 3), missing_rate=0
    )
    two = generate_day(
        tmp_path, dt.date(2026, 11, 27), seed=1, units=["scjgj"], records=(3, 3), missing_rate=0
    )
    assert one.manifest["sequences"] != two.manifest["sequences"]
    docs = [r["decision_doc_no"] for d in (one, two) for f, r in d.rows() if f["dataset"] == "xzcf"]
    assert len(set(docs)) == len(docs)


def test_gbk_falls_back_to_gb18030(tmp_path):
    frame = pd.DataFrame({"行政相对人名称": ["刘䶮"], "x": ["1"]})
    write_frame(frame, tmp_path / "a.csv", "csv-gbk")
    assert pd.read_csv(tmp_path / "a.csv", encoding="gb18030").iloc[0, 0] == "刘䶮"


def test_generate_records_is_fast_and_valid(tmp_path):
    start = time.perf_counter()
    frame, meta = generate_records_with_meta("xzcf", 100_000, seed=1, report_date=DAY)
    took = time.perf_counter() - start
    print(f"generate_records(xzcf, 100_000): {took:.2f} s")
    assert len(frame) == 100_000
    assert list(frame.columns) == [f.header for f in dataset("xzcf").fields]
    sample = frame.sample(2000, random_state=1)
    fields = dataset("xzcf").fields
    units = meta["unit"][sample.index]
    for (_, row), code in zip(sample.iterrows(), units, strict=True):
        raw = {f.key: (None if pd.isna(row[f.header]) else row[f.header]) for f in fields}
        v = normalise("xzcf", raw)
        assert check("xzcf", v, code, DAY) == set(), v
    assert frame["行政处罚决定书文号"].is_unique


@pytest.mark.parametrize("n", [1, 2, 5])
def test_generate_records_of_a_few_rows(n):
    """A handful of records (where no resident ID ends in x by chance) is generated like many."""
    for seed in range(4):
        frame, meta = generate_records_with_meta("xzcf", n, seed=seed, report_date=DAY)
        assert len(frame) == len(meta) == n


@pytest.mark.parametrize("ds", ["xzxk", "xzcf"])
def test_generate_records_plants_defects(ds, tmp_path):
    frame, meta = generate_records_with_meta(ds, 2000, seed=2, report_date=DAY, defect_rate=0.2)
    planted = meta["planted"]
    fields = dataset(ds).fields
    values = []
    for (_, row), code in zip(frame.iterrows(), meta["unit"], strict=True):
        raw = {f.key: (None if pd.isna(row[f.header]) else row[f.header]) for f in fields}
        values.append((normalise(ds, raw), code))
    keys = Counter(
        business_key(
            ds, v["decision_doc_no"], v["uscc"], v["id_no"], v["counterpart_name"], v["authority_uscc"]
        )
        for v, _ in values
    )
    for (v, code), rule in zip(values, planted, strict=True):
        fired = check(ds, v, code, DAY)
        if (
            keys[
                business_key(
                    ds,
                    v["decision_doc_no"],
                    v["uscc"],
                    v["id_no"],
                    v["counterpart_name"],
                    v["authority_uscc"],
                )
            ]
            > 1
        ):
            fired.add("DUP-1")
        assert fired == ({rule} if rule else set()), (rule, fired, v)
    assert set(planted) - {""} == set(RULES[ds])
    with pytest.raises(ValueError, match="control characters"):
        write_frame(frame[meta["planted"] == "TXT-1"], tmp_path / "f.xlsx", "xlsx")
    write_frame(frame[meta["planted"] != "TXT-1"].head(200), tmp_path / "f.xlsx", "xlsx")


def test_write_frame_formats(tmp_path):
    frame = generate_records("xzxk", 200, seed=3, report_date=DAY)
    for fmt in FORMATS:
        path = tmp_path / f"f.{fmt}"
        write_frame(frame, path, fmt)
        if fmt == "xlsx":
            back = pd.read_excel(path, dtype=str, engine="calamine")
        else:
            back = pd.read_csv(
                path, dtype=str, encoding={"csv-utf8": "utf-8", "csv-utf8-sig": "utf-8-sig"}.get(fmt, fmt[4:])
            )
        assert list(back.columns) == list(frame.columns)
        assert back["行政许可决定文书号"].tolist() == frame["行政许可决定文书号"].tolist()


def test_manifest_shape(day):
    on_disk = json.loads(day.manifest_path.read_text(encoding="utf-8"))
    assert on_disk == day.manifest
    assert set(on_disk) >= {"date", "deadline_workdays", "files", "unreported"}
    f = on_disk["files"][0]
    assert set(f) >= {"unit", "path", "dataset", "format", "encoding", "header_variant", "rows"}
    assert set(f["rows"][0]) >= {
        "row",
        "planted",
        "valid",
        "late",
        "decision_doc_no",
        "decision_date",
        "business_key",
        "kind",
    }


def test_project_reader_reads_every_generated_file(day):
    readers = pytest.importorskip("credit.readers")
    from credit.keys import business_keys

    for f in day.manifest["files"]:
        sheets = readers.read_file(day.home / f["path"])
        assert len(sheets) == 1, f["path"]
        sheet = sheets[0]
        assert sheet.dataset == f["dataset"]
        assert sheet.header_row == (2 if f["header_variant"] == "messy" else 1)
        assert list(sheet.data.index) == [r["row"] for r in f["rows"]], f["path"]
        if f["encoding"]:  # a GB 18030 file of GBK characters is a GBK file
            family = {"utf-8": "utf", "utf-8-sig": "utf", "gbk": "gb", "gb18030": "gb"}
            assert family[sheet.encoding.replace("_", "-").lower()] == family[f["encoding"]]
        assert business_keys(f["dataset"], sheet.data).tolist() == [r["business_key"] for r in f["rows"]]
