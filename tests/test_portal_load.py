"""49 clerks upload their day's workbook to the real portal at the same moment (a bounded load test on
loopback): every upload is answered with its verdicts, every file lands whole in its own unit's inbox, and
the daily collection then records exactly one submission per unit: none lost, none duplicated (issue #17).
The times are printed for the README, never asserted."""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import select

from credit.portal import accounts, sessions_store
from credit.portal.sessions import COOKIE, SESSION, sign
from credit.steps.collect import collect
from credit.store import Account, AuditEvent, Submission, session_scope
from credit.units import reporting_units
from tests.portal_harness import PASSWORD, browser, csrf_of, portal_settings, serve
from tests.rows import write_xlsx, xzcf_row

pytestmark = pytest.mark.slow
DAY = dt.date(2026, 11, 26)


def test_49_clerks_uploading_at_once_lose_and_duplicate_nothing(tmp_path, capsys):
    settings = portal_settings(tmp_path / "home")
    units = [u.code for u in reporting_units()]
    assert len(units) == 49
    cookies, files = {}, {}
    with session_scope(settings.database_url) as db:
        accounts.add(db, f"clerk_{units[0]}", "clerk", units[0], PASSWORD, by="test")
        hashed = accounts.find(db, f"clerk_{units[0]}").password_hash
        # The other 48 share that hash (same password, its own salt inside): 48 argon2 runs spared.
        for code in units[1:]:
            db.add(Account(login=f"clerk_{code}", role="clerk", unit=code, password_hash=hashed))
        db.flush()
        # Logged in as the portal logs in (its sessions, its signed cookie): logins have their own tests.
        for code in units:
            session_id, _ = sessions_store.start(db, accounts.find(db, f"clerk_{code}"), "127.0.0.1")
            cookies[code] = sign(settings, SESSION, session_id)
    for n, code in enumerate(units):
        rows = [
            xzcf_row(code, n * 10 + 1),
            xzcf_row(code, n * 10 + 2, fine_wan="五千元"),
            xzcf_row(code, n * 10 + 3),
        ]
        files[code] = write_xlsx(tmp_path / "src" / f"{code}.xlsx", rows).read_bytes()

    with serve(settings) as url:
        clients = {}
        for code in units:
            clients[code] = browser(url)
            clients[code].cookies.set(COOKIE, cookies[code])
        tokens = {code: csrf_of(clients[code].get("/unit")) for code in units}
        start = threading.Barrier(len(units))

        def send(code: str):
            start.wait()
            began = time.perf_counter()
            answer = clients[code].post(
                "/unit/upload", data={"csrf": tokens[code]}, files={"files": ("处罚.xlsx", files[code])}
            )
            return code, answer, time.perf_counter() - began

        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(units)) as pool:
            results = list(pool.map(send, units))
        wall = time.perf_counter() - began
        for client in clients.values():
            client.close()

    for code, answer, _ in results:
        assert answer.status_code == 200, (code, answer.text[:500])
        assert "合格 <strong>2</strong> 条" in answer.text and "五千元" in answer.text
    for code in units:
        stored = list((settings.inbox / code).iterdir())
        assert len(stored) == 1 and stored[0].read_bytes() == files[code]
    with session_scope(settings.database_url) as db:
        events = db.exec(select(AuditEvent).where(AuditEvent.action == "upload")).all()
    assert sorted(e.unit for e in events) == sorted(units) and len({e.target for e in events}) == len(units)

    for code in units:
        collect(settings, code, DAY)
    with session_scope(settings.database_url) as db:
        submissions = db.exec(select(Submission)).all()
    assert sorted(s.unit for s in submissions) == sorted(units)
    assert {s.unit: s.sha256 for s in submissions} == {c: hashlib.sha256(files[c]).hexdigest() for c in units}
    assert all(s.outcome == "collected" and s.rows == 3 for s in submissions)

    latencies = sorted(seconds for _, _, seconds in results)
    with capsys.disabled():
        print(
            f"\n49 concurrent uploads: wall {wall:.1f} s, median {statistics.median(latencies):.1f} s, "
            f"slowest {latencies[-1]:.1f} s"
        )
