"""Login throttling per client address: an address with too many failed logins in the lock-out window is
refused before any password is checked (the per-account lock-out is credit.portal.accounts.authenticate).
Counted from the audit log, so every worker process of the portal sees the same count."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func
from sqlmodel import Session, select

from credit.settings import Settings
from credit.store.accounts import AuditEvent, utcnow

ADDRESS_FACTOR = 4  # an address may fail this many times an account's allowance (a shared office NAT)


def address_limit(settings: Settings) -> int:
    return settings.portal_lock_after * ADDRESS_FACTOR


def address_blocked(
    db: Session, client: str | None, settings: Settings, now: dt.datetime | None = None
) -> bool:
    if not client:
        return False
    since = (now or utcnow()) - dt.timedelta(minutes=settings.portal_lock_minutes)
    failures = db.exec(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "login_failed", AuditEvent.client == client, AuditEvent.at >= since)
    ).one()
    return failures >= address_limit(settings)
