"""The benchmark's independent pandas reference (bench/reference.py) and the GX suite agree, rule by rule."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from bench.reference import invalid_rows, reference_issues
from credit.readers import read_file
from credit.units import unit as unit_of
from credit.validation import validate_frame
from samples.generator import generate_records_with_meta, write_frame

REPORT_DATE = dt.date(2025, 6, 16)


@pytest.mark.parametrize("unit", [None, "scjgj"])
def test_reference_agrees_with_gx(tmp_path, unit):
    frame, meta = generate_records_with_meta(
        "xzcf", 1500, seed=3, unit=unit, report_date=REPORT_DATE, defect_rate=0.3
    )
    path = tmp_path / "xzcf.csv"
    write_frame(frame, path, "csv-utf8")
    data = read_file(path)[0].data
    assert meta["planted"].ne("").sum() > 300  # every rule planted several times

    verdicts = validate_frame("xzcf", data, unit_code=unit, report_date=REPORT_DATE)
    params = {}
    if unit:
        u = unit_of(unit)
        params = {"unit_name": u.name, "unit_short_name": u.short_name, "unit_uscc": u.uscc}
    ref = reference_issues(data, report_date=REPORT_DATE, **params)

    pos = {row: i for i, row in enumerate(data.index)}
    for rule, mask in ref.items():
        gx = np.zeros(len(data), dtype=bool)
        gx[verdicts.issues.loc[verdicts.issues["rule"] == rule, "row"].map(pos).to_numpy(dtype=np.int64)] = (
            True
        )
        assert np.array_equal(gx, mask), f"{rule}: GX {int(gx.sum())} rows, reference {int(mask.sum())}"
    assert np.array_equal(~verdicts.valid().to_numpy(), invalid_rows(ref))
    assert invalid_rows(ref).sum() > 100
