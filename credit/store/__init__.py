"""The store: the system of record (SQLModel on SQLite by default, PostgreSQL by URL)."""

from credit.store.db import get_engine, init_db, session_scope
from credit.store.evidence import EvidenceFile
from credit.store.models import (
    Batch,
    BatchItem,
    DailyStat,
    Record,
    RecordVersion,
    ReferenceDecision,
    ReferenceFile,
    RevocationRequest,
    Submission,
    UnitRow,
)

__all__ = [
    "Batch",
    "BatchItem",
    "DailyStat",
    "EvidenceFile",
    "Record",
    "RecordVersion",
    "ReferenceDecision",
    "ReferenceFile",
    "RevocationRequest",
    "Submission",
    "UnitRow",
    "get_engine",
    "init_db",
    "session_scope",
]
