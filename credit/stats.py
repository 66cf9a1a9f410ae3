"""日统计: the daily statistics per unit and dataset, exactly as DESIGN.md "Daily statistics" defines them.

For report date D and N = CREDIT_DEADLINE_WORKDAYS:

- received: distinct records (`Record`, one per business key) with `first_received == D`; a correction is a
  new version of an existing record, not a new record.
- invalid: of those, records whose first version (version 1) has status `invalid`.
- late: of those, records received more than N working days after their decision date; a record whose
  decision date is unknown is not late.
- invalid_or_late: of those, records invalid or late or both (each counted once), for compliance_rate.
- missing: reference decisions whose deadline is D and for which no record of the same dataset, unit and
  decision document number was first received on or before D (each missing decision counted once, on its
  deadline day).
- corrections (纠正): versions > 1 received on D.
- pushed / accepted / rejected: items of the batches whose `report_date` is D (the run that settled them);
  a `duplicate` answer means the platform already holds that record, so it counts as accepted.
- rates: error = invalid/received, late = late/received, timely = 1 − late_rate,
  missing = missing/(received+missing), compliance = (received − invalid_or_late)/(received+missing);
  a zero denominator gives None (JSON null), never 0 or 1.
- three_zero (三清零): late, missing and invalid all zero over the period.
- suspected_gaps (疑似漏报, listed, not counted): holes in a unit's sequential document numbers
  `<prefix>〔YYYY〕N号`, one series per unit, dataset and year whatever the prefix variant (independent series
  declared in `credit/data/doc_number_series.csv`), never a number received in any form or listed by the
  reference feed; `suspected_gaps_total` is the true count.

A day's statistics are a snapshot (`save_daily`): recomputed with the same knowledge they stay as they are,
revision and all; recomputed with other results they are restated as the day's next revision, and what
changed (unit, dataset, field, old → new) is kept in the store and written in stats.json ("revision",
"restated"). For the bulletin: `month_suspected_gaps` and `day_revisions`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from credit import escape
from credit.reference_feed import _BRACKETS, doc_no_key
from credit.standard import DATA_DIR, DATASET_NAMES, datasets
from credit.store.models import Batch, BatchItem, DailyStat, Record, RecordVersion, ReferenceDecision
from credit.units import Unit, all_units, reporting_units
from credit.workdays import CalendarGap, WorkCalendar

COUNT_FIELDS = (
    "received",
    "invalid",
    "late",
    "invalid_or_late",
    "missing",
    "corrections",
    "pushed",
    "accepted",
    "rejected",
)
RATE_FIELDS = ("error_rate", "late_rate", "missing_rate", "timely_rate", "compliance_rate")
# Suspected gaps stored per unit, dataset and day: every one in practice; a mistyped number far beyond the
# series (…〔2026〕1200号 for 120号) could open thousands, so the list stops here, the true total beside it.
MAX_GAPS = 1000

COUNT_LABELS = {
    "received": "新增",
    "invalid": "错误",
    "late": "迟报",
    "invalid_or_late": "错误或迟报",
    "missing": "漏报",
    "corrections": "纠正",
    "pushed": "推送",
    "accepted": "平台接收",
    "rejected": "平台退回",
}
RATE_LABELS = {
    "error_rate": "错误率",
    "late_rate": "迟报率",
    "missing_rate": "漏报率",
    "timely_rate": "及时率",
    "compliance_rate": "达标率",
}


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class Counts:
    received: int = 0
    invalid: int = 0
    late: int = 0
    invalid_or_late: int = 0
    missing: int = 0
    corrections: int = 0
    pushed: int = 0
    accepted: int = 0
    rejected: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f: getattr(self, f) + getattr(other, f) for f in COUNT_FIELDS})

    @property
    def error_rate(self) -> float | None:
        return ratio(self.invalid, self.received)

    @property
    def late_rate(self) -> float | None:
        return ratio(self.late, self.received)

    @property
    def timely_rate(self) -> float | None:
        late = self.late_rate
        return None if late is None else 1 - late

    @property
    def missing_rate(self) -> float | None:
        return ratio(self.missing, self.received + self.missing)

    @property
    def compliance_rate(self) -> float | None:
        return ratio(self.received - self.invalid_or_late, self.received + self.missing)

    @property
    def three_zero(self) -> bool:
        return self.late == 0 and self.missing == 0 and self.invalid == 0

    def rates(self) -> dict[str, float | None]:
        return {r: getattr(self, r) for r in RATE_FIELDS}

    def as_dict(self) -> dict:
        return {**asdict(self), **self.rates(), "three_zero": self.three_zero}

    def shortfall(self) -> str:
        """`迟报2、漏报1`: what keeps a unit from 三清零 (empty when it has it)."""
        parts = [
            f"{COUNT_LABELS[f]}{getattr(self, f)}" for f in ("invalid", "late", "missing") if getattr(self, f)
        ]
        return "、".join(parts)


@dataclass
class UnitStat:
    unit: str
    dataset: str
    counts: Counts = field(default_factory=Counts)
    suspected_gaps: list[str] = field(default_factory=list)
    suspected_gaps_total: int = 0

    @property
    def unit_name(self) -> str:
        u = all_units().get(self.unit)
        return u.name if u else self.unit

    @property
    def short_name(self) -> str:
        u = all_units().get(self.unit)
        return u.short_name if u else self.unit

    def as_dict(self) -> dict:
        return {
            "unit": self.unit,
            "unit_name": self.unit_name,
            "dataset": self.dataset,
            **self.counts.as_dict(),
            "suspected_gaps": list(self.suspected_gaps),
            "suspected_gaps_total": self.suspected_gaps_total,
        }


@dataclass
class DailyReport:
    date: dt.date
    deadline_workdays: int
    rows: list[UnitStat]
    # Set by save_daily: the day's revision and, per restatement, what it changed (see `save_daily`).
    revision: int = 1
    restated: list[dict] = field(default_factory=list)

    @property
    def total(self) -> Counts:
        total = Counts()
        for row in self.rows:
            total = total + row.counts
        return total

    def unit_totals(self) -> dict[str, Counts]:
        """Per unit, both datasets together (registry order)."""
        result: dict[str, Counts] = {}
        for row in self.rows:
            result[row.unit] = result.get(row.unit, Counts()) + row.counts
        return result

    def short_of_three_zero(self) -> list[str]:
        """Unit codes with a late, missing or invalid record that day (registry order)."""
        return [u for u, c in self.unit_totals().items() if not c.three_zero]

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "deadline_workdays": self.deadline_workdays,
            "units": [row.as_dict() for row in self.rows],
            "total": self.total.as_dict(),
            # Additive keys: the snapshot's revision, and the restatements that led to it (if any).
            "revision": self.revision,
            **({"restated": self.restated} if self.restated else {}),
        }


# --- document numbers -------------------------------------------------------------------------------------

_DOC_NO = re.compile(r"^(?P<prefix>.*?)〔(?P<year>\d{4})〕第?(?P<num>\d{1,6})号?$")


def parse_doc_no(doc_no: object) -> tuple[str, int, int] | None:
    """`雷市监罚〔2026〕12号` (also with [ ], ( ), （ ）, 【 】) → ('雷市监罚', 2026, 12); None if not sequential."""
    match = _DOC_NO.match(doc_no_key(doc_no))
    if not match:
        return None
    return match["prefix"], int(match["year"]), int(match["num"])


# Characters doc_no_key changes in a string NFKC leaves as it is: the other bracket styles and white space.
_KEY_CHANGES = re.compile(
    "[\\s" + "".join(re.escape(chr(c)) for c, to in _BRACKETS.items() if chr(c) != to) + "]"
)


def _doc_key(doc_no: object) -> str:
    """doc_no_key, without its translate and substitution for the usual number already in compared form
    (a million of them made the statistics' slowest loop)."""
    if (
        isinstance(doc_no, str)
        and unicodedata.is_normalized("NFKC", doc_no)
        and not _KEY_CHANGES.search(doc_no)
    ):
        return doc_no
    return doc_no_key(doc_no)


def _parse_key(key: str) -> tuple[str, int, int] | None:
    """parse_doc_no of a number already passed through doc_no_key."""
    match = _DOC_NO.match(_doc_key(key))
    if not match:
        return None
    return match["prefix"], int(match["year"]), int(match["num"])


def _gaps(numbers: set[int]) -> list[int]:
    if not numbers:
        return []
    return [n for n in range(min(numbers), max(numbers) + 1) if n not in numbers]


# --- computation --------------------------------------------------------------------------------------------


def _decision_date(record_date: dt.date | None, data: dict | None) -> dt.date | None:
    if record_date is not None:
        return record_date
    value = (data or {}).get("decision_date")
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _is_late(calendar: WorkCalendar, decision: dt.date | None, received: dt.date, n: int) -> bool:
    if decision is None or decision >= received:
        return False
    if (received - decision).days <= n:  # working days never outnumber calendar days
        return False
    try:
        return calendar.is_late(decision, received, n)
    except CalendarGap:
        # A decision in a year no calendar covers (long before 2004): no holiday run makes N working days
        # last more than N + 14 calendar days, so such a record is late; nearer the edge we cannot tell.
        if (received - decision).days > n + 14:
            return True
        raise


def _unit_codes(units: Iterable[Unit | str] | None) -> tuple[list[str], bool]:
    if units is None:
        return [u.code for u in reporting_units()], True
    return [u.code if isinstance(u, Unit) else str(u) for u in units], False


def compute_daily(
    session: Session,
    report_date: dt.date,
    *,
    calendar: WorkCalendar,
    deadline_workdays: int,
    units: Iterable[Unit | str] | None = None,
    doc_series: Path | None = None,
) -> DailyReport:
    """The 日统计 of `report_date` for every unit (default: the 49 双公示 units, plus any other unit found
    in that day's data) and every dataset; units with nothing that day get zeros and null rates."""
    day = report_date
    n = deadline_workdays
    calendar.check_covered(day)  # a year nobody covered fails here, with the message saying what to do
    codes, open_ended = _unit_codes(units)
    wanted = set(codes)
    dataset_ids = list(datasets())
    cells: dict[tuple[str, str], Counts] = defaultdict(Counts)

    def cell(unit: str, dataset: str) -> Counts | None:
        if unit not in wanted:
            if not open_ended:
                return None
            wanted.add(unit)
            codes.append(unit)
        return cells[(unit, dataset)]

    # received, invalid, late: records first received on D with their first version's verdict. SQL counts
    # them per unit, dataset and decision date (a Python loop over a million rows dominated the statistics),
    # the invalid ones apart (few, found through the status index: joining every record to its version would
    # read every version's JSON page); lateness is computed once per distinct decision date. A version's JSON
    # is read only for the few records without a decision date column value. Groups are taken in the order
    # of their first record, so units outside the registry are listed in the order they were first received.
    first_version = and_(RecordVersion.record_id == Record.id, RecordVersion.version == 1)
    on_day = and_(Record.first_received == day, Record.decision_date.is_not(None))
    by_date = (Record.unit, Record.dataset, Record.decision_date)
    invalid_by: dict[tuple, int] = {
        (unit, ds, date): count
        for unit, ds, date, count in session.execute(
            select(*by_date, func.count())
            .join(RecordVersion, first_version)
            .where(on_day, RecordVersion.status == "invalid")
            .group_by(*by_date)
        )
    }
    groups = [
        (rid, unit, ds, date, None, count, invalid_by.get((unit, ds, date), 0))
        for rid, unit, ds, date, count in session.execute(
            select(func.min(Record.id), *by_date, func.count()).where(on_day).group_by(*by_date)
        )
    ]
    undated = (
        select(Record.id, *by_date, RecordVersion.data, RecordVersion.status)
        .join(RecordVersion, first_version, isouter=True)
        .where(Record.first_received == day, Record.decision_date.is_(None))
    )
    for rid, unit, ds, date, data, status in session.execute(undated):
        groups.append((rid, unit, ds, date, data, 1, int(status == "invalid")))
    groups.sort(key=lambda g: g[0])
    late_by_date: dict[dt.date | None, bool] = {}
    for _, unit, dataset, decision_date, data, count, invalid in groups:
        c = cell(unit, dataset)
        if c is None:
            continue
        decision = _decision_date(decision_date, data)
        late = late_by_date.get(decision)
        if late is None:
            late = late_by_date[decision] = _is_late(calendar, decision, day, n)
        c.received += count
        c.invalid += invalid
        c.late += count if late else 0
        c.invalid_or_late += count if late else invalid

    # corrections: versions after the first received on D
    corrections = (
        select(Record.unit, Record.dataset, func.count())
        .select_from(RecordVersion)
        .join(Record, Record.id == RecordVersion.record_id)
        .where(RecordVersion.version > 1, RecordVersion.received_date == day)
        .group_by(Record.unit, Record.dataset)
    )
    for unit, dataset, count in session.execute(corrections):
        if (c := cell(unit, dataset)) is not None:
            c.corrections += count

    # pushed, accepted (duplicate included: the platform holds the record), rejected
    pushes = (
        select(Batch.unit, Batch.dataset, BatchItem.status, func.count())
        .select_from(BatchItem)
        .join(Batch, Batch.batch_id == BatchItem.batch_id)
        .where(Batch.report_date == day)
        .group_by(Batch.unit, Batch.dataset, BatchItem.status)
    )
    for unit, dataset, status, count in session.execute(pushes):
        if (c := cell(unit, dataset)) is None:
            continue
        c.pushed += count
        if status in ("accepted", "duplicate"):
            c.accepted += count
        elif status == "rejected":
            c.rejected += count

    # Records known by D (document numbers), for missing and for the suspected gaps. A record received before
    # the previous year cannot answer a decision due now, nor belong to a series still being watched.
    horizon = dt.date(day.year - 1, 1, 1)
    received_docs: dict[tuple[str, str], set[str]] = defaultdict(set)
    docs = session.connection().execute(  # Core, fetched in parts: no million-row ORM result buffered
        select(Record.unit, Record.dataset, Record.decision_doc_no).where(
            Record.first_received <= day, Record.first_received >= horizon
        )
    )
    for part in docs.partitions(10_000):
        for unit, dataset, doc_no in part:
            if doc_no:
                received_docs[(unit, dataset)].add(_doc_key(doc_no))

    # missing: reference decisions due on D (a deadline left empty by a calendar gap is computed here)
    due = select(ReferenceDecision).where(
        or_(
            ReferenceDecision.deadline == day,
            and_(
                ReferenceDecision.deadline.is_(None),
                ReferenceDecision.decision_date < day,
                ReferenceDecision.decision_date >= day - dt.timedelta(days=7 * n + 30),
            ),
        )
    )
    for ref in session.execute(due).scalars():
        try:
            deadline = ref.deadline or calendar.deadline(ref.decision_date, n)
        except CalendarGap:  # counting on needs a year not yet covered: the deadline lies after D
            continue
        if deadline != day:
            continue
        if doc_no_key(ref.decision_doc_no) in received_docs.get((ref.unit, ref.dataset), ()):
            continue
        if (c := cell(ref.unit, ref.dataset)) is not None:
            c.missing += 1

    gaps = _suspected_gaps(session, day, received_docs, doc_series)

    rows: list[UnitStat] = []
    for unit in codes:
        for dataset in dataset_ids:
            listed, total = gaps.get((unit, dataset), ([], 0))
            rows.append(UnitStat(unit, dataset, cells.get((unit, dataset), Counts()), listed, total))
    return DailyReport(day, n, rows)


def _suspected_gaps(
    session: Session,
    day: dt.date,
    received_docs: dict[tuple[str, str], set[str]],
    doc_series: Path | None = None,
) -> dict[tuple[str, str], tuple[list[str], int]]:
    """Per unit and dataset: holes in the document-number series of this year and the last, as known by D.

    A series is the numbers of one unit, dataset and year whatever the prefix variant (审批/许准字/许 on one
    sequence), unless the unit declares independent series in `doc_number_series.csv`. A hole lies between
    the lowest and highest number received by D or listed by the reference feed with a decision by D, and is
    neither received (in any prefix form) nor listed by the feed at all (a listed decision not received is
    counted as missing, not suspected). Returns the whole list, sorted, with its length."""
    years = {day.year - 1, day.year}
    series = DocSeries.load(doc_series)
    seen: dict[tuple[str, str, str, int], set[int]] = defaultdict(set)
    known: dict[tuple[str, str, str, int], set[int]] = defaultdict(set)
    bounds: dict[tuple[str, str, str, int], set[int]] = defaultdict(set)  # feed numbers decided by D
    prefixes: dict[tuple[str, str, str, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (unit, dataset), docs in received_docs.items():
        for doc in docs:
            parsed = _parse_key(doc)  # docs are compared forms already
            if parsed and parsed[1] in years:
                key = (unit, dataset, series.of(unit, dataset, parsed[0]), parsed[1])
                seen[key].add(parsed[2])
                prefixes[key][parsed[0]] += 1
    refs = select(
        ReferenceDecision.unit,
        ReferenceDecision.dataset,
        ReferenceDecision.decision_doc_no,
        ReferenceDecision.decision_date,
    ).where(ReferenceDecision.decision_date >= dt.date(day.year - 1, 1, 1))
    for unit, dataset, doc, decided in session.execute(refs):
        parsed = parse_doc_no(doc)
        if parsed and parsed[1] in years:
            key = (unit, dataset, series.of(unit, dataset, parsed[0]), parsed[1])
            known[key].add(parsed[2])
            if decided <= day:
                bounds[key].add(parsed[2])
    result: dict[tuple[str, str], list[tuple[str, int, int]]] = defaultdict(list)
    for key in seen:
        unit, dataset, _, year = key
        span = seen[key] | bounds[key]
        # A hole is written with the series' most used prefix (ties: the first in sort order).
        prefix = min(prefixes[key].items(), key=lambda item: (-item[1], item[0]))[0]
        result[(unit, dataset)].extend(
            (prefix, year, number) for number in _gaps(span) if number not in known[key]
        )
    return {
        key: ([escape.mask(f"{_written(p)}〔{y}〕{n}号") for p, y, n in sorted(holes)], len(holes))
        for key, holes in result.items()
        if holes
    }


def _written(prefix: str) -> str:
    """A prefix in compared form as offices write it: a bracket before the year's is （ ）, as in 雷公（治）."""
    return prefix.replace("〔", "（").replace("〕", "）")


@dataclass(frozen=True)
class SeriesRule:
    unit: str
    dataset: str  # "" for both datasets
    pattern: re.Pattern
    series: str


class DocSeries:
    """Which numbering series a document number belongs to: one per unit, dataset and year by default; the
    independent series a unit declares in `credit/data/doc_number_series.csv` (unit, dataset, prefix_pattern,
    series; `prefix_pattern` the whole prefix before 〔year〕 with `*` for any characters, compared as document
    numbers are: NFKC, no white space, one bracket style). A prefix no rule matches is in the unit's one
    series."""

    FILE = "doc_number_series.csv"

    def __init__(self, rules: Iterable[SeriesRule] = ()):
        self.rules: dict[tuple[str, str], list[SeriesRule]] = defaultdict(list)
        for rule in rules:
            self.rules[(rule.unit, rule.dataset)].append(rule)
        self._cache: dict[tuple[str, str, str], str] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> DocSeries:
        return cls(read_series_rules(path or DATA_DIR / cls.FILE))

    def of(self, unit: str, dataset: str, prefix: str) -> str:
        """The series' name ("" for the unit's one series)."""
        key = (unit, dataset, prefix)
        found = self._cache.get(key)
        if found is None:
            found = ""
            for rule in self.rules.get((unit, dataset), []) + self.rules.get((unit, ""), []):
                if rule.pattern.fullmatch(prefix):
                    found = rule.series
                    break
            self._cache[key] = found
        return found


def read_series_rules(path: Path) -> list[SeriesRule]:
    """The declared independent series (lines starting with # are comments); a bad line fails loudly."""
    if not Path(path).exists():
        return []
    lines = [
        line for line in Path(path).read_text(encoding="utf-8-sig").splitlines() if not line.startswith("#")
    ]
    rules = []
    for n, row in enumerate(csv.DictReader(lines), start=2):
        if not any((v or "").strip() for v in row.values()):
            continue
        unit, dataset = (row.get("unit") or "").strip(), (row.get("dataset") or "").strip()
        pattern, name = (row.get("prefix_pattern") or "").strip(), (row.get("series") or "").strip()
        if not unit or not pattern or not name or dataset not in ("", "xzxk", "xzcf"):
            raise ValueError(
                f"{path}: 第{n}行不完整或数据类别不对（unit、prefix_pattern、series 必填）: {row}"
            )
        # `*` stands for any characters; the rest is compared literally, in the form document numbers are.
        compiled = re.compile(".*".join(re.escape(part) for part in doc_no_key(pattern).split("*")))
        rules.append(SeriesRule(unit, dataset, compiled, name))
    return rules


# --- persistence and output ---------------------------------------------------------------------------------


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
            date=report.date, unit=row.unit, dataset=row.dataset, deadline_workdays=report.deadline_workdays
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
        "deadline_workdays": report.deadline_workdays,
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


def pct(value: float | None, digits: int = 2) -> str:
    """`98.50%`, or `—` for a rate without denominator."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def _ordered(report: DailyReport) -> list[UnitStat]:
    """Units short of 三清零 first (worst first), then the others in registry order."""
    short = set(report.short_of_three_zero())
    totals = report.unit_totals()
    position = {u: i for i, u in enumerate(totals)}

    def key(row: UnitStat):
        if row.unit in short:
            t = totals[row.unit]
            return (0, -(t.invalid + t.late + t.missing), position[row.unit], row.dataset)
        return (1, 0, position[row.unit], row.dataset)

    return sorted(report.rows, key=key)


def daily_table(report: DailyReport, *, all_rows: bool = False) -> list[dict]:
    """Rows for a table artifact (Chinese headers): units with something that day, short of 三清零 first,
    then 合计. `all_rows` lists every unit and dataset."""
    rows = []
    for row in _ordered(report):
        c = row.counts
        if not all_rows and not any(getattr(c, f) for f in COUNT_FIELDS) and not row.suspected_gaps:
            continue
        rows.append(_table_row(row.short_name, DATASET_NAMES.get(row.dataset, row.dataset), c, row))
    rows.append(_table_row("合计", "全部", report.total, None))
    return rows


def _table_row(unit: str, dataset: str, c: Counts, row: UnitStat | None) -> dict:
    out = {"单位": unit, "数据类别": dataset}
    out.update({COUNT_LABELS[f]: getattr(c, f) for f in COUNT_FIELDS if f != "invalid_or_late"})
    out.update({RATE_LABELS[r]: pct(getattr(c, r)) for r in RATE_FIELDS})
    out["三清零"] = "是" if c.three_zero else "否"
    if row is not None:
        out["疑似漏报"] = "、".join(row.suspected_gaps[:5]) + (" 等" if row.suspected_gaps_total > 5 else "")
    return out


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def daily_markdown(report: DailyReport) -> str:
    """A short Chinese summary: units short of 三清零 named first."""
    t = report.total
    totals = report.unit_totals()
    short = report.short_of_three_zero()
    by_ds = {d: Counts() for d in datasets()}
    for row in report.rows:
        by_ds[row.dataset] = by_ds.get(row.dataset, Counts()) + row.counts
    split = "，".join(f"{DATASET_NAMES.get(d, d)}{c.received}条" for d, c in by_ds.items())
    md = escape.markdown  # every name and document number as text, never Markdown
    lines = [f"### 雷州市“双公示”数据归集日统计（{cn_date(report.date)}）", ""]
    if short:
        names = "；".join(
            f"{md(all_units()[u].short_name if u in all_units() else u)}（{totals[u].shortfall()}）"
            for u in short
        )
        lines.append(f"**未实现“三清零”的单位（{len(short)}个）**：{names}。")
    else:
        lines.append("**全部单位当日实现“三清零”**（无迟报、漏报、错误数据）。")
    lines += [
        "",
        f"- 全市新增 {t.received} 条（{split}），错误 {t.invalid} 条，迟报 {t.late} 条，漏报 {t.missing} 条，"
        f"纠正 {t.corrections} 条。",
        f"- 推送 {t.pushed} 条，平台接收 {t.accepted} 条，退回 {t.rejected} 条。",
        f"- 错误率 {pct(t.error_rate)}，迟报率 {pct(t.late_rate)}，漏报率 {pct(t.missing_rate)}，"
        f"及时率 {pct(t.timely_rate)}，达标率 {pct(t.compliance_rate)}。",
        f"- 报送时限：作出行政决定之日起 {report.deadline_workdays} 个工作日内。",
    ]
    gaps = [row for row in report.rows if row.suspected_gaps]
    if gaps:
        listed = "；".join(
            f"{md(row.short_name)}{DATASET_NAMES.get(row.dataset, '')}：{'、'.join(map(md, row.suspected_gaps[:5]))}"
            + (f" 等{row.suspected_gaps_total}个" if row.suspected_gaps_total > 5 else "")
            for row in gaps[:10]
        )
        lines.append(
            f"- 疑似漏报（文号不连续，请核实）：{listed}" + ("；……" if len(gaps) > 10 else "") + "。"
        )
    return "\n".join(lines) + "\n"


def write_daily(report: DailyReport, out_dir: Path) -> dict[str, Path]:
    """`<out_dir>/daily/<date>/stats.json` and `日统计_<yyyymmdd>.xlsx`; returns {'json': …, 'xlsx': …}."""
    folder = Path(out_dir) / "daily" / report.date.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / "stats.json"
    tmp = json_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(json_path)
    from credit.reports.daily_workbook import write_daily_workbook  # imports this module

    xlsx_path = write_daily_workbook(report, folder / f"日统计_{report.date:%Y%m%d}.xlsx")
    return {"json": json_path, "xlsx": xlsx_path}
