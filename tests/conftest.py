"""Shared fixtures: an isolated CREDIT_HOME per test, an isolated PREFECT_HOME per session, and a fresh
PostgreSQL database per test where the local server answers."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import pytest

# Before anything imports Prefect or GX: no telemetry, no shared ~/.prefect, generous start-up.
_PREFECT_HOME = tempfile.mkdtemp(prefix="credit-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.pop("PREFECT_API_URL", None)
for _name in list(os.environ):
    if _name.startswith("CREDIT_") and _name != "CREDIT_GX_PATCHES":  # CI runs validation with GX patches off
        del os.environ[_name]

PG_ADMIN_URL = os.environ.get("CREDIT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh CREDIT_HOME with SQLite, no platform configured."""
    root = tmp_path / "home"
    root.mkdir()
    monkeypatch.setenv("CREDIT_HOME", str(root))
    monkeypatch.delenv("CREDIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("CREDIT_PLATFORM_URL", raising=False)
    return root


@pytest.fixture
def settings(home):
    from credit.settings import load_settings

    s = load_settings()
    s.ensure_dirs()
    return s


def _pg_available() -> bool:
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture
def pg_url():
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    if not _pg_available():
        pytest.skip(f"PostgreSQL does not answer at {PG_ADMIN_URL}")
    import sqlalchemy as sa

    name = f"credit_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    from credit.store import db

    engine = db._engines.pop(url, None)
    if engine is not None:
        engine.dispose()
    db._migrated.discard(url)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def pg_settings(pg_url, home, monkeypatch):
    from credit.settings import load_settings

    monkeypatch.setenv("CREDIT_DATABASE_URL", pg_url)
    s = load_settings()
    s.ensure_dirs()
    return s


@pytest.fixture
def db(tmp_path) -> str:
    """A fresh, migrated SQLite store (its URL) for tests of the store's own steps."""
    from credit.store import init_db

    url = f"sqlite:///{tmp_path}/t.db"
    init_db(url)
    return url


@pytest.fixture
def platform(home, monkeypatch):
    """The sandbox, and a CREDIT_HOME whose settings point at it with the demo credentials."""
    from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox

    sandbox = start_sandbox()
    monkeypatch.setenv("CREDIT_PLATFORM_URL", sandbox.url)
    monkeypatch.setenv("CREDIT_PLATFORM_APP_KEY", DEMO_APP_KEY)
    monkeypatch.setenv("CREDIT_PLATFORM_APP_SECRET", DEMO_APP_SECRET)
    yield sandbox
    sandbox.stop()


@pytest.fixture
def sandbox():
    """The 信用湛江 sandbox on a free loopback port, with the demo credentials."""
    from credit.sandbox import start_sandbox

    handle = start_sandbox()
    yield handle
    handle.stop()
