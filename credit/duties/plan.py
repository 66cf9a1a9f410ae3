"""The year's plan as data: `credit/data/plans/<year>/tasks.csv`, one row per task of the plan's 任务分工表.

Columns: number, area and group (the table's grouping), title (short) and content (as written), units_text
(the 责任单位 cell as written), lead_names / co_names (`|`-separated names as written: the first unit named is
the lead, by the plan's convention; a group phrase leads when it comes first) and lead / co (their registry
codes, `|`-separated), deadline (完成时间 as written) and due (`continuous` or `YYYY-MM`), cadence (`once`,
`continuous`, `monthly`, `quarterly`, `periodic`, `|`-separated when several) and cadence_text (the plan's
words), evidence (what the task asks to show) and sources (工作任务说明, `；`-separated).

Loading checks every row: the task numbers run 1..N, every unit name resolves to registry codes
(`credit.duties.names`) and those are exactly the codes written in the file. Anything else raises `PlanError`
or `UnknownUnitName`, naming the task: a plan that does not load is not used."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from credit.duties.names import Resolver, UnknownUnitName
from credit.standard import DATA_DIR

PLANS_DIR = DATA_DIR / "plans"
CADENCES = ("once", "continuous", "monthly", "quarterly", "periodic")
COLUMNS = (
    "number",
    "area",
    "group",
    "title",
    "content",
    "units_text",
    "lead_names",
    "lead",
    "co_names",
    "co",
    "deadline",
    "due",
    "cadence",
    "cadence_text",
    "evidence",
    "sources",
)
_DUE = re.compile(r"^(continuous|\d{4}-(0[1-9]|1[0-2]))$")


class PlanError(ValueError):
    """A plan file that cannot be used as it stands."""


@dataclass(frozen=True)
class Task:
    number: int
    area: str
    group: str
    title: str
    content: str
    units_text: str
    lead_names: tuple[str, ...]
    lead: tuple[str, ...]
    co_names: tuple[str, ...]
    co: tuple[str, ...]
    deadline: str
    due: str  # "continuous" or "YYYY-MM"
    cadence: tuple[str, ...]
    cadence_text: str
    evidence: str
    sources: tuple[str, ...]

    @property
    def units(self) -> tuple[str, ...]:
        """Every responsible unit: the lead first, then the co-responsible ones."""
        return self.lead + self.co


@dataclass(frozen=True)
class Plan:
    year: int
    folder: Path
    tasks: dict[int, Task]

    def task(self, number: int) -> Task:
        try:
            return self.tasks[number]
        except KeyError:
            raise PlanError(
                f"{self.year}年工作方案没有第{number}项任务 / plan {self.year} has no task {number}"
            ) from None


def _split(text: str, sep: str = "|") -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split(sep) if p.strip())


def _where(year: int, number: object) -> str:
    return f"{year}年工作方案第{number}项任务 (plan {year}, task {number})"


def _task(row: dict[str, str], year: int, resolver: Resolver) -> Task:
    number = row["number"].strip()
    where = _where(year, number)
    if not number.isdigit():
        raise PlanError(f"{where}：序号应为数字 / the task number must be a number")
    lead_names, co_names = _split(row["lead_names"]), _split(row["co_names"])
    lead, co = _split(row["lead"]), _split(row["co"])
    if not lead_names:
        raise PlanError(f"{where}：没有责任单位 / no responsible unit")
    resolved_lead = resolver.resolve_all(list(lead_names), where)
    resolved_co = tuple(c for c in resolver.resolve_all(list(co_names), where) if c not in resolved_lead)
    for label, written, resolved in (("lead", lead, resolved_lead), ("co", co, resolved_co)):
        unknown = [c for c in written if c not in resolver.units]
        if unknown:
            raise PlanError(f"{where}：{label} 列有未知单位代码 / unknown unit codes in {label}: {unknown}")
        if set(written) != set(resolved):
            raise PlanError(
                f"{where}：{label} 列的单位代码与单位名称不一致 / the {label} codes do not match the names: "
                f"written {sorted(written)}, names resolve to {sorted(resolved)}"
            )
    due = row["due"].strip()
    if not _DUE.match(due):
        raise PlanError(
            f"{where}：due 应为 continuous 或 YYYY-MM / due must be continuous or YYYY-MM: {due!r}"
        )
    cadence = _split(row["cadence"])
    if not cadence or any(c not in CADENCES for c in cadence):
        raise PlanError(f"{where}：cadence 应为 {'/'.join(CADENCES)} / unknown cadence {row['cadence']!r}")
    return Task(
        number=int(number),
        area=row["area"].strip(),
        group=row["group"].strip(),
        title=row["title"].strip(),
        content=row["content"].strip(),
        units_text=row["units_text"].strip(),
        lead_names=lead_names,
        lead=tuple(c for c in resolver.units if c in set(lead)),
        co_names=co_names,
        co=tuple(c for c in resolver.units if c in set(co)),
        deadline=row["deadline"].strip(),
        due=due,
        cadence=cadence,
        cadence_text=row["cadence_text"].strip(),
        evidence=row["evidence"].strip(),
        sources=_split(row["sources"], "；"),
    )


def load_plan(folder: Path, *, resolver: Resolver | None = None) -> Plan:
    """The plan in `folder` (named for its year, holding tasks.csv), checked; raises on any fault."""
    folder = Path(folder)
    if not folder.name.isdigit():
        raise PlanError(f"方案目录应以年份命名 / a plan folder is named for its year: {folder}")
    year = int(folder.name)
    resolver = resolver or Resolver()
    path = folder / "tasks.csv"
    if not path.is_file():
        raise PlanError(f"找不到方案任务表 / no tasks.csv in {folder}")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise PlanError(f"{path.name} 缺少列 / missing columns: {missing}")
        tasks = [_task(row, year, resolver) for row in reader]
    numbers = [t.number for t in tasks]
    if numbers != list(range(1, len(tasks) + 1)):
        raise PlanError(
            f"{year}年工作方案的任务序号应为 1..{len(tasks)} 依次排列 / task numbers must run 1..N: {numbers}"
        )
    return Plan(year=year, folder=folder, tasks={t.number: t for t in tasks})


def plan_years(plans_dir: Path = PLANS_DIR) -> list[int]:
    return sorted(int(p.name) for p in Path(plans_dir).iterdir() if p.is_dir() and p.name.isdigit())


def plan_for(year: int, plans_dir: Path = PLANS_DIR) -> Plan:
    """The plan in force in `year`: that year's, or the latest earlier one (a plan holds until replaced)."""
    years = [y for y in plan_years(plans_dir) if y <= year]
    if not years:
        raise PlanError(f"{year}年及以前没有工作方案 / no plan for {year} or earlier in {plans_dir}")
    return load_plan(Path(plans_dir) / str(years[-1]))


__all__ = ["Plan", "PlanError", "Task", "UnknownUnitName", "load_plan", "plan_for", "plan_years"]
