"""The store's migrations: a store of an earlier revision is upgraded in place, keeping what the platform holds,
and the newest revision is exactly the models' schema."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import fields

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from credit.counters import COUNT_FIELDS, Counts
from credit.keys import business_key, record_key
from credit.store.db import get_engine, migrate


@pytest.fixture(params=["sqlite", "postgres"])
def url(request, tmp_path):
    if request.param == "postgres":
        return request.getfixturevalue("pg_url")
    return f"sqlite:///{tmp_path / 'old.db'}"


def upgrade(url: str, revision: str) -> None:
    migrate(get_engine(url), revision)


def test_records_of_a_store_before_per_unit_identity_keep_their_published_keys(url):
    upgrade(url, "0002")
    engine = get_engine(url)
    bkey = business_key(
        "xzcf", "雷市监罚〔2026〕5号", "91440882MA4W00051X", None, "某公司", "11440882007512345X"
    )
    legacy_key = hashlib.sha256(bkey.encode()).hexdigest()  # recordKey before the unit was part of it
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO record (dataset, unit, business_key, record_key, first_received, "
                "current_version, accepted_version, revoked) VALUES ('xzcf', 'scjgj', :k, :rk, :d, 1, 1, false)"
            ),
            {"k": bkey, "rk": legacy_key, "d": dt.date(2026, 11, 20)},
        )
        rid = conn.execute(sa.text("SELECT id FROM record")).scalar()
        conn.execute(
            sa.text(
                "INSERT INTO record_version (record_id, version, content_hash, received_date, data, raw, "
                "status, push_state) VALUES (:r, 1, 'h', :d, '{}', '{}', 'valid', 'accepted')"
            ),
            {"r": rid, "d": dt.date(2026, 11, 20)},
        )
    upgrade(url, "head")
    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT record_key FROM record")).scalar() == legacy_key
        assert conn.execute(sa.text("SELECT count(*) FROM record_version")).scalar() == 1
        # Another unit may now hold a record with the same business key (under its own recordKey)…
        conn.execute(
            sa.text(
                "INSERT INTO record (dataset, unit, business_key, record_key, first_received, "
                "current_version, revoked) VALUES ('xzcf', 'gaj', :k, :rk, :d, 1, false)"
            ),
            {"k": bkey, "rk": record_key("gaj", bkey), "d": dt.date(2026, 11, 21)},
        )
    # …but one unit still holds one record per business key.
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO record (dataset, unit, business_key, record_key, first_received, "
                "current_version, revoked) VALUES ('xzcf', 'scjgj', :k, :rk, :d, 1, false)"
            ),
            {"k": bkey, "rk": record_key("scjgj", bkey), "d": dt.date(2026, 11, 21)},
        )


def test_the_newest_revision_is_the_models_schema(url):
    import credit.store.models  # noqa: F401  (registers the tables)

    upgrade(url, "head")
    with get_engine(url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_the_daily_counters_are_the_models_columns_and_the_newest_revisions(url):
    """The counters are defined once (credit.counters.Counts): the model's columns follow that definition, and
    a counter added there without a migration fails here."""
    from credit.store.models import DailyStat

    model = [c.name for c in DailyStat.__table__.columns]
    assert model[model.index(COUNT_FIELDS[0]) :][: len(COUNT_FIELDS)] == list(COUNT_FIELDS)
    assert [f.name for f in fields(Counts)] == list(COUNT_FIELDS)
    for name in COUNT_FIELDS:
        column = DailyStat.__table__.columns[name]
        assert isinstance(column.type, sa.Integer) and not column.nullable
    upgrade(url, "head")
    stored = {c["name"]: c for c in sa.inspect(get_engine(url)).get_columns("daily_stat")}
    for name in COUNT_FIELDS:
        assert name in stored, f"no migration adds the counter {name}"
        assert isinstance(stored[name]["type"], sa.Integer) and not stored[name]["nullable"]


def test_daily_statistics_stored_before_0004_get_their_total_and_revision_1(url):
    upgrade(url, "0003")
    engine = get_engine(url)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO daily_stat (date, unit, dataset, deadline_workdays, received, invalid, late, "
                "invalid_or_late, missing, corrections, pushed, accepted, rejected, suspected_gaps) VALUES "
                "(:d, 'scjgj', 'xzcf', 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, :g), "
                "(:d, 'zjj', 'xzcf', 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, NULL)"
            ),
            {"d": dt.date(2026, 11, 20), "g": '["雷市监罚〔2026〕2号", "雷市监罚〔2026〕3号"]'},
        )
    upgrade(url, "head")
    with engine.begin() as conn:
        rows = conn.execute(
            sa.text("SELECT unit, suspected_gaps_total, revision FROM daily_stat ORDER BY unit")
        ).all()
    assert [tuple(r) for r in rows] == [("scjgj", 2, 1), ("zjj", 0, 1)]
