"""The month's numbers, computed once from the store: totals, per unit and dataset, ranking, 纠正率, trend.

The month's counts are the sums of its daily statistics (`DailyStat`), so the bulletin always agrees with
the 日统计 already sent; rates are computed from those sums (stats.Counts). The totals, the unit table, the
ranking, 纠正率 and the trend cover the 三清零 datasets (`MonthSummary.counted`, CREDIT_THREE_ZERO_DATASETS;
default 双公示); the other datasets are summed apart per unit and dataset (`MonthSummary.other_units`,
`other_by_dataset`) for the section 其他信用信息归集情况."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from credit import escape
from credit.reports.bulletin import sources
from credit.standard import datasets
from credit.stats import Counts
from credit.stats.report import three_zero_datasets
from credit.store.models import DailyStat, Record, RecordVersion
from credit.units import all_units, reporting_units

TREND_MONTHS = 6


@dataclass
class UnitLine:
    code: str
    name: str  # the plan's short name (市市场监管局)
    counts: Counts
    by_dataset: dict[str, Counts]
    gaps: dict[
        str, tuple[list[str], int]
    ]  # dataset -> (listed, true total), as of the month's last statistics
    invalid_first: int = 0
    corrected: int = 0
    rank: int | None = None  # None: nothing to rank (no record and no missing decision this month)
    reporting: bool = True  # in the registry's list of reporting units

    @property
    def has_data(self) -> bool:
        return self.counts.received + self.counts.missing > 0

    @property
    def gap_total(self) -> int:
        return sum(total for _, total in self.gaps.values())


@dataclass
class MonthSummary:
    month: str
    first: dt.date
    last: dt.date
    days: list[dt.date]
    deadline_workdays: int | None
    total: Counts
    by_dataset: dict[str, Counts]
    units: list[UnitLine]  # ranking order
    trend: list[tuple[str, Counts]]  # (YYYY-MM, totals), oldest first, this month last
    invalid_first: int
    corrected: int
    revisions: dict[dt.date, int] = field(default_factory=dict)  # statistics revision used per day
    counted: tuple[str, ...] = ("xzxk", "xzcf")  # the datasets of the totals, ranking and 三清零
    # The units with data of the other datasets (其他信用信息), registry order; N per counted dataset.
    other_units: list[UnitLine] = field(default_factory=list)
    deadlines: dict[str, int] = field(default_factory=dict)

    @property
    def counted_by_dataset(self) -> dict[str, Counts]:
        return {d: self.by_dataset.get(d, Counts()) for d in self.counted}

    @property
    def other_by_dataset(self) -> dict[str, Counts]:
        """The other datasets with something this month (display order)."""
        return {d: c for d, c in self.by_dataset.items() if d not in self.counted and _active(c)}

    @property
    def fix_rate(self) -> float | None:
        """纠正率 = records first received this month with an invalid first version that have, by the end
        of the month, a later valid version / those invalid records."""
        return self.corrected / self.invalid_first if self.invalid_first else None

    @property
    def short(self) -> list[UnitLine]:
        return [u for u in self.units if not u.counts.three_zero]

    @property
    def reporting(self) -> list[UnitLine]:
        return [u for u in self.units if u.reporting]

    def as_dict(self) -> dict:
        return {
            "month": self.month,
            "days": [d.isoformat() for d in self.days],
            "statistics_revisions": {d.isoformat(): r for d, r in self.revisions.items()},
            "deadline_workdays": self.deadline_workdays,
            "three_zero_datasets": list(self.counted),  # what total, units, ranking and trend cover
            "total": self.total.as_dict(),
            "by_dataset": {k: v.as_dict() for k, v in self.by_dataset.items()},
            "invalid_first": self.invalid_first,
            "corrected": self.corrected,
            "fix_rate": self.fix_rate,
            "units": [
                {
                    "unit": u.code,
                    "name": u.name,
                    "rank": u.rank,
                    **u.counts.as_dict(),
                    "by_dataset": {k: v.as_dict() for k, v in u.by_dataset.items()},
                    "suspected_gaps": {k: v[0] for k, v in u.gaps.items()},
                    "suspected_gaps_total": {k: v[1] for k, v in u.gaps.items()},
                    "invalid_first": u.invalid_first,
                    "corrected": u.corrected,
                }
                for u in self.units
            ],
            "trend": [{"month": m, **c.as_dict()} for m, c in self.trend],
            "other_units": [
                {
                    "unit": u.code,
                    "name": u.name,
                    "by_dataset": {k: v.as_dict() for k, v in u.by_dataset.items()},
                }
                for u in self.other_units
            ],
        }


def _active(c: Counts) -> bool:
    """Something happened: a record, a correction, a push or a missing decision."""
    return bool(c.received or c.missing or c.corrections or c.pushed)


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"月份格式应为 YYYY-MM / month must be YYYY-MM: {month!r}") from None
    following = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def shift(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _counts(stat: DailyStat) -> Counts:
    return Counts(**{f: getattr(stat, f) for f in Counts.__dataclass_fields__})


def _rank_key(u: UnitLine):
    c = u.counts
    worst = 2.0  # rates are ≤ 1; a missing rate sorts last
    return (
        -(c.compliance_rate if c.compliance_rate is not None else -1),
        -(c.timely_rate if c.timely_rate is not None else -1),
        c.error_rate if c.error_rate is not None else worst,
        c.missing_rate if c.missing_rate is not None else worst,
    )


def month_summary(session: Session, month: str, counted: tuple[str, ...] | None = None) -> MonthSummary:
    """The month's totals from its DailyStat rows, ranking, corrections and the trend of earlier months, over
    the `counted` datasets (default: CREDIT_THREE_ZERO_DATASETS, else 双公示); the other datasets apart."""
    counted = three_zero_datasets(counted)
    first, last = month_bounds(month)
    start = shift(first, -(TREND_MONTHS - 1))
    rows = session.execute(
        select(DailyStat).where(DailyStat.date >= start, DailyStat.date <= last).order_by(DailyStat.date)
    ).scalars()
    by_month: dict[str, Counts] = defaultdict(Counts)
    cells: dict[tuple[str, str], Counts] = defaultdict(Counts)
    days: set[dt.date] = set()
    deadlines: dict[str, int] = {}
    for s in rows:
        c = _counts(s)
        if s.dataset in counted:
            by_month[f"{s.date:%Y-%m}"] = by_month[f"{s.date:%Y-%m}"] + c
        if s.date < first:
            continue
        days.add(s.date)
        if s.dataset in counted:
            deadlines[s.dataset] = s.deadline_workdays
        cells[(s.unit, s.dataset)] = cells[(s.unit, s.dataset)] + c
    gaps = {(g.unit, g.dataset): g for g in sources.suspected_gaps(session, first, last)}

    invalid_first, corrected = _corrections(session, first, last, counted)
    reporting_codes = [u.code for u in reporting_units()]
    seen = {unit for unit, d in cells if d in counted} | {unit for unit, _ in gaps}
    others = sorted(seen - set(reporting_codes))
    registry = all_units()
    catalogue = list(datasets())
    lines = []
    for code in reporting_codes + others:
        per = {d: cells.get((code, d), Counts()) for d in counted}
        total = sum(per.values(), Counts())
        unit_gaps = {
            d: ([escape.mask(n) for n in gaps[(code, d)].numbers], gaps[(code, d)].total)
            for d in datasets()
            if (code, d) in gaps
        }
        lines.append(
            UnitLine(
                code=code,
                name=registry[code].short_name if code in registry else code,
                counts=total,
                by_dataset=per,
                gaps=unit_gaps,
                invalid_first=invalid_first.get(code, 0),
                corrected=corrected.get(code, 0),
                reporting=code in reporting_codes,
            )
        )
    ranked = sorted((u for u in lines if u.has_data), key=_rank_key)
    previous_key, rank = None, 0
    for position, u in enumerate(ranked, start=1):
        key = _rank_key(u)
        if key != previous_key:
            rank, previous_key = position, key
        u.rank = rank
    ordered = ranked + [u for u in lines if not u.has_data]

    position = {code: i for i, code in enumerate(registry)}
    other_lines = []
    for code in sorted(
        {u for u, d in cells if d not in counted}, key=lambda c: (position.get(c, len(position)), c)
    ):
        per = {
            d: cells[(code, d)]
            for d in catalogue
            if d not in counted and _active(cells.get((code, d), Counts()))
        }
        if per:
            name = registry[code].short_name if code in registry else code
            other_lines.append(UnitLine(code, name, sum(per.values(), Counts()), per, {}, reporting=False))

    total, by_dataset = Counts(), {d: Counts() for d in catalogue}
    for (_unit, dataset), c in cells.items():
        if dataset in counted:
            total = total + c
        by_dataset[dataset] = by_dataset.get(dataset, Counts()) + c
    trend = [(m, by_month[m]) for m in sorted(by_month)]
    if month not in by_month:
        trend.append((month, total))
    return MonthSummary(
        month=month,
        first=first,
        last=last,
        days=sorted(days),
        deadline_workdays=next((deadlines[d] for d in counted if d in deadlines), None),  # 双公示's first
        total=total,
        by_dataset=by_dataset,
        units=ordered,
        trend=trend,
        invalid_first=sum(invalid_first.values()),
        corrected=sum(corrected.values()),
        revisions=sources.revisions(session, first, last),
        counted=counted,
        other_units=other_lines,
        deadlines={d: deadlines[d] for d in counted if d in deadlines},
    )


def _corrections(
    session: Session, first: dt.date, last: dt.date, counted: tuple[str, ...]
) -> tuple[dict[str, int], dict[str, int]]:
    """Per unit: records of the `counted` datasets first received in the month whose first version was
    invalid, and how many of them had a valid later version by the end of the month."""
    v1 = aliased(RecordVersion)
    v2 = aliased(RecordVersion)
    invalid = session.execute(
        select(Record.id, Record.unit)
        .join(v1, and_(v1.record_id == Record.id, v1.version == 1))
        .where(
            Record.first_received >= first,
            Record.first_received <= last,
            v1.status == "invalid",
            Record.dataset.in_(counted),
        )
    ).all()
    ids = {rid: unit for rid, unit in invalid}
    invalid_by_unit: dict[str, int] = defaultdict(int)
    for unit in ids.values():
        invalid_by_unit[unit] += 1
    fixed_by_unit: dict[str, int] = defaultdict(int)
    id_list = list(ids)
    for start in range(0, len(id_list), 500):
        chunk = id_list[start : start + 500]
        fixed = session.execute(
            select(v2.record_id)
            .where(v2.record_id.in_(chunk), v2.version > 1, v2.status == "valid", v2.received_date <= last)
            .distinct()
        ).scalars()
        for rid in fixed:
            fixed_by_unit[ids[rid]] += 1
    return dict(invalid_by_unit), dict(fixed_by_unit)
