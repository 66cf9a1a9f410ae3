"""One size through CSV → validation → store → statistics, in a fresh process (so that time and peak RSS are
its own): `python -m bench.pipeline CSV META REPORT_DATE HOME` prints one JSON line."""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import sys
import time
from pathlib import Path


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(csv: Path, meta: Path, report_date: dt.date, home: Path) -> dict:
    import pandas as pd

    from bench.store import load_records
    from credit.readers import read_file
    from credit.stats import compute_daily, save_daily, write_daily
    from credit.store import session_scope
    from credit.validation import validate_frame
    from credit.validation.gx import context
    from credit.workdays import WorkCalendar

    context()  # GX import and context: a fixed cost, reported by the main run
    out: dict = {}
    t0 = time.perf_counter()
    sheet = read_file(csv, max_rows=2_000_000)[0]
    t1 = time.perf_counter()
    verdicts = validate_frame("xzcf", sheet.data, unit_code=None, report_date=report_date)
    t2 = time.perf_counter()
    units = pd.read_parquet(meta)["unit"].to_numpy()
    url = f"sqlite:///{home / 'credit.db'}"
    load_records(url, "xzcf", sheet.data, sheet.raw, units, verdicts.valid().to_numpy(), report_date)
    t3 = time.perf_counter()
    with session_scope(url) as session:
        report = compute_daily(session, report_date, calendar=WorkCalendar(), deadline_workdays=3)
        save_daily(session, report)
    write_daily(report, home / "out")
    t4 = time.perf_counter()
    out.update(
        rows=len(sheet.data),
        ingest_s=t1 - t0,
        validate_s=t2 - t1,
        store_s=t3 - t2,
        stats_s=t4 - t3,
        pipeline_s=(t2 - t0) + (t4 - t3),
        pipeline_with_store_s=t4 - t0,
        peak_rss_mb=_rss_mb(),
    )
    return out


if __name__ == "__main__":
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    csv, meta, day, home = sys.argv[1:5]
    print(json.dumps(run(Path(csv), Path(meta), dt.date.fromisoformat(day), Path(home))))
