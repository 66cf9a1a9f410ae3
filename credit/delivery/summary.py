"""What a push did (`PushSummary`), reported by the push flow and alerts."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class PushSummary:
    """What a push did. `failed_batches` non-empty (or `auth_failed`) → the flow emits credit.push.failed."""

    report_date: dt.date
    transport: str | None = None
    pushed: int = 0  # records sent in this run (new batches and re-sent ones)
    accepted: int = 0
    rejected: int = 0
    duplicate: int = 0
    pending: int = 0  # records in batches left unsettled (to be settled by a later push)
    batches: int = 0  # batches sent in this run
    resettled: int = 0  # older unsettled batches settled in this run
    queued_left: int = 0  # versions still queued after the run
    failed_batches: list[dict[str, Any]] = field(default_factory=list)
    skipped: str | None = None  # why nothing was pushed (no platform configured)

    @property
    def failed(self) -> bool:
        return bool(self.failed_batches)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["report_date"] = self.report_date.isoformat()
        out["failed"] = self.failed
        return out
