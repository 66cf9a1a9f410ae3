"""Sample rows for any dataset folder without a bespoke profile (credit/datasets/README.md, `[generator]`).

Everything comes from the folder: per field, `[generator.values]` (with "{n}" a running number, "{year}" the
year of the record's date, "{abbr}" the unit's abbreviation), else a value by type — dates around the report
date in the orders the folder's suite.json asks (DATE-7) with the deadline field on or before the report date,
code-list labels, plain decimals, the reporting unit's name and USCC for its own fields — and the identity block
filled by subject category (自然人: 身份证 and a valid number; 法人: USCC and 法定代表人; 个体工商户: a 92… USCC).
A field the suite requires under a condition (`expect_column_to_be_filled_when`) is filled exactly when the
condition holds. No Python here names a dataset.

A clean row breaks no rule of its dataset's suite (not even a warning). `DatasetRows.new_row` makes a record,
`DatasetRows.lifecycle_update` a later correction of it with a new status (履约状态 已履约, 名单状态 已移出 …),
`DatasetRows.plant` breaks exactly one rule of a row on purpose (`PLANTABLE`: the rule ids it can plant).

~420 lines: making a clean row and breaking one rule of it read the same field descriptions and must agree on
every value; kept together so that a change to one is seen beside the other.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from functools import cached_property

from credit.datasets import HOME, Dataset, catalogue
from credit.datasets.loading import BLOCKS, read_csv
from credit.keys import business_key_of
from credit.units import Unit, all_units

from .ids import bad_uscc_check
from .records import INDIV, LEGAL, NATURAL, _add_years, _counterpart, wan

# The identity block's and the source unit's fields, as the shared blocks list them.
IDENTITY = tuple(row["key"] for row in read_csv(HOME / BLOCKS / "identity.csv"))
SOURCE = tuple(row["key"] for row in read_csv(HOME / BLOCKS / "source.csv"))
OPTIONAL_SHARE = 0.7  # an optional field with sample values is filled this often
OPTIONAL_DATE_SHARE = 0.5  # an optional date or amount without sample values
INITIAL_SHARE = 0.8  # a new record of a lifecycle dataset starts in its first status this often
# Rules a row can be made to break, each alone: an error the dataset's suite reports with that rule id.
PLANTABLE = ("REQ-1", "ENUM-1", "DATE-1", "DATE-2", "DATE-7", "ID-2", "ID-4", "SRC-1", "AMT-4")
_FUTURE = ("_to", "until", "_end")
_START = ("_from", "_start")


@dataclass
class GenericRow:
    values: dict  # canonical values (dt.date for dates, text otherwise, None for blank)
    date: dt.date  # the date the deadline runs from (or the record's main date)
    kind: str = "new"  # new | correction
    planted: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.planted


def generic_datasets(selection=None) -> list[Dataset]:
    """The datasets the generic generator makes: every folder without `[generator] profile`."""
    out = [ds for ds in catalogue().datasets.values() if not ds.generator.get("profile")]
    if selection is not None:
        out = [ds for ds in out if ds.id in selection]
    return out


class DatasetRows:
    """The generator of one dataset, read from its folder once."""

    def __init__(self, ds: Dataset):
        self.ds = ds
        gen = ds.generator
        self.values: dict[str, list[str]] = {k: list(v) for k, v in gen.get("values", {}).items()}
        lo, hi = gen.get("rows_per_unit_day", (0, 2))
        self.rows_per_day = (int(lo), int(hi))
        self.subjects = [
            s for s in gen.get("subjects", ()) if s in (LEGAL, INDIV, NATURAL)
        ] or self._categories()
        # Conditional requirements and date orders of the folder's own suite.
        self.conditions: dict[str, list[tuple[str, frozenset[str]]]] = {}
        self.orders: list[tuple[str, str]] = []
        for exp in ds.suite_extras:
            kw = exp.get("kwargs", {})
            if exp.get("type") == "expect_column_to_be_filled_when":
                self.conditions.setdefault(kw["flag"], []).append(
                    (kw["when_field"], frozenset(kw["when_values"]))
                )
            elif exp.get("type") == "expect_dates_in_order":
                self.orders.append((kw["earlier"], kw["later"]))

    # ------------------------------------------------------------ what the folder says
    def _categories(self) -> list[str]:
        for exp in self.ds.suite_extras:  # a dataset about some categories only restricts ENUM-1
            kw = exp.get("kwargs", {})
            if (
                exp.get("type") == "expect_column_values_to_be_in_set"
                and kw.get("column") == "counterpart_category"
            ):
                return [c for c in (LEGAL, INDIV, NATURAL) if c in kw["value_set"]]
        return [LEGAL, INDIV, NATURAL]

    @cached_property
    def labels(self) -> dict[str, list[str]]:
        lists = catalogue().code_lists
        return {
            f.key: list(dict.fromkeys(lists[f.code_list].values())) for f in self.ds.fields if f.code_list
        }

    @cached_property
    def sequenced(self) -> frozenset[str]:
        """Fields whose "{n}" is the unit's running number (the document number and the business key's)."""
        keys = {k for k in self.ds.key_fields if not k.startswith("@")}
        return frozenset(keys | ({self.ds.doc_no} if self.ds.doc_no else set()))

    @cached_property
    def unit_fields(self) -> dict[str, str]:
        """Fields that hold the reporting unit itself: `<x>_uscc` -> its USCC, `<x>`/`<x>_name` -> its name."""
        out: dict[str, str] = {}
        for f in self.ds.fields:
            if f.type == "uscc" and f.key not in ("uscc", *SOURCE):
                out[f.key] = "uscc"
                base = f.key.removesuffix("_uscc")
                for name in (base, f"{base}_name"):
                    if self.ds.has(name) and name not in self.values:
                        out[name] = "name"
        for f in self.ds.fields:
            if (
                f.type == "str"
                and f.key.endswith(("authority", "authority_name"))
                and f.key not in self.values
            ):
                out.setdefault(f.key, "name")
        return out

    @property
    def status_field(self) -> str | None:
        return self.ds.status_field if self.ds.status_field and self.ds.has(self.ds.status_field) else None

    def statuses(self) -> list[str]:
        key = self.status_field
        return self.values.get(key) or self.labels.get(key, []) if key else []

    # ------------------------------------------------------------ rows
    def rows_today(self, rnd: random.Random) -> int:
        lo, hi = self.rows_per_day
        return rnd.randint(lo, max(lo, hi))

    def new_row(
        self,
        rnd: random.Random,
        unit: Unit,
        date: dt.date,
        report_date: dt.date,
        number: int,
        abbr: str,
    ) -> GenericRow:
        """A clean record of `unit` whose deadline runs from `date` (on or before `report_date`)."""
        ds = self.ds
        v: dict = dict.fromkeys(ds.keys)
        category = rnd.choice(self.subjects)
        if ds.has_identity:
            _counterpart(rnd, category, v, indiv_placeholder=False)
            v = {k: val for k, val in v.items() if ds.has(k)}
            for k in ds.keys:
                v.setdefault(k, None)
        if ds.has("source_unit"):
            v["source_unit"] = unit.name
        if ds.has("source_unit_uscc"):
            v["source_unit_uscc"] = unit.uscc
        for key, what in self.unit_fields.items():
            if key not in self.conditions:  # a conditional one (移出机关) only with its condition
                v[key] = unit.uscc if what == "uscc" else unit.name
        status = self.status_field
        if status:
            options = self.statuses()
            others = [s for s in options[1:] if s not in ds.unpublish]  # 已移出 only by a later correction
            v[status] = options[0] if not others or rnd.random() < INITIAL_SHARE else rnd.choice(others)
        ctx = _Ctx(rnd, unit, date, report_date, number, abbr, category)
        self._fill(v, ctx)
        return GenericRow(v, date)

    def lifecycle_update(
        self, rnd: random.Random, row: GenericRow, unit: Unit, report_date: dt.date, abbr: str
    ) -> GenericRow | None:
        """The same record sent again with a later status (a correction: same business key, new content)."""
        status = self.status_field
        if not status or row.values.get(status) != self.statuses()[0]:
            return None
        later = self.statuses()[1:]
        if not later:
            return None
        unpublish = [s for s in later if s in self.ds.unpublish]
        v = dict(row.values)
        v[status] = rnd.choice(unpublish or later)
        for key in self.conditions:  # fields required by the old status only are emptied, the new ones filled
            if not self._required(key, v):
                v[key] = None
        ctx = _Ctx(rnd, unit, row.date, report_date, 0, abbr, v.get("counterpart_category"))
        ctx.correction = True
        self._fill(v, ctx)
        return GenericRow(v, row.date, "correction")

    # ------------------------------------------------------------ planted defects
    @cached_property
    def rules(self) -> tuple[str, ...]:
        """The rules of PLANTABLE this dataset's suite has (DATE-2 is planted by dating the row, see `plant`)."""
        extras = {e.get("meta", {}).get("rule_id") for e in self.ds.suite_extras}
        has = {
            "REQ-1": bool(self._plain_required),
            "ENUM-1": any(self._closed_enum(f) for f in self.ds.fields),
            "DATE-1": bool(self.ds.keys_of_type("date")),
            "DATE-2": bool(self.ds.deadline_field),
            "DATE-7": bool(self.orders),
            "ID-2": self.ds.has_identity and any(c != NATURAL for c in self.subjects),
            "ID-4": self.ds.has_identity and NATURAL in self.subjects,
            "SRC-1": self.ds.has("source_unit"),
            "AMT-4": "AMT-4" in extras,
        }
        return tuple(r for r in PLANTABLE if has[r])

    @cached_property
    def _plain_required(self) -> list[str]:
        keys = set(self.ds.key_columns) | set(IDENTITY) | set(SOURCE) | {self.ds.deadline_field}
        return [k for k in self.ds.required_keys if k not in keys and self.ds.field(k).type != "date"]

    def _closed_enum(self, f) -> bool:
        return (
            f.type == "enum"
            and f.key not in IDENTITY
            and f.key != self.status_field
            and f.key not in {w for conds in self.conditions.values() for w, _ in conds}
            and not catalogue().other_prefixes.get(f.code_list)
        )

    def plant(self, rnd: random.Random, row: GenericRow, rule: str, unit: Unit) -> bool:
        """Make `row` break `rule` (and nothing else); False when this row cannot (ID-4 of a company …).
        DATE-2 is planted by the caller, who dates the row after the report date."""
        v = row.values
        if rule == "REQ-1":
            v[rnd.choice(self._plain_required)] = None
        elif rule == "ENUM-1":
            options = [f.key for f in self.ds.fields if self._closed_enum(f) and v.get(f.key)]
            if not options:
                return False
            v[rnd.choice(options)] = "其他情况"
        elif rule == "DATE-1":
            options = [k for k in self.ds.keys_of_type("date") if isinstance(v.get(k), dt.date)]
            if not options:
                return False
            k = rnd.choice(options)
            v[k] = f"{v[k].year}-02-30"
        elif rule == "DATE-7":
            used = {a for a, _ in self.orders}
            pairs = [
                (a, b)
                for a, b in self.orders
                if isinstance(v.get(a), dt.date)
                and isinstance(v.get(b), dt.date)
                and b not in used  # moving `b` earlier breaks no other order as its earlier side
                and b != self.ds.deadline_field
            ]
            if not pairs:
                return False
            a, b = rnd.choice(pairs)
            v[b] = v[a] - dt.timedelta(days=rnd.randint(1, 30))
        elif rule == "ID-2":
            if v.get("counterpart_category") == NATURAL or not v.get("uscc"):
                return False
            v["uscc"] = bad_uscc_check(v["uscc"])
        elif rule == "ID-4":
            if v.get("id_type") != "身份证" or not v.get("id_no"):
                return False
            last = v["id_no"][-1]
            v["id_no"] = v["id_no"][:-1] + ("0" if last != "0" else "1")
        elif rule == "SRC-1":
            v["source_unit"] = next(u.name for u in all_units().values() if u.code != unit.code)
        elif rule == "AMT-4":
            options = [k for k in self.ds.keys_of_type("decimal") if v.get(k)]
            if not options:
                return False
            k = rnd.choice(options)
            v[k] = f"{v[k]}万元"
        else:
            return False
        row.planted = [rule]
        return True

    def business_key(self, values: dict) -> str:
        return business_key_of(self.ds.id, values)

    def doc_no(self, values: dict) -> str | None:
        return values.get(self.ds.doc_no) if self.ds.doc_no else None

    # ------------------------------------------------------------ filling
    def _required(self, key: str, v: dict) -> bool:
        return any(v.get(when) in values for when, values in self.conditions.get(key, ()))

    def _wanted(self, f, v: dict, rnd: random.Random) -> bool:
        if (
            f.key in IDENTITY
            or f.key in SOURCE
            or (f.key in self.unit_fields and f.key not in self.conditions)
        ):
            return False  # filled already (or deliberately blank)
        if f.key == self.ds.deadline_field or f.required == "yes":
            return True
        if f.key in self.conditions:
            return self._required(f.key, v)
        if f.key in self.values:
            return rnd.random() < OPTIONAL_SHARE
        if f.type in ("date", "decimal"):
            return rnd.random() < OPTIONAL_DATE_SHARE
        return False  # 备注, optional free text: blank

    def _fill(self, v: dict, ctx: _Ctx) -> None:
        ds, rnd = self.ds, ctx.rnd
        dates: list[str] = []
        for f in ds.fields:  # non-conditional fields first: a condition reads them
            if v.get(f.key) is not None or f.key in self.conditions or not self._wanted(f, v, rnd):
                continue
            if f.type == "date":
                dates.append(f.key)
            else:
                v[f.key] = self._value(f, v, ctx)
        for f in ds.fields:
            if f.key in self.conditions and v.get(f.key) is None and self._wanted(f, v, rnd):
                if f.type == "date":
                    dates.append(f.key)
                else:
                    v[f.key] = self._value(f, v, ctx)
        self._dates(v, dates, ctx)

    def _value(self, f, v: dict, ctx: _Ctx):
        rnd = ctx.rnd
        if f.key in self.unit_fields:
            return ctx.unit.uscc if self.unit_fields[f.key] == "uscc" else ctx.unit.name
        if f.key in self.values:
            options = self._matching(self.values[f.key], ctx.category)
            if f.type == "multienum":
                return "、".join(rnd.sample(options, k=min(len(options), rnd.choice([1, 1, 2]))))
            text = rnd.choice(options)
            if "{" in text:
                n = ctx.number if f.key in self.sequenced else rnd.randint(1, 300)
                text = text.format(n=n, year=ctx.date.year, abbr=ctx.abbr)
            return _fit(text, f.max_len)
        if f.type == "enum":
            return rnd.choice(self._matching(self.labels[f.key], ctx.category))
        if f.type == "multienum":
            labels = self.labels[f.key]
            return "、".join(rnd.sample(labels, k=min(len(labels), rnd.choice([1, 1, 2]))))
        if f.type == "decimal":
            if "score" in f.key:
                return f"{rnd.randint(600, 1000) / 10:g}"
            return wan(rnd.randint(1, 5000) * 100)
        if f.type == "uscc":
            return ctx.unit.uscc
        if f.key.endswith("_no"):
            return f"雷{ctx.abbr}〔{ctx.date.year}〕{ctx.number or rnd.randint(1, 300)}号"
        return _fit(f"{f.header.split('(')[0].split('（')[0]}：详见书面材料", f.max_len)

    @staticmethod
    def _matching(options: list[str], category: str | None) -> list[str]:
        """A value named after a subject category (市场主体类型 个体工商户) goes only with that category."""
        cats = {LEGAL, INDIV, NATURAL}
        own = [o for o in options if o == category]
        if own:
            return own
        rest = [o for o in options if o not in cats]
        return rest or options

    def _dates(self, v: dict, wanted: list[str], ctx: _Ctx) -> None:
        """Date fields: the deadline field first, then the others in the suite's orders (earlier <= later)."""
        rnd, report = ctx.rnd, ctx.report_date
        anchor = ctx.date
        deadline = self.ds.deadline_field
        if deadline in wanted:
            v[deadline] = anchor
        earlier_of: dict[str, set[str]] = {}
        later_of: dict[str, set[str]] = {}
        for a, b in self.orders:
            later_of.setdefault(a, set()).add(b)  # a must be on or before b
            earlier_of.setdefault(b, set()).add(a)
        todo = [k for k in wanted if v.get(k) is None]
        order: list[str] = []
        while todo:  # next: a field tied to one already dated, else the first left
            done = {k for k in v if isinstance(v.get(k), dt.date)} | set(order)
            pick = next(
                (k for k in todo if (earlier_of.get(k, set()) | later_of.get(k, set())) & done), todo[0]
            )
            todo.remove(pick)
            order.append(pick)
            lower = [v[k] for k in earlier_of.get(pick, ()) if isinstance(v.get(k), dt.date)]
            upper = [v[k] for k in later_of.get(pick, ()) if isinstance(v.get(k), dt.date)]
            lo, hi = max(lower, default=None), min(upper, default=None)
            if pick.endswith(_FUTURE):
                target = _add_years(anchor, rnd.choice([1, 2, 3, 5])) - dt.timedelta(days=1)
            elif pick.endswith(_START):
                target = anchor
            elif pick in later_of and pick not in earlier_of:  # before something: 成立日期, 立案日期
                target = anchor - dt.timedelta(days=rnd.randint(10, 400))
            else:  # after something, or free: 核查日期, 移出日期, 验收日期 — by the report date
                base = lo or anchor
                span = max(0, (report - base).days)
                target = report - dt.timedelta(days=rnd.randint(0, min(span, 5))) if span else base
            if hi is not None and target > hi:
                target = hi
            if lo is not None and target < lo:
                target = lo
            v[pick] = target


@dataclass
class _Ctx:
    rnd: random.Random
    unit: Unit
    date: dt.date
    report_date: dt.date
    number: int
    abbr: str
    category: str | None
    correction: bool = False


def _fit(text: str, max_len: int | None) -> str:
    return text if not max_len or len(text) <= max_len else text[:max_len]
