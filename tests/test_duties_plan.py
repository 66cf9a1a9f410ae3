"""The 2023 plan as data (credit/data/plans/2023/tasks.csv) against the plan's own table (source.txt beside it,
the document as published), parsed here on its own; unit names resolve to registry codes or the load fails."""

from __future__ import annotations

import csv
import re
import shutil

import pytest

from credit.duties.names import Resolver, UnknownUnitName, select
from credit.duties.plan import PLANS_DIR, PlanError, load_plan, plan_for
from credit.units import all_units

PLAN_2023 = PLANS_DIR / "2023"


def seed_table() -> dict[int, dict[str, str]]:
    """The 任务分工表 of the published plan: tab-separated rows whose third field is the task number."""
    rows = {}
    for line in (PLAN_2023 / "source.txt").read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) == 7 and fields[2].strip().isdigit():
            rows[int(fields[2])] = {
                "content": fields[3],
                "units": fields[4],
                "deadline": fields[5],
                "sources": fields[6],
            }
    return rows


def seed_names(cell: str) -> list[str]:
    """The unit names of a 责任单位 cell, split here independently of credit.duties.names."""
    cell = re.sub(r"(按职责分工负责|按职责分工)+$", "", cell.strip())
    pieces = re.split(r"、|，|及其他|及(?=市社会信用)", cell)
    return [p for p in (re.sub(r"[（(]注\d[）)]", "", piece).strip() for piece in pieces) if p]


@pytest.fixture(scope="module")
def plan():
    return load_plan(PLAN_2023)


def test_every_task_of_the_seed_is_in_the_plan(plan):
    seed = seed_table()
    assert sorted(seed) == list(range(1, 35))
    assert sorted(plan.tasks) == list(range(1, 35))
    for number, row in seed.items():
        task = plan.task(number)
        assert task.content == row["content"], number
        assert task.units_text == row["units"], number
        assert task.deadline == row["deadline"], number
        assert "；".join(task.sources) == row["sources"], number
        assert task.due == ("continuous" if row["deadline"] == "持续开展" else "2023-12"), number


def test_the_seed_unit_names_resolve_to_the_codes_of_the_data_file(plan):
    resolver = Resolver()
    for number, row in seed_table().items():
        names = seed_names(row["units"])
        task = plan.task(number)
        lead = {code for code in resolver.resolve(names[0])}
        everyone = {code for name in names for code in resolver.resolve(name)}
        assert set(task.lead) == lead, number
        assert set(task.units) == everyone, number
        assert not set(task.lead) & set(task.co), number


def test_hand_checked_units():
    plan = load_plan(PLAN_2023)
    nine = [
        "jtj",
        "gaj",
        "mzj",
        "rsj",
        "zrzyj",
        "sthj",
        "zjj",
        "cgj",
        "nyj",
        "kgm",
        "scjgj",
        "wjj",
        "yjj",
        "swuj",
    ]
    assert set(plan.task(9).units) == {*nine, "xfdd"} and len(plan.task(9).units) == 15
    assert plan.task(4).units == ("fgj",)
    assert plan.task(15).lead == ("fgj",) and plan.task(15).co == ("fy",)
    assert len(plan.task(2).lead) == 49 and plan.task(2).co == ()  # 各“双公示”职能单位（注2）
    assert len(plan.task(1).lead) == 32  # 各失信惩戒措施落实部门（注3）
    towns = {c for c, u in all_units().items() if u.kind in ("town", "street")}
    assert len(towns) == 21 and towns <= set(plan.task(32).co)
    assert plan.task(32).cadence == ("monthly", "quarterly")
    assert plan.task(17).cadence == ("periodic",)


def test_group_names_and_spellings():
    resolver = Resolver()
    towns = resolver.resolve("各镇（街）人民政府（办事处）")
    assert len(towns) == 21 and {all_units()[c].kind for c in towns} == {"town", "street"}
    assert resolver.resolve("各镇(街)政府(办事处)") == towns
    assert resolver.resolve("市城市管理综合执法局") == ("cgj",) == resolver.resolve("市城市管理和综合执法局")
    assert resolver.resolve("市消防救援大队") == ("xfdd",)  # 雷州 + the plan's name
    assert resolver.resolve("共青团雷州市委") == ()  # on purpose: not in the registry (see the alias note)
    assert len(resolver.resolve("市直“双公示”职能部门（注2）")) == 28
    assert select("kind=street") == ("leicheng", "xihu", "xincheng")
    assert select("punishment&kind=department") == select("punishment")
    with pytest.raises(ValueError, match="street"):
        select("street")


def _copy_plan(tmp_path):
    folder = tmp_path / "2024"
    shutil.copytree(PLAN_2023, folder)
    return folder


def _edit(folder, task: int, **changes):
    path = folder / "tasks.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["number"] == str(task):
            row.update(changes)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def test_an_unknown_unit_name_fails_the_load_loudly(tmp_path):
    folder = _copy_plan(tmp_path)
    _edit(folder, 9, co_names="市公安局|市民政局|市不存在局")
    with pytest.raises(UnknownUnitName) as info:
        load_plan(folder)
    message = str(info.value)
    assert "2024年工作方案第9项任务" in message and "市不存在局" in message  # Chinese: which task, which name
    assert "task 9" in message and "resolves to no registry code" in message  # and English


def test_codes_that_do_not_match_the_names_fail_the_load(tmp_path):
    folder = _copy_plan(tmp_path)
    _edit(folder, 4, lead="scjgj")
    with pytest.raises(PlanError, match="第4项任务"):
        load_plan(folder)


def test_task_numbers_must_run_one_to_n(tmp_path):
    folder = _copy_plan(tmp_path)
    _edit(folder, 34, number="35")
    with pytest.raises(PlanError, match=r"1\.\.34"):
        load_plan(folder)


def test_a_plan_holds_until_the_next_year_has_its_own():
    assert plan_for(2026).year == 2023
    with pytest.raises(PlanError):
        plan_for(2022)
