"""Units are separate trust domains: a record belongs to the unit that sent it.

Each attack of one unit (公安局, gaj) on another's (市场监督管理局, scjgj) published record — correct it,
pre-empt it, revoke it, claim it — goes through the real path (inbox → collect → validate → push to the
sandbox on loopback → feedback and statistics), for both datasets, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from sqlmodel import select

from credit.collect import collect_unit
from credit.delivery import push
from credit.keys import business_key, record_key
from credit.platform.client import ApiClient
from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox
from credit.settings import Settings
from credit.steps.count import daily_statistics
from credit.steps.deliver import fill_outbox
from credit.steps.report import feedback_items
from credit.steps.validate import validate_units
from credit.store import Record, session_scope
from credit.units import unit
from tests.rows import ROW_BUILDERS, write_csv

DAY1 = dt.date(2026, 11, 25)
DAY2 = dt.date(2026, 11, 26)
OWNER, ATTACKER = "scjgj", "gaj"
DATASET_NAMES = {"xzcf": "行政处罚", "xzxk": "行政许可"}
# A field each dataset's attacker changes (a fine of 0.5 万元 made 50 万元; a permit's content).
CHANGE = {
    "xzcf": {"fine_wan": "50", "penalty_content": "罚款人民币500000元"},
    "xzxk": {"permit_content": "篡改"},
}
PLATFORM_FIELD = {"xzcf": "CF_NR_FK", "xzxk": "XK_NR"}


@pytest.fixture(params=["sqlite", "postgres"])
def env(request, tmp_path):
    """Settings on the given store, and a sandbox platform with a signed client."""
    home = tmp_path / "home"
    url = f"sqlite:///{home / 'credit.db'}"
    if request.param == "postgres":
        url = request.getfixturevalue("pg_url")
    settings = Settings(home=home, database_url=url)
    settings.ensure_dirs()
    sandbox = start_sandbox(app_key=DEMO_APP_KEY, app_secret=DEMO_APP_SECRET)
    client = ApiClient(sandbox.url, DEMO_APP_KEY, DEMO_APP_SECRET)
    yield settings, sandbox, client
    client.close()
    sandbox.stop()


def deliver(settings: Settings, unit_code: str, name: str, rows: list[dict], ds: str) -> None:
    write_csv(settings.inbox / unit_code / name, rows, dataset_id=ds)


def run_day(settings: Settings, client: ApiClient, day: dt.date) -> dict:
    """The daily path for the two units: collect, validate (one batch), outbox, push, statistics."""
    for code in (OWNER, ATTACKER):
        collect_unit(settings, code, day)
    results = validate_units(settings, [OWNER, ATTACKER], day)
    fill_outbox(settings, [OWNER, ATTACKER], day)
    for code in (OWNER, ATTACKER):
        push(client, database_url=settings.database_url, unit=code, report_date=day)
    report = daily_statistics(settings, day).report
    stats = {(r.unit, r.dataset): r.counts for r in report.rows}
    return {"validation": results, "stats": stats}


def owner_row(ds: str, **changes) -> dict:
    return ROW_BUILDERS[ds](OWNER, n=5, **changes)


def owner_key(ds: str) -> str:
    """The recordKey scjgj's genuine row is published under: SHA-256 of the unit and the business key."""
    row = owner_row(ds)

    def val(key: str) -> str:
        return row[_header(ds, key)]

    bkey = business_key(
        ds, val("decision_doc_no"), val("uscc"), None, val("counterpart_name"), val("authority_uscc")
    )
    return record_key(OWNER, bkey)


def records_of(settings: Settings, unit_code: str, ds: str) -> list[Record]:
    with session_scope(settings.database_url) as s:
        rows = s.exec(select(Record).where(Record.unit == unit_code, Record.dataset == ds)).all()
        for r in rows:
            s.expunge(r)
        return list(rows)


def rules_in_feedback(settings: Settings, unit_code: str, day: dt.date) -> list[tuple[str, str]]:
    """(rule, 决定文书号) of every error in the unit's feedback for the day."""
    found = []
    for item in feedback_items(settings, unit_code, day):
        for err in item["errors"]:
            found.append((err["rule"], item["raw"].get("decision_doc_no")))
    return found


def publish_owner(settings, sandbox, client, ds: str) -> str:
    deliver(settings, OWNER, "genuine.csv", [owner_row(ds)], ds)
    run_day(settings, client, DAY1)
    key = owner_key(ds)
    assert sandbox.store.held(key) is not None, "scjgj's genuine record was not published"
    return key


@pytest.mark.parametrize("ds", ["xzcf", "xzxk"])
def test_another_unit_cannot_correct_a_published_record(env, ds):
    settings, sandbox, client = env
    key = publish_owner(settings, sandbox, client, ds)
    before = dict(sandbox.store.held(key))

    # gaj sends scjgj's decision (same 决定文书号, counterpart, authority), naming scjgj as source, changed.
    deliver(settings, ATTACKER, "attack.csv", [owner_row(ds, **CHANGE[ds])], ds)
    day = run_day(settings, client, DAY2)

    assert sandbox.store.held(key) == before, "the public record of scjgj was changed by gaj's file"
    assert [h["op"] for h in sandbox.history(key)] == ["I"]
    [owned] = records_of(settings, OWNER, ds)
    assert (owned.current_version, owned.record_key) == (1, key)
    # The row is gaj's own invalid record (SRC-1 against the sender), fed back to gaj only.
    [attempt] = records_of(settings, ATTACKER, ds)
    assert attempt.record_key != key and attempt.accepted_version is None
    assert ("SRC-1", owner_row(ds)[_header(ds, "decision_doc_no")]) in rules_in_feedback(
        settings, ATTACKER, DAY2
    )
    assert rules_in_feedback(settings, OWNER, DAY2) == []
    assert day["validation"][ATTACKER].invalid == 1 and day["validation"][OWNER].checked == 0
    stats = day["stats"]
    assert (stats[ATTACKER, ds].received, stats[ATTACKER, ds].invalid) == (1, 1)
    assert stats[OWNER, ds].received == 0 and stats[OWNER, ds].corrections == 0


@pytest.mark.parametrize("ds", ["xzcf", "xzxk"])
def test_a_unit_cannot_pre_empt_another_units_record(env, ds):
    settings, sandbox, client = env
    doc_no = owner_row(ds)[_header(ds, "decision_doc_no")]
    # gaj publishes scjgj's decision first, naming scjgj as source.
    deliver(settings, ATTACKER, "first.csv", [owner_row(ds, **CHANGE[ds])], ds)
    run_day(settings, client, DAY1)
    assert ("SRC-1", doc_no) in rules_in_feedback(settings, ATTACKER, DAY1)
    assert sandbox.store.snapshot()["records_held"] == 0

    # scjgj's genuine row afterwards is accepted as scjgj's own, and listed in nobody's feedback.
    deliver(settings, OWNER, "genuine.csv", [owner_row(ds)], ds)
    day = run_day(settings, client, DAY2)
    key = owner_key(ds)
    held = sandbox.store.held(key)
    assert held is not None and [h["op"] for h in sandbox.history(key)] == ["I"]
    assert held[PLATFORM_FIELD[ds]] == owner_row(ds)[_header(ds, _field_key(ds, PLATFORM_FIELD[ds]))]
    assert day["validation"][OWNER].valid == 1 and day["validation"][OWNER].invalid == 0
    assert rules_in_feedback(settings, OWNER, DAY2) == []
    assert rules_in_feedback(settings, ATTACKER, DAY2) == []
    assert (day["stats"][OWNER, ds].received, day["stats"][OWNER, ds].invalid) == (1, 0)


@pytest.mark.parametrize("ds", ["xzcf", "xzxk"])
def test_a_unit_cannot_revoke_another_units_record(env, ds):
    settings, sandbox, client = env
    key = publish_owner(settings, sandbox, client, ds)
    doc_no = owner_row(ds)[_header(ds, "decision_doc_no")]
    path = settings.inbox / ATTACKER / "撤销清单.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["数据类别", "决定文书号", "撤销原因"])
        w.writerow([DATASET_NAMES[ds], doc_no, "录入错误"])
    run_day(settings, client, DAY2)

    assert sandbox.store.held(key) is not None
    assert [h["op"] for h in sandbox.history(key)] == ["I"]
    [owned] = records_of(settings, OWNER, ds)
    assert not owned.revoked and owned.current_version == 1
    assert ("REVOKE", doc_no) in rules_in_feedback(settings, ATTACKER, DAY2)


@pytest.mark.parametrize("ds", ["xzcf", "xzxk"])
def test_a_unit_claiming_another_units_decision_gets_a_record_of_its_own(env, ds):
    settings, sandbox, client = env
    key = publish_owner(settings, sandbox, client, ds)
    before = dict(sandbox.store.held(key))
    gaj = unit(ATTACKER)
    # gaj claims scjgj's decision as its own data source (SRC-1 passes): a separate record of gaj's.
    claimed = owner_row(ds, source_unit=gaj.name, source_unit_uscc=gaj.uscc, **CHANGE[ds])
    deliver(settings, ATTACKER, "claim.csv", [claimed], ds)
    run_day(settings, client, DAY2)

    assert sandbox.store.held(key) == before
    [theirs] = records_of(settings, ATTACKER, ds)
    assert theirs.record_key != key and sandbox.store.held(theirs.record_key) is not None
    # scjgj's own correction still reaches scjgj's record, as an update of its own key.
    deliver(settings, OWNER, "fix.csv", [owner_row(ds, **_owner_fix(ds))], ds)
    run_day(settings, client, DAY2 + dt.timedelta(days=1))
    assert [h["op"] for h in sandbox.history(key)] == ["I", "U"]
    assert [h["op"] for h in sandbox.history(theirs.record_key)] == ["I"]


def test_the_same_business_key_from_two_units_is_two_records(env):
    """Both units may send a row with the same business key; each owns its own record and key."""
    settings, sandbox, client = env
    row = owner_row("xzcf")
    deliver(settings, OWNER, "a.csv", [row], "xzcf")
    deliver(settings, ATTACKER, "b.csv", [row], "xzcf")
    run_day(settings, client, DAY1)
    mine, theirs = records_of(settings, OWNER, "xzcf"), records_of(settings, ATTACKER, "xzcf")
    assert len(mine) == len(theirs) == 1
    assert mine[0].business_key == theirs[0].business_key
    assert mine[0].record_key != theirs[0].record_key
    assert mine[0].record_key == owner_key("xzcf")
    # gaj's copy names scjgj as its source: invalid for gaj (SRC-1), never sent; scjgj's is published.
    assert sandbox.store.held(mine[0].record_key) is not None
    assert sandbox.store.held(theirs[0].record_key) is None


def _owner_fix(ds: str) -> dict:
    return {
        "xzcf": {"fine_wan": "0.6", "penalty_content": "罚款人民币6000元"},
        "xzxk": {"permit_content": "更正"},
    }[ds]


def _header(ds: str, key: str) -> str:
    from credit.standard import dataset

    return dataset(ds).field(key).header


def _field_key(ds: str, code: str) -> str:
    from credit.standard import dataset

    return next(f.key for f in dataset(ds).fields if f.code == code)
