"""重点工作任务落实情况 of the 月通报: the plan's recurring obligations (credit.duties) falling due in the
bulletin's month, per duty and period, with their status on the issue date: how many units delivered on time,
late or not at all, the late and missing ones named (short names, registry order).

In the body: one paragraph of totals, a small table (one row per duty and period) and, per duty, the units
named. When more units are named than a page of text holds (`INLINE_NAMES`), the body keeps the counts and
the names go to an 附件 table, one row per unit (`content.compose` numbers it after the other 附件). A month
before any plan has no section (`month_duties` gives None)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from credit.duties.obligations import Obligation, due_in_month
from credit.duties.plan import PlanError, plan_for
from credit.duties.rules import load_duties
from credit.duties.status import LABELS, Deliveries, status
from credit.reports.bulletin.document import Annex, Para, Table
from credit.reports.bulletin.layout import cn_number
from credit.units import all_units
from credit.workdays import CalendarGap, WorkCalendar

HEADING = "重点工作任务落实情况"
INLINE_NAMES = 40  # late and missing units named in the body at most; more: the list goes to an 附件
CN_QUARTER = "一二三四"


def period_text(period: str) -> str:
    """2026-08 → 2026年8月; 2026-Q3 → 2026年第三季度."""
    year, _, rest = period.partition("-")
    if rest.startswith("Q"):
        return f"{year}年第{CN_QUARTER[int(rest[1:]) - 1]}季度"
    return f"{year}年{int(rest)}月"


def _md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


@dataclass(frozen=True)
class DutyLine:
    """One duty's obligations for one period: the units (registry codes, registry order) by status."""

    task: int
    duty: str  # duty id
    name: str
    period: str
    due: dt.date
    units: dict[str, tuple[str, ...]]  # status -> codes

    def count(self, state: str) -> int:
        return len(self.units.get(state, ()))

    @property
    def total(self) -> int:
        return sum(len(codes) for codes in self.units.values())


def duty_lines(
    obligations: Iterable[Obligation], today: dt.date, deliveries: Deliveries | None
) -> list[DutyLine]:
    """The obligations grouped by task, duty and period, in the order given (due date, task, duty)."""
    groups: dict[tuple[int, str, str], list[Obligation]] = {}
    for o in obligations:
        groups.setdefault((o.task, o.duty, o.period), []).append(o)
    order = {code: i for i, code in enumerate(all_units())}
    lines = []
    for (task, duty, period), found in groups.items():
        units: dict[str, list[str]] = {}
        for o in sorted(found, key=lambda o: order.get(o.unit, len(order))):
            units.setdefault(status(o, today, deliveries), []).append(o.unit)
        due = max(o.due for o in found)
        lines.append(
            DutyLine(task, duty, found[0].name, period, due, {k: tuple(v) for k, v in units.items()})
        )
    return lines


def _short(codes: Iterable[str]) -> str:
    registry = all_units()
    return "、".join(registry[c].short_name if c in registry else c for c in codes)


@dataclass(frozen=True)
class DutySection:
    plan_year: int
    month: str
    as_of: dt.date  # the bulletin's issue date
    lines: list[DutyLine]
    unknown_year: int | None = None  # the due dates need a year's holiday schedule that is not known

    def period_cell(self, period: str) -> str:
        """A period in a table cell: without its year when it is the bulletin's (8月, 第二季度), so that the
        cell stays one line in Word and LibreOffice alike."""
        text = period_text(period)
        return text[5:] if period[:4] == self.month[:4] else text

    @property
    def named(self) -> int:
        return sum(line.count("late") + line.count("missing") for line in self.lines)

    @property
    def long(self) -> bool:
        return self.named > INLINE_NAMES

    def table(self) -> Table:
        headers = ["任务", "事项", "期间", "截止日期", "应报", "按时报送", "逾期报送", "逾期未报"]
        opened = any(line.count("open") for line in self.lines)
        if opened:
            headers.append("未到期")
        rows = []
        for line in self.lines:
            counts = [line.total, line.count("delivered"), line.count("late"), line.count("missing")]
            counts += [line.count("open")] if opened else []
            rows.append(
                [f"第{line.task}项", line.name, self.period_cell(line.period), _md(line.due)]
                + [str(n) for n in counts]
            )
        numeric = [False] * 4 + [True] * (len(headers) - 4)
        return Table(headers, rows, numeric, {i for i, r in enumerate(self.lines) if r.count("missing")},
                     keep_together=True)  # fmt: skip

    def blocks(self, annex: str | None) -> list:
        """The section's body; `annex` (附件N) when the names go to an 附件."""
        first = dt.date.fromisoformat(self.month + "-01")
        if self.unknown_year:
            return [
                Para(
                    f"{self.unknown_year}年法定节假日安排未知，无法计算重点工作任务的截止日期，本月暂不通报。"
                )
            ]
        if not self.lines:
            return [Para(f"{first.year}年{first.month}月无到期的重点工作任务定期报送事项。")]
        total = sum(line.total for line in self.lines)
        counts = {s: sum(line.count(s) for line in self.lines) for s in LABELS}
        text = (
            f"根据《{self.plan_year}年雷州市社会信用体系建设工作方案》任务分工，{first.year}年{first.month}月到期的"
            f"定期报送事项{len(self.lines)}项，应报{total}个单位次。截至{self.as_of.year}年{_md(self.as_of)}，"
            f"按时报送{counts['delivered']}个，逾期报送{counts['late']}个，逾期未报{counts['missing']}个"
        )
        text += f"，未到期{counts['open']}个。" if counts["open"] else "。"
        if annex:
            text += f"逾期报送和逾期未报的单位名单见附件{annex[2:]}。"
        blocks: list = [Para(text + "分事项情况见下表："), self.table()]
        for i, line in enumerate(self.lines, start=1):
            lead = f"（{cn_number(i)}）{line.name}（第{line.task}项，{period_text(line.period)}）。"
            late, missing = line.units.get("late", ()), line.units.get("missing", ())
            if not late and not missing:
                said = "应报单位均已按时报送。" if not line.count("open") else "暂无逾期。"
            else:
                parts = [
                    f"{label}{len(codes)}个单位" + ("" if annex else f"：{_short(codes)}")
                    for label, codes in (("逾期报送", late), ("逾期未报", missing))
                    if codes
                ]
                said = "；".join(parts) + (f"（名单见附件{annex[2:]}）。" if annex else "。")
            blocks.append(Para(said, lead=lead))
        if counts["missing"]:
            blocks.append(Para("逾期未报的单位要尽快补报，并说明逾期原因。"))
        return blocks

    def annex(self, label: str) -> Annex:
        """The late and missing units, one row each: duty by duty, missing before late."""
        rows = []
        for line in self.lines:
            for state in ("missing", "late"):
                for code in line.units.get(state, ()):
                    rows.append(
                        [str(len(rows) + 1), _short([code]), f"第{line.task}项 {line.name}",
                         self.period_cell(line.period), _md(line.due), LABELS[state]]
                    )  # fmt: skip
        first = dt.date.fromisoformat(self.month + "-01")
        table = Table(["序号", "单位", "事项", "期间", "截止日期", "状态"], rows, [True] + [False] * 5)
        return Annex(
            label, [f"{first.year}年{first.month}月", "重点工作任务", "逾期报送和逾期未报单位名单"], [table]
        )


def month_duties(
    month: str, as_of: dt.date, calendar: WorkCalendar | None, deliveries: Deliveries | None
) -> DutySection | None:
    """The section for `month` with statuses on `as_of`; None when no plan covers the month's year."""
    try:
        plan = plan_for(int(month[:4]))
    except PlanError:
        return None
    try:
        obligations = due_in_month(load_duties(plan), month, calendar or WorkCalendar())
    except CalendarGap as gap:
        return DutySection(plan.year, month, as_of, [], gap.year)
    return DutySection(plan.year, month, as_of, duty_lines(obligations, as_of, deliveries))
