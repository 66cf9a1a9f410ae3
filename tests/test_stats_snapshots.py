"""疑似漏报 an official can act on, and a day's statistics as a snapshot with recorded restatements."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from credit.reference_feed import load_reference_feed
from credit.reports.daily import write_daily
from credit.stats import (
    DocSeries,
    compute_daily,
    day_revisions,
    month_suspected_gaps,
    read_series_rules,
    save_daily,
)
from credit.store import init_db, session_scope
from credit.store.models import DailyStat
from credit.units import unit
from tests.test_stats import CAL, add_record, add_reference, reported_rows, row

D = dt.date
DAY = D(2026, 11, 20)  # a Friday
DECIDED = D(2026, 11, 17)


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path}/t.db"
    init_db(url)
    return url


def daily(s, day=DAY):
    return compute_daily(s, day, calendar=CAL, deadline_workdays=3, units=["songzhu", "gaj", "scjgj"])


def test_one_series_per_unit_dataset_and_year_whatever_the_prefix(db):
    """松竹镇 writes 审批/许准字/许字/许 on one sequence: 1–9 received under four prefixes leave no gap but 6."""
    with session_scope(db) as s:
        for doc in (
            "雷松许〔2026〕1号",
            "雷松审批〔2026〕2号",
            "雷松许准字〔2026〕第3号",
            "雷松许字〔2026〕第0004号",
            "雷松许〔2026〕5号",
            "雷松审批[2026]7号",
            "雷松许〔2026〕9号",
            "雷松许〔2025〕3号",  # last year's series: its own
            "雷松许〔2025〕5号",
        ):
            add_record(s, "songzhu", doc, DECIDED, DAY, dataset="xzxk")
        add_reference(s, "songzhu", "雷松许准字〔2026〕第8号", DECIDED, dataset="xzxk")  # known: not a gap
    with session_scope(db) as s:
        r = row(daily(s), "songzhu", "xzxk")
    assert r["suspected_gaps"] == ["雷松许〔2025〕4号", "雷松许〔2026〕6号"]  # the series' usual prefix
    assert r["suspected_gaps_total"] == 2


def test_a_number_the_feed_lists_is_never_suspected_even_decided_later(db):
    """A hole between received numbers that the reference feed lists (whatever its date) is not listed."""
    with session_scope(db) as s:
        for n in (1, 2, 5):
            add_record(s, "scjgj", f"雷市监罚〔2026〕{n}号", DECIDED, DAY)
        add_reference(s, "scjgj", "雷市监罚（2026）3号", DAY + dt.timedelta(days=3))  # feed dated after D
        add_reference(s, "scjgj", "雷市监罚〔2026〕7号", DECIDED)  # decided by D: widens the span to 7
    with session_scope(db) as s:
        r = row(daily(s), "scjgj")
    assert r["suspected_gaps"] == ["雷市监罚〔2026〕4号", "雷市监罚〔2026〕6号"]
    assert r["missing"] == 1  # 7号 is due on D and not received: counted, not suspected


def test_declared_independent_series_are_kept_apart(tmp_path):
    path = tmp_path / "series.csv"
    path.write_text(
        "# comment\nunit,dataset,prefix_pattern,series\ngaj,xzcf,雷公（治）*,治安\ngaj,,雷公（交）*,交通\n",
        encoding="utf-8",
    )
    series = DocSeries(read_series_rules(path))
    assert series.of("gaj", "xzcf", "雷公〔治〕行罚决字") == "治安"  # brackets compared as document numbers
    assert series.of("gaj", "xzxk", "雷公〔交〕许") == "交通"  # empty dataset: both
    assert series.of("gaj", "xzcf", "雷公罚") == ""  # no rule: the unit's one series
    assert series.of("scjgj", "xzcf", "雷公〔治〕行罚决字") == ""
    path.write_text("unit,dataset,prefix_pattern,series\ngaj,xzzz,雷公*,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="第2行"):
        read_series_rules(path)


def test_declared_series_have_their_own_gaps(db, monkeypatch):
    from credit import stats

    rules = [
        stats.SeriesRule("gaj", "xzcf", re.compile("雷公〔治〕.*"), "治安"),
    ]
    monkeypatch.setattr(stats.DocSeries, "load", classmethod(lambda cls, path=None: cls(rules)))
    with session_scope(db) as s:
        for doc in ("雷公（治）行罚决字〔2026〕1号", "雷公（治）行罚决字〔2026〕3号", "雷公罚〔2026〕2号"):
            add_record(s, "gaj", doc, DECIDED, DAY)
        add_record(s, "gaj", "雷公罚〔2026〕5号", DECIDED, DAY)
    with session_scope(db) as s:
        r = row(daily(s), "gaj")
    # One series would have had no hole at 2 and 4; two series: 治安 misses 2, the other 3 and 4.
    assert r["suspected_gaps"] == ["雷公（治）行罚决字〔2026〕2号", "雷公罚〔2026〕3号", "雷公罚〔2026〕4号"]


def test_the_shipped_series_file_loads():
    assert DocSeries.FILE == "doc_number_series.csv"
    rules = read_series_rules(stats_data_dir() / DocSeries.FILE)
    assert all(r.series and r.unit for r in rules)
    assert DocSeries.load().of("songzhu", "xzxk", "雷松审批") == ""  # 松竹镇 keeps one series


def stats_data_dir():
    from credit.standard import DATA_DIR

    return DATA_DIR


def test_the_true_total_is_stored_and_listed_beyond_fifty(db, tmp_path):
    with session_scope(db) as s:
        add_record(s, "scjgj", "雷市监罚〔2026〕1号", DECIDED, DAY)
        add_record(s, "scjgj", "雷市监罚〔2026〕120号", DECIDED, DAY)
    with session_scope(db) as s:
        report = daily(s)
        save_daily(s, report)
    r = row(report, "scjgj")
    assert r["suspected_gaps_total"] == 118 and len(r["suspected_gaps"]) == 118
    with session_scope(db) as s:
        stat = s.query(DailyStat).filter_by(date=DAY, unit="scjgj", dataset="xzcf").one()
        assert stat.suspected_gaps_total == 118 and len(stat.suspected_gaps) == 118
        gaps = month_suspected_gaps(s, "2026-11")
    assert [(g.unit, g.dataset, g.total, len(g.numbers), g.as_of, g.revision) for g in gaps] == [
        ("scjgj", "xzcf", 118, 118, DAY, 1)
    ]
    assert gaps[0].numbers[0] == "雷市监罚〔2026〕2号" and gaps[0].unit_name == "雷州市市场监督管理局"


def _run(url, day, out):
    with session_scope(url) as s:
        report = daily(s, day)
        save_daily(s, report)
    write_daily(report, out)
    return report, json.loads((out / "daily" / day.isoformat() / "stats.json").read_text(encoding="utf-8"))


def test_same_knowledge_same_numbers_and_revision(db, tmp_path):
    with session_scope(db) as s:
        add_record(s, "scjgj", "雷市监罚〔2026〕1号", DECIDED, DAY)
        add_record(s, "scjgj", "雷市监罚〔2026〕3号", DECIDED, DAY)
        add_reference(s, "scjgj", "雷市监罚〔2026〕4号", DECIDED)  # due on D, not received: missing
    _, first = _run(db, DAY, tmp_path)
    # A later day's record and its statistics change nothing of D's snapshot.
    with session_scope(db) as s:
        add_record(s, "scjgj", "雷市监罚〔2026〕2号", DECIDED, DAY + dt.timedelta(days=3))
    _run(db, DAY + dt.timedelta(days=3), tmp_path)
    report, again = _run(db, DAY, tmp_path)
    assert again == first
    assert first["revision"] == 1 and "restated" not in first
    assert row(report, "scjgj")["missing"] == 1
    assert row(report, "scjgj")["suspected_gaps"] == ["雷市监罚〔2026〕2号"]
    with session_scope(db) as s:
        assert day_revisions(s, D(2026, 11, 1), D(2026, 11, 30)) == {DAY: 1, DAY + dt.timedelta(days=3): 1}
        units = [unit(c) for c in ("songzhu", "gaj", "scjgj")]
        assert s.query(DailyStat).filter_by(date=DAY).count() == reported_rows(units)


def test_a_new_reference_file_restates_the_day_as_revision_2(db, tmp_path):
    """The 13 → 21 case: the feed grew after the day was counted; rerunning the day records a restatement."""
    with session_scope(db) as s:
        add_record(s, "scjgj", "雷市监罚〔2026〕1号", DECIDED, DAY)
        add_record(s, "scjgj", "雷市监罚〔2026〕4号", DECIDED, DAY)
    _, first = _run(db, DAY, tmp_path)
    assert first["revision"] == 1
    assert row_of(first, "scjgj")["suspected_gaps"] == ["雷市监罚〔2026〕2号", "雷市监罚〔2026〕3号"]
    feed = tmp_path / "reference" / "xzcf"
    feed.mkdir(parents=True)
    (feed / "2026-11-23.csv").write_text(
        "unit,decision_doc_no,decision_date\nscjgj,雷市监罚〔2026〕2号,2026-11-17\n", encoding="utf-8"
    )
    with session_scope(db) as s:
        assert load_reference_feed(s, tmp_path / "reference", CAL, 3) == 1
    _, second = _run(db, DAY, tmp_path)
    assert second["revision"] == 2
    assert row_of(second, "scjgj")["missing"] == 1 and row_of(second, "scjgj")["suspected_gaps_total"] == 1
    [restatement] = second["restated"]
    assert restatement["revision"] == 2 and restatement["at"]
    assert [(c["unit"], c["dataset"], c["field"], c["old"], c["new"]) for c in restatement["changes"]] == [
        ("scjgj", "xzcf", "missing", 0, 1),
        ("scjgj", "xzcf", "suspected_gaps_total", 2, 1),
        (
            "scjgj",
            "xzcf",
            "suspected_gaps",
            ["雷市监罚〔2026〕2号", "雷市监罚〔2026〕3号"],
            ["雷市监罚〔2026〕3号"],
        ),
    ]
    # The other keys keep their shape; the history stays in the store; a third run changes nothing.
    assert set(second) == {"date", "deadline_workdays", "units", "total", "revision", "restated"}
    _, third = _run(db, DAY, tmp_path)
    assert third == second
    with session_scope(db) as s:
        stat = s.query(DailyStat).filter_by(date=DAY, unit="scjgj", dataset="xzcf").one()
        assert stat.revision == 2 and stat.missing == 1
        assert stat.restated[0]["changes"]["missing"] == [0, 1]
        assert day_revisions(s, DAY, DAY) == {DAY: 2}
        assert {x.revision for x in s.query(DailyStat).filter_by(date=DAY)} == {2}


def row_of(doc: dict, unit: str, dataset: str = "xzcf") -> dict:
    return next(u for u in doc["units"] if u["unit"] == unit and u["dataset"] == dataset)
