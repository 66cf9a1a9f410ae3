"""`credit demo`: generate realistic days and run them end to end."""

from __future__ import annotations

from samples.demo import run_demo


def run(args) -> int:
    return run_demo(days=args.days, end=args.date)
