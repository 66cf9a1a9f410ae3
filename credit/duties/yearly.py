"""The year-end 任务完成情况表: the 34 tasks of the plan in force for a year, in the layout of the plan's own 任务分工表
(序号, 主要任务, 工作任务, 具体内容, 牵头单位, 配合单位, 完成时限) with three columns more: 完成情况, 佐证材料 and
未完成单位. Rows for the terminal, the JSON document of `credit duties --year --json` and the printable xlsx
under `out/duties/<yyyy>/`.

完成情况, on the day the table is made (`as_of`):
- a task with tracked duties (credit/data/plans/<year>/duties.csv) counts the obligations of the year's periods
  by status: 已完成 when none is missing or open, 部分完成 when some are missing and some delivered, 未完成 when
  all due are missing, 进行中 while some are not yet due — each followed by the counts (按时x、逾期y、未报z、
  未到期w); 未完成单位 lists the units with an obligation missing (short names, registry order, grouped by the
  number of periods missed);
- any other 持续开展 task: 持续开展;
- any other dated task: 已到期 or 未到期 against its deadline. A plan held over into a later year (the plan
  stays in force until the next one, `plan_for`) applies its deadlines to that year: 2023年12月 in the 2023 plan
  is 2026年12月 for the 2026 table.

`credit duties --year YYYY --json` prints `{"year": 2026, "plan": 2023, "as_of": "YYYY-MM-DD", "tasks": [{"task": 9,
"area", "group", "title", "lead": [codes], "co": [codes], "deadline": "持续开展" | "2026年12月", "duties": [duty ids],
"state": "done"|"partial"|"not_done"|"ongoing"|"continuous"|"due"|"not_due", "label": "<完成情况 as printed>",
"counts": {"open", "delivered", "late", "missing"} | null, "evidence": "<佐证材料 as printed>",
"behind": [{"unit": code, "missing": periods}]}]}`, the tasks in the plan's order."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from credit import escape
from credit.duties.obligations import Obligation, duty_obligations, periods
from credit.duties.plan import Plan, Task
from credit.duties.rules import Duty, load_duties
from credit.duties.status import STATUSES, Deliveries, status
from credit.sheets import LINE_HEIGHT, print_setup, wrapped_lines
from credit.units import all_units
from credit.workdays import WorkCalendar

HEADERS = (
    "序号",
    "主要任务",
    "工作任务",
    "具体内容",
    "牵头单位",
    "配合单位",
    "完成时限",
    "完成情况",
    "佐证材料",
    "未完成单位",
)
# Column widths (characters) chosen for A4 landscape: ~190 characters print at about 75 %.
WIDTHS = (5, 14, 14, 32, 12, 26, 10, 18, 22, 26)
STATES = ("done", "partial", "not_done", "ongoing", "continuous", "due", "not_due")


@dataclass(frozen=True)
class TaskRow:
    task: Task
    deadline: str  # 完成时限 as it applies in the year
    state: str  # one of STATES
    label: str  # 完成情况 as printed
    duties: tuple[str, ...]  # tracked duty ids, empty for an untracked task
    counts: dict[str, int] | None  # obligations by status (credit.duties.status.STATUSES), tracked tasks only
    evidence: str  # 佐证材料 as printed
    behind: dict[str, int]  # unit code -> periods missing, registry order

    def document(self) -> dict:
        t = self.task
        return {
            "task": t.number,
            "area": t.area,
            "group": t.group,
            "title": t.title,
            "lead": list(t.lead),
            "co": list(t.co),
            "deadline": self.deadline,
            "duties": list(self.duties),
            "state": self.state,
            "label": self.label,
            "counts": self.counts,
            "evidence": self.evidence,
            "behind": [{"unit": code, "missing": n} for code, n in self.behind.items()],
        }

    def cells(self) -> tuple:
        t = self.task
        return (
            t.number,
            f"{t.area}\n{t.group}",
            t.title,
            t.content,
            "、".join(t.lead_names),
            "、".join(t.co_names),
            self.deadline,
            self.label,
            self.evidence,
            behind_text(self.behind),
        )


def behind_text(behind: dict[str, int]) -> str:
    """未完成单位: short names in registry order, grouped by the periods they missed, most first
    (未报3期：市公安局、市民政局；未报1期：附城镇)."""
    registry = all_units()
    groups: dict[int, list[str]] = {}
    for code, n in behind.items():
        groups.setdefault(n, []).append(registry[code].short_name if code in registry else code)
    return "；".join(f"未报{n}期：{'、'.join(groups[n])}" for n in sorted(groups, reverse=True))


def deadline_in(task: Task, plan: Plan, year: int) -> dt.date | None:
    """The last day of a dated task's deadline month, moved into `year` when the plan is held over."""
    if task.due == "continuous":
        return None
    due_year, month = int(task.due[:4]) + year - plan.year, int(task.due[5:])
    following = dt.date(due_year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _deadline_text(task: Task, plan: Plan, year: int) -> str:
    end = deadline_in(task, plan, year)
    if end is None or plan.year == year:
        return task.deadline
    return f"{end.year}年{end.month}月"


def year_obligations(
    duty: Duty, year: int, as_of: dt.date, calendar: WorkCalendar, deliveries: Deliveries | None
) -> tuple[list[tuple[Obligation, str]], int]:
    """The duty's obligations of the year's periods that ended before `as_of`, with their status, and how many
    obligations belong to periods not ended yet (open; their due dates need no calendar)."""
    ended = duty_obligations(duty, year, calendar, ending_before=as_of)
    pending = sum(len(duty.units) for p in periods(duty.cadence, year) if p.end >= as_of)
    return [(o, status(o, as_of, deliveries)) for o in ended], pending


def _counts_text(counts: dict[str, int]) -> str:
    text = f"按时{counts['delivered']}、逾期{counts['late']}、未报{counts['missing']}"
    return text + (f"、未到期{counts['open']}" if counts["open"] else "")


def task_row(
    task: Task,
    plan: Plan,
    year: int,
    as_of: dt.date,
    duties: list[Duty],
    calendar: WorkCalendar,
    deliveries: Deliveries | None,
) -> TaskRow:
    deadline = _deadline_text(task, plan, year)
    tracked = [d for d in duties if d.task == task.number]
    if not tracked:
        if task.due == "continuous":
            state, label = "continuous", "持续开展"
        else:
            end = deadline_in(task, plan, year)
            state = "due" if as_of > end else "not_due"
            label = "已到期" if state == "due" else "未到期"  # against 完成时限, printed beside it
        return TaskRow(task, deadline, state, label, (), None, task.evidence, {})
    counts = dict.fromkeys(STATUSES, 0)
    missing: Counter[str] = Counter()
    for duty in tracked:
        found, pending = year_obligations(duty, year, as_of, calendar, deliveries)
        counts["open"] += pending
        for o, state in found:
            counts[state] += 1
            if state == "missing":
                missing[o.unit] += 1
    received = counts["delivered"] + counts["late"]
    if counts["open"]:
        state, word = "ongoing", "进行中"
    elif not counts["missing"]:
        state, word = "done", "已完成"
    elif received:
        state, word = "partial", "部分完成"
    else:
        state, word = "not_done", "未完成"
    evidence = f"{task.evidence}。已收{received}份" + (
        f"，逾期未报{counts['missing']}份" if counts["missing"] else ""
    )
    behind = {code: missing[code] for code in all_units() if code in missing}
    return TaskRow(
        task, deadline, state, f"{word}（{_counts_text(counts)}）", tuple(d.id for d in tracked), counts, evidence,
        behind,
    )  # fmt: skip


def year_rows(
    plan: Plan, year: int, as_of: dt.date, calendar: WorkCalendar, deliveries: Deliveries | None = None
) -> list[TaskRow]:
    """Every task of the plan, in its order, with its 完成情况 on `as_of`."""
    duties = load_duties(plan)
    return [task_row(t, plan, year, as_of, duties, calendar, deliveries) for t in plan.tasks.values()]


def year_document(year: int, plan: Plan, as_of: dt.date, rows: list[TaskRow]) -> dict:
    return {
        "year": year,
        "plan": plan.year,
        "as_of": as_of.isoformat(),
        "tasks": [r.document() for r in rows],
    }


def summary_lines(year: int, plan: Plan, as_of: dt.date, rows: list[TaskRow]) -> list[str]:
    """What `credit duties --year` prints: the counts of tasks by 完成情况, then the tasks with units behind."""
    by_state = Counter(r.state for r in rows)
    words = {"done": "已完成", "partial": "部分完成", "not_done": "未完成", "ongoing": "进行中",
             "continuous": "持续开展", "due": "已到期", "not_due": "未到期"}  # fmt: skip
    lines = [
        f"{year}年社会信用体系建设工作任务完成情况（{plan.year}年工作方案，{len(rows)}项任务，截至 {as_of.isoformat()}）：",
        "，".join(f"{words[s]} {by_state[s]} 项" for s in STATES if by_state[s]),
    ]
    for r in rows:
        if r.behind:
            lines.append(f"第{r.task.number}项 {r.task.title}：{r.label}；未完成单位 {len(r.behind)} 个")
    return lines


def workbook_path(out: Path, year: int) -> Path:
    return Path(out) / "duties" / str(year) / f"任务完成情况表_{year}.xlsx"


def write_workbook(path: Path, year: int, plan: Plan, as_of: dt.date, rows: list[TaskRow]) -> Path:
    """The table as the office prints it: A4 landscape, every column on the page width, the header row on every
    page, grid, wrapped text, page numbers; every text cell through credit.escape's xlsx rule."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "任务完成情况"
    last = get_column_letter(len(HEADERS))
    ws.append(escape.xlsx_row(ws, [f"{year}年雷州市社会信用体系建设工作任务完成情况表"]))
    ws.append(
        escape.xlsx_row(
            ws,
            [
                f"依据《{plan.year}年雷州市社会信用体系建设工作方案》任务分工表；完成情况截至"
                f"{as_of.year}年{as_of.month}月{as_of.day}日，定期报送事项按各单位报送记录统计"
            ],
        )
    )
    ws.merge_cells(f"A1:{last}1")
    ws.merge_cells(f"A2:{last}2")
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws["A2"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    ws.row_dimensions[2].height = LINE_HEIGHT + 3
    ws.append(escape.xlsx_row(ws, HEADERS))
    for row in rows:
        ws.append(escape.xlsx_row(ws, row.cells()))
    edge = Side(style="thin")
    for column, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    for line in ws.iter_rows(min_row=3):
        lines = 1
        for column, cell in enumerate(line, start=1):
            cell.border = Border(left=edge, right=edge, top=edge, bottom=edge)
            centred = column in (1, 7) or cell.row == 3
            cell.alignment = Alignment(
                wrap_text=True, vertical="center", horizontal="center" if centred else "left"
            )
            if cell.row == 3:
                cell.font = Font(bold=True)
            if isinstance(cell.value, str):
                # two characters to spare: quotes and brackets print full width beside CJK text
                lines = max(lines, wrapped_lines(cell.value, WIDTHS[column - 1] - 2))
        ws.row_dimensions[line[0].row].height = LINE_HEIGHT * lines + 3
    ws.freeze_panes = "A4"
    print_setup(ws, "3:3")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path
