"""The vectorised identifier checks give the scalar algorithms' verdict on every kind of value, whatever
container the column comes in (object array, Arrow-backed pandas string array, list with None)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from credit.identifiers import (
    is_valid_ric,
    is_valid_uscc,
    ric_check_char,
    ric_valid_mask,
    uscc_check_char,
    uscc_valid_mask,
)

GOOD_USCC = "91440882MA4W0001" + "0"
GOOD_USCC += uscc_check_char(GOOD_USCC)
GOOD_RIC = "44088219800101001" + ric_check_char("44088219800101001")

USCCS = [
    GOOD_USCC,
    GOOD_USCC.lower(),  # lower case is not the standard's alphabet
    GOOD_USCC[:-1] + ("0" if GOOD_USCC[-1] != "0" else "1"),  # wrong check character
    GOOD_USCC[:17],  # 17 characters
    GOOD_USCC + "0",  # 19 characters
    "Z1" + GOOD_USCC[2:],  # unregistered prefix
    "９１" + GOOD_USCC[2:],  # full-width digits: 18 characters, not ASCII
    "91440882MA4W00I1X" + "0",  # I is not in the alphabet
    "00000000000000000X",  # the placeholder
    "",
    None,
]
RICS = [
    GOOD_RIC,
    GOOD_RIC[:-1] + ("0" if GOOD_RIC[-1] != "0" else "1"),
    "440882198002300015",  # 30 February
    "440882189901010011",  # before 1900
    "44088230000101001" + ric_check_char("44088230000101001"),  # born in the future
    "44088219800101001x",  # lower-case x
    "４40882198001010011",  # a full-width digit
    GOOD_RIC[:15],
    "",
    None,
]


@pytest.mark.parametrize(
    "container",
    [
        lambda v: np.asarray(v, dtype=object),
        lambda v: pd.array(v, dtype="str"),
        lambda v: pd.Series(v, dtype="str"),
        list,
    ],
    ids=["object", "arrow-str-array", "arrow-str-series", "list"],
)
def test_vectorised_checks_agree_with_the_scalar_algorithms(container):
    expected_uscc = [bool(v) and is_valid_uscc(v) for v in USCCS]
    assert uscc_valid_mask(container(USCCS)).tolist() == expected_uscc
    assert expected_uscc[0] and not any(expected_uscc[1:])
    expected_ric = [bool(v) and is_valid_ric(v) for v in RICS]
    assert ric_valid_mask(container(RICS)).tolist() == expected_ric
    assert expected_ric[0] and not any(expected_ric[1:])


def test_birth_dates_after_the_given_day_are_refused():
    born = "44088220300101001"
    number = born + ric_check_char(born)
    assert ric_valid_mask([number], today=dt.date(2031, 1, 1)).tolist() == [True]
    assert ric_valid_mask([number], today=dt.date(2029, 12, 31)).tolist() == [False]


def test_empty_columns():
    assert uscc_valid_mask([]).tolist() == [] and ric_valid_mask(pd.array([], dtype="str")).tolist() == []
