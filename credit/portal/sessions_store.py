"""Server-side portal sessions. A session id is 32 random bytes handed to the browser (in a signed cookie,
credit.portal.sessions); the store keeps its SHA-256 and the session's CSRF token. A session ends at
logout, when its account is disabled or reset, or `minutes` after its last request."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlmodel import Session, delete

from credit.store.accounts import Account, PortalSession, utcnow


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(session: Session, account: Account, client: str | None) -> tuple[str, PortalSession]:
    """A new session for `account`: (the id for the cookie, the row)."""
    session_id = secrets.token_urlsafe(32)
    row = PortalSession(
        id_hash=_hash(session_id), account_id=account.id, csrf=secrets.token_urlsafe(32), client=client
    )
    session.add(row)
    return session_id, row


def load(
    session: Session, session_id: str, minutes: int, now: dt.datetime | None = None
) -> tuple[PortalSession, Account] | None:
    """The live session and its enabled account, its last-seen time moved on; None otherwise."""
    now = now or utcnow()
    row = session.get(PortalSession, _hash(session_id))
    if row is None:
        return None
    account = session.get(Account, row.account_id)
    if account is None or account.disabled or row.seen_at < now - dt.timedelta(minutes=minutes):
        session.delete(row)
        return None
    if now - row.seen_at > dt.timedelta(seconds=60):  # one write a minute, not one per request
        row.seen_at = now
        session.add(row)
    return row, account


def end(session: Session, session_id: str) -> None:
    session.exec(delete(PortalSession).where(PortalSession.id_hash == _hash(session_id)))


def end_sessions_of(session: Session, account: Account) -> None:
    if account.id is not None:
        session.exec(delete(PortalSession).where(PortalSession.account_id == account.id))


def sweep(session: Session, minutes: int, now: dt.datetime | None = None) -> None:
    """Forget the sessions that have expired."""
    cutoff = (now or utcnow()) - dt.timedelta(minutes=minutes)
    session.exec(delete(PortalSession).where(PortalSession.seen_at < cutoff))
