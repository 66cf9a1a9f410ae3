"""Shared by the fault and concurrency tests: one generated day copied into fresh homes, the clean run
they are compared with, child processes running the day, and the exactly-once checks."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from pydantic import SecretStr
from sqlmodel import func, select

from credit.settings import Settings

PROJECT = Path(__file__).resolve().parents[2]
DAY = dt.date(2026, 11, 26)
UNITS = ["scjgj", "zjj"]
KEY, SECRET = "rel-key", "rel-secret-not-real"


def generate(template: Path) -> Path:
    from samples.generator import generate_day

    generate_day(
        template, DAY, units=UNITS, seed=808, records=(12, 30), defect_rate=0.2, natural_person_rate=0.4
    )
    return template


def new_home(template: Path, root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for part in ("inbox", "reference"):
        if (template / part).exists():
            shutil.copytree(template / part, root / part)
    return root


def make_settings(home: Path, url: str | None = None, database_url: str | None = None) -> Settings:
    s = Settings(
        home=home,
        database_url=database_url or f"sqlite:///{home / 'credit.db'}",
        platform_url=url,
        platform_app_key=KEY if url else None,
        platform_app_secret=SecretStr(SECRET) if url else None,
    )
    s.ensure_dirs()
    return s


def child_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDIT_")}
    env.update(
        CREDIT_HOME=str(settings.home),
        CREDIT_DATABASE_URL=settings.database_url,
        PYTHONPATH=str(PROJECT),
        GX_ANALYTICS_ENABLED="false",
    )
    if settings.platform_url:
        env.update(
            CREDIT_PLATFORM_URL=settings.platform_url,
            CREDIT_PLATFORM_APP_KEY=KEY,
            CREDIT_PLATFORM_APP_SECRET=SECRET,
        )
    env.update(extra)
    return env


def spawn(settings: Settings, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.driver", *args],
        cwd=PROJECT,
        env=child_env(settings, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def day_args(*extra: str) -> list[str]:
    return ["day", "--date", DAY.isoformat(), "--units", *UNITS, *extra]


def wait_for(predicate, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    raise TimeoutError(what)


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL


def finish(proc: subprocess.Popen, timeout: float = 180) -> dict:
    out, err = proc.communicate(timeout=timeout)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    assert lines, f"no result from the child (rc {proc.returncode}):\n{err[-3000:]}"
    result = json.loads(lines[-1])
    assert "crash" not in result, result["crash"]
    result["_stderr"] = err
    return result


def stats_json(settings: Settings) -> dict:
    """The day's stats.json without its revision bookkeeping: a run that counted the day while another run
    (or a killed one's rerun) was still delivering leaves a restatement (revision 2, what changed), which is
    the truth; the numbers themselves are what must equal the clean run's."""
    data = json.loads((settings.out / "daily" / DAY.isoformat() / "stats.json").read_text(encoding="utf-8"))
    assert isinstance(data.pop("revision"), int)
    data.pop("restated", None)
    return data


def files_in(settings: Settings) -> int:
    n = 0
    for root in (settings.inbox, settings.archive, settings.quarantine):
        for _folder, _dirs, files in os.walk(root):
            n += sum(not f.endswith(".reason.txt") for f in files)
    return n


def valid_versions(settings: Settings) -> int:
    from credit.store import RecordVersion, session_scope

    with session_scope(settings.database_url) as s:
        return s.exec(
            select(func.count()).select_from(RecordVersion).where(RecordVersion.status == "valid")
        ).one()


def push_states(settings: Settings) -> dict[str, int]:
    from credit.store import RecordVersion, session_scope

    with session_scope(settings.database_url) as s:
        return dict(
            s.exec(select(RecordVersion.push_state, func.count()).group_by(RecordVersion.push_state)).all()
        )


def assert_exactly_once(settings: Settings, sandbox, clean: dict) -> None:
    """Every valid record version accepted by the platform exactly once, as in the clean run; nothing left
    queued or in flight; the store's rows unique per business key and per (record, version)."""
    from credit.store import Batch, Record, RecordVersion, session_scope

    counts = sandbox.accepted_counts()
    assert sandbox.state()["accepted_total"] == clean["accepted"], sandbox.state()
    assert len(counts) == clean["accepted"] and set(counts.values()) <= {1}, "a record was accepted twice"
    assert valid_versions(settings) == clean["valid"]
    assert push_states(settings) == clean["push_states"]
    with session_scope(settings.database_url) as s:
        unsettled = s.exec(select(func.count()).select_from(Batch).where(Batch.state != "settled")).one()
        assert unsettled == 0
        keys = s.exec(select(Record.dataset, Record.business_key)).all()
        assert len(keys) == len(set(keys)) == clean["records"]
        pairs = s.exec(select(RecordVersion.record_id, RecordVersion.version)).all()
        assert len(pairs) == len(set(pairs)) == clean["versions"]


def summary(settings: Settings, sandbox) -> dict:
    from credit.store import Record, RecordVersion, session_scope

    with session_scope(settings.database_url) as s:
        records = s.exec(select(func.count()).select_from(Record)).one()
        versions = s.exec(select(func.count()).select_from(RecordVersion)).one()
    held = {key: sandbox.store.held(key) for key in sorted(sandbox.accepted_counts())}
    return {
        "held": held,  # what the platform publishes, record by record
        "accepted": sandbox.state()["accepted_total"],
        "valid": valid_versions(settings),
        "push_states": push_states(settings),
        "records": records,
        "versions": versions,
        "stats": stats_json(settings),
        "files": files_in(settings),
    }
