"""The reference data files load and say what the plan and the standard say."""

from __future__ import annotations

import re
from collections import Counter

from credit.identifiers import is_valid_uscc
from credit.standard import code_lists, dataset, datasets, header_aliases, header_form, labels, penalty_legacy
from credit.units import all_units, reporting_units

PLAN_NOTE_2 = (
    "市档案局、市委宣传部、市委编办、市委统战部，市发展和改革局、市科工贸和信息化局、市水务局、市教育局、市公安局、"
    "市民政局、市司法局、市财政局、市人社局、市审计局、市自然资源局、市住建局、市应急管理局、市农业农村局、"
    "市文化广电旅游体育局、市卫生健康局、市市场监管局、市城市管理和综合执法局、市税务局、市统计局、市医疗保障局、"
    "生态环境分局、气象局、消防救援大队"
)


def test_the_49_units_of_the_plan():
    units = reporting_units()
    assert len(units) == 49
    kinds = Counter(u.kind for u in units)
    assert kinds["department"] == 28 and kinds["town"] + kinds["street"] == 21
    departments = [u.short_name for u in units if u.kind == "department"]
    assert departments == re.split("[、，]", PLAN_NOTE_2)
    assert all(is_valid_uscc(u.uscc) and u.uscc_synthetic for u in all_units().values())
    assert len({u.uscc for u in all_units().values()}) == len(all_units())


def test_every_field_of_the_standard_is_registered():
    xk, cf = dataset("xzxk"), dataset("xzcf")
    assert (len(xk.fields), len(cf.fields)) == (28, 30)
    assert xk.field("uscc").code == "XK_XDR_SHXYM" and cf.field("uscc").code == "CF_XDR_SHXYM"
    assert cf.field("fine_wan").header == "罚款金额（万元）" and cf.field("fine_wan").type == "decimal"
    assert xk.field("valid_to").code == "XK_YXQZI" and xk.field("status").code_list == "permit_status"
    for d in datasets().values():
        assert len({f.code for f in d.fields}) == len(d.fields)
        assert len({f.key for f in d.fields}) == len(d.fields)
        assert all(f.required in ("yes", "no", "cond") for f in d.fields)
        assert all(f.code_list in code_lists() for f in d.fields if f.code_list)


def test_header_aliases_never_point_one_header_at_two_fields():
    import csv

    from credit.datasets import HOME

    for ds in datasets().values():
        seen: dict[str, str] = {}
        for path in (ds.folder / "aliases.csv", HOME / "_blocks" / "aliases.csv"):
            if not path.exists():
                continue
            with open(path, encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    if ds.has(row["key"]):
                        form = header_form(row["alias"])
                        assert seen.setdefault(form, row["key"]) == row["key"], (ds.id, row["alias"])
    table = header_aliases()
    assert table["xzcf"][header_form("行政相对人代码_1 (统一社会信用代码)")] == "uscc"
    assert table["xzcf"][header_form("CF_XDR_SHXYM")] == "uscc"


def test_code_lists_map_codes_to_labels():
    assert labels("counterpart_category") == ["法人及非法人组织", "自然人", "个体工商户"]
    assert code_lists()["penalty_category"]["02"] == "罚款"
    assert len(labels("penalty_category")) == 14
    assert penalty_legacy()["没收违法所得、没收非法财物"] == ["没收违法所得", "没收非法财物"]
