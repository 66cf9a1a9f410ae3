"""Date checks: real dates (DATE-1), not after the report date (DATE-2), in order (DATE-3/4/5), the
publication period of the regime in force (DATE-6). A date that does not parse takes part in DATE-1 only."""

from __future__ import annotations

import csv
from datetime import date
from functools import cache

import numpy as np
import pandas as pd

from credit.standard import DATA_DIR
from credit.validation.checks.frame import Masks, col, filled, parse_dates


def real_dates(frame: pd.DataFrame, column_list: list[str]) -> Masks:
    """DATE-1: a filled date field is not a real calendar date."""
    return {key: filled(s := col(frame, key)) & parse_dates(s).isna().to_numpy() for key in column_list}


def not_after(frame: pd.DataFrame, column: str, report_date: str) -> Masks:
    """DATE-2: the decision date lies after the report date."""
    d = parse_dates(col(frame, column))
    return {column: (d > pd.Timestamp(report_date)).fillna(False).to_numpy(dtype=bool)}


def dates_in_order(frame: pd.DataFrame, earlier: str, later: str, flag: str) -> Masks:
    """DATE-3/4/5/7: `earlier` must not lie after `later` (both real dates); the cell to fix is `flag`."""
    a, b = parse_dates(col(frame, earlier)), parse_dates(col(frame, later))
    return {flag: (a > b).fillna(False).to_numpy(dtype=bool)}


@cache
def publication_periods() -> tuple[tuple[pd.Timestamp, str, int, int], ...]:
    """The regimes of docs/standard.md §6 (credit/data/publication_periods.csv): (start, name, min, max months)."""
    with open(DATA_DIR / "publication_periods.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(
        sorted(
            (pd.Timestamp(r["start"]), r["regime"], int(r["min_months"]), int(r["max_months"])) for r in rows
        )
    )


def regime_for(decision: date | pd.Timestamp) -> tuple[str, int, int]:
    """The regime in force on a decision date (the earliest one before the first)."""
    chosen = publication_periods()[0]
    for period in publication_periods():
        if period[0] <= pd.Timestamp(decision):
            chosen = period
    return chosen[1], chosen[2], chosen[3]


def publication_period(frame: pd.DataFrame, decision: str, end: str) -> Masks:
    """DATE-6: 公示截止期 within decision + min .. + max months of the regime in force on the decision date."""
    d, e = parse_dates(col(frame, decision)), parse_dates(col(frame, end))
    mask = np.zeros(len(frame), dtype=bool)
    both = (d.notna() & e.notna()).to_numpy()
    periods = publication_periods()
    for i, (start, _name, lo, hi) in enumerate(periods):
        sel = both.copy()
        if i > 0:
            sel &= (d >= start).to_numpy()
        if i + 1 < len(periods):
            sel &= (d < periods[i + 1][0]).to_numpy()
        if not sel.any():
            continue
        ds, es = d[sel], e[sel]
        outside = (es < ds + pd.DateOffset(months=lo)) | (es > ds + pd.DateOffset(months=hi))
        mask[np.nonzero(sel)[0]] = outside.to_numpy(dtype=bool)
    return {end: mask}
