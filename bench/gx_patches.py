"""Each private change to Great Expectations measured on its own: `python -m bench.gx_patches`.

For every patch named in `credit.validation.gx_patches.PATCHES`, validation runs with every patch on, with only
that one on (`CREDIT_GX_PATCHES=+name`: its gain on its own; ablations, `--also=-name`, understate patches that
overlap), and with all off (`CREDIT_GX_PATCHES=off`, GX's public API only), each in a fresh process (patches are applied once per process), on three workloads: the xzcf suite over 100k and 1M
generated records (as `make bench` validates them), and a generated day validated as the daily run does it
(one `validate_groups` per dataset, Data Docs written). Runs are interleaved (round after round over every
configuration, the machine being shared) and the best of the rounds is kept. Writes `gx_patches.json` and
`gx_patches.md` under `$CREDIT_HOME/out/bench/`.

Imports of the measured code stay inside each stage on purpose: a stage's first use (imports, caches) is
part of what it measures, or is kept out of the timing explicitly, and the parent process stays light for
the fresh processes it starts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ENV, REPORT_DATE, ROOT, load, make_data, say
from credit.validation.gx_patches import PATCHES

KEEP = 1.10  # a patch stays when turning it off makes some workload ≥ 10 % slower


def _day_groups(home: Path) -> tuple[dt.date, dict[str, list]]:
    from credit.readers import read_file
    from credit.validation import Group

    manifest = json.loads(next((home / "generated").glob("*.json")).read_text(encoding="utf-8"))
    groups: dict[str, list] = {}
    for f in manifest["files"]:
        for sheet in read_file(home / f["path"]):
            groups.setdefault(sheet.dataset, []).append(Group(sheet.data, f["unit"]))
    return dt.date.fromisoformat(manifest["date"]), groups


def _rss_now_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def worker(items: list[str]) -> dict:
    """Each workload (`name=kind:path`) timed once in this process, in order, after the context and suites are
    built (as the daily flow warms them). Wall and CPU seconds: on a shared machine CPU time is what other
    processes disturb least."""
    import pandas as pd

    from credit.validation import validate_frame, validate_groups
    from credit.validation.gx import loaded

    loaded("xzcf")
    loaded("xzxk")
    out = {}
    for item in items:
        name, spec = item.split("=", 1)
        kind, path = spec.split(":", 1)
        if kind == "frame":
            data = pd.read_parquet(path)
            validate_frame(
                "xzcf", data.iloc[:100], unit_code=None, report_date=REPORT_DATE
            )  # first-call costs

            def run(data=data):
                return [validate_frame("xzcf", data, unit_code=None, report_date=REPORT_DATE)]
        else:
            day, groups = _day_groups(Path(path))
            docs = Path(tempfile.mkdtemp(prefix="gx-patches-docs-"))

            def run(day=day, groups=groups, docs=docs):
                return [
                    v
                    for dataset, batch in sorted(groups.items())
                    for v in validate_groups(dataset, batch, report_date=day, docs_dir=docs)
                ]

        wall, cpu = time.perf_counter(), time.process_time()
        verdicts = run()
        out[name] = {
            "seconds": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu,
            "issues": sum(len(v.issues) for v in verdicts),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
        del verdicts
        gc.collect()
        out[name]["rss_after_mb"] = _rss_now_mb()  # what validation leaves alive (forget_batch)
    return out


def _run(found: dict[str, tuple[str, Path]], setting: str) -> dict:
    # A fixed hash seed: set and dict orders (GX's metric graph) the same in every process, one noise less.
    env = {**os.environ, **ENV, "CREDIT_GX_PATCHES": setting, "PYTHONHASHSEED": "0"}
    items = [f"{name}={kind}:{path}" for name, (kind, path) in found.items()]
    proc = subprocess.run(
        [sys.executable, "-m", "bench.gx_patches", "--worker", *items],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        raise RuntimeError(f"worker {setting} failed: {proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def workloads(out: Path, sizes: list[int], day: bool) -> dict[str, tuple[str, Path]]:
    """name -> (worker kind, its input), made once and cached under out/data."""
    from credit.readers import read_file

    found: dict[str, tuple[str, Path]] = {}
    if day:  # first: a day's pages are the process's first, as in the daily run
        from samples.generator import generate_day

        home = out / "data" / f"day_{REPORT_DATE.isoformat()}"
        if not (home / "generated").exists():
            generate_day(home, REPORT_DATE, seed=REPORT_DATE.toordinal())
        found["day"] = ("day", home)
    for n in sizes:
        frame = out / "data" / f"xzcf_{n}.frame.parquet"
        if not frame.exists():
            (sheet,) = read_file(make_data(out / "data", n, 0)["csv"])
            sheet.data.to_parquet(frame)
        found[f"{n // 1000}k"] = ("frame", frame)
    return found


def measure(
    found: dict[str, tuple[str, Path]], settings: list[str], rounds: int, partial: Path, jobs: int = 2
) -> dict:
    """Rounds over every configuration (a fresh process each, `jobs` at a time); every run is also written to
    `partial` as it comes (a long run interrupted keeps what it measured)."""
    from concurrent.futures import ThreadPoolExecutor

    runs: dict[str, dict[str, list[dict]]] = {w: {s: [] for s in settings} for w in found}
    order = [(r, s) for r in range(rounds) for s in settings]
    with ThreadPoolExecutor(jobs) as pool:
        for (r, s), got in zip(order, pool.map(lambda rs: _run(found, rs[1]), order), strict=True):
            for w, run in got.items():
                runs[w][s].append(run)
            times = ", ".join(f"{w} {run['cpu_s']:.2f}" for w, run in got.items())
            say(f"  round {r + 1} {s:<22} CPU s: {times} (load {load()})")
            partial.write_text(json.dumps(runs) + "\n", encoding="utf-8")
    return runs


def summary(runs: dict) -> dict:
    """Best-of times, issue counts checked equal, and per patch: time with it off ÷ time with all on."""
    res: dict = {"workloads": {}, "patches": {}}
    for w, by in runs.items():
        best = {s: min(r["cpu_s"] for r in rs) for s, rs in by.items() if rs}
        rss = {s: max(r["peak_rss_mb"] for r in rs) for s, rs in by.items()}
        counts = {r["issues"] for rs in by.values() for r in rs}
        if len(counts) != 1:
            raise AssertionError(f"{w}: issue counts differ between configurations: {counts}")
        res["workloads"][w] = {
            "best_s": best,
            "peak_rss_mb": rss,
            "wall_s": {s: [r["seconds"] for r in rs] for s, rs in by.items()},
        }
    for name in PATCHES:  # alone: off ÷ only this one on; ablated: all but this one ÷ all on
        alone = {
            w: v["best_s"]["off"] / v["best_s"][f"+{name}"]
            for w, v in res["workloads"].items()
            if f"+{name}" in v["best_s"]
        }
        ablated = {
            w: v["best_s"][f"-{name}"] / v["best_s"]["on"]
            for w, v in res["workloads"].items()
            if f"-{name}" in v["best_s"]
        }
        if alone or ablated:
            res["patches"][name] = {
                "alone": alone,
                "ablated": ablated,
                "keep": any(x >= KEEP for x in alone.values()),
            }
    res["all_off_over_on"] = {w: v["best_s"]["off"] / v["best_s"]["on"] for w, v in res["workloads"].items()}
    return res


def table(res: dict) -> str:
    names = list(res["workloads"])
    lines = [
        "| GX patch (speed-up on its own: stock ÷ only it on; in brackets: all on but it ÷ all on) | "
        + " | ".join(names)
        + " | ≥ 10 % |",
        "|---|" + "---:|" * len(names) + ":-:|",
    ]
    for name, p in res["patches"].items():
        cells = [
            " ".join(
                [f"{p['alone'][w]:.2f}×" if w in p["alone"] else "—"]
                + ([f"({p['ablated'][w]:.2f}×)"] if w in p["ablated"] else [])
            )
            for w in names
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {'yes' if p['keep'] else 'no'} |")
    lines.append(
        "| **all off** (`CREDIT_GX_PATCHES=off`) | "
        + " | ".join(f"{res['all_off_over_on'][w]:.2f}" for w in names)
        + " | |"
    )
    lines.append("")
    lines.append("| best of rounds (s) | " + " | ".join(names) + " |")
    lines.append("|---|" + "---:|" * len(names))
    for s in ("on", "off"):
        lines.append(
            f"| patches {s} | " + " | ".join(f"{res['workloads'][w]['best_s'][s]:.2f}" for w in names) + " |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.gx_patches", description=__doc__)
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--jobs", type=int, default=2, help="fresh processes at a time")
    ap.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    ap.add_argument("--no-day", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--patches", nargs="*", default=list(PATCHES), help="measured one by one (default: all)")
    ap.add_argument(
        "--also", action="append", default=[], help="one more CREDIT_GX_PATCHES setting to run (e.g. -a,-b)"
    )
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker)))
        return 0
    os.environ.update(ENV)
    from credit.settings import load_settings

    out = load_settings().out / "bench"
    found = workloads(out, args.sizes, not args.no_day)
    settings = ["on", "off", *(f"+{name}" for name in args.patches), *args.also]
    say(f"bench.gx_patches: {', '.join(found)} × {len(settings)} configurations × {args.rounds} rounds")
    res = summary(measure(found, settings, args.rounds, out / "gx_patches.partial.json", args.jobs))
    res["measured"] = dt.datetime.now().isoformat(timespec="seconds")
    text = table(res)
    (out / "gx_patches.json").write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    (out / "gx_patches.md").write_text(text + "\n", encoding="utf-8")
    say("\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
