"""The portal's tables: accounts, their server-side sessions and the audit log (issue #17). Times are
UTC-aware (sqlmodel's UTCDateTime stores and returns them so on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

ROLES = ("clerk", "operator", "admin")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Account(SQLModel, table=True):
    """A person who logs in to the portal: a unit's clerk (exactly one unit), an operator of the credit office
    (every unit) or an admin (accounts)."""

    __tablename__ = "account"
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(unique=True, max_length=64)
    role: str = Field(max_length=16)  # clerk | operator | admin
    unit: str | None = Field(default=None, max_length=32)  # clerks only, a code of credit.units
    password_hash: str
    disabled: bool = False
    failed_attempts: int = 0
    locked_until: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class PortalSession(SQLModel, table=True):
    """A logged-in browser. The cookie carries the id; the store keeps only its SHA-256, so a copy of the
    store cannot be replayed as a session."""

    __tablename__ = "portal_session"
    id_hash: str = Field(primary_key=True, max_length=64)
    account_id: int = Field(foreign_key="account.id", index=True)
    csrf: str = Field(max_length=64)
    client: str | None = Field(default=None, max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow)
    seen_at: dt.datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """Who did what, when, from where, and how it ended: logins (failed ones too), logouts, uploads,
    downloads, reruns and account changes."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    actor: str | None = Field(default=None, max_length=64, index=True)  # a login; None: nobody logged in
    action: str = Field(max_length=32, index=True)
    target: str | None = None  # what: a file, an account, a day
    unit: str | None = Field(default=None, max_length=32, index=True)
    client: str | None = Field(default=None, max_length=64, index=True)  # the client's address
    outcome: str = Field(max_length=16)  # ok | refused | failed
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
