"""The audit log: every login (failed ones too), logout, upload, download, rerun and account change, with
who, when, what, from where and how it ended (credit.store.accounts.AuditEvent)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from credit import escape
from credit.store import session_scope
from credit.store.accounts import AuditEvent

if TYPE_CHECKING:
    from credit.portal.sessions import Visitor

ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "upload",
    "download",
    "rerun",
    "account_add",
    "account_disable",
    "account_reset",
)


def record(
    session: Session,
    action: str,
    *,
    actor: str | None,
    outcome: str = "ok",
    target: str | None = None,
    unit: str | None = None,
    client: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event to `session` (committed with the change it records). Texts are stored masked: an ID
    number typed as a login or a file name never reaches the log in full."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action: {action}")
    event = AuditEvent(
        action=action,
        actor=None if actor is None else escape.mask(actor)[:64],
        outcome=outcome,
        target=None if target is None else escape.mask(target),
        unit=unit,
        client=None if client is None else client[:64],
        detail=None if detail is None else escape.each_string(detail, escape.mask),
    )
    session.add(event)
    return event


def by_visitor(
    database_url: str,
    who: Visitor,
    action: str,
    *,
    outcome: str = "ok",
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """One event of the logged-in visitor (their login, their unit, from where), in its own transaction."""
    with session_scope(database_url) as db:
        record(
            db,
            action,
            actor=who.account.login,
            unit=who.unit,
            client=who.client,
            outcome=outcome,
            target=target,
            detail=detail,
        )
