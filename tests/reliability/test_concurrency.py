"""Two runs of the same day at once (two processes, SQLite and PostgreSQL), and a day run while the
push-retry loop runs: no record delivered twice, no row duplicated or corrupted (unique constraints,
conditional updates and locks in the store, not luck)."""

from __future__ import annotations

import pytest

from tests.reliability import common

pytestmark = pytest.mark.reliability


def _two_at_once(settings, sandbox, clean) -> None:
    files = common.files_in(settings)
    sandbox.set_faults(fail_5xx=4, lose_answer=2, reset=2)  # some friction so the runs overlap longer
    procs = [common.spawn(settings, *common.day_args()) for _ in range(2)]
    outs = [common.finish(p) for p in procs]
    sandbox.set_faults(clear=True)
    # A run may lose a race (a conflict it reports); the next run finishes the day, it never repairs.
    again = common.finish(common.spawn(settings, *common.day_args()))
    assert not again["errors"], (outs, again["errors"])
    assert common.files_in(settings) == files
    common.assert_exactly_once(settings, sandbox, clean)
    assert common.stats_json(settings) == clean["stats"]
    new = sum(o["collect"][u]["new_versions"] for o in outs for u in common.UNITS if o["collect"][u])
    assert new <= clean["versions"], outs  # no version stored twice by the racing runs


def test_two_runs_of_the_same_day_sqlite(template, clean, sandbox, tmp_path):
    settings = common.make_settings(common.new_home(template, tmp_path / "home"), sandbox.url)
    _two_at_once(settings, sandbox, clean)


@pytest.mark.postgres
def test_two_runs_of_the_same_day_postgresql(template, clean, sandbox, tmp_path, pg_url):
    from credit.store import init_db

    init_db(pg_url)  # both children would race to migrate; the advisory lock is tested elsewhere
    settings = common.make_settings(common.new_home(template, tmp_path / "home"), sandbox.url, pg_url)
    _two_at_once(settings, sandbox, clean)


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_day_run_during_push_retry(template, clean, sandbox, tmp_path, request, backend):
    url = request.getfixturevalue("pg_url") if backend == "postgresql" else None
    settings = common.make_settings(common.new_home(template, tmp_path / "home"), sandbox.url, url)
    files = common.files_in(settings)
    sandbox.set_faults(lose_answer=4, fail_5xx=3)  # leaves batches unsettled for the retry loop to settle
    retry = common.spawn(settings, "retry", "--date", common.DAY.isoformat(), "--loops", "60")
    day = common.spawn(settings, *common.day_args())
    day_out, retry_out = common.finish(day), common.finish(retry)
    assert retry_out["retries"] > 0
    sandbox.set_faults(clear=True)
    again = common.finish(common.spawn(settings, *common.day_args()))
    assert not again["errors"], (day_out["errors"], retry_out["errors"], again["errors"])
    assert common.files_in(settings) == files
    common.assert_exactly_once(settings, sandbox, clean)
    assert common.stats_json(settings) == clean["stats"]
