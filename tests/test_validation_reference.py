"""The plain pandas reference and the GX suites give the same verdicts on a mixed frame."""

from __future__ import annotations

import pandas as pd
import pytest

from credit.validation import validate_frame
from credit.validation.reference import reference_validate
from tests.test_validation_samples import REPORT_DATE, UNIT, case_frame


@pytest.mark.parametrize("ds", ["xzxk", "xzcf"])
@pytest.mark.parametrize("unit", [UNIT, None])
def test_reference_equals_gx(ds, unit):
    frame, _ = case_frame(ds)
    gx = validate_frame(ds, frame, unit_code=unit, report_date=REPORT_DATE)
    ref = reference_validate(ds, frame, unit_code=unit, report_date=REPORT_DATE)
    key = ["row", "rule", "key", "severity"]
    a = gx.issues[key].sort_values(key).reset_index(drop=True)
    b = ref.issues[key].sort_values(key).reset_index(drop=True)
    assert len(a) > 40
    pd.testing.assert_frame_equal(a.astype(str), b.astype(str))
    assert gx.valid().equals(ref.valid())
