"""`credit users add|disable|reset|list`: the portal's accounts (issue #17). A password is read from standard
input, one line, never from the command line (where `ps` and the shell history would show it). Every change
is in the audit log, by the operating-system user who ran the command."""

from __future__ import annotations

import getpass
import sys

from sqlmodel import select

from cli.output import out
from credit.portal import accounts
from credit.settings import load_settings
from credit.store import Account, session_scope
from credit.store.accounts import utcnow

ROLE_NAMES = {"clerk": "报送员", "operator": "操作员", "admin": "管理员"}


def _by() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("密码：")
    return sys.stdin.readline().rstrip("\r\n")


def run(args) -> int:
    settings = load_settings()
    try:
        with session_scope(settings.database_url) as session:
            if args.action == "list":
                rows = session.exec(select(Account).order_by(Account.role, Account.login)).all()
                now = utcnow()
                table = [("登录名", "角色", "单位", "状态")]
                for a in rows:
                    state = (
                        "停用"
                        if a.disabled
                        else ("锁定" if a.locked_until and a.locked_until > now else "正常")
                    )
                    table.append((a.login, ROLE_NAMES.get(a.role, a.role), a.unit or "-", state))
                width = max(len(r[0]) for r in table)
                for login, role, unit, state in table:
                    out(f"{login.ljust(width)}  {role}  {unit.ljust(12)}  {state}")
                return 0
            if args.action == "add":
                accounts.add(session, args.login, args.role, args.unit, _password(), by=_by())
                message = f"已添加账号：{args.login}（{ROLE_NAMES[args.role]}）"
            elif args.action == "disable":
                accounts.disable(session, args.login, by=_by())
                message = f"已停用账号：{args.login}"
            else:
                accounts.reset(session, args.login, _password(), by=_by())
                message = f"已重设密码并解锁：{args.login}"
    except accounts.AccountError as exc:
        out(str(exc), sys.stderr)
        return 2
    out(message)
    return 0
