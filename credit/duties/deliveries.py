"""Deliveries of evidence, as the duties' status reads them: which unit's duty for which period was settled,
and on which day (`credit.duties.status.Deliveries`).

This is the seam between the evidence that arrives (collected and validated like records) and everything that
reports on duties (reminders, `credit duties`, the bulletin, the year-end table): they call `load` and nothing
else."""

from __future__ import annotations

import datetime as dt

from credit.duties.status import Deliveries
from credit.settings import Settings


def load(settings: Settings, up_to: dt.date) -> Deliveries:
    """Every obligation settled on or before `up_to`: {(unit, duty id, period): day settled}. Evidence is not
    stored yet, so nothing is settled."""
    return {}
