"""A day's pipeline in its own process, the steps Prefect's tasks wrap (credit.steps,
credit.delivery), for tests that kill it, run two at once, or run it against a failing platform.

    python -m tests.reliability.driver day --date 2026-11-26 --units scjgj zjj [--pause-at STEP]
    python -m tests.reliability.driver retry --date 2026-11-26 --loops 20

Settings come from CREDIT_* in the environment. `--pause-at` makes the process write `<home>/paused` and
sleep at one step (inside its transaction where it has one) so the test can SIGKILL it right there:
collect-store, collect-move, validate, stats. Killing during a push is arranged with the sandbox (stalled
or delayed answers). The HTTP client gets a short retry policy (RELIABILITY_FAST=1) so a dead platform
costs seconds, not minutes. Prints one JSON line: what each step did, or the errors it met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
import traceback
from pathlib import Path


def _pause(home: Path):
    (home / "paused").write_text(str(os.getpid()))
    time.sleep(120)


def _instrument(step: str, home: Path) -> None:
    import credit.collect.inbox
    import credit.stats
    import credit.steps.validate

    def after(module, name):
        original = getattr(module, name)

        def wrapped(*args, **kwargs):
            result = original(*args, **kwargs)
            _pause(home)
            return result

        setattr(module, name, wrapped)

    if step == "collect-store":
        after(credit.collect.inbox, "store_sheet")  # rows added to the session, not committed
    elif step == "collect-move":
        original = credit.collect.inbox.move_into

        def before_move(*args, **kwargs):  # the submission is committed, the file not yet archived
            _pause(home)
            return original(*args, **kwargs)

        credit.collect.inbox.move_into = before_move
    elif step == "validate":
        after(credit.steps.validate, "validate_groups")  # a suite run done, its verdicts not committed
    elif step == "stats":
        after(credit.stats, "save_daily")  # the day's rows in the session, not committed
    elif step:
        raise SystemExit(f"unknown step {step}")


def transport(settings):
    from credit.platform.client import ApiClient, RetryPolicy

    if not settings.platform_url:
        return None
    fast = RetryPolicy(
        max_attempts=6,
        backoff_base=0.02,
        backoff_max=0.2,
        retry_after_cap=0.2,
        total_budget=20,
        connect_timeout=1,
        read_timeout=float(os.environ.get("RELIABILITY_READ_TIMEOUT", "2")),
    )
    return ApiClient(
        settings.platform_url,
        settings.platform_app_key,
        settings.platform_app_secret.get_secret_value(),
        retry=fast,
    )


def run_day(settings, day: dt.date, units: list[str], push: bool = True) -> dict:
    """collect -> validate -> outbox -> push per unit, then the statistics and the units' workbooks; a failing
    step is recorded (as a Prefect task failure would be) and the day goes on, like the flow does."""
    from credit.collect import collect_unit
    from credit.delivery import push as push_records
    from credit.steps.collect import load_references, sync_units
    from credit.steps.count import daily_statistics
    from credit.steps.deliver import fill_outbox
    from credit.steps.report import units_feedback
    from credit.steps.validate import validate_unit

    out: dict = {"errors": []}

    def step(name, fn, *args, **kw):
        try:
            return fn(*args, **kw)
        except Exception as exc:
            out["errors"].append(f"{name}: {type(exc).__name__}: {exc}"[:500])
            return None

    step("sync", sync_units, settings)
    step("references", load_references, settings)
    client = transport(settings) if push else None
    for unit in units:
        c = step(f"collect {unit}", collect_unit, settings, unit, day)
        out.setdefault("collect", {})[unit] = c.summary() if c else None
        v = step(f"validate {unit}", validate_unit, settings, unit, day)
        out.setdefault("validate", {})[unit] = v.summary() if v else None
        step(f"outbox {unit}", fill_outbox, settings, [unit], day)
        if client is not None:
            p = step(
                f"push {unit}",
                push_records,
                client,
                unit=unit,
                report_date=day,
                database_url=settings.database_url,
            )
            out.setdefault("push", {})[unit] = p.to_dict() if p else None
    r = step("stats", daily_statistics, settings, day)
    out["stats"] = r.report.as_dict()["total"] if r else None
    step("feedback", units_feedback, settings, units, day)
    if client is not None:
        client.close()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["day", "retry"])
    p.add_argument("--date", required=True)
    p.add_argument("--units", nargs="*", default=[])
    p.add_argument("--pause-at", default="")
    p.add_argument("--loops", type=int, default=10)
    args = p.parse_args(argv)

    from credit.settings import load_settings

    settings = load_settings()
    settings.ensure_dirs()
    day = dt.date.fromisoformat(args.date)
    _instrument(args.pause_at, settings.home)
    try:
        if args.mode == "day":
            out = run_day(settings, day, args.units)
        else:
            from credit.delivery import push

            client = transport(settings)
            out = {"errors": [], "retries": 0}
            deadline = time.monotonic() + 60
            for _ in range(args.loops):  # bounded by count and by time
                if time.monotonic() > deadline:
                    break
                try:
                    push(client, report_date=day, database_url=settings.database_url, send_new=False)
                except Exception as exc:
                    out["errors"].append(f"{type(exc).__name__}: {exc}"[:300])
                out["retries"] += 1
                time.sleep(0.05)
            client.close()
    except Exception:
        print(json.dumps({"crash": traceback.format_exc()[-2000:]}, ensure_ascii=False))
        return 3
    print(json.dumps(out, ensure_ascii=False, default=str))
    return 1 if out["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
