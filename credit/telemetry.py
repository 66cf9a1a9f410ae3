"""The process settings that keep Prefect and Great Expectations quiet and patient, in one place.

Both phone home unless told not to (there is no internet at the office, and nothing should leave it), and
Prefect's ephemeral API needs more than its default 20 s to start on a cold machine (docs/field-notes.md).
Call `quiet_environment()` before importing either; a value the operator set wins. The Makefile exports
the same values for commands started from the shell."""

from __future__ import annotations

import os
from collections.abc import MutableMapping

QUIET_ENVIRONMENT = {
    "GX_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


def quiet_environment(environ: MutableMapping[str, str] | None = None) -> MutableMapping[str, str]:
    """Set every variable of QUIET_ENVIRONMENT the environment does not set already; returns it."""
    target = os.environ if environ is None else environ
    for name, value in QUIET_ENVIRONMENT.items():
        target.setdefault(name, value)
    return target
