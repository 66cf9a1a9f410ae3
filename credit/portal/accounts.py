"""Portal accounts: argon2 password hashes, the lock-out after repeated failures, and the admin's changes
(`credit users`). Every change is written to the audit log in the same transaction."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from credit.portal import audit
from credit.portal.sessions_store import end_sessions_of
from credit.store import session_scope
from credit.store.accounts import ROLES, Account, utcnow
from credit.units import UNIT_CODE
from credit.units import unit as unit_of

MIN_PASSWORD = 10
LOGIN = UNIT_CODE  # lower-case letters, digits and _: a login is shown and logged, never interpreted

_hasher = PasswordHasher()  # argon2id, the library's current parameters (64 MiB, 3 passes)
# Each hash holds 64 MiB while it runs: 49 clerks logging in at once must not ask for 3 GiB.
_hashing = threading.BoundedSemaphore(4)


@cache
def _dummy() -> str:
    """Verified when a login is unknown, so that an unknown login takes as long as a wrong password."""
    return _hash("not a password of anyone")


class AccountError(ValueError):
    """A refused change, with its Chinese message."""


@dataclass(frozen=True)
class LoginResult:
    account: Account | None
    reason: str | None  # None: logged in; else the Chinese message shown
    throttled: bool = False


def check_password(password: str) -> str:
    if not password or not password.strip():
        raise AccountError("密码不能为空")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码太短：至少 {MIN_PASSWORD} 个字符")
    return password


def check_login(login: str) -> str:
    if not isinstance(login, str) or not LOGIN.fullmatch(login):
        raise AccountError("登录名只能由小写字母、数字和下划线组成，以字母开头，最长 32 个字符")
    return login


def _check_role(role: str, unit: str | None) -> str | None:
    if role not in ROLES:
        raise AccountError(f"角色应为 {'、'.join(ROLES)} 之一：{role}")
    if role == "clerk":
        if not unit:
            raise AccountError("报送员账号必须指定所属单位（--unit 单位代码）")
        try:
            unit_of(unit)
        except (KeyError, ValueError):
            raise AccountError(f"未知单位代码：{unit}") from None
        return unit
    if unit:
        raise AccountError("只有报送员（clerk）账号属于某个单位；管理员和操作员账号不指定单位")
    return None


def find(session: Session, login: str) -> Account | None:
    return session.exec(select(Account).where(Account.login == login)).first()


def add(session: Session, login: str, role: str, unit: str | None, password: str, *, by: str) -> Account:
    check_login(login)
    unit = _check_role(role, unit)
    check_password(password)
    if find(session, login) is not None:
        raise AccountError(f"登录名已存在：{login}")
    account = Account(login=login, role=role, unit=unit, password_hash=_hash(password))
    session.add(account)
    audit.record(session, "account_add", actor=by, target=login, unit=unit, detail={"role": role})
    return account


def disable(session: Session, login: str, *, by: str) -> Account:
    account = _existing(session, login)
    account.disabled = True  # its sessions end now, not when they expire
    account.updated_at = utcnow()
    session.add(account)
    end_sessions_of(session, account)
    audit.record(session, "account_disable", actor=by, target=login, unit=account.unit)
    return account


def reset(session: Session, login: str, password: str, *, by: str) -> Account:
    """A new password; the account is unlocked (and its failed attempts forgotten)."""
    check_password(password)
    account = _existing(session, login)
    account.password_hash = _hash(password)
    account.failed_attempts = 0
    account.locked_until = None
    account.updated_at = utcnow()
    session.add(account)
    end_sessions_of(session, account)
    audit.record(session, "account_reset", actor=by, target=login, unit=account.unit)
    return account


def _existing(session: Session, login: str) -> Account:
    account = find(session, login)
    if account is None:
        raise AccountError(f"没有这个账号：{login}")
    return account


LOCKED = "登录失败次数过多，账号已暂时锁定，请稍后再试或联系管理员"
REFUSED = "登录名或密码不正确"  # the same words whether the login exists or not


def authenticate(
    database_url: str,
    login: str,
    password: str,
    *,
    client: str | None,
    lock_after: int,
    lock_minutes: int,
    extra_check=None,
) -> LoginResult:
    """Check a login and password; count failures and lock the account after `lock_after` of them. The
    audit log gets a `login` or `login_failed` event either way.

    The password is verified between two short transactions, never inside one: an argon2 hash takes a
    good fraction of a second, and on SQLite a transaction holds the store's write lock. `extra_check(db)`
    may refuse first (the address throttle): it returns the Chinese message, or None."""
    with session_scope(database_url) as db:
        if extra_check is not None and (message := extra_check(db)) is not None:
            _failed(db, login, None, client, "address throttled")
            return LoginResult(None, message, throttled=True)
        account = find(db, login) if LOGIN.fullmatch(login or "") else None
        if account is None:
            stored, account_id = None, None
        elif account.locked_until is not None and account.locked_until > utcnow():
            _failed(db, login, account.unit, client, "locked")
            return LoginResult(None, LOCKED)
        else:
            stored, account_id = account.password_hash, account.id
    if stored is None:
        _verify(_dummy(), password)
        with session_scope(database_url) as db:
            _failed(db, login or None, None, client, "unknown login")
        return LoginResult(None, REFUSED)
    right = _verify(stored, password)
    rehashed = _hash(password) if right and _hasher.check_needs_rehash(stored) else None
    with session_scope(database_url) as db:
        account = db.exec(select(Account).where(Account.id == account_id).with_for_update()).one()
        if not right:
            account.failed_attempts += 1
            reason = REFUSED
            if account.failed_attempts >= lock_after:
                account.locked_until = utcnow() + dt.timedelta(minutes=lock_minutes)
                account.failed_attempts = 0
                reason = LOCKED
            db.add(account)
            _failed(db, login, account.unit, client, "wrong password")
            return LoginResult(None, reason)
        if account.disabled:
            _failed(db, login, account.unit, client, "disabled")
            return LoginResult(None, "账号已停用，请联系管理员")
        account.failed_attempts = 0
        account.locked_until = None
        if rehashed is not None:
            account.password_hash = rehashed
        db.add(account)
        audit.record(db, "login", actor=login, unit=account.unit, client=client)
        db.flush()
        db.expunge(account)
        return LoginResult(account, None)


def _failed(db: Session, login: str | None, unit: str | None, client: str | None, reason: str) -> None:
    audit.record(
        db,
        "login_failed",
        actor=login,
        unit=unit,
        client=client,
        outcome="refused",
        detail={"reason": reason},
    )


def _hash(password: str) -> str:
    with _hashing:
        return _hasher.hash(password)


def _verify(hashed: str, password: str) -> bool:
    with _hashing:
        try:
            return _hasher.verify(hashed, password or "")
        except (VerificationError, InvalidHashError):
            return False
