"""`credit check FILE`: a unit checks its file before sending it."""

from __future__ import annotations

import sys
from pathlib import Path

from cli.output import lines, out, print_json
from credit.check import format_check_text, run_check


def run(args) -> int:
    try:
        result, code = run_check(Path(args.file), args.unit, args.date)
    except (KeyError, ValueError) as exc:  # an unknown or malformed --unit
        out(f"{exc.args[0] if exc.args else exc}", sys.stderr)
        return 2
    if args.json:
        print_json(result)
    else:
        out(format_check_text(lines(result)))
    return code
