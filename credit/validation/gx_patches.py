"""The one switch for every private change to Great Expectations' behaviour.

Each change to GX internals that this project keeps is named here and applied only when `enabled(name)` is
true: `CREDIT_GX_PATCHES=off` turns every one off, and they are off by themselves when the installed GX is
not the release they were written against (a newer release then runs stock, slower, with the same verdicts).
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version

# The GX release whose internals the patches were written and measured against.
WRITTEN_FOR = "1.24.1"


def installed_gx() -> str | None:
    try:
        return version("great_expectations")
    except PackageNotFoundError:
        return None


def switched_off() -> bool:
    return os.environ.get("CREDIT_GX_PATCHES", "on").strip().lower() in {"off", "0", "false", "no"}


def enabled(name: str) -> bool:
    """Whether the private change `name` applies in this process."""
    return not switched_off() and installed_gx() == WRITTEN_FOR
