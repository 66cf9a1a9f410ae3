"""The plan's unit names resolved to registry codes (`credit/data/units.csv`).

A name resolves, in this order, by the alias table `credit/data/plans/unit_aliases.csv` (the plan's group
phrases and spellings: 各镇（街）人民政府（办事处）, 各“双公示”职能单位 …), by a registry name or short name, or
by 雷州 + the name (the plan writes 市交通运输局 for 雷州市交通运输局). A name that resolves to nothing raises
`UnknownUnitName`: nobody's duty is silently dropped.

An alias's `units` is a selector: alternatives separated by `|`, each a conjunction of terms joined by `&`;
a term is a unit code, `kind=department|town|street` or a registry flag (`shuanggongshi`, `joint_meeting`,
`punishment`). `-` resolves to no unit on purpose (the note says why)."""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from credit.standard import DATA_DIR
from credit.units import Unit, all_units

ALIASES = DATA_DIR / "plans" / "unit_aliases.csv"
FLAGS = ("shuanggongshi", "joint_meeting", "punishment")
_NOTE = re.compile(r"\(注\d+\)")
_TAIL = re.compile(r"(按职责分工负责|按职责分工)+$")
# Names are separated by 、 and commas; 及 joins a unit to a group (市教育局及其他…成员单位).
_SEPARATOR = re.compile(r"[、，,；;]|及(?=其他|市)")


class UnknownUnitName(LookupError):
    """A unit name of the plan that the registry and the alias table do not know."""

    def __init__(self, name: str, where: str = ""):
        self.name = name
        self.where = where
        place = f"{where}：" if where else ""
        super().__init__(
            f"{place}单位名称“{name}”在单位名录（credit/data/units.csv）和别名表（{ALIASES.name}）中都找不到，"
            f"请在别名表中补充。 / {where + ': ' if where else ''}unit name {name!r} resolves to no registry "
            f"code: add it to {ALIASES.name}."
        )


def normalise(name: str) -> str:
    """A name as compared: no blanks, ASCII parentheses, no (注N) note, no 按职责分工负责 tail."""
    text = re.sub(r"\s+", "", name).replace("（", "(").replace("）", ")")
    text = _TAIL.sub("", text)
    return _NOTE.sub("", text)


def split_names(text: str) -> list[str]:
    """The unit names of a 责任单位 cell, as written (normalised), in order, empty pieces dropped."""
    body = _TAIL.sub("", re.sub(r"\s+", "", text))
    return [n for n in (normalise(piece) for piece in _SEPARATOR.split(body)) if n]


@dataclass(frozen=True)
class Alias:
    name: str
    units: str
    note: str


def load_aliases(path: Path = ALIASES) -> dict[str, Alias]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = [
            Alias(r["name"].strip(), r["units"].strip(), (r.get("note") or "").strip())
            for r in csv.DictReader(fh)
        ]
    return {normalise(a.name): a for a in rows}


def _matches(unit: Unit, term: str) -> bool:
    if term.startswith("kind="):
        return unit.kind == term.removeprefix("kind=")
    if term in FLAGS:
        return getattr(unit, term)
    return unit.code == term


def select(selector: str, units: Mapping[str, Unit] | None = None) -> tuple[str, ...]:
    """The codes a selector names, in registry order; a term naming no known code or flag is an error."""
    units = all_units() if units is None else units
    if selector.strip() == "-":
        return ()
    alternatives = [[t.strip() for t in alt.split("&") if t.strip()] for alt in selector.split("|")]
    for terms in alternatives:
        for term in terms:
            known = term in units or term in FLAGS or term in ("kind=department", "kind=town", "kind=street")
            if not known:
                raise ValueError(f"选择条件“{term}”无效 / unknown selector term {term!r} in {selector!r}")
    return tuple(
        code
        for code, unit in units.items()
        if any(all(_matches(unit, t) for t in terms) for terms in alternatives)
    )


class Resolver:
    """Plan names → registry codes, over the registry and the alias table."""

    def __init__(self, units: Mapping[str, Unit] | None = None, aliases: Mapping[str, Alias] | None = None):
        self.units = dict(all_units() if units is None else units)
        self.aliases = dict(load_aliases() if aliases is None else aliases)
        self._by_name: dict[str, str] = {}
        for unit in self.units.values():
            for name in (unit.name, unit.short_name):
                self._by_name.setdefault(normalise(name), unit.code)

    def resolve(self, name: str, where: str = "") -> tuple[str, ...]:
        key = normalise(name)
        if key in self.aliases:
            return select(self.aliases[key].units, self.units)
        for candidate in (key, "雷州" + key):
            if candidate in self._by_name:
                return (self._by_name[candidate],)
        raise UnknownUnitName(name, where)

    def resolve_all(self, names: list[str], where: str = "") -> tuple[str, ...]:
        """The codes of several names, each once, in registry order."""
        codes = {code for name in names for code in self.resolve(name, where)}
        return tuple(code for code in self.units if code in codes)
