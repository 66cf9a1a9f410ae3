"""The duty table, `credit/data/plans/<year>/duties.csv`: the recurring obligations a plan's tasks give units.

Columns: id (stable, e.g. `t9-cases`), task (the plan's task number), name (the short Chinese name people
read), units (`task`: every unit of the task; or a selector of `credit.duties.names`), kinds (`|`-separated
unit kinds to keep, empty for all), cadence (`monthly` or `quarterly`), due_rule, dataset (the evidence sheet
that settles it: a dataset folder `credit/datasets/<id>/` whose `[evidence] duties` lists this duty — its headers
are written there, once), attachments (what is attached, `|`-separated; the sheet then requires 附件), note.

A due rule counts from the end of the period:
- `workday:N`: the N-th working day after the period (`workday:5` for a month: the 5th working day of the
  next month; for a quarter: the 5th working day after it), on the State Council calendar with its 调休;
- `day:N`: the N-th calendar day of the month after the period, moved to the next working day when it is a
  rest day."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from credit.datasets import catalogue
from credit.duties.names import select
from credit.duties.plan import PLANS_DIR, Plan, PlanError, load_plan, plan_years
from credit.units import all_units
from credit.workdays import WorkCalendar

CADENCES = ("monthly", "quarterly")
KINDS = ("department", "town", "street")


@dataclass(frozen=True)
class DueRule:
    kind: str  # "workday" | "day"
    n: int

    @classmethod
    def parse(cls, text: str) -> DueRule:
        kind, _, number = text.strip().partition(":")
        if kind not in ("workday", "day") or not number.isdigit() or not 1 <= int(number) <= 31:
            raise ValueError(f"截止规则应为 workday:N 或 day:N / a due rule is workday:N or day:N: {text!r}")
        return cls(kind, int(number))

    def due(self, period_end: dt.date, calendar: WorkCalendar) -> dt.date:
        if self.kind == "workday":
            return calendar.add_workdays(period_end, self.n)
        day = period_end + dt.timedelta(days=self.n)  # period_end is a month's last day
        while not calendar.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def describe(self, cadence: str) -> str:
        after = "次月" if cadence == "monthly" else "季度结束后"
        if self.kind == "workday":
            return f"{after}第{self.n}个工作日"
        return (
            f"{after}{self.n}日（遇休息日顺延）"
            if cadence == "monthly"
            else f"季度结束次月{self.n}日（遇休息日顺延）"
        )


@dataclass(frozen=True)
class Duty:
    id: str
    task: int
    name: str
    units: tuple[str, ...]  # registry codes, in registry order
    cadence: str
    due_rule: DueRule
    dataset: str  # the evidence dataset whose rows settle it (credit/datasets/<id>/)
    attachments: tuple[str, ...]
    note: str


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split("|") if p.strip())


def _evidence(duty_id: str, dataset_id: str, attachments: tuple[str, ...]) -> str:
    """The duty's evidence dataset, checked: it exists, says it settles this duty, and has a 附件 column
    when the duty asks for attachments."""
    ds = catalogue().evidence.get(dataset_id)
    if ds is None:
        known = "、".join(catalogue().evidence) or "无"
        raise ValueError(f"dataset 应为佐证材料数据集（{known}）: {dataset_id!r}")
    if duty_id not in ds.evidence:
        raise ValueError(f"数据集 {dataset_id} 的 [evidence] duties 未列出本事项 / does not list {duty_id}")
    if attachments and not ds.has("attachments"):
        raise ValueError(f"本事项要求附件，数据集 {dataset_id} 却没有“附件”列")
    return dataset_id


def _duty(row: dict[str, str], plan: Plan) -> Duty:
    where = f"{plan.year}年重点工作任务表 {row.get('id')!r} (duties.csv)"
    try:
        task = plan.task(int(row["task"]))
        candidates = task.units if row["units"].strip() == "task" else select(row["units"])
        kinds = _split(row["kinds"])
        if any(k not in KINDS for k in kinds):
            raise ValueError(f"kinds 应为 {'/'.join(KINDS)}: {row['kinds']!r}")
        registry = all_units()
        units = tuple(
            c for c in registry if c in set(candidates) and (not kinds or registry[c].kind in kinds)
        )
        cadence = row["cadence"].strip()
        if cadence not in CADENCES:
            raise ValueError(f"cadence 应为 monthly 或 quarterly: {cadence!r}")
        if not units:
            raise ValueError("没有承担该事项的单位 / no unit has this duty")
        return Duty(
            id=row["id"].strip(),
            task=task.number,
            name=row["name"].strip(),
            units=units,
            cadence=cadence,
            due_rule=DueRule.parse(row["due_rule"]),
            dataset=_evidence(row["id"].strip(), row["dataset"].strip(), _split(row["attachments"])),
            attachments=_split(row["attachments"]),
            note=(row.get("note") or "").strip(),
        )
    except (KeyError, ValueError) as exc:
        raise PlanError(f"{where}：{exc}") from exc


def load_duties(plan: Plan, path: Path | None = None) -> list[Duty]:
    """The plan's duty table, checked against the plan (tasks, units) and the due-rule syntax."""
    path = Path(path) if path else plan.folder / "duties.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        duties = [_duty(row, plan) for row in csv.DictReader(fh)]
    ids = [d.id for d in duties]
    if len(set(ids)) != len(ids):
        raise PlanError(f"{path.name}：事项编号重复 / duplicate duty ids: {ids}")
    return duties


@cache
def duty_units(plans_dir: Path = PLANS_DIR) -> frozenset[str]:
    """Every unit that owes a duty under some plan on file: the daily run collects their evidence even when
    they report no records."""
    return frozenset(
        u
        for year in plan_years(plans_dir)
        for d in load_duties(load_plan(Path(plans_dir) / str(year)))
        for u in d.units
    )
