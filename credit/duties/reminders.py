"""Reminders and escalation of the plan's duties: what the credit office is told each working day, as one
digest (the `duties` flow sends it through the alert webhook, like the other digests of credit.alerts).

Rules (working days on the State Council calendar, credit.workdays):
- remind: an obligation not yet delivered whose due date is exactly `days_before` working days away
  (default 3), and again on its due date itself;
- escalate: an obligation not delivered by its due date, on the 1st and on the 5th working day after it
  (at once, then a week later) — twice, not every day: a digest that repeats every overdue duty of the year
  each morning stops being read. What stays overdue remains in the flow's table artifact `duties-open`
  (overdue up to OPEN_DAYS calendar days), and in the monthly report (issue #16 item 5);
- on a rest day nothing is said (the working days left would repeat Friday's message over the weekend).

Nothing here imports Prefect."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from credit.alerts import Digest, _fit, unit_name
from credit.duties.obligations import Obligation, duty_obligations, periods
from credit.duties.rules import Duty
from credit.duties.status import Deliveries, status
from credit.links import PortalLinks
from credit.units import all_units
from credit.workdays import CalendarGap, WorkCalendar

DAYS_BEFORE = 3
ESCALATE_ON = (1, 5)  # working days after the due date (both within OPEN_DAYS)
OPEN_DAYS = 31  # how far back the open table looks for overdue obligations (calendar days)


@dataclass(frozen=True)
class Notice:
    obligation: Obligation
    kind: str  # "remind" | "escalate"
    workdays: int  # remind: working days left (0 = due today); escalate: working days overdue


def relevant(
    duties_by_year: dict[int, Iterable[Duty]], today: dt.date, calendar: WorkCalendar
) -> list[Obligation]:
    """The obligations a day's reminders look at: every period of the given years (each with the duties of
    the plan in force that year) that ends within 45 days of `today` or earlier — a later period cannot fall
    due within the reminder window. An obligation whose due date needs a calendar the project does not have
    yet (next year's 调休 before the State Council publishes it) is left out."""
    horizon = today + dt.timedelta(days=45)
    found: list[Obligation] = []
    for year, duties in sorted(duties_by_year.items()):
        for duty in duties:
            try:
                found.extend(duty_obligations(duty, year, calendar, ending_before=horizon))
            except CalendarGap:
                found.extend(_covered(duty, year, calendar, horizon))
    return found


def _covered(duty: Duty, year: int, calendar: WorkCalendar, horizon: dt.date) -> list[Obligation]:
    """duty_obligations period by period, dropping those whose due date falls in an unknown year."""
    out = []
    for period in periods(duty.cadence, year):
        if period.end >= horizon:
            continue
        try:
            due = duty.due_rule.due(period.end, calendar)
        except CalendarGap:
            continue
        out.extend(Obligation(u, duty.task, duty.id, duty.name, period.label, due) for u in duty.units)
    return out


def _counter(today: dt.date, calendar: WorkCalendar):
    """Working days from `today` to a due date (negative: past it), once per due date (they repeat)."""
    cache: dict[dt.date, int] = {}

    def count(due: dt.date) -> int:
        if due not in cache:
            if due >= today:
                cache[due] = calendar.workdays_between(today, due)
            else:
                cache[due] = -calendar.workdays_between(due, today)
        return cache[due]

    return count


def notices(
    obligations: Iterable[Obligation],
    today: dt.date,
    calendar: WorkCalendar,
    deliveries: Deliveries | None = None,
    *,
    days_before: int = DAYS_BEFORE,
) -> list[Notice]:
    """The day's reminders and escalations (see the module's rules), overdue first, then by due date, task,
    duty, period and unit (registry order). Empty on a rest day."""
    if not calendar.is_workday(today):
        return []
    count = _counter(today, calendar)
    found = []
    for o in obligations:
        state = status(o, today, deliveries)
        if state == "open":
            left = count(o.due)
            if left in (0, days_before):
                found.append(Notice(o, "remind", left))
        elif state == "missing" and (today - o.due).days <= OPEN_DAYS:
            late = -count(o.due)
            if late in ESCALATE_ON:
                found.append(Notice(o, "escalate", late))
    units = {code: i for i, code in enumerate(all_units())}
    return sorted(
        found,
        key=lambda n: (
            n.kind != "escalate",
            n.obligation.due,
            n.obligation.task,
            n.obligation.duty,
            n.obligation.period,
            units.get(n.obligation.unit, len(units)),
        ),
    )


def open_obligations(
    obligations: Iterable[Obligation],
    today: dt.date,
    calendar: WorkCalendar,
    deliveries: Deliveries | None = None,
    *,
    days_before: int = DAYS_BEFORE,
) -> list[tuple[Obligation, str, int]]:
    """For the table artifact: every obligation not delivered that fell due in the last `OPEN_DAYS` days or
    falls due within `days_before` working days, with its status and working days left (negative: overdue)."""
    rows = []
    since = today - dt.timedelta(days=OPEN_DAYS)
    count = _counter(today, calendar)
    for o in obligations:
        state = status(o, today, deliveries)
        if state == "missing" and o.due >= since:
            rows.append((o, state, count(o.due)))
        elif state == "open":
            left = count(o.due)
            if left <= days_before:
                rows.append((o, state, left))
    units = {code: i for i, code in enumerate(all_units())}
    return sorted(rows, key=lambda r: (r[2], r[0].task, r[0].duty, r[0].period, units.get(r[0].unit, 0)))


def _when(n: Notice) -> str:
    due = n.obligation.due.isoformat()
    if n.kind == "escalate":
        return f"{due} 截止，已逾期 {n.workdays} 个工作日"
    if n.workdays == 0:
        return f"{due} 截止（今天）"
    return f"{due} 截止，剩余 {n.workdays} 个工作日"


def _unit_lines(found: list[Notice]) -> list[str]:
    """One line per unit and kind: its duties grouped by due date, e.g.
    `· 市市场监管局：失信惩戒案例报送（2026-09）、信用宣传链接（2026-09），2026-10-13 截止，剩余 3 个工作日`."""
    groups: dict[tuple[str, str], dict[tuple[dt.date, int], list[Obligation]]] = {}
    for n in found:
        by_due = groups.setdefault((n.kind, n.obligation.unit), {})
        by_due.setdefault((n.obligation.due, n.workdays), []).append(n.obligation)
    lines = []
    for (kind, unit), by_due in groups.items():
        parts = []
        for (_, workdays), obls in by_due.items():
            what = "、".join(f"{o.name}（{o.period}）" for o in obls)
            parts.append(f"{what}，{_when(Notice(obls[0], kind, workdays))}")
        mark = "逾期" if kind == "escalate" else "提醒"
        lines.append(f"· [{mark}] {unit_name(unit)}：{'；'.join(parts)}")
    return lines


@dataclass
class DutyDigest(Digest):
    """The day's reminders and escalations: an alert digest (credit.alerts) of kind "duties"."""

    reminded: int = 0
    escalated: int = 0

    def payload(self) -> dict:
        return {**super().payload(), "reminded": self.reminded, "escalated": self.escalated}


def digest(found: list[Notice], today: dt.date, links: PortalLinks | None = None) -> DutyDigest | None:
    """One message for the day: the subject with both counts, overdue units first, then the reminders,
    trimmed to a robot message's size; None when there is nothing to say. `links` (CREDIT_PORTAL_URL set):
    the next step points the units to their duties page in the portal."""
    if not found:
        return None
    reminded = sum(n.kind == "remind" for n in found)
    escalated = len(found) - reminded
    by_unit: dict[str, dict[str, int]] = {}
    for n in found:
        counts = by_unit.setdefault(n.obligation.unit, {})
        counts[n.kind] = counts.get(n.kind, 0) + 1
    day = today.isoformat()
    subject = f"【双公示】{day} 重点工作任务提醒：{reminded} 项即将到期，{escalated} 项已逾期"
    head = [
        f"依据年度社会信用体系建设工作方案，{len(by_unit)} 个单位有报送事项即将到期或已逾期未报"
        f"（按工作日计算，节假日和调休已扣除）。"
    ]
    items = _unit_lines(found)
    rest = "· 另有 {n} 条未列出，见 Prefect 界面 duties 运行的“重点工作任务”表（duties-open）"
    step = "下一步：请通知上列单位在截止日期前报送；已逾期的请督促尽快补报。"
    if links is not None:
        step += f"各单位登录门户可查看本单位的事项和已收到的证据：{links.clerk_duties()}"
    tail = [step]
    lines = _fit(head, items, rest, tail, subject)
    return DutyDigest("duties", today, subject, lines, reminded + escalated, by_unit, reminded, escalated)
