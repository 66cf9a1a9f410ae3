"""Hostile and broken deliveries through the real collect step: each one is read correctly or quarantined
with a Chinese and English reason, the unit's good file beside it is still collected, no file is ever
deleted, and memory stays bounded (peak RSS measured loosely, no timing asserted)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
import time
from pathlib import Path

import psutil
import pytest
from sqlmodel import select

from credit.collect import collect_unit
from credit.store import Record, RecordVersion, Submission, session_scope
from tests.reliability import hostile
from tests.rows import write_csv

pytestmark = pytest.mark.reliability

DAY = dt.date(2026, 11, 26)
UNIT = "scjgj"
RSS_BUDGET = 1536 << 20  # peak growth allowed while collecting one hostile file with a good one


def entries(settings) -> list[str]:
    """Every non-folder entry (files, links, pipes) under inbox, archive and quarantine, reasons aside."""
    found = []
    for root in (settings.inbox, settings.archive, settings.quarantine):
        for folder, dirs, files in os.walk(root, followlinks=False):
            found += [os.path.join(folder, f) for f in files if not f.endswith(".reason.txt")]
            found += [os.path.join(folder, d) for d in dirs if os.path.islink(os.path.join(folder, d))]
    return found


class PeakRSS:
    """Samples the RSS of this process and its descendants (the reader processes) in a thread; `.growth` is the
    peak above the level at entry."""

    def __init__(self, every: float = 0.005):
        self.proc = psutil.Process()
        self.every = every
        self.peak = 0

    def _rss(self) -> int:
        total = self.proc.memory_info().rss
        for child in self.proc.children(recursive=True):
            with contextlib.suppress(psutil.Error):  # it ended meanwhile
                total += child.memory_info().rss
        return total

    def __enter__(self):
        from credit.readers.contained import warm_up

        warm_up()  # the fork server's own memory is not a file's: started before the base is taken
        self.base = self._rss()
        self.peak = self.base
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(self.every)

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, self._rss())

    @property
    def growth(self) -> int:
        return self.peak - self.base


def check_reason(outcome, fragment: str | None) -> str:
    target = outcome.stored_path
    assert target and os.path.lexists(target), f"quarantined file not found: {target}"
    reason = Path(target + ".reason.txt").read_text(encoding="utf-8")
    zh, en = reason.split("\n")[:2]
    assert zh.startswith("原因：") and len(zh) > len("原因：") + 3, reason
    assert en.startswith("Reason: ") and len(en) > len("Reason: ") + 5, reason
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh[3:]), reason
    if fragment:
        assert fragment in reason, reason
    return reason


@pytest.mark.parametrize("kind", list(hostile.KINDS))
def test_hostile_file_is_read_or_quarantined_and_the_run_goes_on(settings, kind):
    allowed, fragment, build = hostile.KINDS[kind]
    inbox = settings.inbox / UNIT
    inbox.mkdir(parents=True)
    write_csv(inbox / "good.csv", hostile.rows(2, start=1))
    build(inbox)
    before = len(entries(settings))

    with PeakRSS() as rss:
        result = collect_unit(settings, UNIT, DAY)

    by_name = {f.name: f for f in result.files}
    good = by_name.pop("good.csv")
    assert good.outcome == "collected" and good.new_versions == 2, good
    [bad] = by_name.values()
    assert bad.outcome in allowed, (bad.outcome, bad.reason)
    if bad.outcome == "quarantined":
        check_reason(bad, fragment)
    elif bad.outcome == "skipped":
        assert bad.reason and "/" in bad.reason  # Chinese / English
    assert len(entries(settings)) == before, "a file was lost or duplicated"
    assert rss.growth < RSS_BUDGET, f"peak RSS grew by {rss.growth >> 20} MiB"

    # Collecting again changes nothing: no new records, no file lost, the good file not taken twice.
    with session_scope(settings.database_url) as s:
        n_records = len(s.exec(select(Record.id)).all())
    again = collect_unit(settings, UNIT, DAY)
    assert all(f.new_versions == 0 for f in again.files)
    with session_scope(settings.database_url) as s:
        assert len(s.exec(select(Record.id)).all()) == n_records
    assert len(entries(settings)) == before


def stored(settings, field: str) -> set[str]:
    with session_scope(settings.database_url) as s:
        return {v.data.get(field) for v in s.exec(select(RecordVersion))} - {None}


def raw_values(settings, field: str) -> set[str]:
    with session_scope(settings.database_url) as s:
        return {v.raw.get(field) for v in s.exec(select(RecordVersion))} - {None}


def collect_one(settings, build) -> object:
    inbox = settings.inbox / UNIT
    inbox.mkdir(parents=True, exist_ok=True)
    build(inbox)
    [f] = collect_unit(settings, UNIT, DAY).files
    return f


def test_rare_characters_survive_exactly(settings):
    f = collect_one(settings, hostile.KINDS["emoji_and_rare_cjk"][2])
    assert f.outcome == "collected"
    assert "𠀀𪚥𬌗水产店🐟" in raw_values(settings, "counterpart_name")
    assert any("𠮷" in v for v in raw_values(settings, "violation_facts"))


def test_sql_looking_values_stay_data(settings):
    f = collect_one(settings, hostile.KINDS["sql_looking_values"][2])
    assert f.outcome == "collected" and f.new_versions == 2
    assert raw_values(settings, "counterpart_name") == {"x'); DROP TABLE record;--"}
    with session_scope(settings.database_url) as s:  # the tables are all still there
        assert len(s.exec(select(Record.id)).all()) == 2
        assert s.exec(select(Submission)).one().rows == 2


def test_formula_cells_are_never_evaluated(settings):
    f = collect_one(settings, hostile.KINDS["formulas_and_hyperlink"][2])
    assert f.outcome == "collected"
    names = raw_values(settings, "counterpart_name")
    # openpyxl writes formulas without a cached value: the reader takes the cached value (none), never
    # the result of running them, and never fetches the link.
    assert "点击查看" not in names and "2" not in raw_values(settings, "penalty_content")


def test_csv_injection_kept_as_text(settings):
    f = collect_one(settings, hostile.KINDS["csv_injection"][2])
    assert f.outcome == "collected" and f.rows == 4
    assert "=cmd|' /C calc'!A0" in raw_values(settings, "counterpart_name")


def test_long_cell_kept_whole(settings):
    f = collect_one(settings, hostile.KINDS["cell_10001_chars"][2])
    assert f.outcome == "collected"
    assert max(len(v) for v in raw_values(settings, "violation_facts")) == 10_000


def test_growing_file_is_left_until_complete(settings):
    inbox = settings.inbox / UNIT
    inbox.mkdir(parents=True)
    stop = threading.Event()
    path = hostile.growing(inbox, stop)
    time.sleep(0.05)
    try:
        [f] = collect_unit(settings, UNIT, DAY).files
    finally:
        stop.set()
    time.sleep(0.05)
    assert f.outcome == "skipped" and "写入" in f.reason
    assert path.exists()  # left in the inbox, untouched
    [f] = collect_unit(settings, UNIT, DAY).files  # the copy finished: now it is collected whole
    assert f.outcome == "collected"
    assert f.rows == len(Path(f.stored_path).read_text(encoding="utf-8").splitlines()) - 1


def test_everything_at_once(settings):
    """All hostile kinds in one inbox (the heavy ones aside): one collect, every file accounted for."""
    inbox = settings.inbox / UNIT
    inbox.mkdir(parents=True)
    write_csv(inbox / "good.csv", hostile.rows(2, start=1))
    heavy = {
        "million_row_csv",
        "zip_bomb_xlsx",
        "over_size_cap_sparse",
        "one_50mb_line",
        "lying_zip_sizes_xlsx",
        "wide_csv_100mib_no_header",
        "wide_csv_100mib_revocation_list",
        "csv_100mib_of_empty_rows",
    }
    for kind, (_, _, build) in hostile.KINDS.items():
        if kind in heavy:
            continue
        sub = inbox / f"k_{kind}"
        sub.mkdir()
        path = build(sub)
        os.rename(path, inbox / f"{kind}__{path.name[-60:]}".replace("/", "_"))
        if not any(sub.iterdir()):
            sub.rmdir()
    before = len(entries(settings))
    result = collect_unit(settings, UNIT, DAY)
    assert len(entries(settings)) == before
    outcomes = {f.name: f.outcome for f in result.files}
    assert outcomes["good.csv"] == "collected"
    assert sum(o == "quarantined" for o in outcomes.values()) >= 20
