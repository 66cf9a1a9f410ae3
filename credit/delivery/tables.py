"""The store's tables as delivery reads and writes them (SQLAlchemy Core), and the little every room of
delivery shares."""

from __future__ import annotations

import datetime as dt

from credit.store.models import Batch, BatchItem, Record, RecordVersion

RV = RecordVersion.__table__
R = Record.__table__
B = Batch.__table__
BI = BatchItem.__table__

UNSETTLED = ("open", "sent")  # batch states of the ledger not yet settled


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)  # UTCDateTime columns want aware datetimes


def op_for(accepted_version: int | None, revoked: bool | None) -> str:
    """I when the platform holds no accepted version of the record (also after a revocation), else U."""
    return "I" if accepted_version is None or revoked else "U"
