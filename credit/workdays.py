"""Working days on the State Council holiday calendar, 调休 included (docs/standard.md §5).

`chinesecalendar` covers 2004–2026. Later years come from an override file (CSV `date,kind` with kind
`holiday` or `workday`, one row per exception to the Monday–Friday rule) — `credit/data/calendar_override.csv`
ships with the project and `CREDIT_CALENDAR_OVERRIDE` adds a local one. A year nobody covers raises
`CalendarGap` with a message saying what to do; it never guesses.
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import cache
from pathlib import Path

from credit.standard import DATA_DIR

BUILTIN_OVERRIDE = DATA_DIR / "calendar_override.csv"


class CalendarGap(LookupError):
    """The holiday schedule of a year is not known: fill in an override file."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"{year}年的法定节假日和调休安排未知，无法计算工作日。请在 CREDIT_CALENDAR_OVERRIDE 指向的文件中补充"
            f"（每行 date,kind；kind 为 holiday 或 workday）。"
            f" / The {year} holiday schedule is unknown: add it to the calendar override file "
            f"(CREDIT_CALENDAR_OVERRIDE, rows `date,kind` with kind holiday|workday)."
        )


@cache
def _package_years() -> tuple[int, int]:
    import chinese_calendar

    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


@cache
def _override(path: Path | None) -> tuple[dict[dt.date, bool], frozenset[int]]:
    """date -> is_workday, and the years the file declares complete."""
    days: dict[dt.date, bool] = {}
    years: set[int] = set()
    for file in filter(None, (BUILTIN_OVERRIDE, path)):
        if not Path(file).is_file():
            continue
        with open(file, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                kind = (row.get("kind") or "").strip().lower()
                day = dt.date.fromisoformat(row["date"].strip())
                if kind == "year":  # a year with no exception at all still has to be declared
                    years.add(day.year)
                    continue
                if kind not in ("holiday", "workday"):
                    raise ValueError(
                        f"日历覆盖文件 {file}: 未知类型 {kind!r}（应为 holiday / workday / year）"
                    )
                days[day] = kind == "workday"
                years.add(day.year)
    return days, frozenset(years)


class WorkCalendar:
    def __init__(self, override: Path | None = None):
        self.override = Path(override) if override else None

    def is_workday(self, day: dt.date) -> bool:
        days, years = _override(self.override)
        if day in days:
            return days[day]
        if day.year in years:
            return day.weekday() < 5
        low, high = _package_years()
        if low <= day.year <= high:
            import chinese_calendar

            return chinese_calendar.is_workday(day)
        raise CalendarGap(day.year)

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after `day` (the day itself is not counted, 民法典第二百零一条)."""
        current = day
        while n > 0:
            current += dt.timedelta(days=1)
            if self.is_workday(current):
                n -= 1
        return current

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many working days a report on `end` took after `start`."""
        if end <= start:
            return 0
        count = 0
        current = start
        while current < end:
            current += dt.timedelta(days=1)
            count += self.is_workday(current)
        return count

    def is_late(self, decision: dt.date, received: dt.date, deadline_workdays: int) -> bool:
        return self.workdays_between(decision, received) > deadline_workdays

    def deadline(self, decision: dt.date, deadline_workdays: int) -> dt.date:
        return self.add_workdays(decision, deadline_workdays)

    def check_covered(self, *days: dt.date) -> None:
        """Fail early, before a run starts, if any of these years is unknown."""
        for day in days:
            self.is_workday(dt.date(day.year, 1, 1))


def working_days_until(end: dt.date, count: int, calendar: WorkCalendar) -> list[dt.date]:
    """The `count` working days ending on `end` (or on the last working day before it), oldest first."""
    days: list[dt.date] = []
    day = end
    while len(days) < count:
        if calendar.is_workday(day):
            days.append(day)
        day -= dt.timedelta(days=1)
    return days[::-1]
