"""What every bench stage shares: the generated data, the environment, timing helpers."""

from __future__ import annotations

import datetime as dt
import os
import resource
import time
from pathlib import Path

from credit.telemetry import QUIET_ENVIRONMENT

REPORT_DATE = dt.date(2025, 6, 16)  # a Monday; every generated record is on time for it
DEFECT_RATE = 0.02
SEED = 7
ROOT = Path(__file__).resolve().parent.parent
# Child processes get the same quiet environment as this one (credit/telemetry.py).
ENV = dict(QUIET_ENVIRONMENT)


def say(text: str) -> None:
    print(text, flush=True)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - t


REPEAT = 3  # in-process stages: best of 3 (as timeit reports), all runs kept in bench.json


def best_of(res: dict, key: str, fn, *args, **kwargs):
    """fn's value and its best time over REPEAT runs; the runs' times go to res[key + "_runs"]."""
    times = []
    for _ in range(REPEAT):
        value, t = timed(fn, *args, **kwargs)
        times.append(round(t, 4))
    res[f"{key}_runs"] = times
    return value, min(times)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- data ------------------------------------------------------------------------------------------------
def make_data(folder: Path, n: int, xlsx_n: int) -> dict[str, Path]:
    """CSV of n records, their unit per row (parquet), and xlsx_n other records as a workbook saved the way
    Excel saves one and as openpyxl writes one (cached by size)."""
    from bench.excel_like import write_excel_like
    from samples.generator import generate_records_with_meta, write_frame

    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "csv": folder / f"xzcf_{n}.csv",
        "meta": folder / f"xzcf_{n}.units.parquet",
        "xlsx": folder / f"xzcf_{xlsx_n}.excel.xlsx",
        "xlsx_inline": folder / f"xzcf_{xlsx_n}.xlsx",
    }
    if not (paths["csv"].exists() and paths["meta"].exists()):
        frame, meta = generate_records_with_meta(
            "xzcf", n, seed=SEED, report_date=REPORT_DATE, defect_rate=DEFECT_RATE
        )
        write_frame(frame, paths["csv"], "csv-utf8")
        meta.reset_index(drop=True).to_parquet(paths["meta"])
    if xlsx_n and not (paths["xlsx"].exists() and paths["xlsx_inline"].exists()):
        frame, meta = generate_records_with_meta(
            "xzcf", xlsx_n, seed=SEED + 1, report_date=REPORT_DATE, defect_rate=DEFECT_RATE
        )
        # xlsx cannot hold control characters: TXT-1 rows stay CSV-only.
        frame = frame[(meta["planted"] != "TXT-1").to_numpy()]
        write_excel_like(frame, paths["xlsx"], "xzcf")
        write_frame(frame, paths["xlsx_inline"], "xlsx")
    return paths
