"""Working days on the State Council calendar with 调休 (docs/standard.md §5), and the override for later years."""

from __future__ import annotations

import datetime as dt

import pytest

from credit.workdays import BUILTIN_OVERRIDE, CalendarGap, WorkCalendar, _override

D = dt.date


def test_standard_example_golden_week_2023():
    # Thu 2023-09-28 reported Sun 2023-10-08: 10-07 and 10-08 were 调休 working days -> 2 working days.
    cal = WorkCalendar()
    assert cal.workdays_between(D(2023, 9, 28), D(2023, 10, 8)) == 2
    assert not cal.is_late(D(2023, 9, 28), D(2023, 10, 8), 3)


def test_saturday_tiaoxiu_2026_counts_as_working_day():
    cal = WorkCalendar()
    assert cal.is_workday(D(2026, 10, 10))  # a Saturday, 调休
    assert not cal.is_workday(D(2026, 10, 5))  # a Monday in the National Day holiday
    # decided Wed 2026-09-30, reported Sat 2026-10-10: 10-08, 10-09, 10-10 -> on time with N=3
    assert cal.workdays_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert not cal.is_late(D(2026, 9, 30), D(2026, 10, 10), 3)
    # decided Tue 2026-09-29: 09-30 counts too -> 4 working days, late
    assert cal.is_late(D(2026, 9, 29), D(2026, 10, 10), 3)
    assert cal.deadline(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert cal.deadline(D(2026, 9, 29), 3) == D(2026, 10, 9)


def test_decision_day_itself_is_not_counted():
    cal = WorkCalendar()
    assert cal.workdays_between(D(2026, 3, 2), D(2026, 3, 2)) == 0
    assert cal.workdays_between(D(2026, 3, 2), D(2026, 3, 3)) == 1
    assert cal.add_workdays(D(2026, 3, 6), 1) == D(2026, 3, 9)  # Friday -> Monday


@pytest.mark.skipif(2027 in _override(None)[1], reason="the shipped override already covers 2027")
def test_2027_without_override_is_a_clear_calendar_gap():
    cal = WorkCalendar()
    with pytest.raises(CalendarGap) as info:
        cal.is_workday(D(2027, 3, 1))
    message = str(info.value)
    assert "2027" in message and "CREDIT_CALENDAR_OVERRIDE" in message and "holiday" in message
    with pytest.raises(CalendarGap):
        cal.check_covered(D(2027, 1, 4))


def test_override_file_covers_a_later_year(tmp_path):
    override = tmp_path / "override.csv"
    override.write_text(
        "date,kind\n2027-01-01,holiday\n2027-02-06,workday\n2027-02-08,holiday\n", encoding="utf-8"
    )
    cal = WorkCalendar(override)
    cal.check_covered(D(2027, 6, 1))
    assert not cal.is_workday(D(2027, 1, 1))  # a Friday declared holiday
    assert cal.is_workday(D(2027, 2, 6))  # a Saturday declared working day
    assert cal.is_workday(D(2027, 3, 1))  # an ordinary Monday of a declared year
    assert not cal.is_workday(D(2027, 3, 6))  # an ordinary Saturday
    # Thu 2027-02-04 -> Fri 02-05 (1), Sat 02-06 调休 (2), Mon 02-08 holiday, Tue 02-09 (3)
    assert cal.deadline(D(2027, 2, 4), 3) == D(2027, 2, 9)


def test_shipped_override_file_has_the_documented_format():
    header = BUILTIN_OVERRIDE.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.strip() == "date,kind"
