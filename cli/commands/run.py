"""`credit run`: the daily pipeline as a Prefect flow run."""

from __future__ import annotations

import sys

from cli.output import out, print_json
from credit import escape
from flows.ephemeral import start_ephemeral_api


def run(args) -> int:
    api_ready = start_ephemeral_api()
    # Imported after the start, on purpose: Prefect's ephemeral API boots on the other core while GX and the
    # flows are imported (≈ 8–13 s otherwise spent waiting for it, flows/ephemeral.py; `import flows.daily`
    # alone takes 9.6 s).
    from credit.validation.gx import warm_up
    from flows.daily import daily_pipeline

    warm_up()
    api_ready()
    state = daily_pipeline(
        report_date=args.date, units=args.unit or None, push=not args.no_push, return_state=True
    )
    if not state.is_completed():
        out(escape.log_line(f"运行未完成：{state.name} {state.message or ''}"), sys.stderr)
        return 1
    result = state.result()
    print_json({"date": result["date"], "stats": result.get("stats")})
    return 0
