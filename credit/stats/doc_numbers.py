"""Document numbers for the statistics: their sequential form, the numbering series a unit declares, and the
holes in a series as known on a day (疑似漏报)."""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from credit import escape
from credit.reference_feed import _BRACKETS, doc_no_key
from credit.standard import DATA_DIR
from credit.store.models import ReferenceDecision

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
