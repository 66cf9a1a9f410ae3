"""The collect step: inbox -> store, archive and quarantine, repeats and corrections, nothing deleted."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
from sqlmodel import func, select

from credit.collect import collect_sql, collect_unit
from credit.store import Record, RecordVersion, Submission, session_scope
from tests.rows import write_csv, write_xlsx, xzcf_row

DAY = dt.date(2026, 11, 27)


def count(settings, model) -> int:
    with session_scope(settings.database_url) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def all_files(root) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_collect_stores_records_and_archives_the_file(settings):
    write_csv(settings.inbox / "scjgj" / "处罚.csv", [xzcf_row(n=1), xzcf_row(n=2)])
    result = collect_unit(settings, "scjgj", DAY)
    [f] = result.files
    assert (f.outcome, f.rows, f.new_versions, f.datasets) == ("collected", 2, 2, ["xzcf"])
    assert count(settings, Record) == 2
    assert not any((settings.inbox / "scjgj").iterdir())
    assert (settings.archive / "scjgj" / DAY.isoformat() / "处罚.csv").is_file()
    with session_scope(settings.database_url) as s:
        versions = s.exec(select(RecordVersion).order_by(RecordVersion.row)).all()
        assert [v.row for v in versions] == [2, 3]  # spreadsheet row numbers: header is row 1
        assert versions[0].data["decision_doc_no"] == "雷市监罚〔2026〕1号"
        assert versions[0].raw["penalty_content"] == "罚款人民币5000元"
        record = s.exec(select(Record).where(Record.decision_doc_no == "雷市监罚〔2026〕2号")).one()
        assert record.first_received == DAY and record.unit == "scjgj" and len(record.record_key) == 64


def test_the_same_file_twice_changes_nothing_and_keeps_both_copies(settings):
    src = write_csv(settings.home / "原件.csv", [xzcf_row(n=1)])
    shutil.copy(src, settings.inbox / "scjgj" / "a.csv") if (settings.inbox / "scjgj").is_dir() else None
    (settings.inbox / "scjgj").mkdir(exist_ok=True)
    shutil.copy(src, settings.inbox / "scjgj" / "a.csv")
    collect_unit(settings, "scjgj", DAY)
    shutil.copy(src, settings.inbox / "scjgj" / "a.csv")
    again = collect_unit(settings, "scjgj", DAY)
    assert [f.outcome for f in again.files] == ["duplicate"]
    assert again.nothing_new
    assert (count(settings, Record), count(settings, RecordVersion), count(settings, Submission)) == (1, 1, 1)
    archived = list((settings.archive / "scjgj" / DAY.isoformat()).iterdir())
    assert len(archived) == 2  # the second copy is archived under a new name, not overwritten


def test_repeat_is_a_no_op_and_changed_content_is_a_new_version(settings):
    write_csv(settings.inbox / "scjgj" / "d1.csv", [xzcf_row(n=1), xzcf_row(n=2)])
    collect_unit(settings, "scjgj", DAY)
    corrected = xzcf_row(n=2, violation_facts="当事人销售的产品经抽检不合格（已更正）。")
    write_csv(settings.inbox / "scjgj" / "d2.csv", [xzcf_row(n=1), corrected])
    result = collect_unit(settings, "scjgj", DAY + dt.timedelta(days=1))
    [f] = result.files
    assert (f.repeats, f.new_versions) == (1, 1)
    assert count(settings, Record) == 2
    with session_scope(settings.database_url) as s:
        record = s.exec(select(Record).where(Record.decision_doc_no == "雷市监罚〔2026〕2号")).one()
        assert record.current_version == 2 and record.first_received == DAY
        latest = s.exec(
            select(RecordVersion).where(RecordVersion.record_id == record.id, RecordVersion.version == 2)
        ).one()
        assert "已更正" in latest.data["violation_facts"]


def test_unreadable_file_is_quarantined_with_a_reason_and_others_go_on(settings):
    inbox = settings.inbox / "scjgj"
    inbox.mkdir(parents=True)
    (inbox / "坏文件.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    write_csv(inbox / "好文件.csv", [xzcf_row(n=1)])
    result = collect_unit(settings, "scjgj", DAY)
    outcomes = {f.name: f.outcome for f in result.files}
    assert outcomes == {"坏文件.xlsx": "quarantined", "好文件.csv": "collected"}
    qdir = settings.quarantine / "scjgj" / DAY.isoformat()
    reason = (qdir / "坏文件.xlsx.reason.txt").read_text(encoding="utf-8")
    assert "原因：" in reason and "Reason:" in reason
    assert (qdir / "坏文件.xlsx").read_bytes().startswith(b"PK")
    assert count(settings, Record) == 1


def test_missing_required_columns_quarantine_names_them(settings):
    rows = [{k: v for k, v in xzcf_row(n=1).items() if k not in ("处罚依据", "违法事实")}]
    path = settings.inbox / "scjgj" / "缺列.csv"
    write_csv(path, [xzcf_row(n=1)])
    text = path.read_text(encoding="utf-8").splitlines()
    # Drop two columns from the written file.
    import csv
    import io

    reader = list(csv.DictReader(io.StringIO("\n".join(text))))
    keep = [h for h in reader[0] if h not in ("处罚依据", "违法事实")]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=keep, extrasaction="ignore")
        w.writeheader()
        w.writerows(reader)
    assert rows  # the row itself is fine; the columns are what is missing
    [f] = collect_unit(settings, "scjgj", DAY).files
    assert f.outcome == "quarantined"
    reason = (settings.quarantine / "scjgj" / DAY.isoformat() / "缺列.csv.reason.txt").read_text(
        encoding="utf-8"
    )
    assert "处罚依据" in reason and "违法事实" in reason


def test_symlink_is_quarantined_and_never_followed(settings, tmp_path):
    secret = tmp_path / "outside.csv"
    write_csv(secret, [xzcf_row(n=1)])
    inbox = settings.inbox / "scjgj"
    inbox.mkdir(parents=True)
    os.symlink(secret, inbox / "link.csv")
    [f] = collect_unit(settings, "scjgj", DAY).files
    assert f.outcome == "quarantined"
    assert secret.is_file()  # the target is untouched
    assert (settings.quarantine / "scjgj" / DAY.isoformat() / "link.csv").is_symlink()
    assert count(settings, Record) == 0


def test_rows_sharing_a_key_in_one_file_are_all_kept(settings):
    write_csv(settings.inbox / "scjgj" / "dup.csv", [xzcf_row(n=7), xzcf_row(n=7)])
    [f] = collect_unit(settings, "scjgj", DAY).files
    assert f.new_versions == 2 and count(settings, Record) == 1


def test_xlsx_with_a_title_row(settings):
    write_xlsx(
        settings.inbox / "scjgj" / "处罚.xlsx", [xzcf_row(n=1)], title="雷州市市场监督管理局行政处罚信息"
    )
    [f] = collect_unit(settings, "scjgj", DAY).files
    assert (f.outcome, f.new_versions) == ("collected", 1)
    with session_scope(settings.database_url) as s:
        assert s.exec(select(RecordVersion.row)).one() == 3


def test_temporary_and_lock_files_are_left_alone(settings):
    inbox = settings.inbox / "scjgj"
    inbox.mkdir(parents=True)
    (inbox / "~$处罚.xlsx").write_bytes(b"lock")
    (inbox / "处罚.csv.part").write_bytes(b"partial")
    result = collect_unit(settings, "scjgj", DAY)
    assert {f.outcome for f in result.files} == {"skipped"}
    assert all_files(inbox) == {"~$处罚.xlsx", "处罚.csv.part"}


def test_unit_code_cannot_escape_the_inbox(settings):
    with pytest.raises(ValueError):
        collect_unit(settings, "../scjgj", DAY)


def test_sql_source_is_collected_like_a_file(settings, tmp_path, monkeypatch):
    import sqlalchemy as sa

    src = tmp_path / "zfba.db"
    engine = sa.create_engine(f"sqlite:///{src}")
    import pandas as pd

    pd.DataFrame([xzcf_row(n=1), xzcf_row(n=2)]).to_sql("v_xzcf", engine, index=False)
    engine.dispose()
    config = tmp_path / "sources.toml"
    config.write_text(
        f'[[source]]\nunit = "scjgj"\nname = "执法办案系统"\nurl = "sqlite:///{src}"\nquery = "SELECT * FROM v_xzcf"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("CREDIT_SQL_SOURCES", str(config))
    from credit.settings import load_settings

    s = load_settings()
    [f] = collect_sql(s, "scjgj", DAY).files
    assert (f.outcome, f.new_versions) == ("collected", 2)
    [again] = collect_sql(s, "scjgj", DAY).files
    assert again.outcome == "duplicate"
    assert count(s, Record) == 2


@pytest.mark.postgres
def test_collect_into_postgresql(pg_settings):
    write_csv(pg_settings.inbox / "scjgj" / "处罚.csv", [xzcf_row(n=1), xzcf_row(n=2)], encoding="gb18030")
    [f] = collect_unit(pg_settings, "scjgj", DAY).files
    assert (f.outcome, f.new_versions) == ("collected", 2)
    write_csv(
        pg_settings.inbox / "scjgj" / "again.csv",
        [xzcf_row(n=1), xzcf_row(n=2, penalty_content="罚款人民币6000元", fine_wan="0.6")],
    )
    [g] = collect_unit(pg_settings, "scjgj", DAY).files
    assert (g.repeats, g.new_versions) == (1, 1)
    assert count(pg_settings, Record) == 2 and count(pg_settings, RecordVersion) == 3


def _versions(settings, doc_no: str) -> list[RecordVersion]:
    with session_scope(settings.database_url) as s:
        record = s.exec(select(Record).where(Record.decision_doc_no == doc_no)).one()
        return list(
            s.exec(
                select(RecordVersion)
                .where(RecordVersion.record_id == record.id)
                .order_by(RecordVersion.version)
            )
        )


def test_bulk_store_in_small_chunks_keeps_row_order_and_version_numbers(settings, monkeypatch):
    import credit.collect.records

    # Chunks of two rows: lookups, inserts and returned ids cross chunk boundaries.
    monkeypatch.setattr(credit.collect.records, "INSERT_CHUNK", 2)
    monkeypatch.setattr(credit.collect.records, "LOOKUP_CHUNK", 2)
    rows = [xzcf_row(n=n) for n in (1, 2, 3, 2, 4)]  # n=2 twice: both rows kept as versions 1 and 2
    write_csv(settings.inbox / "scjgj" / "d1.csv", rows)
    [f] = collect_unit(settings, "scjgj", DAY).files
    assert (f.new_versions, f.repeats) == (5, 0)
    with session_scope(settings.database_url) as s:
        versions = s.exec(select(RecordVersion).order_by(RecordVersion.id)).all()
        assert [v.row for v in versions] == [2, 3, 4, 5, 6]  # ids follow the file's row order
        assert [v.version for v in versions] == [1, 1, 1, 2, 1]
    assert [v.row for v in _versions(settings, "雷市监罚〔2026〕2号")] == [3, 5]
    changed = xzcf_row(n=3, penalty_content="罚款人民币6000元", fine_wan="0.6")
    write_csv(settings.inbox / "scjgj" / "d2.csv", [xzcf_row(n=1), changed, xzcf_row(n=5), xzcf_row(n=4)])
    [g] = collect_unit(settings, "scjgj", DAY + dt.timedelta(days=1)).files
    assert (g.new_versions, g.repeats) == (2, 2)
    assert [v.version for v in _versions(settings, "雷市监罚〔2026〕3号")] == [1, 2]
    with session_scope(settings.database_url) as s:
        record = s.exec(select(Record).where(Record.decision_doc_no == "雷市监罚〔2026〕3号")).one()
        assert record.current_version == 2 and record.first_received == DAY
    assert count(settings, Record) == 5


def test_a_correction_gives_a_record_its_first_readable_decision_date(settings):
    write_csv(settings.inbox / "scjgj" / "d1.csv", [xzcf_row(n=1, decision_date="2026-02-30")])
    collect_unit(settings, "scjgj", DAY)
    write_csv(settings.inbox / "scjgj" / "d2.csv", [xzcf_row(n=1, decision_date="2026-11-24")])
    [f] = collect_unit(settings, "scjgj", DAY).files
    assert f.new_versions == 1
    with session_scope(settings.database_url) as s:
        record = s.exec(select(Record)).one()
        assert (record.current_version, record.decision_date) == (2, dt.date(2026, 11, 24))


def test_an_unchanged_resend_of_a_rejected_version_is_stored_again(settings):
    write_csv(settings.inbox / "scjgj" / "d1.csv", [xzcf_row(n=1), xzcf_row(n=2)])
    collect_unit(settings, "scjgj", DAY)
    with session_scope(settings.database_url) as s:
        for v in s.exec(select(RecordVersion)):
            v.status = "invalid" if v.data["decision_doc_no"].endswith("1号") else "valid"
            s.add(v)
    write_csv(settings.inbox / "scjgj" / "d2.csv", [xzcf_row(n=2), xzcf_row(n=1)])  # not the same file
    [f] = collect_unit(settings, "scjgj", DAY).files
    assert (f.new_versions, f.repeats) == (1, 1)  # the rejected one is re-validated, the valid one a repeat
    assert [v.version for v in _versions(settings, "雷市监罚〔2026〕1号")] == [1, 2]


def test_a_revoked_record_resent_unchanged_stays_revoked_and_changed_is_published_again(settings):
    from credit.delivery import revoke

    write_csv(settings.inbox / "scjgj" / "d1.csv", [xzcf_row(n=1), xzcf_row(n=2)])
    collect_unit(settings, "scjgj", DAY)
    with session_scope(settings.database_url) as s:
        for record in s.exec(select(Record)).all():
            record.accepted_version = 1  # as if the platform had accepted both
            s.add(record)
        s.flush()
        for record in s.exec(select(Record)).all():
            revoke(s, record.dataset, record.record_key, "行政复议决定撤销", unit="scjgj", report_date=DAY)
    changed = xzcf_row(n=2, penalty_content="罚款人民币6000元", fine_wan="0.6")
    write_csv(settings.inbox / "scjgj" / "d2.csv", [xzcf_row(n=1), changed])
    [f] = collect_unit(settings, "scjgj", DAY + dt.timedelta(days=1)).files
    assert (f.new_versions, f.repeats) == (1, 1)
    assert [v.op for v in _versions(settings, "雷市监罚〔2026〕1号")] == [None, "D"]
    assert [(v.version, v.op) for v in _versions(settings, "雷市监罚〔2026〕2号")] == [
        (1, None),
        (2, "D"),
        (3, None),
    ]
