"""One size through CSV → validation → store → statistics, in a fresh process (so that time and peak RSS are
its own): `python -m bench.pipeline CSV META REPORT_DATE HOME` prints one JSON line.

Besides the whole run's peak RSS it reports, per stage, the RSS after the stage and the stage's own peak
(Linux: the high-water mark is reset between stages through /proc/self/clear_refs), so that the stage
holding the peak is named, not guessed.

Imports of the measured code stay inside each stage on purpose: a stage's first use (imports, caches) is
part of what it measures, or is kept out of the timing explicitly, and the parent process stays light for
the fresh processes it starts.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import resource
import sys
import time
from pathlib import Path


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_mb(field: str) -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")  # resets VmHWM to the current RSS
        return True
    except OSError:
        return False


class _Stages:
    """RSS after each stage and each stage's own peak, in MB."""

    def __init__(self) -> None:
        self.rss: dict[str, float | None] = {}
        self.peak: dict[str, float | None] = {}
        self.per_stage_peak = _reset_peak()

    def done(self, name: str) -> None:
        self.rss[name] = _status_mb("VmRSS")
        self.peak[name] = _status_mb("VmHWM") if self.per_stage_peak else None
        self.per_stage_peak = _reset_peak()


def _peak_mb(stages: _Stages) -> float:
    """The run's peak: the highest stage peak (VmHWM, this process's own memory). Not ru_maxrss where VmHWM
    is known: Linux carries the parent's RSS at fork into a child's ru_maxrss across exec, so a child of a
    2.8 GB benchmark process reported 2.8 GB whatever it used itself."""
    peaks = [v for v in stages.peak.values() if v is not None]
    own = _status_mb("VmHWM")
    return max([*peaks, own]) if own is not None else max([_rss_mb(), *peaks])


def run(csv: Path, meta: Path, report_date: dt.date, home: Path) -> dict:
    import pandas as pd

    from bench.store import load_records
    from credit.readers import read_unit_file
    from credit.reports.daily import write_daily
    from credit.stats import compute_daily, save_daily
    from credit.store import session_scope
    from credit.validation import validate_frame
    from credit.validation.gx import context
    from credit.workdays import WorkCalendar

    context()  # GX import and context: a fixed cost, reported by the main run
    # The reader's fork server, started once per process as collect starts it: a fixed cost too.
    head = home / "head.csv"
    with open(csv, "rb") as fh:
        head.write_bytes(b"".join(fh.readline() for _ in range(11)))
    read_unit_file(head)
    out: dict = {}
    stages = _Stages()
    stages.done("start")
    t0 = time.perf_counter()
    unit_file = read_unit_file(csv, max_rows=2_000_000)  # as production reads it
    sheet = unit_file.sheets[0]
    t1 = time.perf_counter()
    stages.done("ingest")
    peak = unit_file.reader_peak_bytes  # None: a plain UTF-8 CSV is parsed in this process
    out["reader_peak_rss_mb"] = None if peak is None else peak / (1 << 20)
    del unit_file
    verdicts = validate_frame("xzcf", sheet.data, unit_code=None, report_date=report_date)
    valid = verdicts.valid().to_numpy()
    rows = len(sheet.data)
    del verdicts  # per-row problem lists: not needed once the valid flags are taken
    gc.collect()
    t2 = time.perf_counter()
    stages.done("validate")
    units = pd.read_parquet(meta)["unit"].to_numpy()
    url = f"sqlite:///{home / 'credit.db'}"
    load_records(url, "xzcf", sheet.data, sheet.raw, units, valid, report_date)
    del sheet, units, valid  # the statistics read the store, not the frames
    gc.collect()
    t3 = time.perf_counter()
    stages.done("store")
    with session_scope(url) as session:
        report = compute_daily(session, report_date, calendar=WorkCalendar(), deadline_workdays=3)
        save_daily(session, report)
    write_daily(report, home / "out")
    t4 = time.perf_counter()
    stages.done("stats")
    out.update(
        rows=rows,
        ingest_s=t1 - t0,
        validate_s=t2 - t1,
        store_s=t3 - t2,
        stats_s=t4 - t3,
        pipeline_s=(t2 - t0) + (t4 - t3),
        pipeline_with_store_s=t4 - t0,
        peak_rss_mb=_peak_mb(stages),
        rss_after_mb=stages.rss,
        stage_peak_rss_mb=stages.peak,
    )
    return out


if __name__ == "__main__":
    csv, meta, day, home = sys.argv[1:5]
    print(json.dumps(run(Path(csv), Path(meta), dt.date.fromisoformat(day), Path(home))))
