"""The reference feed: read once, upsert, bad rows reported, deadlines on the working-day calendar."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlmodel import select

from credit.reference_feed import doc_no_key, load_reference_feed, load_reference_feed_detailed
from credit.store import ReferenceDecision, ReferenceFile, init_db, session_scope
from credit.workdays import WorkCalendar

D = dt.date


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path}/t.db"
    init_db(url)
    return url


def _write(path, text, bom=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))


def test_load_once_upsert_and_bad_rows(db, tmp_path):
    ref = tmp_path / "reference"
    _write(
        ref / "xzcf" / "a.csv",
        "unit,decision_doc_no,decision_date\n"
        "scjgj,雷市监罚〔2026〕12号,2026-09-30\n"
        "scjgj,雷市监罚〔2026〕13号,2026-09-29\n"
        "nosuch,X〔2026〕1号,2026-09-29\n"  # unknown unit
        "scjgj,,2026-09-29\n"  # no document number
        "scjgj,雷市监罚〔2026〕14号,2026-13-01\n",  # bad date
        bom=True,
    )
    _write(
        ref / "xzxk" / "b.csv",
        "unit,decision_doc_no,decision_date\nzjj,雷住建许〔2026〕7号,2026-10-09\n",
    )
    cal = WorkCalendar()
    with session_scope(db) as s:
        result = load_reference_feed_detailed(s, ref, cal, 3)
    assert result.inserted == 3 and result.files_read == 2
    assert sorted(p.row for p in result.problems) == [4, 5, 6]
    with session_scope(db) as s:
        rows = {r.decision_doc_no: r for r in s.exec(select(ReferenceDecision)).all()}
        assert rows["雷市监罚〔2026〕12号"].deadline == D(2026, 10, 10)  # 10-08, 10-09, 10-10 (Sat, 调休)
        assert rows["雷市监罚〔2026〕13号"].deadline == D(2026, 10, 9)
        assert rows["雷住建许〔2026〕7号"].dataset == "xzxk"
        assert len(s.exec(select(ReferenceFile)).all()) == 2

    # Reading twice changes nothing; a copy of a read file (same content) is skipped too.
    shutil.copy(ref / "xzcf" / "a.csv", ref / "xzcf" / "a-copy.csv")
    with session_scope(db) as s:
        again = load_reference_feed_detailed(s, ref, cal, 3)
        assert again.inserted == 0 and again.files_read == 0 and again.files_skipped == 3
    # A new file overlapping known decisions adds only the new one.
    _write(
        ref / "xzcf" / "c.csv",
        "unit,decision_doc_no,decision_date\n"
        "scjgj,雷市监罚〔2026〕12号,2026-09-30\n"
        "scjgj,雷市监罚〔2026〕15号,2026-10-09\n",
    )
    with session_scope(db) as s:
        assert load_reference_feed(s, ref, cal, 3) == 1
        assert len(s.exec(select(ReferenceDecision)).all()) == 4
        assert len(s.exec(select(ReferenceFile)).all()) == 3


def test_file_without_columns_is_reported_not_marked_read(db, tmp_path):
    ref = tmp_path / "reference"
    _write(ref / "xzcf" / "bad.csv", "单位,文号\nscjgj,x\n")
    with session_scope(db) as s:
        result = load_reference_feed_detailed(s, ref, WorkCalendar(), 3)
        assert result.inserted == 0 and "missing columns" in str(result.problems[0])
        assert s.exec(select(ReferenceFile)).all() == []


def test_missing_directory_is_not_an_error(db, tmp_path):
    with session_scope(db) as s:
        assert load_reference_feed(s, tmp_path / "nothing", WorkCalendar(), 3) == 0


def test_calendar_gap_leaves_deadline_empty_then_fills_it(db, tmp_path):
    ref = tmp_path / "reference"
    _write(
        ref / "xzcf" / "a.csv", "unit,decision_doc_no,decision_date\nscjgj,雷市监罚〔2099〕1号,2099-03-02\n"
    )
    with session_scope(db) as s:
        result = load_reference_feed_detailed(s, ref, WorkCalendar(), 3)
        assert result.inserted == 1 and any("calendar gap" in str(p) for p in result.problems)
        assert s.exec(select(ReferenceDecision)).one().deadline is None
    override = tmp_path / "o.csv"
    override.write_text("date,kind\n2099-01-01,holiday\n", encoding="utf-8")
    with session_scope(db) as s:
        load_reference_feed(s, ref, WorkCalendar(override), 3)
        assert s.exec(select(ReferenceDecision)).one().deadline == D(2099, 3, 5)


def test_doc_no_key_unifies_brackets_and_spaces():
    assert (
        doc_no_key("雷市监罚[2026] 12号")
        == doc_no_key("雷市监罚〔2026〕12号")
        == doc_no_key("雷市监罚（2026）12号")
    )
