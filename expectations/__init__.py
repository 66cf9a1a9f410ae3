"""GX suites (JSON) and the custom expectations they use."""

import credit  # noqa: F401  first, so that GX is imported with its telemetry off (credit/telemetry.py)
