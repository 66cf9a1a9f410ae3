"""The unit registry (`credit/data/units.csv`): the plan's organisations and their roles."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache

from credit.standard import DATA_DIR, datasets

UNIT_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    short_name: str
    kind: str  # department | town | street
    shuanggongshi: bool  # one of the plan's 49 双公示 units (注2)
    joint_meeting: bool
    punishment: bool
    uscc: str
    uscc_synthetic: bool


@cache
def all_units() -> dict[str, Unit]:
    with open(DATA_DIR / "units.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {
        r["code"]: Unit(
            code=r["code"],
            name=r["name"],
            short_name=r["short_name"],
            kind=r["kind"],
            shuanggongshi=r["shuanggongshi"] == "1",
            joint_meeting=r["joint_meeting"] == "1",
            punishment=r["punishment"] == "1",
            uscc=r["uscc"],
            uscc_synthetic=r["uscc_synthetic"] == "1",
        )
        for r in rows
    }


def reporting_units() -> list[Unit]:
    """The 49 双公示 units, in registry order."""
    return [u for u in all_units().values() if u.shuanggongshi]


def collected_units() -> list[Unit]:
    """Every unit that reports some dataset (the 49 双公示 units first, then the others that report one of the
    other credit datasets: 市人民法院, 市交通运输局, …), in registry order: whom the daily run collects."""
    reporters = [ds.reporters for ds in datasets().values()]
    return [u for u in all_units().values() if any(r.includes(u) for r in reporters)]


def unit(code: str) -> Unit:
    if not isinstance(code, str) or not UNIT_CODE.fullmatch(code):  # fullmatch: "$" admits a final \n
        raise ValueError(f"单位代码不合法 invalid unit code: {code!r}")
    try:
        return all_units()[code]
    except KeyError:
        raise KeyError(f"未知单位 unknown unit: {code}") from None
