"""The dataset folders under credit/datasets/ (one folder of data per dataset) are well formed.

Pure data checks (stdlib + pytest): dataset.toml, fields.csv, aliases.csv, code_lists.csv, suite.json, README.md
and, for `[source] kind = "sql"`, source.sql. The three fixed contracts of docs/standard.md §8 (xycn, sxmd,
rongyu) are compared with the document's tables, written out below.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import tomllib
from pathlib import Path

import pytest

from credit.validation.registry import BY_EXPECTATION

ROOT = Path(__file__).resolve().parent.parent
DATASETS_DIR = ROOT / "credit" / "datasets"
BLOCKS_DIR = DATASETS_DIR / "_blocks"
UNITS_CSV = ROOT / "credit" / "data" / "units.csv"

FOLDERS = sorted(p.name for p in DATASETS_DIR.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))

FIELD_COLUMNS = ["seq", "key", "code", "header", "type", "max_len", "required", "code_list", "code_like"]
TYPES = {"str", "text", "enum", "multienum", "date", "decimal", "uscc"}
BLOCK_ROWS = {"@identity", "@source"}
CONDITIONAL = "expect_column_to_be_filled_when"  # the lead's new expectation type (conditional REQ-1)
EXPECTATION_TYPES = set(BY_EXPECTATION) | {CONDITIONAL}
# columns a suite may name beside the fields: what the validate step hands in (credit.validation.CONTEXT_COLUMNS)
CONTEXT_COLUMNS = {"attachment_problems"}
# rules written once from fields.csv (credit/datasets/README.md, "suite.json"): never in a folder's suite
DERIVED_RULES = {"LEN-1", "TXT-1", "ID-1", "ID-2", "ID-3", "ID-4", "ID-5", "ID-6", "ID-7", "SRC-1"}
DERIVED_RULES |= {"DATE-1", "DATE-2", "DUP-1"}

# docs/standard.md §2.1 and §8: the shared blocks, used when _blocks/ is not there yet
IDENTITY_KEYS = [
    "counterpart_name", "counterpart_category", "uscc", "business_reg_no", "org_code", "tax_reg_no",
    "public_inst_cert_no", "social_org_reg_no", "legal_rep_name", "legal_rep_id_type", "legal_rep_id_no",
    "id_type", "id_no",
]  # fmt: skip
IDENTITY_HEADERS = [
    "行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "行政相对人代码_2(工商注册号)",
    "行政相对人代码_3(组织机构代码)", "行政相对人代码_4(税务登记号)", "行政相对人代码_5(事业单位证书号)",
    "行政相对人代码_6(社会组织登记证号)", "法定代表人", "法定代表人证件类型", "法定代表人证件号码", "证件类型", "证件号码",
]  # fmt: skip
IDENTITY_SUFFIXES = [
    "XDR_MC", "XDR_LB", "XDR_SHXYM", "XDR_GSZC", "XDR_ZZJG", "XDR_SWDJ", "XDR_SYDW", "XDR_SHZZ", "FRDB",
    "FR_ZJLX", "FR_ZJHM", "XDR_ZJLX", "XDR_ZJHM",
]  # fmt: skip
SOURCE_KEYS = ["source_unit", "source_unit_uscc"]
SOURCE_HEADERS = ["数据来源单位", "数据来源单位统一社会信用代码"]
SOURCE_SUFFIXES = ["SJLY", "SJLYDM"]
SHARED_CODE_LISTS = {"counterpart_category", "id_type"}
IDENTITY_TYPES = {
    "counterpart_category": "enum",
    "legal_rep_id_type": "enum",
    "id_type": "enum",
    "uscc": "uscc",
}
SOURCE_TYPES = {"source_unit_uscc": "uscc"}
SUBJECT_CATEGORIES = {"法人及非法人组织", "自然人", "个体工商户"}

# the 13 folders written from docs/standard.md §8 (the stricter layout checks below apply to them)
SECTION_8 = [
    "xycn",
    "sxmd",
    "rongyu",
    "jyyc",
    "xypj",
    "zyzg",
    "htly",
    "xzqz",
    "xzqr",
    "xzjl",
    "xzjc",
    "djzc",
    "sfcp",
]


# ---------------------------------------------------------------- reading


def _csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _block(name: str, keys: list[str], headers: list[str], types: dict[str, str]) -> list[dict[str, str]]:
    """A shared block's field rows: _blocks/<name>.csv when the lead has written it, else the standard's."""
    path = BLOCKS_DIR / f"{name}.csv"
    if path.exists():
        return _csv(path)[1]
    return [
        {"key": k, "header": h, "type": types.get(k, "str"), "code_list": ""}
        for k, h in zip(keys, headers, strict=True)
    ]


def identity_block() -> list[dict[str, str]]:
    return _block("identity", IDENTITY_KEYS, IDENTITY_HEADERS, IDENTITY_TYPES)


def source_block() -> list[dict[str, str]]:
    return _block("source", SOURCE_KEYS, SOURCE_HEADERS, SOURCE_TYPES)


def shared_code_lists() -> dict[str, list[str]]:
    path = BLOCKS_DIR / "code_lists.csv"
    if not path.exists():
        return {name: [] for name in SHARED_CODE_LISTS}
    lists: dict[str, list[str]] = {}
    for row in _csv(path)[1]:
        lists.setdefault(row["code_list"], []).append(row["label"])
    return lists


class Folder:
    def __init__(self, name: str):
        self.name = name
        self.path = DATASETS_DIR / name
        with (self.path / "dataset.toml").open("rb") as fh:
            self.toml = tomllib.load(fh)
        self.columns, self.rows = _csv(self.path / "fields.csv")
        self.own = [r for r in self.rows if r["key"] not in BLOCK_ROWS]
        self.blocks = [r["key"] for r in self.rows if r["key"] in BLOCK_ROWS]
        block_rows = (identity_block() if "@identity" in self.blocks else []) + (
            source_block() if "@source" in self.blocks else []
        )
        self.block_keys = [r["key"] for r in block_rows]
        self.block_types = {r["key"]: r.get("type", "str") for r in block_rows}
        self.keys = set(self.block_keys) | {r["key"] for r in self.own}
        self.types = self.block_types | {r["key"]: r["type"] for r in self.own}
        self.code_lists: dict[str, list[str]] = {}
        self.code_list_rows: list[dict[str, str]] = []
        if (self.path / "code_lists.csv").exists():
            _, self.code_list_rows = _csv(self.path / "code_lists.csv")
            for row in self.code_list_rows:
                self.code_lists.setdefault(row["code_list"], []).append(row["label"])
        self.suite = (
            json.loads((self.path / "suite.json").read_text("utf-8")) if self.has("suite.json") else None
        )

    def has(self, file: str) -> bool:
        return (self.path / file).exists()

    def field(self, key: str) -> dict[str, str]:
        return next(r for r in self.own if r["key"] == key)

    def labels(self, key: str) -> list[str]:
        """The code list labels of an enum field (own or block)."""
        if key in {r["key"] for r in self.own}:
            name = self.field(key)["code_list"]
        else:
            name = {"counterpart_category": "counterpart_category", "id_type": "id_type"}.get(key, "")
        if name in self.code_lists:
            return self.code_lists[name]
        if name == "counterpart_category":
            return shared_code_lists().get(name) or sorted(SUBJECT_CATEGORIES)
        return shared_code_lists().get(name, [])

    @property
    def expectations(self) -> list[dict]:
        return (self.suite or {}).get("expectations", [])


@pytest.fixture(scope="module", params=FOLDERS)
def folder(request) -> Folder:
    return Folder(request.param)


def test_there_are_dataset_folders():
    assert set(SECTION_8) <= set(FOLDERS)


# ---------------------------------------------------------------- dataset.toml


def test_dataset_toml(folder: Folder):
    t = folder.toml
    assert t["id"] == folder.name
    assert re.fullmatch(r"[a-z]+", t["id"])
    for k in ("name", "category", "code_prefix"):
        assert isinstance(t.get(k), str) and t[k], k
    assert re.fullmatch(r"[A-Z]+_", t["code_prefix"])
    assert isinstance(t["key"]["fields"], list) and t["key"]["fields"]
    for key in t["key"]["fields"]:
        assert key == "@subject" or key in folder.keys, key
    if "doc_no" in t["key"]:
        assert t["key"]["doc_no"] in folder.keys
    if "evidence" in t:  # an evidence sheet of the plan's duties: never pushed, no deadline of its own
        duties = t["evidence"]["duties"]
        assert duties and all(re.fullmatch(r"t\d+-[a-z-]+", d) for d in duties), duties
        assert not {"deadline", "destination", "reference", "generator", "reporters"} & set(t)
        return
    deadline = t["deadline"]
    assert folder.types.get(deadline["field"]) == "date", deadline["field"]
    assert "workdays" in deadline or "setting" in deadline
    if "workdays" in deadline:
        assert isinstance(deadline["workdays"], int) and deadline["workdays"] > 0
    assert t["destination"]["resource"] == folder.name
    assert t["destination"]["table"] == "T_" + folder.name.upper()
    masking = t["masking"]
    for k in masking.get("hidden", []) + masking.get("masked", []):
        assert k in folder.keys, k
    if "@identity" in folder.blocks:
        assert masking["hidden"] == ["legal_rep_id_no"] and "id_no" in masking["masked"]


def test_reporters_exist_in_the_unit_registry(folder: Folder):
    columns, units = _csv(UNITS_CSV)
    if "evidence" in folder.toml:  # the plan's duty table says who owes evidence
        return
    reporters = folder.toml["reporters"]
    assert set(reporters) <= {"roles", "kinds", "units"} and reporters
    assert set(reporters.get("roles", [])) <= set(columns) - {"code", "name", "short_name", "kind", "uscc"}
    assert set(reporters.get("kinds", [])) <= {u["kind"] for u in units}
    assert set(reporters.get("units", [])) <= {u["code"] for u in units}


def test_prefixes_are_distinct():
    prefixes = [Folder(name).toml["code_prefix"] for name in FOLDERS]
    assert len(prefixes) == len(set(prefixes))
    assert not {"XK_", "CF_"} & {Folder(n).toml["code_prefix"] for n in SECTION_8}


def test_lifecycle(folder: Folder):
    life = folder.toml.get("lifecycle")
    if not life:
        return
    status = life["status_field"]
    assert folder.types.get(status) == "enum", status
    assert set(life.get("unpublish", [])) <= set(folder.labels(status))


def test_generator(folder: Folder):
    gen = folder.toml.get("generator")
    if gen is None or "profile" in gen:  # a generator of its own (双公示: samples/generator)
        return
    lo, hi = gen["rows_per_unit_day"]
    assert 0 <= lo <= hi
    assert set(gen.get("subjects", [])) <= SUBJECT_CATEGORIES
    for key, values in gen.get("values", {}).items():
        assert key in folder.keys, key
        assert values and all(isinstance(v, str) and v for v in values), key
        if folder.types.get(key) == "enum":
            assert set(values) <= set(folder.labels(key)), key


# ---------------------------------------------------------------- fields.csv


def test_fields_csv(folder: Folder):
    assert folder.columns == FIELD_COLUMNS
    assert [int(r["seq"]) for r in folder.rows] == list(range(1, len(folder.rows) + 1))
    for key in ("key", "code", "header"):
        values = [r[key] for r in folder.own]
        assert len(values) == len(set(values)), f"duplicate {key}"
    assert len(folder.blocks) == len(set(folder.blocks))
    assert not {r["key"] for r in folder.own} & set(folder.block_keys)
    for r in folder.rows:
        if r["key"] in BLOCK_ROWS:
            assert r["code"] == "" or re.fullmatch(r"[A-Z]+_", r["code"]), r
            continue
        assert re.fullmatch(r"[a-z][a-z0-9_]*", r["key"]), r["key"]
        assert r["type"] in TYPES, r
        assert r["required"] in {"yes", "no", "cond"}, r
        assert r["code_like"] in {"0", "1"}, r
        assert r["max_len"] == "" or int(r["max_len"]) > 0, r
        assert r["header"].strip() == r["header"] and r["header"], r
        if r["type"] in {"enum", "multienum"}:
            assert r["code_list"], r
        else:
            assert r["code_list"] == "", r
        if r["type"] == "uscc":
            assert r["max_len"] == "18" and r["code_like"] == "1", r


def test_codes_and_headers_do_not_clash_with_the_blocks(folder: Folder):
    prefix = folder.toml["code_prefix"]
    block_codes = set()
    block_headers = set()
    if "@identity" in folder.blocks:
        block_codes |= {prefix + s for s in IDENTITY_SUFFIXES}
        block_headers |= {r["header"] for r in identity_block()}
    if "@source" in folder.blocks:
        block_codes |= {prefix + s for s in SOURCE_SUFFIXES}
        block_headers |= {r["header"] for r in source_block()}
    assert not {r["code"] for r in folder.own} & block_codes
    assert not {r["header"] for r in folder.own} & block_headers


def test_code_lists(folder: Folder):
    used = {r["code_list"] for r in folder.own if r["code_list"]}
    shared = set(shared_code_lists()) | SHARED_CODE_LISTS
    for name in used:
        assert name in folder.code_lists or name in shared, name
    if not folder.has("code_lists.csv"):
        return
    columns, _ = _csv(folder.path / "code_lists.csv")
    assert columns[:3] == ["code_list", "label", "accepts"] and set(columns[3:]) <= {"other_prefix"}
    assert set(folder.code_lists) <= used, "a code list nobody uses"
    for name, labels in folder.code_lists.items():
        assert len(labels) == len(set(labels)), name
        accepted = [
            a for r in folder.code_list_rows if r["code_list"] == name for a in r["accepts"].split("|")
        ]
        assert len(accepted) == len(set(accepted)), f"{name}: one spelling maps to two labels"
    for r in folder.code_list_rows:
        assert r["label"] in r["accepts"].split("|"), r


def test_code_list_names_are_not_shared_between_folders():
    seen: dict[str, str] = {name: "_blocks" for name in set(shared_code_lists()) | SHARED_CODE_LISTS}
    for name in FOLDERS:
        for code_list in Folder(name).code_lists:
            assert code_list not in seen, f"{code_list} in {name} and {seen[code_list]}"
            seen[code_list] = name


# ---------------------------------------------------------------- aliases.csv


def test_aliases(folder: Folder):
    if not folder.has("aliases.csv"):
        return
    columns, rows = _csv(folder.path / "aliases.csv")
    assert columns == ["key", "alias"]
    aliases = [r["alias"] for r in rows]
    assert len(aliases) == len(set(aliases)), "an alias names two fields"
    headers = {r["header"]: r["key"] for r in folder.own}
    for r in rows:
        assert r["key"] in folder.keys, r
        assert r["alias"] and r["alias"].strip() == r["alias"], r
        assert headers.get(r["alias"], r["key"]) == r["key"], f"alias {r['alias']} is another field's header"


# ---------------------------------------------------------------- suite.json


def _named_fields(expectation: dict) -> set[str]:
    kw = expectation["kwargs"]
    names = set(kw.get("column_list", []))
    for k in ("column", "earlier", "later", "flag", "when_field"):
        if k in kw:
            names.add(kw[k])
    field = expectation["meta"]["field"]
    names |= set(field) if isinstance(field, list) else {field}
    return names


def test_suite(folder: Folder):
    if folder.suite is None:
        return
    assert isinstance(folder.expectations, list)
    for e in folder.expectations:
        assert e["type"] in EXPECTATION_TYPES, e["type"]
        meta = e["meta"]
        assert meta["rule_id"] and meta["severity"] in {"error", "warning"} and meta["field"], e
        assert meta["rule_id"] not in DERIVED_RULES, (
            f"{meta['rule_id']} is derived, not written in suite.json"
        )
        unknown = _named_fields(e) - folder.keys - CONTEXT_COLUMNS
        assert not unknown, f"{e['type']} names unknown fields {unknown}"
        if e["type"] in BY_EXPECTATION:
            check = BY_EXPECTATION[e["type"]]
            assert meta["rule_id"] in check.rules or meta["rule_id"] == "DATE-7", e
            allowed = (
                set(check.value_keys) | {"column_list"} | ({"column"} if check.domain == "column" else set())
            )
            assert set(e["kwargs"]) <= allowed, e
            if check.domain == "column":
                assert "column" in e["kwargs"]
            else:
                assert e["kwargs"].get("column_list"), e
        if meta["rule_id"] == "REQ-1":
            # An evidence sheet's requirements hold unless the row is a 零报告 (credit/datasets/duty*/).
            evidence = "evidence" in folder.toml and e["type"] == "expect_evidence_fields_to_be_filled"
            assert e["type"] == CONDITIONAL or evidence, "only conditional requirements belong in suite.json"
        if meta["rule_id"] == "DATE-7":
            kw = e["kwargs"]
            assert e["type"] == "expect_dates_in_order"
            assert folder.types[kw["earlier"]] == folder.types[kw["later"]] == "date"
            assert kw["flag"] in (kw["earlier"], kw["later"]) and meta["field"] == kw["flag"]


def test_conditional_requirements(folder: Folder):
    for e in folder.expectations:
        if e["type"] != CONDITIONAL:
            continue
        kw = e["kwargs"]
        assert set(kw) == {"column_list", "when_field", "when_values", "flag"}
        assert kw["column_list"] == [kw["when_field"], kw["flag"]] and e["meta"]["field"] == kw["flag"]
        assert kw["when_values"] and set(kw["when_values"]) <= set(folder.labels(kw["when_field"]))
    flagged = set()
    for e in folder.expectations:
        field = e["meta"]["field"]
        flagged |= set(field) if isinstance(field, list) else {field}
    for r in folder.own:
        if r["required"] == "cond":
            assert r["key"] in flagged, f"{r['key']} is cond but no suite rule states the condition"


# ---------------------------------------------------------------- README.md, source.sql


def test_readme_names_sources(folder: Folder):
    text = (folder.path / "README.md").read_text("utf-8")
    assert "## Sources" in text
    sources = text.split("## Sources", 1)[1]
    assert re.search(r"^- \S", sources, re.M), "no source listed"


def test_sql_source(folder: Folder):
    source = folder.toml.get("source", {"kind": "inbox"})
    assert source.get("kind", "inbox") in {"inbox", "sql"}
    if source.get("kind") != "sql":
        return
    assert folder.has("source.sql") and source["unit"] in {u["code"] for u in _csv(UNITS_CSV)[1]}
    query = source["query"]
    assert re.findall(r":(\w+)", query.split("'")[0] + "".join(query.split("'")[2::2])) == ["report_date"]
    db = sqlite3.connect(":memory:")
    db.executescript((folder.path / "source.sql").read_text("utf-8"))
    cursor = db.execute(query, {"report_date": "2024-05-06"})
    selected = [c[0] for c in cursor.description]
    assert len(selected) == len(set(selected)) and set(selected) <= folder.keys, set(selected) - folder.keys
    required = {r["key"] for r in folder.own if r["required"] == "yes"}
    assert required <= set(selected), required - set(selected)
    assert set(SOURCE_KEYS) <= set(selected)


# ---------------------------------------------------------------- the 13 §8 folders: layout


@pytest.mark.parametrize("name", SECTION_8)
def test_section_8_layout(name: str):
    f = Folder(name)
    keys = [r["key"] for r in f.rows]
    assert keys[0] == "@identity" and "@source" in keys
    assert keys[keys.index("@source") + 1 :] == ["remark"] and f.field("remark")["header"] == "备注"
    assert 8 <= len(f.own) - 1 <= 20
    for r in f.own:
        if r["key"] != "remark":
            assert r["code"].startswith(f.toml["code_prefix"]), r
    assert f.has("aliases.csv") and f.has("suite.json") and f.has("README.md")
    assert f.toml["shuanggongshi"] is False
    subjects = set(f.toml["generator"]["subjects"])
    restricted = [e for e in f.expectations if e["kwargs"].get("column") == "counterpart_category"]
    if restricted:  # a dataset for some categories only draws its samples from them
        assert set(restricted[0]["kwargs"]["value_set"]) == subjects


# ---------------------------------------------------------------- docs/standard.md §8.1–8.3, the fixed contracts

# (header, key, type, max_len, required) in the document's order; C18 → uscc, D → date, C..n → str n
FIXED = {
    "xycn": [
        ("承诺书编号", "commitment_no", "str", "64", "yes"),
        ("承诺类型", "commitment_type", "enum", "", "yes"),
        ("承诺事项", "commitment_matter", "str", "256", "yes"),
        ("承诺内容", "commitment_content", "str", "4000", "yes"),
        ("承诺作出日期", "commitment_date", "date", "", "yes"),
        ("承诺受理单位", "acceptor_name", "str", "200", "yes"),
        ("承诺受理单位统一社会信用代码", "acceptor_uscc", "uscc", "18", "yes"),
        ("履约状态", "fulfilment_status", "enum", "", "yes"),
        ("履约核查日期", "fulfilment_check_date", "date", "", "cond"),
        ("未履约情形", "breach_description", "str", "2000", "cond"),
    ],
    "sxmd": [
        ("名单名称", "list_name", "str", "128", "yes"),
        ("列入决定文书号", "listing_doc_no", "str", "128", "yes"),
        ("列入事由", "listing_reason", "str", "2000", "yes"),
        ("列入依据", "listing_basis", "str", "2000", "yes"),
        ("认定单位", "authority_name", "str", "200", "yes"),
        ("认定单位统一社会信用代码", "authority_uscc", "uscc", "18", "yes"),
        ("列入日期", "listing_date", "date", "", "yes"),
        ("移出日期", "removal_date", "date", "", "cond"),
        ("名单状态", "list_status", "enum", "", "yes"),
    ],
    "rongyu": [
        ("荣誉名称", "honor_name", "str", "256", "yes"),
        ("荣誉内容", "honor_content", "str", "2000", "no"),
        ("荣誉级别", "honor_level", "enum", "", "yes"),
        ("授予单位", "grantor_name", "str", "200", "yes"),
        ("授予单位统一社会信用代码", "grantor_uscc", "uscc", "18", "yes"),
        ("授予文号", "grant_doc_no", "str", "128", "no"),
        ("授予日期", "grant_date", "date", "", "yes"),
        ("有效期至", "valid_to", "date", "", "no"),
    ],
}
FIXED_ENUMS = {
    "xycn": {
        "commitment_type": [
            "审批替代型",
            "证明事项型",
            "信用修复型",
            "行业自律型",
            "主动承诺型",
            "政务服务型",
        ],
        "fulfilment_status": ["履约中", "已履约", "未履约"],
    },
    "sxmd": {"list_status": ["有效", "已移出"]},
    "rongyu": {"honor_level": ["国家级", "省级", "市级", "县级"]},
}
FIXED_KEYS = {
    "xycn": ["commitment_no", "@subject", "acceptor_uscc"],
    "sxmd": ["listing_doc_no", "@subject", "authority_uscc"],
    "rongyu": ["@subject", "honor_name", "grant_date"],
}
FIXED_DEADLINES = {"xycn": "commitment_date", "sxmd": "listing_date", "rongyu": "grant_date"}
FIXED_ORDERS = {
    "xycn": [("commitment_date", "fulfilment_check_date")],
    "sxmd": [("listing_date", "removal_date")],
    "rongyu": [("grant_date", "valid_to")],
}
FIXED_CONDITIONS = {
    "xycn": {"fulfilment_check_date": ("fulfilment_status", {"已履约", "未履约"}),
             "breach_description": ("fulfilment_status", {"未履约"})},
    "sxmd": {"removal_date": ("list_status", {"已移出"})},
    "rongyu": {},
}  # fmt: skip
FIXED_LIFECYCLE = {
    "xycn": {"status_field": "fulfilment_status"},
    "sxmd": {"status_field": "list_status", "unpublish": ["已移出"]},
    "rongyu": None,
}


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fixed_contract_fields(name: str):
    f = Folder(name)
    own = [
        (r["header"], r["key"], r["type"], r["max_len"], r["required"]) for r in f.own if r["key"] != "remark"
    ]
    assert own == FIXED[name]
    for key, labels in FIXED_ENUMS[name].items():
        assert f.labels(key) == labels, key


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fixed_contract_key_deadline_lifecycle(name: str):
    t = Folder(name).toml
    assert t["key"]["fields"] == FIXED_KEYS[name]
    assert t["deadline"] == {"field": FIXED_DEADLINES[name], "workdays": 7}
    assert t.get("lifecycle") == FIXED_LIFECYCLE[name]


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fixed_contract_rules(name: str):
    f = Folder(name)
    orders = [
        (e["kwargs"]["earlier"], e["kwargs"]["later"])
        for e in f.expectations
        if e["meta"]["rule_id"] == "DATE-7"
    ]
    assert orders == FIXED_ORDERS[name]
    conditions = {
        e["kwargs"]["flag"]: (e["kwargs"]["when_field"], set(e["kwargs"]["when_values"]))
        for e in f.expectations
        if e["type"] == CONDITIONAL
    }
    assert conditions == FIXED_CONDITIONS[name]
    assert all(e["meta"]["severity"] == "error" for e in f.expectations)
