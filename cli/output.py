"""Everything the command line prints goes through `out` or `print_json` (credit.escape's terminal rules): a
file name, sheet name or value never moves the cursor, colours the terminal, forges a line or shows an ID
number in full."""

from __future__ import annotations

import json
import sys

from credit import escape


def masked(obj):
    """Every string of a JSON document with its ID numbers masked (values keep their exact text otherwise)."""
    return escape.each_string(obj, escape.mask)


def lines(obj):
    """Every string of a document as one escaped line, for text composed from it."""
    return escape.each_string(obj, escape.log_line)


def print_json(obj) -> None:
    text = json.dumps(masked(obj), ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(escape.terminal_json(text) + "\n")


def out(text: str, stream=None) -> None:
    (stream or sys.stdout).write(escape.terminal(text) + "\n")
