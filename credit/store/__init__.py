"""The store: the system of record (SQLModel on SQLite by default, PostgreSQL by URL)."""

from credit.store.accounts import Account, AuditEvent, PortalSession
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
    "Account",
    "AuditEvent",
    "Batch",
    "BatchItem",
    "DailyStat",
    "EvidenceFile",
    "PortalSession",
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
