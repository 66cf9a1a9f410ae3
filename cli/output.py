"""Everything the command line prints goes through `out` or `print_json` (credit.escape's terminal rules): a
file name, sheet name or value never moves the cursor, colours the terminal, forges a line or shows an ID
number in full."""

from __future__ import annotations

import json
import sys

from credit import escape


def each_string(obj, rule):
    """A JSON-like document with `rule` applied to every string in it (keys and other values as they are)."""
    if isinstance(obj, str):
        return rule(obj)
    if isinstance(obj, dict):
        return {k: each_string(v, rule) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [each_string(v, rule) for v in obj]
    return obj


def masked(obj):
    """Every string of a JSON document with its ID numbers masked (values keep their exact text otherwise)."""
    return each_string(obj, escape.mask)


def lines(obj):
    """Every string of a document as one escaped line, for text composed from it."""
    return each_string(obj, escape.log_line)


def print_json(obj) -> None:
    text = json.dumps(masked(obj), ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(escape.terminal_json(text) + "\n")


def out(text: str, stream=None) -> None:
    (stream or sys.stdout).write(escape.terminal(text) + "\n")
