"""Stages timed in fresh processes: the daily run (with and without Prefect) and the CSV → validation →
statistics pipeline (`bench.daily`, `bench.pipeline`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ENV, REPORT_DATE, ROOT, say, timed


def subprocess_json(args: list[str], env: dict[str, str], log: Path) -> dict:
    t = time.perf_counter()
    with open(log, "w") as err:
        proc = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True
        )
    wall = time.perf_counter() - t
    if proc.returncode:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}); see {log}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall_s"] = wall
    return out


def migrate_prefect_home(prefect_home: Path, env: dict[str, str], log: Path) -> None:
    """Set-up, not timed: create and migrate a Prefect home's database, as `make install` does for the default
    home (a never-used home makes the first flow run migrate it: ≈ 10–20 s more, reported apart)."""
    with open(log, "w") as err:
        subprocess.run(
            [sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"],
            cwd=ROOT,
            env={**env, "PREFECT_HOME": str(prefect_home)},
            stdout=err,
            stderr=err,
            check=True,
        )


def daily_stage(work: Path, res: dict) -> None:
    from samples.generator import generate_day

    day = REPORT_DATE
    results = {}
    # flow: a fresh process on a set-up machine (Prefect's database migrated, no run yet); plain: the same
    # steps without Prefect; flow-new-home: a Prefect home never used, whose first run migrates its database.
    for label, mode in (("flow", "flow"), ("plain", "plain"), ("flow-new-home", "flow")):
        home = Path(tempfile.mkdtemp(prefix=f"bench-daily-{label}-", dir=work))
        generated, t_gen = timed(generate_day, home, day, seed=day.toordinal())
        env = {**os.environ, **ENV, "CREDIT_HOME": str(home), "PREFECT_HOME": str(home / "prefect")}
        for k in ("CREDIT_PLATFORM_URL", "CREDIT_DATABASE_URL", "PREFECT_API_URL"):
            env.pop(k, None)
        if label == "flow":
            migrate_prefect_home(home / "prefect", env, work / "daily-setup.log")
        results[label] = subprocess_json(
            ["-m", "bench.daily", mode, str(home), day.isoformat()], env, work / f"daily-{label}.log"
        )
        results[label]["generate_s"] = t_gen
        results[label]["files"] = len(generated.files)
        shutil.rmtree(home, ignore_errors=True)
    res["daily_run_new_prefect_home_s"] = results["flow-new-home"]["wall_s"]
    flow, plain = results["flow"], results["plain"]
    res["daily_records"] = flow["checked"]
    res["daily_run_s"] = flow["wall_s"]
    res["daily_flow_run_s"] = flow["run_s"]
    res["daily_plain_s"] = plain["wall_s"]
    res["daily_plain_steps"] = plain.get("steps")
    res["prefect_overhead_s"] = flow["wall_s"] - plain["wall_s"]
    res["prefect_overhead_share"] = res["prefect_overhead_s"] / flow["wall_s"]
    say(
        f"  daily    {res['daily_run_s']:>10.1f} s cold for {flow['checked']:,} records in {flow['files']} files "
        f"(flow body {flow['run_s']:.1f} s); plain functions {plain['wall_s']:.1f} s → Prefect "
        f"{res['prefect_overhead_s']:.1f} s ({res['prefect_overhead_share']:.0%}); with a never-used Prefect "
        f"home {res['daily_run_new_prefect_home_s']:.1f} s"
    )


def pipeline_stage(paths: dict[str, Path], work: Path, n: int) -> dict:
    home = Path(tempfile.mkdtemp(prefix=f"bench-pipeline-{n}-", dir=work))
    env = {**os.environ, **ENV, "CREDIT_HOME": str(home)}
    try:
        out = subprocess_json(
            [
                "-m",
                "bench.pipeline",
                str(paths["csv"]),
                str(paths["meta"]),
                REPORT_DATE.isoformat(),
                str(home),
            ],
            env,
            work / f"pipeline-{n}.log",
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
    say(
        f"  pipeline {n:>10,} rows: {out['pipeline_s']:.1f} s (ingest {out['ingest_s']:.1f}, validate "
        f"{out['validate_s']:.1f}, stats {out['stats_s']:.1f}; + bulk store load {out['store_s']:.1f}), "
        f"peak RSS {out['peak_rss_mb']:,.0f} MB"
    )
    return out
