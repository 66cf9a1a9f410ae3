"""Faults over a whole day (collect -> validate -> push -> statistics): the platform failing in every way
the contract allows, the process SIGKILLed at each step, the store locked or its connections cut, the
output disk full. After recovery (a rerun) every valid record is accepted exactly once, nothing is lost,
and the statistics equal those of a clean run fed the same files."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time

import pytest

from tests.reliability import common
from tests.reliability.common import DAY, UNITS
from tests.reliability.driver import run_day

pytestmark = pytest.mark.reliability


def recovered(settings, sandbox, clean, files_before: int) -> None:
    assert common.files_in(settings) == files_before, "a delivered file was lost"
    common.assert_exactly_once(settings, sandbox, clean)
    assert common.stats_json(settings) == clean["stats"]


FAULTS = {
    "5xx_burst": {"fail_5xx": 25},
    "429_storm": {"rate_limit_429": 40, "retry_after": 0},
    "timeouts": {"delay_s": 1.0, "slow": 4},
    "answers_lost_after_processing": {"lose_answer": 6},
    "answers_lost_as_502": {"lose_answer": 6, "lose_answer_mode": "502"},
    "connection_resets": {"reset": 12},
    "mixed": {"fail_5xx": 5, "rate_limit_429": 5, "retry_after": 0, "lose_answer": 3, "reset": 3},
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_platform_faults_then_rerun(template, clean, sandbox, tmp_path, monkeypatch, fault):
    monkeypatch.setenv("RELIABILITY_READ_TIMEOUT", "0.5")
    settings = common.make_settings(common.new_home(template, tmp_path / "home"), sandbox.url)
    files = common.files_in(settings)
    sandbox.set_faults(**FAULTS[fault])
    first = run_day(settings, DAY, UNITS)
    assert first["stats"] is not None  # the day is counted even when the platform misbehaves
    counters = sandbox.state()["counters"]
    hit = {k: counters.get(k, 0) for k in ("faults_5xx", "faults_429", "faults_lost", "faults_reset")}
    assert sum(hit.values()) > 0 or fault == "timeouts", hit  # the faults really happened
    sandbox.set_faults(clear=True)
    time.sleep(1.2 if fault == "timeouts" else 0)  # a delayed answer still on its way lands first
    again = run_day(settings, DAY, UNITS)
    assert not again["errors"], again["errors"]
    recovered(settings, sandbox, clean, files)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def test_platform_down_for_a_whole_run(template, clean, sandbox, tmp_path):
    home = common.new_home(template, tmp_path / "home")
    down = common.make_settings(home, f"http://127.0.0.1:{_closed_port()}")
    files = common.files_in(down)
    out = run_day(down, DAY, UNITS)
    assert all(p and p["failed"] and p["accepted"] == 0 for p in out["push"].values()), out["push"]
    states = common.push_states(down)
    assert states.get("accepted", 0) == 0 and states.get("queued", 0) + states.get("batched", 0) > 0
    up = common.make_settings(home, sandbox.url)
    again = run_day(up, DAY, UNITS)
    assert not again["errors"], again["errors"]
    recovered(up, sandbox, clean, files)


# -- SIGKILL at each step, one after another on the same home, then a clean rerun ---------------------

KILL_POINTS = ["collect-store", "collect-move", "validate", "push-before-send", "push-after-send", "stats"]


def test_killed_at_each_step_then_rerun(template, clean, sandbox, tmp_path):
    settings = common.make_settings(common.new_home(template, tmp_path / "home"), sandbox.url)
    files = common.files_in(settings)
    paused = settings.home / "paused"
    for point in KILL_POINTS:
        paused.unlink(missing_ok=True)
        if point == "push-before-send":
            sandbox.set_faults(stall_s=4, slow=1)  # the request is in, not processed
            proc = common.spawn(settings, *common.day_args())
            base = sandbox.state()["counters"].get("requests", 0)
            common.wait_for(lambda b=base: sandbox.state()["counters"].get("requests", 0) > b, 120, point)
        elif point == "push-after-send":
            sandbox.set_faults(delay_s=4, slow=1)  # processed and stored, the answer not yet sent
            base = sandbox.state()["batches"]
            proc = common.spawn(settings, *common.day_args(), RELIABILITY_READ_TIMEOUT="30")
            common.wait_for(lambda b=base: sandbox.state()["batches"] > b, 120, point)
        else:
            proc = common.spawn(settings, *common.day_args("--pause-at", point))
            common.wait_for(paused.exists, 120, point)
        common.kill(proc)
        assert common.files_in(settings) == files, f"a file was lost after a kill at {point}"
        counts = sandbox.accepted_counts()
        assert set(counts.values()) <= {1}, f"a record accepted twice after a kill at {point}"
        sandbox.set_faults(clear=True)
    time.sleep(4.5)  # the stalled request of the killed push lands (answered from its stored receipt)
    proc = common.spawn(settings, *common.day_args())
    out = common.finish(proc)
    assert not out["errors"], out["errors"]
    recovered(settings, sandbox, clean, files)


# -- the store ---------------------------------------------------------------------------------------


def test_sqlite_locked_during_the_run(template, clean, sandbox, tmp_path):
    import sqlite3

    settings = common.make_settings(common.new_home(template, tmp_path / "home"), sandbox.url)
    from credit.store import init_db

    init_db(settings.database_url)
    files = common.files_in(settings)
    locker = sqlite3.connect(settings.home / "credit.db", timeout=1, check_same_thread=False)
    locker.execute("BEGIN EXCLUSIVE")  # another program holds the write lock for a few seconds
    release = threading.Timer(3.0, locker.rollback)
    release.start()
    try:
        started = time.monotonic()
        out = run_day(settings, DAY, UNITS)
    finally:
        release.join()
        locker.close()
    assert time.monotonic() - started >= 2.5  # it did wait for the lock
    assert not out["errors"], out["errors"]  # waited (busy timeout), did not fail
    recovered(settings, sandbox, clean, files)


@pytest.mark.postgres
def test_postgresql_connections_cut_during_the_run(template, clean, sandbox, tmp_path, pg_url):
    import sqlalchemy as sa

    from tests.conftest import PG_ADMIN_URL

    settings = common.make_settings(common.new_home(template, tmp_path / "home"), sandbox.url, pg_url)
    files = common.files_in(settings)
    dbname = pg_url.rsplit("/", 1)[1]
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    stop = threading.Event()
    cuts = []

    def cutter():
        with admin.connect() as conn:
            for _ in range(400):  # bounded by count and by the stop event
                if stop.wait(0.25):
                    break
                n = conn.execute(
                    sa.text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = :d AND pid <> pg_backend_pid()"
                    ),
                    {"d": dbname},
                ).scalar()
                cuts.append(n)

    t = threading.Thread(target=cutter, daemon=True)
    t.start()
    try:
        first = run_day(settings, DAY, UNITS)
    finally:
        stop.set()
        t.join(10)
        admin.dispose()
    assert sum(cuts) > 0  # connections were really cut while the day ran
    again = run_day(settings, DAY, UNITS)
    if again["errors"]:  # a cut can land on the rerun's first pooled connection once more
        again = run_day(settings, DAY, UNITS)
    assert not again["errors"], (first["errors"], again["errors"])
    recovered(settings, sandbox, clean, files)


# -- the disk ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def small_tmpfs(path, size: str):
    path.mkdir(parents=True, exist_ok=True)
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({res.stderr.decode().strip()}): disk-full not simulated")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_output_disk_full_then_rerun(template, clean, sandbox, tmp_path):
    settings = common.make_settings(common.new_home(template, tmp_path / "home"), sandbox.url)
    files = common.files_in(settings)
    with small_tmpfs(settings.out, "48k"):
        out = run_day(settings, DAY, UNITS)
        assert any("No space left" in e or "Errno 28" in e for e in out["errors"]), out["errors"]
        assert common.files_in(settings) == files
        assert set(sandbox.accepted_counts().values()) <= {1}
    # Space freed (the full tmpfs is gone): the rerun writes every output and counts the same day.
    again = run_day(settings, DAY, UNITS)
    assert not again["errors"], again["errors"]
    recovered(settings, sandbox, clean, files)
    assert list((settings.out / "feedback" / DAY.isoformat()).glob("*.xlsx"))
