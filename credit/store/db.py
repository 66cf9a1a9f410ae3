"""Engine and sessions. SQLite gets WAL and a busy timeout so that a flow's tasks and a second run can
share it; PostgreSQL is used as is. The schema is created and upgraded by Alembic, never by create_all."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_engines: dict[str, Engine] = {}
_lock = threading.Lock()
_migrated: set[str] = set()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
    # Let SQLAlchemy, not pysqlite, open transactions (see _sqlite_begin).
    dbapi_conn.isolation_level = None


def _sqlite_begin(conn) -> None:
    """Take the write lock when a transaction starts. With pysqlite's deferred BEGIN, two runs that both read
    and then write fail at once with "database is locked" instead of waiting out the busy timeout."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def get_engine(url: str) -> Engine:
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            parsed = make_url(url)
            if parsed.get_backend_name() == "sqlite":
                if parsed.database and parsed.database != ":memory:":
                    Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
                engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
                event.listen(engine, "connect", _sqlite_pragmas)
                event.listen(engine, "begin", _sqlite_begin)
            else:
                engine = create_engine(url, pool_pre_ping=True)
            _engines[url] = engine
        return engine


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = url
    return cfg


def init_db(url: str) -> Engine:
    """Bring the schema to the newest revision (idempotent, safe for concurrent callers on PostgreSQL)."""
    engine = get_engine(url)
    if url in _migrated:
        return engine
    migrate(engine, "head")
    _migrated.add(url)
    return engine


def migrate(engine: Engine, revision: str) -> None:
    """Upgrade the store to `revision` in one transaction."""
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            # Changing a constraint rebuilds the table on SQLite; its documented procedure turns foreign keys
            # off outside the transaction (a no-op inside one) and checks them before the commit instead.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                if engine.dialect.name == "postgresql":
                    # Two workers starting at once must not both create the tables.
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(874120331)")
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("migration left rows whose foreign key points nowhere; rolled back")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    engine = init_db(url)
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
