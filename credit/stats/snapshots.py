"""A day's statistics as a snapshot in the store: saved, restated as the next revision when other numbers
come, and read back for the bulletin (the day's revisions, the month's suspected gaps)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from credit.counters import COUNT_FIELDS
from credit.stats.report import DailyReport, UnitStat
from credit.store.models import DailyStat
from credit.units import all_units

# Suspected gaps stored per unit, dataset and day: every one in practice; a mistyped number far beyond the
# series (…〔2026〕1200号 for 120号) could open thousands, so the list stops here, the true total beside it.
MAX_GAPS = 1000

# Fields whose values make a day's snapshot: another value on recomputation is a restatement.
SNAPSHOT_FIELDS = ("deadline_workdays", *COUNT_FIELDS, "suspected_gaps_total", "suspected_gaps")


def _snapshot(stat: DailyStat) -> dict:
    return {
        "deadline_workdays": stat.deadline_workdays,
        **{f: getattr(stat, f) for f in COUNT_FIELDS},
        "suspected_gaps_total": stat.suspected_gaps_total or 0,
        "suspected_gaps": list(stat.suspected_gaps or []),
    }


def save_daily(session: Session, report: DailyReport) -> int:
    """Store the report as the day's snapshot (for the report's units) and set `report.revision`/`restated`.

    The same numbers as stored (the same knowledge) keep the stored revision and change nothing. Other numbers
    (a reference file arrived since, a late delivery, another deadline) are a restatement: the day's next
    revision, with what changed per unit, dataset and field (old → new) kept in each row's `restated`."""
    stored = {
        (s.unit, s.dataset): s
        for s in session.execute(select(DailyStat).where(DailyStat.date == report.date)).scalars()
    }
    day_revision = max((s.revision for s in stored.values()), default=0)
    changes: dict[tuple[str, str], dict[str, list]] = {}
    for row in report.rows:
        new = _row_snapshot(report, row)
        old_stat = stored.get((row.unit, row.dataset))
        old = _snapshot(old_stat) if old_stat is not None else None
        if old is None:
            if stored:  # a unit or dataset the stored snapshot did not have
                changes[(row.unit, row.dataset)] = {f: [None, new[f]] for f in SNAPSHOT_FIELDS if new[f]}
            continue
        diff = {f: [old[f], new[f]] for f in SNAPSHOT_FIELDS if old[f] != new[f]}
        if diff:
            changes[(row.unit, row.dataset)] = diff
    restated_before = _day_restatements(stored.values())
    if stored and not changes:
        report.revision, report.restated = day_revision, restated_before
        return 0
    revision = day_revision + 1 if stored else 1
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for row in report.rows:
        new = _row_snapshot(report, row)
        stat = stored.get((row.unit, row.dataset)) or DailyStat(
            date=report.date,
            unit=row.unit,
            dataset=row.dataset,
            deadline_workdays=_row_snapshot(report, row)["deadline_workdays"],
        )
        diff = changes.get((row.unit, row.dataset))
        if diff:
            stat.restated = [*(stat.restated or []), {"revision": revision, "at": at, "changes": diff}]
        stat.deadline_workdays = new["deadline_workdays"]
        for f in COUNT_FIELDS:
            setattr(stat, f, new[f])
        stat.suspected_gaps = list(row.suspected_gaps[:MAX_GAPS]) or None
        stat.suspected_gaps_total = new["suspected_gaps_total"]
        stat.revision = revision
        session.add(stat)
    session.flush()
    report.revision = revision
    report.restated = _day_restatements(
        session.execute(select(DailyStat).where(DailyStat.date == report.date)).scalars()
    )
    return len(report.rows)


def _row_snapshot(report: DailyReport, row: UnitStat) -> dict:
    return {
        "deadline_workdays": report.deadline_workdays
        if row.deadline_workdays is None
        else row.deadline_workdays,
        **asdict(row.counts),
        "suspected_gaps_total": row.suspected_gaps_total,
        "suspected_gaps": list(row.suspected_gaps[:MAX_GAPS]),
    }


def _day_restatements(stats: Iterable[DailyStat]) -> list[dict]:
    """`[{"revision": 2, "at": …, "changes": [{"unit","unit_name","dataset","field","old","new"}, …]}, …]`."""
    by_revision: dict[int, dict] = {}
    for stat in stats:
        for entry in stat.restated or []:
            item = by_revision.setdefault(
                entry["revision"], {"revision": entry["revision"], "at": entry["at"], "changes": []}
            )
            unit = all_units().get(stat.unit)
            for name, (old, new) in entry["changes"].items():
                item["changes"].append(
                    {
                        "unit": stat.unit,
                        "unit_name": unit.name if unit else stat.unit,
                        "dataset": stat.dataset,
                        "field": name,
                        "old": old,
                        "new": new,
                    }
                )
    for item in by_revision.values():
        item["changes"].sort(key=lambda c: (c["unit"], c["dataset"], SNAPSHOT_FIELDS.index(c["field"])))
    return [by_revision[r] for r in sorted(by_revision)]


def day_revisions(session: Session, first: dt.date, last: dt.date) -> dict[dt.date, int]:
    """Which revision of each day's statistics the store holds for [first, last] (what a bulletin built now
    uses): {date: revision}, days without statistics left out."""
    query = (
        select(DailyStat.date, func.max(DailyStat.revision))
        .where(DailyStat.date >= first, DailyStat.date <= last)
        .group_by(DailyStat.date)
        .order_by(DailyStat.date)
    )
    return {day: revision for day, revision in session.execute(query)}


@dataclass
class GapList:
    """The suspected gaps (疑似漏报) of a unit and dataset as of `as_of`, the last day of the month with
    statistics: `numbers` sorted (at most MAX_GAPS), `total` the true count."""

    unit: str
    dataset: str
    numbers: list[str]
    total: int
    as_of: dt.date
    revision: int

    @property
    def unit_name(self) -> str:
        u = all_units().get(self.unit)
        return u.name if u else self.unit


def month_suspected_gaps(session: Session, month: str | dt.date) -> list[GapList]:
    """Per unit and dataset with any, the suspected gaps of a month (`"2026-11"` or a date in it): those of the
    month's last day with statistics, since every day's list covers the whole year's series as known that
    day (a gap filled later in the month is gone, one still open is there). Registry order, then dataset."""
    first = dt.date.fromisoformat(f"{month}-01") if isinstance(month, str) else month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    day = session.execute(
        select(func.max(DailyStat.date)).where(DailyStat.date >= first, DailyStat.date <= last)
    ).scalar()
    if day is None:
        return []
    stats = session.execute(
        select(DailyStat).where(DailyStat.date == day, DailyStat.suspected_gaps_total > 0)
    ).scalars()
    order = {code: i for i, code in enumerate(all_units())}
    out = [
        GapList(s.unit, s.dataset, list(s.suspected_gaps or []), s.suspected_gaps_total, day, s.revision)
        for s in stats
    ]
    return sorted(out, key=lambda g: (order.get(g.unit, len(order)), g.unit, g.dataset))
