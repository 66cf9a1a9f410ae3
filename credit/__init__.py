"""雷州市 public-credit (双公示) reporting: the domain, free of any orchestrator."""

from credit.escape import escape_log_records as _escape_log_records
from credit.telemetry import quiet_environment as _quiet_environment

# Before anything imports Prefect or GX (every entry point imports `credit` first): no telemetry.
_quiet_environment()

__version__ = "0.1.0"

# Every log line of the domain is one escaped, masked line, whatever file name or value it carries.
_escape_log_records("credit")
