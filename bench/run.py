"""`make bench [RECORDS=N]`: every stage measured on N generated 行政处罚 records across the 49 units.

Writes `$CREDIT_HOME/out/bench/bench.json` (plain numbers) and `bench.md` (the table, also printed). Stages run
one after the other (the machine is shared); ingest and validation (and its pandas reference) are timed best of
3, the daily run and the CSV → validation → statistics pipeline once each in fresh processes. See README
"Performance".

Imports of the measured code stay inside each stage on purpose: a stage's first use (imports, caches) is
part of what it measures, or is kept out of the timing explicitly, and the parent process stays light for
the fresh processes it starts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from bench.common import ENV, REPEAT, REPORT_DATE, ROOT, best_of, load, make_data, rss_mb, say, timed
from bench.fresh import daily_stage, pipeline_stage
from bench.report import table


# --- stages ----------------------------------------------------------------------------------------------
def ingest(paths: dict[str, Path], res: dict) -> object:
    """Ingest as production reads a unit's file (`read_unit_file`: guarded, parsed in a reader process, the
    sheets back through shared memory), and in this process (`read_file`) to show what containment costs."""
    import statistics

    import pandas as pd
    from python_calamine import CalamineWorkbook

    from credit.readers import read_file, read_unit_file

    warm = paths["csv"].with_name("warmup.csv")  # first use: imports, code-list caches, the fork server
    with open(paths["csv"], "rb") as fh:
        warm.write_bytes(b"".join(fh.readline() for _ in range(1000)))
    read_file(warm)
    read_unit_file(warm)
    sheets, t = best_of(res, "ingest_csv_s", lambda: read_unit_file(paths["csv"], max_rows=2_000_000).sheets)
    sheet = sheets[0]
    res["csv_rows"] = len(sheet.data)
    res["ingest_csv_s"] = t
    res["ingest_csv_rows_per_s"] = len(sheet.data) / t
    _, t = best_of(res, "ingest_csv_in_process_s", read_file, paths["csv"], max_rows=2_000_000)
    res["ingest_csv_in_process_rows_per_s"] = len(sheet.data) / t
    _, t = timed(pd.read_csv, paths["csv"], dtype=str, keep_default_na=False)
    res["csv_pandas_raw_rows_per_s"] = len(sheet.data) / t
    say(
        f"  CSV      {res['ingest_csv_rows_per_s']:>10,.0f} rows/s as production reads it (read_file "
        f"{res['ingest_csv_in_process_rows_per_s']:,.0f}; pandas.read_csv raw, no normalisation: "
        f"{res['csv_pandas_raw_rows_per_s']:,.0f})"
    )

    # The default reader (our own sheet parser, calamine where it declines) against calamine and openpyxl,
    # on a workbook saved as Excel saves one; then the default on openpyxl's inline-string layout.
    read_file(paths["xlsx"])  # warm: first-use imports
    read_unit_file(paths["xlsx"])
    xs, t = best_of(res, "ingest_xlsx_s", lambda: read_unit_file(paths["xlsx"]).sheets)
    rows = len(xs[0].data)
    res["xlsx_rows"] = rows
    res["ingest_xlsx_rows_per_s"] = rows / t
    _, t = best_of(res, "ingest_xlsx_in_process_s", read_file, paths["xlsx"])
    res["ingest_xlsx_in_process_rows_per_s"] = rows / t
    for engine in ("calamine", "openpyxl"):
        _, t = timed(read_file, paths["xlsx"], engine=engine)
        res[f"ingest_xlsx_{engine}_rows_per_s"] = rows / t
    _, t = timed(lambda: CalamineWorkbook.from_path(str(paths["xlsx"])).get_sheet_by_index(0).to_python())
    res["xlsx_calamine_raw_rows_per_s"] = rows / t
    inline, t = timed(read_unit_file, paths["xlsx_inline"])
    res["ingest_xlsx_inline_rows_per_s"] = len(inline.sheets[0].data) / t
    say(
        f"  xlsx     {res['ingest_xlsx_rows_per_s']:>10,.0f} rows/s contained ({rows:,} rows; in this process "
        f"{res['ingest_xlsx_in_process_rows_per_s']:,.0f}; calamine "
        f"{res['ingest_xlsx_calamine_rows_per_s']:,.0f}, openpyxl {res['ingest_xlsx_openpyxl_rows_per_s']:,.0f}, "
        f"python_calamine raw cells {res['xlsx_calamine_raw_rows_per_s']:,.0f}; openpyxl-written file "
        f"{res['ingest_xlsx_inline_rows_per_s']:,.0f})"
    )

    # What containment costs a workbook: a 50-record one saved as Excel saves it, read 20 times each way.
    from bench.excel_like import write_excel_like

    small = warm.with_name("small_50.xlsx")
    write_excel_like(pd.read_csv(warm, dtype=str, keep_default_na=False, nrows=50), small, "xzcf")
    contained = [timed(read_unit_file, small)[1] for _ in range(20)]
    in_process = [timed(read_file, small)[1] for _ in range(20)]
    res["small_file_contained_ms"] = statistics.median(contained) * 1000
    res["small_file_in_process_ms"] = statistics.median(in_process) * 1000
    res["containment_ms_per_file"] = res["small_file_contained_ms"] - res["small_file_in_process_ms"]
    say(
        f"  contain  {res['containment_ms_per_file']:>10.1f} ms a workbook (50 records: "
        f"{res['small_file_contained_ms']:.1f} ms in a reader process, {res['small_file_in_process_ms']:.1f} ms "
        "in this one; medians of 20)"
    )
    return sheet


def check_stage(paths: dict[str, Path], work: Path, res: dict) -> None:
    """`credit check` on a 50-record CSV and workbook in a fresh process, as a clerk runs it (best of three)."""
    small = work / "check_50.csv"
    with open(paths["csv"], "rb") as fh:
        small.write_bytes(b"".join(fh.readline() for _ in range(51)))
    env = {**os.environ, **ENV}

    def check(path: Path) -> None:
        proc = subprocess.run(
            [sys.executable, "-m", "cli", "check", str(path), "--json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"credit check failed ({proc.returncode}): {proc.stderr[-2000:]}")

    _, res["check_s"] = best_of(res, "check_s", check, small)
    # A workbook is parsed in a reader process: the fork server's start (its imports) is in this time.
    import pandas as pd

    from bench.excel_like import write_excel_like

    book = work / "check_50.xlsx"
    write_excel_like(pd.read_csv(small, dtype=str, keep_default_na=False), book, "xzcf")
    _, res["check_xlsx_s"] = best_of(res, "check_xlsx_s", check, book)
    say(
        f"  check    {res['check_s']:>10.2f} s for a 50-record CSV, {res['check_xlsx_s']:.2f} s for a 50-record "
        "workbook (fresh process, best of 3)"
    )


def validate(sheet, res: dict) -> np.ndarray:
    from bench.reference import invalid_rows, reference_issues
    from credit.validation import validate_frame
    from credit.validation.gx import context, loaded

    _, t = timed(lambda: (context(), loaded("xzcf")))
    res["gx_cold_start_s"] = t
    validate_frame("xzcf", sheet.data.iloc[:100], unit_code=None, report_date=REPORT_DATE)  # warm
    verdicts, t = best_of(
        res, "validate_s", validate_frame, "xzcf", sheet.data, unit_code=None, report_date=REPORT_DATE
    )
    res["validate_s"] = t
    res["validate_rows_per_s"] = len(sheet.data) / t
    ref, t_ref = best_of(res, "reference_s", reference_issues, sheet.data, report_date=REPORT_DATE)
    res["reference_s"] = t_ref
    res["validate_vs_pandas_ratio"] = res["validate_s"] / t_ref
    gx_invalid = ~verdicts.valid().to_numpy()
    ref_invalid = invalid_rows(ref)
    res["invalid_rows"] = int(gx_invalid.sum())
    if not np.array_equal(gx_invalid, ref_invalid):
        diff = np.nonzero(gx_invalid != ref_invalid)[0][:10]
        raise AssertionError(
            f"GX and the reference disagree on {int((gx_invalid != ref_invalid).sum())} rows: {diff}"
        )
    pos = {row: i for i, row in enumerate(sheet.data.index)}
    for rule, mask in ref.items():  # per rule too (warnings included)
        prod = np.zeros(len(mask), dtype=bool)
        prod[
            verdicts.issues.loc[verdicts.issues["rule"] == rule, "row"].map(pos).to_numpy(dtype=np.int64)
        ] = True
        if not np.array_equal(prod, mask):
            raise AssertionError(f"{rule}: GX flags {int(prod.sum())} rows, the reference {int(mask.sum())}")
    say(
        f"  validate {res['validate_rows_per_s']:>10,.0f} rows/s, {res['validate_vs_pandas_ratio']:.2f}× the pandas "
        f"reference ({t_ref:.2f} s); {res['invalid_rows']:,} invalid rows, same rows and rules in both"
    )
    return ~gx_invalid


def gx_switch_stage(out: Path, n: int, day: bool, res: dict) -> None:
    """Validation with the private GX patches on and with `CREDIT_GX_PATCHES=off` (GX's public API only), in
    fresh processes, interleaved, best of 3 in CPU seconds (`bench.gx_patches`: each patch on its own)."""
    from bench.gx_patches import measure, summary, workloads

    found = workloads(out, [n], day)
    got = summary(measure(found, ["on", "off"], REPEAT, out / "gx_switch.partial.json", jobs=1))
    for w, v in got["workloads"].items():
        res[f"gx_patches_on_{w}_cpu_s"] = v["best_s"]["on"]
        res[f"gx_patches_off_{w}_cpu_s"] = v["best_s"]["off"]
        res[f"gx_patches_off_over_on_{w}"] = got["all_off_over_on"][w]
    say(
        "  GX patches off ÷ on (CPU s, best of 3): "
        + ", ".join(
            f"{w} {v['best_s']['off']:.2f} ÷ {v['best_s']['on']:.2f} = {got['all_off_over_on'][w]:.2f}"
            for w, v in got["workloads"].items()
        )
    )


def push_stage(sheet, valid: np.ndarray, units, work: Path, res: dict, n_push: int) -> None:
    from bench.store import load_records
    from credit.delivery import push
    from credit.platform.transports import make_transport
    from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox
    from credit.settings import load_settings

    db = work / "push.db"
    db.unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    take = np.nonzero(valid)[0][:n_push]
    queued = np.ones(len(take), dtype=bool)
    n = load_records(
        url, "xzcf", sheet.data.iloc[take], sheet.raw, units[take], valid[take], REPORT_DATE, queued=queued
    )
    sandbox = start_sandbox(
        app_key=DEMO_APP_KEY, app_secret=DEMO_APP_SECRET, state_path=str(work / "sandbox.db")
    )
    os.environ.update(
        {
            "CREDIT_HOME": str(work),
            "CREDIT_PLATFORM_URL": sandbox.url,
            "CREDIT_PLATFORM_APP_KEY": DEMO_APP_KEY,
            "CREDIT_PLATFORM_APP_SECRET": DEMO_APP_SECRET,
        }
    )
    try:
        transport = make_transport(load_settings())
        summary, t = timed(push, transport, database_url=url, report_date=REPORT_DATE)
        transport.close()
    finally:
        sandbox.stop()
    if summary.accepted != n:
        raise AssertionError(f"push: {summary.accepted} of {n} accepted ({summary.to_dict()})")
    res["push_records"] = n
    res["push_s"] = t
    res["push_records_per_s"] = n / t
    say(
        f"  push     {res['push_records_per_s']:>10,.0f} records/s ({n:,} records, {summary.batches} batches)"
    )


def stats_stage(sheet, valid, units, work: Path, res: dict) -> None:
    from bench.store import load_records
    from credit.reports.bulletin import build_bulletin
    from credit.reports.daily import write_daily
    from credit.stats import compute_daily, save_daily
    from credit.store import session_scope
    from credit.workdays import WorkCalendar

    db = work / "stats.db"
    db.unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    n, t = timed(load_records, url, "xzcf", sheet.data, sheet.raw, units, valid, REPORT_DATE)
    res["store_bulk_load_s"] = t

    def stats():
        with session_scope(url) as session:
            report = compute_daily(session, REPORT_DATE, calendar=WorkCalendar(), deadline_workdays=3)
            save_daily(session, report)
        write_daily(report, work / "out")
        return report

    report, t = timed(stats)
    res["stats_s"] = t
    received = sum(r.counts.received for r in report.rows)
    if received != n:
        raise AssertionError(f"statistics counted {received} records, the store holds {n}")

    def bulletin():
        with session_scope(url) as session:
            return build_bulletin(session, f"{REPORT_DATE:%Y-%m}", work / "out")

    _, t = timed(bulletin)
    res["bulletin_s"] = t
    say(
        f"  stats    {res['stats_s']:>10.2f} s for {n:,} records (bulk store load {res['store_bulk_load_s']:.1f} s, "
        f"not timed in stats); bulletin {res['bulletin_s']:.2f} s"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    ap.add_argument("--records", type=int, default=100_000, help="10000, 100000 (default) or 1000000")
    ap.add_argument("--xlsx-records", type=int, default=50_000)
    ap.add_argument("--push-records", type=int, default=20_000)
    ap.add_argument("--skip-daily", action="store_true")
    args = ap.parse_args(argv)
    os.environ.update(ENV)
    from credit.settings import load_settings

    settings = load_settings()
    out = settings.out / "bench"
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    n = args.records
    xlsx_n = min(n, args.xlsx_records)
    res: dict = {
        "records": n,
        "report_date": REPORT_DATE.isoformat(),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "load_before": load(),
        "started": dt.datetime.now().isoformat(timespec="seconds"),
    }
    say(f"bench: {n:,} records (load {res['load_before']})")
    paths, t = timed(make_data, out / "data", n, xlsx_n)
    say(f"  data ready in {t:.1f} s: {paths['csv']}")
    import pandas as pd

    units = pd.read_parquet(paths["meta"])["unit"].to_numpy()
    sheet = ingest(paths, res)
    check_stage(paths, work, res)
    valid = validate(sheet, res)
    push_stage(sheet, valid, units, work, res, min(args.push_records, n))
    stats_stage(sheet, valid, units, work, res)
    res["main_peak_rss_mb"] = rss_mb()
    del sheet
    gx_switch_stage(out, n, not args.skip_daily, res)
    if not args.skip_daily:
        daily_stage(work, res)
    big = pipeline_stage(paths, work, n)
    res["pipeline_s"] = big["pipeline_s"]
    res["pipeline_with_store_s"] = big["pipeline_with_store_s"]
    res["pipeline"] = big
    res["peak_rss_mb"] = big["peak_rss_mb"]
    res["reader_peak_rss_mb"] = big.get("reader_peak_rss_mb")
    if n >= 1_000_000:
        res["pipeline_1m_s"] = big["pipeline_s"] * 1_000_000 / n
        small_paths = make_data(out / "data", 100_000, 0)
        small = pipeline_stage(small_paths, work, 100_000)
        res["pipeline_100k"] = small
        res["pipeline_100k_s"] = small["pipeline_s"]
        res["scaling_1m_over_100k"] = big["pipeline_s"] / small["pipeline_s"] * (100_000 / 100_000)
    res["load_after"] = load()
    res["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    text = table(res)
    (out / "bench.json").write_text(json.dumps(res, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "bench.md").write_text(text + "\n", encoding="utf-8")
    say("")
    say(text)
    say(f"\n{out / 'bench.json'}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
