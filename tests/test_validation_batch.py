"""A day is validated in one suite run per dataset (`validate_groups`, `credit.steps.validate.validate_units`):
every delivery is judged exactly as if it had been validated alone — SRC-1 against the unit that sent
each row, DUP-1 within one delivery only."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from credit.readers import read_file
from credit.standard import dataset
from credit.validation import Group, describe_rows, validate_frame, validate_groups
from samples.generator import generate_day
from tests.rows import xzcf_row

DAY = dt.date(2026, 11, 26)
UNITS = ["scjgj", "zjj", "leicheng", "gaj", "wjj", "baisha", "cgj", "yjj"]


def frame(rows: list[dict[str, str]]) -> pd.DataFrame:
    """Rows keyed by G3 header as a normalised frame (field keys), spreadsheet rows 2.."""
    keys = {f.header: f.key for f in dataset("xzcf").fields}
    data = pd.DataFrame([{keys[h]: v for h, v in r.items()} for r in rows], dtype=object)
    return data.set_axis(pd.RangeIndex(2, 2 + len(rows), name="row"))


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    return generate_day(tmp_path_factory.mktemp("batch"), DAY, units=UNITS, seed=5, defect_rate=0.5)


def test_a_day_in_one_run_gives_each_delivery_its_own_verdicts(day):
    deliveries: dict[str, list[tuple[str, object]]] = {}
    for f in day.manifest["files"]:
        for sheet in read_file(day.home / f["path"]):
            deliveries.setdefault(sheet.dataset, []).append((f["unit"], sheet.data))
    compared = 0
    for ds, items in deliveries.items():
        together = validate_groups(ds, [Group(data, unit) for unit, data in items], report_date=DAY)
        assert len(together) == len(items)
        for (unit, data), verdicts in zip(items, together, strict=True):
            alone = validate_frame(ds, data, unit_code=unit, report_date=DAY)
            pd.testing.assert_frame_equal(verdicts.issues, alone.issues)
            assert verdicts.index.equals(alone.index) and verdicts.unit_code == unit
            compared += len(alone.issues)
    assert len(deliveries) == 2 and compared > 100


def test_same_record_in_two_deliveries_is_no_duplicate_but_twice_in_one_is():
    row = xzcf_row("scjgj", 1)
    first, second = frame([row]), frame([row, xzcf_row("scjgj", 2)])
    twice = frame([row, row])
    verdicts = validate_groups(
        "xzcf", [Group(first, "scjgj"), Group(second, "scjgj"), Group(twice, "scjgj")], report_date=DAY
    )
    assert verdicts[0].issues.empty and verdicts[1].issues.empty
    dup = verdicts[2].issues
    assert set(dup["rule"]) == {"DUP-1"} and sorted(dup["row"]) == [2, 3]


def test_source_unit_is_checked_against_the_unit_that_sent_each_row():
    own = frame([xzcf_row("scjgj", 1)])
    foreign = frame([xzcf_row("scjgj", 2)])  # sent by 住建局 but naming 市场监管局 as its source
    verdicts = validate_groups("xzcf", [Group(own, "scjgj"), Group(foreign, "zjj")], report_date=DAY)
    assert verdicts[0].issues.empty
    src = verdicts[1].issues
    assert set(src["rule"]) == {"SRC-1"} and set(src["key"]) == {"source_unit", "source_unit_uscc"}
    from credit.units import unit

    raw = pd.DataFrame([xzcf_row("scjgj", 2)]).set_axis(foreign.index)
    messages = [e["message"] for e in describe_rows(verdicts[1], raw, {})[2]["errors"]]
    assert any(unit("zjj").name in m for m in messages), messages
    # Without a unit (a clerk's `credit check` without --unit) SRC-1 is not checked.
    assert validate_frame("xzcf", foreign, unit_code=None, report_date=DAY).issues.empty


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="未知单位代码"):
        validate_groups("xzcf", [Group(frame([xzcf_row()]), "nosuchunit")], report_date=DAY)
