"""The portal on the demo's data (`credit demo`, issue #17 item 1): demo accounts — an operator and the clerks
of two units the demo's 问题数据 feedback names — and exactly how to start and open the portal.

Demo only: the accounts are `demo_*`, their passwords random, kept (with a cookie secret when none is set)
in `$CREDIT_HOME/portal/demo.json`, readable by its owner only, and printed at the end of the demo. The
secret lives in the demo's own home, never as a default of credit/settings.py: the printed command line
reads it from there. A second demo finds the accounts and sets the kept passwords again (no failure, the
printed ones always work)."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shlex
import string
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import select

from credit.portal import accounts
from credit.settings import Settings
from credit.store import Submission, init_db, session_scope
from credit.units import all_units

HOST, PORT = "127.0.0.1", 8300
OPERATOR = "demo_operator"
CLERKS = 2
BY = "demo"
ALPHABET = string.ascii_letters + string.digits  # the audit log's actor of the demo's account changes


@dataclass(frozen=True)
class DemoAccount:
    login: str
    role: str  # operator | clerk
    unit: str | None
    password: str


@dataclass(frozen=True)
class DemoPortal:
    accounts: list[DemoAccount]
    secret_file: Path | None  # None: CREDIT_PORTAL_SECRET was set already, the demo kept out of it
    kept: Path  # the demo's file of passwords (and secret)


def demo_units(settings: Settings, day: dt.date, count: int = CLERKS) -> list[str]:
    """`count` units with data on `day`, in registry order: those the day's feedback names first, then those
    with submissions collected."""
    registry = list(all_units())
    folder = settings.out / "feedback" / day.isoformat()
    named = {p.name.split("_问题数据_", 1)[0] for p in folder.glob("*_问题数据_*.xlsx")}
    with session_scope(settings.database_url) as db:
        stmt = select(Submission.unit).where(
            Submission.received_date == day, Submission.outcome == "collected"
        )
        delivered = set(db.exec(stmt).all())
    chosen = [u for u in registry if u in named and u in delivered]
    chosen += [u for u in registry if u in delivered and u not in chosen]
    return chosen[:count]


def _password() -> str:
    """16 letters and digits (95 bits): easy to copy from a terminal, no leading '-'."""
    return "".join(secrets.choice(ALPHABET) for _ in range(16))


def _kept(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_private(path: Path, text: str) -> None:
    """Written readable by its owner only (it holds passwords and the cookie secret)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)


def prepare_portal(settings: Settings, day: dt.date) -> DemoPortal:
    """The demo's accounts (added, or their kept password set again) and, when CREDIT_PORTAL_SECRET is not
    set, a demo secret in the demo's home."""
    kept_path = settings.home / "portal" / "demo.json"
    kept = _kept(kept_path)
    passwords: dict[str, str] = kept.get("passwords", {})
    wanted = [(OPERATOR, "operator", None)] + [
        (f"demo_{unit}", "clerk", unit) for unit in demo_units(settings, day)
    ]
    made = []
    init_db(settings.database_url)
    for login, role, unit in wanted:
        password = passwords.setdefault(login, _password())
        with session_scope(settings.database_url) as db:
            if accounts.find(db, login) is None:
                accounts.add(db, login, role, unit, password, by=BY)
            else:
                accounts.reset(db, login, password, by=BY)
        made.append(DemoAccount(login, role, unit, password))
    secret_file = None
    if settings.portal_secret is None:
        kept.setdefault("portal_secret", secrets.token_urlsafe(48))
        secret_file = settings.home / "portal" / "demo-secret"
        _write_private(secret_file, kept["portal_secret"] + "\n")
    kept["passwords"] = passwords
    _write_private(kept_path, json.dumps(kept, ensure_ascii=False, indent=2) + "\n")
    return DemoPortal(made, secret_file, kept_path)


def _credit() -> str:
    """The `credit` command of this installation (make demo runs .venv/bin/credit, maybe not on PATH)."""
    beside = Path(sys.executable).parent / "credit"
    return shlex.quote(str(beside)) if beside.is_file() else "credit"


def command_line(settings: Settings, portal: DemoPortal) -> str:
    """The shell line that starts the portal on the demo's home, from the directory the demo ran in."""
    env = [f"CREDIT_HOME={shlex.quote(str(settings.home))}"]
    if portal.secret_file is not None:
        env.append(f'CREDIT_PORTAL_SECRET="$(cat {shlex.quote(str(portal.secret_file))})"')
    return f"cd {shlex.quote(os.getcwd())} && {' '.join(env)} {_credit()} portal --host {HOST} --port {PORT}"


def instructions(settings: Settings, portal: DemoPortal) -> list[str]:
    """What the demo prints about the portal: the command, the address, the demo accounts."""
    units = all_units()
    lines = [
        "门户（演示）：在另一个终端运行",
        f"  {command_line(settings, portal)}",
        f"  然后用浏览器打开 http://{HOST}:{PORT}/ ，用下列演示账号登录：",
    ]
    for a in portal.accounts:
        who = (
            "操作员（市发展和改革局，看全部单位）"
            if a.role == "operator"
            else f"报送员（{units[a.unit].name}）"
        )
        lines.append(f"  {a.login.ljust(20)} 密码 {a.password}  {who}")
    where = f"演示账号和密码仅供演示，保存在 {portal.kept}（仅本用户可读）"
    if portal.secret_file is not None:
        where += f"；演示用的 CREDIT_PORTAL_SECRET 在 {portal.secret_file}"
    lines.append(f"  {where}。正式使用请用 credit users add 建账号、自行设置 CREDIT_PORTAL_SECRET。")
    return lines
