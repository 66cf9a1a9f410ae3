"""A realistic reporting day (or month) for the units: inbox files, the reference feed and a manifest.

~500 lines: one `_Generator` carries a month's state (document-number sequences, pending decisions, earlier
rows to repeat or correct) through each day; its steps only make sense together."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from credit.datasets import catalogue
from credit.standard import DATASET_NAMES
from credit.units import Unit, reporting_units
from credit.units import unit as unit_of
from credit.workdays import CalendarGap, WorkCalendar

from .datasets import DatasetRows, generic_datasets
from .defects import Variant, variants
from .files import write_table
from .other_days import OtherDatasetsDays, abbr_of, dump_open, load_open, seed_of
from .records import FORMATS, INDIV, LEGAL, NATURAL, RULES, VARIANTS, FileCtx, Row, build, key_of
from .rendering import DATE_STYLES, XLSX_DATE_STYLES, columns, messy_header, render

IDLE_RATE = 0.08  # share of unit-days with no decision at all (nothing delivered)
REPEAT_RATE = 0.01  # per earlier row (last 10 working days), per day: sent again unchanged
CORRECTION_RATE = 0.01  # per earlier row: sent again with changed content, same business key
ARRIVAL_RATE = 0.35  # per pending unreported decision, per day: delivered late after all

# Defect profiles. `uniform`: the given per-record rates for every unit (what tests ask for). `realistic`: a
# real month, most units at 三清零 on most days: a share of "problem" units makes mistakes at the given rates,
# each with a habit (mostly wrong, mostly late or mostly missing), the others at `clean_rate`; some decisions
# a problem unit leaves unreported are missing from the reference feed too (`unlisted_rate`), so the gap in
# its document numbers is all that shows them (疑似漏报). Explicit arguments override a profile's values.
PROFILES: dict[str, dict[str, float]] = {
    "uniform": {
        "defect_rate": 0.08,
        "late_rate": 0.05,
        "missing_rate": 0.03,
        "problem_share": 1.0,
        "clean_rate": 0.0,
        "unlisted_rate": 0.0,
    },
    "realistic": {
        "defect_rate": 0.06,
        "late_rate": 0.06,
        "missing_rate": 0.03,
        "problem_share": 0.12,
        "clean_rate": 0.0001,
        "unlisted_rate": 0.25,
    },
}
HABITS = ("wrong", "late", "missing")  # a problem unit's main fault; its other rates are a quarter


@dataclass
class GeneratedDay:
    date: dt.date
    home: Path
    manifest_path: Path
    manifest: dict

    @property
    def files(self) -> list[Path]:
        return [self.home / f["path"] for f in self.manifest["files"]]

    def rows(self):
        """(file entry, row entry) pairs of the manifest."""
        for f in self.manifest["files"]:
            for r in f["rows"]:
                yield f, r

    @property
    def planted(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for _, r in self.rows():
            for rule in r["planted"]:
                counts[rule] += 1
        return dict(counts)


@dataclass
class _Delivered:
    row: Row
    date: dt.date  # report date it was delivered on


def _pick_category(rnd: random.Random, cats: frozenset[str], natural_rate: float) -> str:
    if cats == {NATURAL}:
        return NATURAL
    if NATURAL in cats and rnd.random() < natural_rate:
        return NATURAL
    non = [c for c in (LEGAL, INDIV) if c in cats]
    if len(non) == 1:
        return non[0]
    return INDIV if rnd.random() < 0.3 else LEGAL


_DOC_STYLES = {
    "xzcf": [
        "{a}罚〔{y}〕{n}号",
        "{a}罚字〔{y}〕第{n}号",
        "{a}处罚〔{y}〕{n}号",
        "{a}罚决字〔{y}〕第{n:04d}号",
    ],
    "xzxk": [
        "{a}许〔{y}〕{n}号",
        "{a}许准字〔{y}〕第{n}号",
        "{a}审批〔{y}〕{n}号",
        "{a}许字〔{y}〕第{n:04d}号",
    ],
}


class _Generator(OtherDatasetsDays):
    def __init__(
        self,
        home: Path,
        *,
        units: list[str] | None = None,
        seed: int = 0,
        records: tuple[int, int] = (10, 60),
        defect_rate: float | None = None,
        late_rate: float | None = None,
        missing_rate: float | None = None,
        natural_person_rate: float = 0.2,
        formats: list[str] | None = None,
        deadline_workdays: int = 3,
        multi_day: bool = False,
        profile: str = "uniform",
        problem_share: float | None = None,
        clean_rate: float | None = None,
        unlisted_rate: float | None = None,
        datasets=None,
        other_share: float = 1.0,
    ):
        self.home = Path(home)
        self.seed = seed
        self.units = [unit_of(c) for c in units] if units else reporting_units()
        self.explicit_units = bool(units)
        self.records = records
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}: one of {', '.join(PROFILES)}")
        given = {
            "defect_rate": defect_rate,
            "late_rate": late_rate,
            "missing_rate": missing_rate,
            "problem_share": problem_share,
            "clean_rate": clean_rate,
            "unlisted_rate": unlisted_rate,
        }
        self.profile = {k: v if v is not None else PROFILES[profile][k] for k, v in given.items()}
        self.rates = _unit_rates(self.profile, self.units)
        problems = set(problem_units(self.profile["problem_share"]))
        self.problem_units = [u.code for u in self.units if u.code in problems]
        self.natural_rate = natural_person_rate
        self.formats = list(formats or FORMATS)
        for fmt in self.formats:
            if fmt not in FORMATS:
                raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
        self.n = deadline_workdays
        self.multi_day = multi_day
        self.cal = WorkCalendar()
        self.rule_ptr: dict[str, int] = defaultdict(int)
        self.variant_ptr: dict[tuple[str, str], int] = defaultdict(int)
        self.seq: dict[str, int] | None = None
        self.history: dict[tuple[str, str], list[_Delivered]] = defaultdict(list)
        self.pending: dict[tuple[str, str], list[dict]] = defaultdict(list)
        self.pairs = [(u, ds) for u in self.units for ds in ("xzxk", "xzcf") if ds == "xzxk" or u.punishment]
        # The other datasets (folders without a generator profile): none unless asked for (the 双公示 days of
        # tests and the benchmark stay as they are); "all", or a collection of dataset ids.
        chosen = None if datasets in (None, "all") else set(datasets)
        if datasets is not None:  # then also as the folders say who reports them (a unit outside the 49)
            cat = catalogue()
            self.pairs = [
                (u, ds)
                for u, ds in self.pairs
                if (chosen is None or ds in chosen) and cat.dataset(ds).reporters.includes(u)
            ]
        self.generic = [DatasetRows(ds) for ds in generic_datasets(chosen)] if datasets is not None else []
        self.open_records: list[dict] | None = None  # lifecycle records not yet changed, with their values
        self.other_share = other_share  # share of unit-days a unit delivers each of the other datasets
        self.setup = self._assign()

    # ------------------------------------------------------------ stable per-file choices
    def _assign(self) -> dict[tuple[str, str], dict]:
        """Header variant, format and habits of every (unit, dataset): spread so that every combination occurs."""
        order = list(range(len(self.pairs)))
        random.Random(seed_of(self.seed, "assign")).shuffle(order)
        setup = {}
        for i, idx in enumerate(order):
            u, ds = self.pairs[idx]
            rnd = random.Random(seed_of(self.seed, "habits", u.code, ds))
            fmt = self.formats[(i + i // len(VARIANTS)) % len(self.formats)]
            variant = VARIANTS[i % len(VARIANTS)]
            setup[(u.code, ds)] = {
                "variant": variant,
                "format": fmt,
                "date_style": rnd.choice(DATE_STYLES + (XLSX_DATE_STYLES if fmt == "xlsx" else ())),
                "code_rate": 0.6 if variant == "codes" else rnd.choice([0.0, 0.1, 0.3]),
                # A unit writes its numbers one way whatever the day's seed: one series, one prefix.
                "doc_style": random.Random(seed_of("doc_style", u.code, ds)).choice(_DOC_STYLES[ds])
                if u.code != "gaj"
                else "雷公（治）行罚决字〔{y}〕{n}号",
                "name_style": rnd.randrange(3),
                "base_rate": rnd.uniform(0.2, 2.5),
            }
        return setup

    def _file_name(self, u: Unit, ds: str, day: dt.date, style: int, fmt: str) -> str:
        ext = "xlsx" if fmt == "xlsx" else "csv"
        name = DATASET_NAMES[ds]
        if style == 0:
            return f"{u.name}{name}信息{day:%Y%m%d}.{ext}"
        if style == 1:
            return f"{ds}_{u.code}_{day:%Y%m%d}.{ext}"
        return f"{day.month}月{day.day}日{name}（{u.short_name}）.{ext}"

    # ------------------------------------------------------------ calendar
    def _windows(self, day: dt.date, n: int | None = None) -> tuple[list[dt.date], list[dt.date]]:
        n = self.n if n is None else n
        ontime: list[dt.date] = []
        late: list[dt.date] = []
        count, d = 0, day
        while len(late) < 15:
            workday = self.cal.is_workday(d)
            if workday:
                (ontime if count <= n else late).append(d)
            count += workday
            d -= dt.timedelta(days=1)
        return ontime, late

    def _deadline(self, decision: dt.date) -> dt.date:
        try:
            return self.cal.deadline(decision, self.n)
        except CalendarGap:  # a year nobody covered yet: Monday to Friday
            d, left = decision, self.n
            while left:
                d += dt.timedelta(days=1)
                left -= d.weekday() < 5
            return d

    def _late(self, decision: dt.date, day: dt.date, n: int | None = None) -> bool:
        n = self.n if n is None else n
        try:
            return decision <= day and self.cal.is_late(decision, day, n)
        except CalendarGap:
            return (day - decision).days > n + 14

    # ------------------------------------------------------------ numbering
    def _load_sequences(self, day: dt.date) -> None:
        self.seq = {}
        gen = self.home / "generated"
        earlier = sorted(p for p in gen.glob("*.json") if p.stem < day.isoformat()) if gen.is_dir() else []
        if earlier:
            last = json.loads(earlier[-1].read_text(encoding="utf-8"))
            self.seq = dict(last.get("sequences", {}))
            if self.generic and self.open_records is None:
                self.open_records = load_open(last.get("open_records", []))

    def _doc_no(self, u: Unit, ds: str, decided: dt.date, report_day: dt.date) -> str:
        key = f"{u.code}/{ds}/{decided.year}"
        if key not in self.seq:
            upto = min(report_day, dt.date(decided.year, 12, 31))
            self.seq[key] = int(
                ((upto - dt.date(decided.year, 1, 1)).days + 1) * self.setup[(u.code, ds)]["base_rate"]
            )
        self.seq[key] += 1
        return self.setup[(u.code, ds)]["doc_style"].format(a=abbr_of(u), y=decided.year, n=self.seq[key])

    # ------------------------------------------------------------ defects
    def _next_rule(self, ds: str, ctx: FileCtx) -> tuple[str | None, Variant | None]:
        rules = RULES[ds]
        ptr = self.rule_ptr[ds]
        for k in range(len(rules)):
            rule = rules[(ptr + k) % len(rules)]
            if rule == "TXT-1" and ctx.xlsx:  # xlsx cannot hold control characters
                continue
            options = [v for v in variants(ds, rule) if v.categories & ctx.categories]
            if not options:
                continue
            self.rule_ptr[ds] = (ptr + k + 1) % len(rules)
            i = self.variant_ptr[(ds, rule)]
            self.variant_ptr[(ds, rule)] += 1
            return rule, options[i % len(options)]
        return None, None

    def _make_rows(self, ctx, rnd, decided, doc_no, rule, variant) -> list[Row]:
        cats = (variant.categories & ctx.categories) if variant else ctx.categories
        category = _pick_category(rnd, cats, self.natural_rate)
        clean = build(ctx, rnd, category, decided, doc_no, **(variant.build_opts if variant else {}))
        values = copy.deepcopy(clean)
        if variant:
            variant.apply(values, ctx, rnd)
        rows = [Row(values, clean, [rule] if rule else [])]
        if rule == "DUP-1":
            rows.append(Row(copy.deepcopy(values), clean, ["DUP-1"]))
        return rows

    # ------------------------------------------------------------ one day
    def day(self, day: dt.date) -> GeneratedDay:
        if self.seq is None:
            self._load_sequences(day)
        ontime, late_days = self._windows(day)
        manifest: dict = {
            "date": day.isoformat(),
            "deadline_workdays": self.n,
            "seed": self.seed,
            "files": [],
            "unreported": [],  # in the reference feed, not delivered
            "unlisted": [],  # neither delivered nor in the feed: a gap in the unit's numbers
            "problem_units": self.problem_units,
        }
        refs: dict[str, list[tuple[str, str, str]]] = {"xzxk": [], "xzcf": []}
        lo, hi = self.records
        for u, ds in self.pairs:
            setup = self.setup[(u.code, ds)]
            rnd = random.Random(seed_of(self.seed, day, u.code, ds))
            unlisted_rnd = random.Random(seed_of(self.seed, day, u.code, ds, "unlisted"))
            ctx = FileCtx(
                unit=u,
                dataset=ds,
                variant=setup["variant"],
                fmt=setup["format"],
                report_date=day,
                ontime_days=ontime,
                late_days=late_days,
                date_style=setup["date_style"],
                code_rate=setup["code_rate"],
                natural_rate=self.natural_rate,
            )
            defect_rate, late_rate, missing_rate = self.rates[u.code]
            n = 0 if rnd.random() < IDLE_RATE else rnd.randint(lo, hi)
            forget_all = n > 0 and rnd.random() < missing_rate / 3
            plan = []
            for _ in range(n):
                if forget_all or rnd.random() < missing_rate:
                    plan.append((rnd.choice(ontime), None, None, False))
                    continue
                rule, variant = self._next_rule(ds, ctx) if rnd.random() < defect_rate else (None, None)
                late = rule != "DATE-2" and rnd.random() < late_rate
                plan.append((rnd.choice(late_days if late else ontime), rule, variant, True))
            plan.sort(key=lambda p: p[0])
            rows: list[Row] = []
            for decided, rule, variant, reported in plan:
                doc_no = self._doc_no(u, ds, decided, day)
                # Only a decision the unit left unreported can be absent from the feed as well (drawn from
                # its own stream, so the rest of the day is the same whatever unlisted_rate is).
                unlisted = not reported and unlisted_rnd.random() < self.profile["unlisted_rate"]
                if not unlisted:
                    refs[ds].append((u.code, doc_no, decided.isoformat()))
                if not reported:
                    entry = {
                        "unit": u.code,
                        "dataset": ds,
                        "decision_doc_no": doc_no,
                        "decision_date": decided.isoformat(),
                        "deadline": self._deadline(decided).isoformat(),
                    }
                    manifest["unlisted" if unlisted else "unreported"].append(entry)
                    self.pending[(u.code, ds)].append(entry)
                    continue
                rows.extend(self._make_rows(ctx, rnd, decided, doc_no, rule, variant))
            if self.multi_day:
                rows.extend(self._later_rows(ctx, rnd, day))
            if rows:
                manifest["files"].append(self._write_file(ctx, rnd, setup, rows))
            self.history[(u.code, ds)].extend(_Delivered(r, day) for r in rows if r.kind != "repeat")
        if self.generic:
            self._generic_day(day, manifest)
        for ds, entries in refs.items():
            path = self.home / "reference" / ds / f"{day.isoformat()}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            lines = ["unit,decision_doc_no,decision_date"] + [",".join(e) for e in entries]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        manifest["sequences"] = dict(sorted(self.seq.items()))
        if self.generic:
            manifest["open_records"] = dump_open(self.open_records or [])
        out = self.home / "generated" / f"{day.isoformat()}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        return GeneratedDay(day, self.home, out, manifest)

    def _later_rows(self, ctx: FileCtx, rnd: random.Random, day: dt.date) -> list[Row]:
        """Decisions unreported on earlier days arriving now, and repeats and corrections of earlier rows."""
        key = (ctx.unit.code, ctx.dataset)
        out: list[Row] = []
        still = []
        for entry in self.pending[key]:
            if entry["decision_date"] < day.isoformat() and rnd.random() < ARRIVAL_RATE:
                decided = dt.date.fromisoformat(entry["decision_date"])
                out.extend(self._make_rows(ctx, rnd, decided, entry["decision_doc_no"], None, None))
            else:
                still.append(entry)
        self.pending[key] = still
        recent = [d for d in self.history[key] if (day - d.date).days <= 14 and d.date < day]
        used: set[str] = set()
        for delivered in recent:
            row = delivered.row
            k = row.key(ctx.dataset)
            if k in used or "DATE-2" in row.planted:
                continue
            draw = rnd.random()
            if draw < REPEAT_RATE and "DUP-1" not in row.planted:
                out.append(Row(row.values, row.clean, list(row.planted), "repeat", row.raw))
                used.add(k)
            elif draw < REPEAT_RATE + CORRECTION_RATE and k == row.key(ctx.dataset, clean=True):
                values = copy.deepcopy(row.clean)
                if not row.planted or row.planted == ["DUP-1"]:
                    _amend(values, ctx.dataset)
                out.append(Row(values, row.clean, [], "correction"))
                used.add(k)
        return out

    def _write_file(self, ctx: FileCtx, rnd: random.Random, setup: dict, rows: list[Row]) -> dict:
        u, ds, day = ctx.unit, ctx.dataset, ctx.report_date
        cols = columns(ds, ctx.variant)
        headers = [h for _, h in cols]
        title = None
        if ctx.variant == "messy":
            headers = [messy_header(h, rnd, line_breaks=ctx.xlsx) for h in headers]
            title = f"{u.name}{DATASET_NAMES[ds]}信息（{day.year}年{day.month}月{day.day}日）"
        table = []
        for row in rows:
            if row.raw is None:
                row.raw = render(row.values, ctx, rnd)
            table.append([row.raw.get(k) for k, _ in cols])
        rel = Path("inbox") / u.code / self._file_name(u, ds, day, setup["name_style"], ctx.fmt)
        sheet = f"{DATASET_NAMES[ds]}信息" if setup["name_style"] != 1 else "Sheet1"
        encoding = write_table(self.home / rel, ctx.fmt, headers, table, title=title, sheet=sheet)
        fmt = ctx.fmt if encoding != "gb18030" else "csv-gb18030"
        first = 3 if title else 2
        return {
            "unit": u.code,
            "path": rel.as_posix(),
            "dataset": ds,
            "format": fmt,
            "encoding": encoding,
            "header_variant": ctx.variant,
            "headers": headers,
            "rows": [
                {
                    "row": first + i,
                    "kind": row.kind,
                    "planted": row.planted,
                    "valid": row.valid,
                    "late": self._late(row.values["decision_date"], day),
                    "category": row.values["counterpart_category"],
                    "decision_doc_no": row.values["decision_doc_no"],
                    "decision_date": row.values["decision_date"].isoformat(),
                    "business_key": key_of(ds, row.values),
                }
                for i, row in enumerate(rows)
            ],
        }

    # ------------------------------------------------------------ the other datasets


def problem_units(share: float) -> list[str]:
    """The registry's units that make mistakes under a profile: the first round(share × 49) in a fixed order
    drawn once (not from the day's seed, so a month of separately seeded days keeps the same ones)."""
    codes = sorted((u.code for u in reporting_units()), key=lambda c: seed_of("problem-unit", c))
    return codes[: round(share * len(codes))] if share < 1 else codes


def _unit_rates(profile: dict[str, float], units: list[Unit]) -> dict[str, tuple[float, float, float]]:
    """Per unit code: (defect, late, missing) per-record rates under the profile."""
    full = (profile["defect_rate"], profile["late_rate"], profile["missing_rate"])
    if profile["problem_share"] >= 1:
        return {u.code: full for u in units}
    habit = {code: i % len(HABITS) for i, code in enumerate(problem_units(profile["problem_share"]))}
    rates: dict[str, tuple[float, float, float]] = {}
    for u in units:
        main = habit.get(u.code)  # wrong, late, missing in turn; None: a clean unit
        if main is None:
            rates[u.code] = (profile["clean_rate"],) * 3
        else:
            rates[u.code] = tuple(rate if k == main else rate / 4 for k, rate in enumerate(full))
    return rates


def _amend(values: dict, dataset: str) -> None:
    """A content correction that keeps the business key."""
    if dataset == "xzxk":
        values["permit_content"] = values["permit_content"] + "；经营项目增加：网络经营"
    else:
        values["violation_facts"] = values["violation_facts"] + "，当事人对违法事实无异议"
    values["remark"] = "更正：原报送信息有误"


def generate_day(home: Path, report_date: dt.date, **kw) -> GeneratedDay:
    """Write one reporting day under `home`: inbox files, the reference feed and `generated/<date>.json`.

    Keyword arguments: units, seed, records, defect_rate, late_rate, missing_rate, natural_person_rate,
    formats, deadline_workdays, profile ("uniform": the rates for every unit, the default; "realistic": most
    units clean, see PROFILES), problem_share, clean_rate, unlisted_rate (see `samples.generator`), datasets
    (None: the 双公示 datasets only, the default; "all": every dataset folder, each unit one file per dataset
    it reports; or a collection of dataset ids), other_share (share of the unit-days on which a unit delivers
    each dataset other than 双公示; 1.0, the default: every day, as many rows as the folder's
    `rows_per_unit_day`).
    """
    return _Generator(home, **kw).day(report_date)


def generate_days(home: Path, start: dt.date, end: dt.date, **kw) -> list[GeneratedDay]:
    """Every working day in [start, end]; later days also resend earlier rows (repeats, corrections) and
    deliver some earlier unreported decisions late."""
    gen = _Generator(home, multi_day=True, **kw)
    out = []
    day = start
    while day <= end:
        if gen.cal.is_workday(day):
            out.append(gen.day(day))
        day += dt.timedelta(days=1)
    return out
