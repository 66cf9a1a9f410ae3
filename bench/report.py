"""`make bench`'s table: the targets and what is also measured."""

from __future__ import annotations

TARGETS = [
    ("validate_rows_per_s", "validate rows/s", ">=", 100_000),
    ("validate_vs_pandas_ratio", "validate ÷ pandas reference", "<=", 3),
    ("ingest_csv_rows_per_s", "CSV ingest rows/s", ">=", 300_000),
    ("ingest_xlsx_rows_per_s", "xlsx ingest rows/s (Excel-saved workbook)", ">=", 50_000),
    ("push_records_per_s", "push records/s", ">=", 2_000),
    ("daily_run_s", "daily run, cold (s)", "<=", 30),
    ("pipeline_1m_s", "1M CSV → validation → stats (s)", "<=", 60),
    ("peak_rss_mb", "peak RSS (MB)", "<=", 3072),
    ("scaling_1m_over_100k", "scaling 1M ÷ 100k", "<=", 11),
]
INFO = [
    ("ingest_csv_s", "CSV ingest as production reads it (s; plain UTF-8: parsed in the run)"),
    ("ingest_csv_in_process_rows_per_s", "CSV ingest rows/s, parsed in this process"),
    ("ingest_xlsx_in_process_rows_per_s", "xlsx ingest rows/s, parsed in this process"),
    ("containment_ms_per_file", "containment cost per workbook (ms, 50 records, median)"),
    ("small_file_contained_ms", "50-record workbook in a reader process (ms, median)"),
    ("small_file_in_process_ms", "50-record workbook in this process (ms, median)"),
    ("csv_pandas_raw_rows_per_s", "pandas.read_csv raw rows/s (reference)"),
    ("ingest_xlsx_calamine_rows_per_s", "xlsx ingest rows/s, calamine engine"),
    ("ingest_xlsx_openpyxl_rows_per_s", "xlsx ingest rows/s, openpyxl engine"),
    ("ingest_xlsx_inline_rows_per_s", "xlsx ingest rows/s, openpyxl-written workbook (inline strings)"),
    ("xlsx_calamine_raw_rows_per_s", "python_calamine raw cells rows/s (reference)"),
    ("check_s", "credit check, 50-record CSV, fresh process (s)"),
    ("check_xlsx_s", "credit check, 50-record workbook, fresh process (s)"),
    ("gx_cold_start_s", "GX import + context + suite (s)"),
    (
        "gx_patches_off_over_on_day",
        "GX patches off ÷ on: a day's validation with Data Docs (CPU s, fresh processes)",
    ),
    ("gx_patches_off_over_on_100k", "GX patches off ÷ on: validation at 100k (CPU s, fresh processes)"),
    ("gx_patches_off_over_on_1000k", "GX patches off ÷ on: validation at 1M (CPU s, fresh processes)"),
    ("validate_s", "validate (s)"),
    ("reference_s", "pandas reference (s)"),
    ("invalid_rows", "invalid rows (both agree)"),
    ("stats_s", "日统计 (s)"),
    ("bulletin_s", "月通报 (s)"),
    ("store_bulk_load_s", "bulk store load, bench loader (s)"),
    ("daily_records", "daily run records"),
    ("daily_flow_run_s", "daily flow body (s)"),
    ("daily_run_new_prefect_home_s", "daily run, never-used Prefect home (first run migrates it) (s)"),
    ("daily_plain_s", "same steps without Prefect, cold (s)"),
    ("prefect_overhead_share", "Prefect share of the daily run"),
    ("pipeline_s", "CSV → validation → stats at this size (s)"),
    ("reader_peak_rss_mb", "… its reader process's peak RSS, apart from the pipeline's (MB; — : none)"),
    ("pipeline_100k_s", "… at 100k (s)"),
]


def fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and abs(v) < 1:
        return f"{v:.3f}"
    if isinstance(v, float) and v < 100:
        return f"{v:.2f}"
    return f"{v:,.0f}"


def table(res: dict) -> str:
    lines = [
        f"Benchmark, {res['records']:,} records (xlsx: {res.get('xlsx_rows', 0):,}-row sample; push: "
        f"{res.get('push_records', 0):,} records) — {res['machine']}, load before/after {res['load_before']} / "
        f"{res['load_after']}",
        "",
        "| measure | value | target | met |",
        "|---|---:|---:|:-:|",
    ]
    for key, label, op, target in TARGETS:
        v = res.get(key)
        met = "—" if v is None else ("yes" if (v >= target if op == ">=" else v <= target) else "**no**")
        lines.append(f"| {label} | {fmt(v)} | {op} {target:,} | {met} |")
    lines += ["", "| also measured | value |", "|---|---:|"]
    for key, label in INFO:
        if res.get(key) is not None:
            v = res[key]
            lines.append(f"| {label} | {f'{v:.0%}' if key.endswith('share') else fmt(v)} |")
    return "\n".join(lines)
