"""`credit users` and `credit portal` as a shell runs them: passwords on standard input, refusals in Chinese,
every change audited, and the accounts they make log in to the real portal (issue #17)."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import httpx
import pytest
from sqlmodel import select

from cli.main import main
from credit.settings import Settings
from credit.store import AuditEvent, session_scope
from tests.harness import PROJECT, free_port, wait_for
from tests.portal_harness import browser, csrf_of, log_in, portal_settings, serve


def credit(
    home, *args, stdin: str | None = None, env_extra: dict | None = None
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_")}
    env |= {"CREDIT_HOME": str(home), "PYTHONPATH": str(PROJECT), **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=PROJECT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--role", "clerk", "--unit", "scjgj"], "\n", "密码不能为空"),
        (["--role", "clerk"], "a good long password\n", "必须指定所属单位"),
        (["--role", "clerk", "--unit", "nowhere"], "a good long password\n", "未知单位代码"),
        (["--role", "operator", "--unit", "scjgj"], "a good long password\n", "不指定单位"),
        (["--role", "admin"], "a good long password\n", None),
    ],
)
def test_a_user_is_refused_in_chinese(home, monkeypatch, capsys, args, stdin, message):
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["users", "add", "someone", *args])
    assert main(["users", "list"]) == 0
    captured = capsys.readouterr()
    if message is None:  # the one valid line among them
        assert code == 0 and "someone  管理员" in captured.out
        return
    assert code == 2 and message in captured.err and "someone" not in captured.out


def test_users_are_added_listed_disabled_and_reset_from_the_command_line(tmp_path):
    home = tmp_path / "home"
    short = credit(home, "users", "add", "clerk_a", "--role", "clerk", "--unit", "scjgj", stdin="short\n")
    assert short.returncode == 2 and "密码太短" in short.stderr
    added = credit(
        home, "users", "add", "clerk_a", "--role", "clerk", "--unit", "scjgj", stdin="a good long password\n"
    )
    assert added.returncode == 0 and "已添加账号：clerk_a（报送员）" in added.stdout
    again = credit(
        home, "users", "add", "clerk_a", "--role", "clerk", "--unit", "scjgj", stdin="a good long password\n"
    )
    assert again.returncode == 2 and "登录名已存在" in again.stderr
    assert (
        credit(home, "users", "add", "boss", "--role", "operator", stdin="another long password\n").returncode
        == 0
    )
    listed = credit(home, "users", "list").stdout.splitlines()
    assert listed[0].split() == ["登录名", "角色", "单位", "状态"]
    assert [line.split() for line in listed[1:]] == [
        ["clerk_a", "报送员", "scjgj", "正常"],
        ["boss", "操作员", "-", "正常"],
    ]
    assert "a good long password" not in added.stdout + added.stderr

    settings = portal_settings(home)
    with serve(settings) as url:
        clerk = browser(url)
        assert log_in(clerk, "clerk_a", "a good long password").status_code == 303
        assert clerk.get("/unit").status_code == 200
        assert credit(home, "users", "disable", "clerk_a").returncode == 0
        assert clerk.get("/unit").status_code == 303  # its session ended with it
        refused = log_in(browser(url), "clerk_a", "a good long password")
        assert refused.status_code == 401 and "账号已停用" in refused.text
        reset = credit(home, "users", "reset", "boss", stdin="a third long password\n")
        assert reset.returncode == 0 and "已重设密码并解锁：boss" in reset.stdout
        assert log_in(browser(url), "boss", "another long password").status_code == 401
        assert log_in(browser(url), "boss", "a third long password").status_code == 303
    assert "停用" in credit(home, "users", "list").stdout
    with session_scope(Settings(home=home).database_url) as db:
        changes = db.exec(
            select(AuditEvent).where(AuditEvent.action.startswith("account_")).order_by(AuditEvent.id)
        ).all()
    assert [(e.action, e.target) for e in changes] == [
        ("account_add", "clerk_a"),
        ("account_add", "boss"),
        ("account_disable", "clerk_a"),
        ("account_reset", "boss"),
    ]
    assert all(e.actor.startswith("cli") for e in changes)


def test_the_portal_command_needs_its_secret_and_then_serves_on_loopback(tmp_path):
    home = tmp_path / "home"
    refused = credit(home, "portal", "--port", str(free_port()))
    assert refused.returncode == 2 and "未设置 CREDIT_PORTAL_SECRET" in refused.stderr
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_")}
    env |= {"CREDIT_HOME": str(home), "PYTHONPATH": str(PROJECT), "CREDIT_PORTAL_SECRET": "s" * 40}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "portal", "--port", str(port)],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def answers():
            try:
                return httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
            except httpx.TransportError:
                return None

        page = wait_for(answers, 60, 0.2, "the portal")
        assert page.status_code == 200 and "登录" in page.text and csrf_of(page)
    finally:
        proc.terminate()
        proc.wait(10)
