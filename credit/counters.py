"""The daily counters and rates (日统计), defined once: the `Counts` class below.

Each counter is a field declared with its Chinese label and kind, in the order every table shows them:
`count` (stored and shown), `operand` (stored, only a rate's operand: `invalid_or_late`); each rate is a
property declared with its label, after the counters. Everything else follows from this class: the store's
`DailyStat` columns (`credit.store.models`), the statistics' snapshot fields, the markdown table and text
(`credit.stats.render`) and the workbook's columns (`credit.reports.daily_workbook`). A counter added here
needs a migration adding its column (`tests/test_migrations.py` checks that the newest migration yields it).

A leaf module (it imports nothing of the project) because the store's models derive from it and the
statistics read the store.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Literal, NamedTuple

Kind = Literal["count", "operand", "rate"]


class Measure(NamedTuple):
    name: str
    label: str
    kind: Kind


def _counter(label: str, kind: Kind = "count"):
    return field(default=0, metadata={"label": label, "kind": kind})


class _Rate(property):
    """A rate derived from the counters, with its Chinese label."""

    label: str


def _rate(label: str):
    def declare(compute) -> _Rate:
        declared = _Rate(compute)
        declared.label = label
        return declared

    return declare


def ratio(numerator: int, denominator: int) -> float | None:
    """A zero denominator gives None (JSON null), never 0 or 1."""
    return numerator / denominator if denominator else None


@dataclass
class Counts:
    received: int = _counter("新增")
    invalid: int = _counter("错误")
    late: int = _counter("迟报")
    invalid_or_late: int = _counter("错误或迟报", "operand")  # each counted once: compliance_rate's operand
    missing: int = _counter("漏报")
    corrections: int = _counter("纠正")
    pushed: int = _counter("推送")
    accepted: int = _counter("平台接收")
    rejected: int = _counter("平台退回")

    @_rate("错误率")
    def error_rate(self) -> float | None:
        return ratio(self.invalid, self.received)

    @_rate("迟报率")
    def late_rate(self) -> float | None:
        return ratio(self.late, self.received)

    @_rate("漏报率")
    def missing_rate(self) -> float | None:
        return ratio(self.missing, self.received + self.missing)

    @_rate("及时率")
    def timely_rate(self) -> float | None:
        late = self.late_rate
        return None if late is None else 1 - late

    @_rate("达标率")
    def compliance_rate(self) -> float | None:
        return ratio(self.received - self.invalid_or_late, self.received + self.missing)

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f: getattr(self, f) + getattr(other, f) for f in COUNT_FIELDS})

    @property
    def three_zero(self) -> bool:
        """三清零: no late, missing or invalid record."""
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


# --- derived from `Counts`: use these, never a list of names written out again ------------------------------

MEASURES: tuple[Measure, ...] = (
    *(Measure(f.name, f.metadata["label"], f.metadata["kind"]) for f in fields(Counts)),
    *(Measure(name, v.label, "rate") for name, v in vars(Counts).items() if isinstance(v, _Rate)),
)
# Stored per unit, dataset and day (the DailyStat columns), in order.
COUNT_FIELDS: tuple[str, ...] = tuple(m.name for m in MEASURES if m.kind != "rate")
# Shown in tables and text, in order.
SHOWN_COUNTS: tuple[str, ...] = tuple(m.name for m in MEASURES if m.kind == "count")
RATE_FIELDS: tuple[str, ...] = tuple(m.name for m in MEASURES if m.kind == "rate")
COUNT_LABELS: dict[str, str] = {m.name: m.label for m in MEASURES if m.kind != "rate"}
RATE_LABELS: dict[str, str] = {m.name: m.label for m in MEASURES if m.kind == "rate"}
