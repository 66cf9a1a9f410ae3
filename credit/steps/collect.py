"""Collect step: a unit's inbox and SQL sources into the store (records, versions, withdrawal requests); the
unit registry and the reference feed, which the later steps read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import select

from credit.collect import UnitCollect, collect_sql, collect_unit
from credit.duties.rules import duty_units
from credit.reference_feed import load_reference_feed
from credit.settings import Settings
from credit.store import UnitRow, session_scope
from credit.units import Unit, all_units, collected_units
from credit.workdays import WorkCalendar


def daily_units() -> list[Unit]:
    """Whom the daily run collects, in registry order: every unit that reports a dataset (the 49 双公示 units
    first, then the other reporters) and every unit that owes evidence of a duty of the plan."""
    reporters = {u.code for u in collected_units()}
    owing = duty_units()
    return [u for u in all_units().values() if u.code in reporters or u.code in owing]


@dataclass(frozen=True)
class Quarantined:
    """A file set aside because it could not be read."""

    unit: str
    name: str
    reason: str | None
    path: str | None

    def as_dict(self) -> dict:
        return {"unit": self.unit, "name": self.name, "reason": self.reason, "path": self.path}


def collect(settings: Settings, unit: str, report_date: dt.date) -> UnitCollect:
    """Collect one unit's new files for the report date, then its SQL sources (CREDIT_SQL_SOURCES); the
    result's notes name the unit's datasets read from a database that no source configures (not collected)."""
    result = collect_unit(settings, unit, report_date)
    read = collect_sql(settings, unit, report_date)
    result.files += read.files
    result.notes += read.notes
    return result


def quarantined(result: UnitCollect) -> list[Quarantined]:
    """The files the collection set aside, for the run's one quarantine digest."""
    return [Quarantined(result.unit, f.name, f.reason, f.stored_path) for f in result.quarantined]


def sync_units(settings: Settings) -> int:
    """Load the registry into the store (insert new units, update changed names); returns how many units."""
    units = all_units()
    with session_scope(settings.database_url) as session:
        known = {u.code: u for u in session.exec(select(UnitRow))}
        for u in units.values():
            row = known.get(u.code) or UnitRow(code=u.code)
            row.name, row.short_name, row.kind = u.name, u.short_name, u.kind
            row.shuanggongshi, row.uscc = u.shuanggongshi, u.uscc
            session.add(row)
    return len(units)


def load_references(settings: Settings) -> int:
    """Read new reference-feed files (decisions units are known to have made); returns the new decisions."""
    with session_scope(settings.database_url) as session:
        return load_reference_feed(
            session,
            settings.reference,
            WorkCalendar(settings.calendar_override),
            settings.deadline_workdays,
        )
