"""The demo's portal (samples/demo_portal.py, what `credit demo` prints at its end): demo accounts of an
operator and two units with data, the printed command line, and logging in with the printed accounts on a
real uvicorn — the harness's and the printed `credit portal` command itself; a second demo does not fail."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import time

from pydantic import SecretStr

from samples.demo_portal import OPERATOR, instructions, prepare_portal
from tests.harness import free_port
from tests.portal_harness import browser, log_in, serve
from tests.test_alerts import DAY, day  # noqa: F401  (day: a validated day with feedback, the fixture)

ACCOUNT = re.compile(r"^  (demo_\w+)\s+密码 (\S+)  (.+)$")


def printed(settings, portal) -> tuple[list[str], dict[str, str]]:
    lines = instructions(settings, portal)
    found = {m.group(1): m.group(2) for m in map(ACCOUNT.match, lines) if m}
    return lines, found


def test_demo_accounts_are_an_operator_and_clerks_of_two_units_with_feedback(settings, day):  # noqa: F811
    from credit.units import all_units

    portal = prepare_portal(settings, DAY)
    units = [a.unit for a in portal.accounts if a.role == "clerk"]
    assert [a.login for a in portal.accounts] == [OPERATOR, *(f"demo_{u}" for u in units)]
    assert len(units) == 2 and list(all_units()).index(units[0]) < list(all_units()).index(units[1])
    feedback = settings.out / "feedback" / DAY.isoformat()
    assert all(list(feedback.glob(f"{u}_问题数据_*.xlsx")) for u in units)  # the units the feedback names
    lines, found = printed(settings, portal)
    assert found == {a.login: a.password for a in portal.accounts}
    assert lines[0] == "门户（演示）：在另一个终端运行"
    assert "http://127.0.0.1:8300/" in lines[2]
    assert any(f"报送员（{all_units()[u].name}）" in line for u in units for line in lines)
    assert "仅供演示" in lines[-1] and "credit users add" in lines[-1]
    # The secret: in the demo's home only, owner-readable, never printed.
    secret = portal.secret_file.read_text(encoding="utf-8").strip()
    assert len(secret) >= 32 and secret not in "\n".join(lines)
    for path in (portal.secret_file, portal.kept):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f'CREDIT_PORTAL_SECRET="$(cat {portal.secret_file})"' in lines[1]
    assert f"CREDIT_HOME={settings.home}" in lines[1] and " portal --host 127.0.0.1 --port 8300" in lines[1]


def test_the_printed_accounts_log_in_and_a_second_demo_keeps_them_working(settings, day):  # noqa: F811
    from credit.units import all_units

    first = prepare_portal(settings, DAY)
    again = prepare_portal(settings, DAY)  # a second `make demo`: no failure on the existing accounts
    assert again.accounts == first.accounts
    _lines, found = printed(settings, again)
    secret = SecretStr(again.secret_file.read_text(encoding="utf-8").strip())
    with serve(settings.model_copy(update={"portal_secret": secret})) as url:
        for account in again.accounts:
            client = browser(url)
            answer = log_in(client, account.login, found[account.login])
            assert answer.status_code == 303, answer.text
            page = client.get("/unit" if account.role == "clerk" else f"/office?day={DAY}")
            assert page.status_code == 200
            if account.role == "clerk":
                assert all_units()[account.unit].name in page.text
        assert log_in(browser(url), OPERATOR, "not the demo password").status_code != 303


def test_the_printed_command_line_starts_the_portal_on_the_demo_home(settings, day, monkeypatch):  # noqa: F811
    monkeypatch.delenv("CREDIT_PORTAL_SECRET", raising=False)
    portal = prepare_portal(settings, DAY)
    lines, found = printed(settings, portal)
    port = free_port()
    command = lines[1].strip().replace("--port 8300", f"--port {port}")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_")}
    server = subprocess.Popen(
        ["bash", "-c", command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stdout.read().decode()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the printed command did not start the portal"
                time.sleep(0.2)
        client = browser(f"http://127.0.0.1:{port}")
        assert log_in(client, OPERATOR, found[OPERATOR]).status_code == 303
        assert client.get(f"/office?day={DAY}").status_code == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # bash and the portal it started, this test's own group
        server.wait(timeout=20)


def test_with_a_secret_set_the_demo_writes_none_and_prints_none(settings, day):  # noqa: F811
    own = settings.model_copy(update={"portal_secret": SecretStr("s" * 48)})
    portal = prepare_portal(own, DAY)
    lines, _found = printed(own, portal)
    assert portal.secret_file is None and not (settings.home / "portal" / "demo-secret").exists()
    assert "CREDIT_PORTAL_SECRET" not in lines[1] and "s" * 48 not in "\n".join(lines)
