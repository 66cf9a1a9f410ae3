"""An obligation's status on a day, given what was delivered.

`deliveries` maps an obligation's key (unit, duty id, period) to the day its evidence arrived; it is empty
until deliveries are stored (they come with the evidence sheets). Status:
- `delivered`: arrived on or before the due date; `late`: arrived after it;
- `open`: nothing yet and the due date has not passed; `missing`: nothing, and it has."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from credit.duties.obligations import Obligation

STATUSES = ("open", "delivered", "late", "missing")
LABELS = {"open": "未到期", "delivered": "按时报送", "late": "逾期报送", "missing": "逾期未报"}

Deliveries = Mapping[tuple[str, str, str], dt.date]


def status(obligation: Obligation, today: dt.date, deliveries: Deliveries | None = None) -> str:
    delivered = (deliveries or {}).get(obligation.key)
    if delivered is not None and delivered <= today:
        return "delivered" if delivered <= obligation.due else "late"
    return "open" if today <= obligation.due else "missing"
