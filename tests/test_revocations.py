"""撤销清单: a unit withdraws published records; each matched row is recorded as a request (collect) and
becomes a delete (op D) to the platform in the outbox (deliver), once."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from sqlmodel import select

from credit.collect import collect_unit
from credit.delivery import push
from credit.revocations import feedback_items, is_revocation_list, read_revocation_list, request_revocations
from credit.steps.deliver import fill_outbox
from credit.steps.report import unit_feedback
from credit.steps.validate import validate_unit
from credit.store import Record, RecordVersion, RevocationRequest, Submission, session_scope
from tests.rows import write_csv, xzcf_row

DAY = dt.date(2026, 11, 26)


@pytest.fixture
def published(settings, monkeypatch):
    """Two penalties of scjgj collected, validated and accepted by the sandbox."""
    from credit.platform.client import ApiClient
    from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox

    sandbox = start_sandbox(app_key=DEMO_APP_KEY, app_secret=DEMO_APP_SECRET)
    write_csv(settings.inbox / "scjgj" / "处罚.csv", [xzcf_row(n=1), xzcf_row(n=2)])
    collect_unit(settings, "scjgj", DAY)
    validate_unit(settings, "scjgj", DAY)
    fill_outbox(settings, ["scjgj"], DAY)
    client = ApiClient(sandbox.url, DEMO_APP_KEY, DEMO_APP_SECRET)
    summary = push(client, database_url=settings.database_url, unit="scjgj", report_date=DAY)
    assert summary.accepted == 2
    yield sandbox, client
    client.close()
    sandbox.stop()


def list_submission(session, n: int = 1, unit: str = "scjgj") -> Submission:
    """The Submission a 撤销清单 becomes when collected (its n-th delivery)."""
    sub = Submission(
        unit=unit, file_name="撤销.csv", sha256=f"{n:064d}", received_date=DAY, outcome="collected"
    )
    session.add(sub)
    session.flush()
    return sub


def write_list(path, rows, header=("数据类别", "决定文书号", "行政相对人名称", "撤销原因")):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["雷州市市场监督管理局撤销清单"])  # a title row above the header
        w.writerow(header)
        w.writerows(rows)
    return path


def test_a_revocation_list_is_recognised_and_an_ordinary_file_is_not(tmp_path):
    assert is_revocation_list(
        write_list(tmp_path / "撤销.csv", [["行政处罚", "雷市监罚〔2026〕1号", "", "复议撤销"]])
    )
    assert not is_revocation_list(write_csv(tmp_path / "处罚.csv", [xzcf_row(n=1)]))
    (tmp_path / "bad.xlsx").write_bytes(b"garbage")
    assert not is_revocation_list(tmp_path / "bad.xlsx")


def test_matched_rows_become_deletes_the_platform_applies(settings, published):
    sandbox, client = published
    path = write_list(
        settings.home / "撤销.csv",
        [
            ["行政处罚", "雷市监罚[2026]1号", "雷州市测试贸易有限公司1", "行政复议决定撤销原处罚决定"],
            ["行政处罚", "雷市监罚〔2026〕99号", "", "录入错误"],
            ["行政许可", "雷市监罚〔2026〕2号", "", "录入错误"],
            ["其他", "x", "", "y"],
        ],
    )
    rows = read_revocation_list(path)
    assert [r.row for r in rows] == [3, 4, 5, 6]  # as the spreadsheet shows them
    with session_scope(settings.database_url) as session:
        outcome = request_revocations(session, list_submission(session), rows)
    assert outcome.requested == [3]
    messages = {item.row: message for item, message in outcome.problems}
    assert "未找到" in messages[4] and "未找到" in messages[5] and "数据类别" in messages[6]

    assert fill_outbox(settings, ["scjgj"], DAY).deletes == 1
    summary = push(client, database_url=settings.database_url, unit="scjgj", report_date=DAY)
    assert summary.accepted == 1
    with session_scope(settings.database_url) as session:
        revoked = session.exec(select(Record).where(Record.decision_doc_no == "雷市监罚〔2026〕1号")).one()
        assert revoked.revoked
        assert not sandbox.store.held(revoked.record_key)  # the platform no longer publishes it

    items = feedback_items("撤销.csv", outcome.problems)
    assert [i["row"] for i in items] == [4, 5, 6] and all(i["errors"][0]["rule"] == "REVOKE" for i in items)


def test_revoking_twice_is_reported_not_sent_twice(settings, published):
    _, client = published
    path = write_list(settings.home / "撤销.csv", [["行政处罚", "雷市监罚〔2026〕2号", "", "录入错误"]])
    for n in range(2):
        with session_scope(settings.database_url) as session:
            request_revocations(session, list_submission(session, n), read_revocation_list(path))
    fill_outbox(settings, ["scjgj"], DAY)
    assert push(client, database_url=settings.database_url, unit="scjgj", report_date=DAY).pushed == 1
    with session_scope(settings.database_url) as session:
        request_revocations(session, list_submission(session, 2), read_revocation_list(path))
    again = fill_outbox(settings, ["scjgj"], DAY)
    assert again.deletes == 0 and "已撤销" in again.refused[0].reason
    assert push(client, database_url=settings.database_url, unit="scjgj", report_date=DAY).pushed == 0


def test_a_list_without_the_document_number_column_is_refused(tmp_path):
    path = write_list(tmp_path / "撤销.csv", [["行政处罚", "复议撤销"]], header=("数据类别", "撤销原因"))
    with pytest.raises(ValueError, match="决定文书号"):
        read_revocation_list(path)


def test_a_revocation_list_in_the_inbox_is_applied_and_problems_reach_the_feedback(settings, published):
    from openpyxl import load_workbook

    _, client = published
    write_list(
        settings.inbox / "scjgj" / "撤销清单.csv",
        [
            ["行政处罚", "雷市监罚〔2026〕1号", "", "复议撤销"],
            ["行政处罚", "雷市监罚〔2026〕77号", "", "录入错误"],
        ],
    )
    [f] = collect_unit(settings, "scjgj", DAY).files
    assert (f.outcome, f.datasets, f.new_versions) == ("collected", ["revocation"], 1)
    assert (settings.archive / "scjgj" / DAY.isoformat() / "撤销清单.csv").is_file()
    fill_outbox(settings, ["scjgj"], DAY)
    push(client, database_url=settings.database_url, unit="scjgj", report_date=DAY)
    with session_scope(settings.database_url) as session:
        assert (
            session.exec(select(Record).where(Record.decision_doc_no == "雷市监罚〔2026〕1号")).one().revoked
        )

    path = unit_feedback(settings, "scjgj", DAY)
    ws = load_workbook(path)["撤销未执行"]  # apart from the data sheets, which a clerk may resend
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert any("REVOKE" in t and "77号" in t for t in texts)

    # The unit resends its whole ledger the next day, unchanged: the revoked record stays revoked.
    write_csv(settings.inbox / "scjgj" / "全量.csv", [xzcf_row(n=1), xzcf_row(n=2), xzcf_row(n=3)])
    [g] = collect_unit(settings, "scjgj", DAY + dt.timedelta(days=1)).files
    assert (g.repeats, g.new_versions) == (2, 1)  # only the new decision n=3 is stored
    # Changed content publishes it again, as a new insert.
    write_csv(
        settings.inbox / "scjgj" / "更正.csv",
        [xzcf_row(n=1, penalty_content="罚款人民币6000元", fine_wan="0.6")],
    )
    [h] = collect_unit(settings, "scjgj", DAY + dt.timedelta(days=1)).files
    assert h.new_versions == 1


def test_hidden_names_ending_like_data_files_are_collected(settings):
    write_csv(settings.inbox / "scjgj" / ".处罚.csv", [xzcf_row(n=3)])
    (settings.inbox / "scjgj" / ".DS_Store").write_bytes(b"\x00\x00")
    outcomes = {f.name: f.outcome for f in collect_unit(settings, "scjgj", DAY).files}
    assert outcomes == {".处罚.csv": "collected", ".DS_Store": "skipped"}


def test_collect_records_the_request_and_only_the_deliver_step_queues_the_delete_once(settings, published):
    write_list(
        settings.inbox / "scjgj" / "撤销清单.csv", [["行政处罚", "雷市监罚〔2026〕1号", "", "复议撤销"]]
    )
    collect_unit(settings, "scjgj", DAY)
    with session_scope(settings.database_url) as session:
        assert session.exec(select(RevocationRequest.state)).all() == ["requested"]
        assert not session.exec(select(RecordVersion).where(RecordVersion.op == "D")).all()  # no outbox yet
    assert fill_outbox(settings, ["scjgj"], DAY).deletes == 1
    assert fill_outbox(settings, ["scjgj"], DAY).deletes == 0  # a request is turned into a delete once
    with session_scope(settings.database_url) as session:
        [request] = session.exec(select(RevocationRequest)).all()
        deletes = session.exec(select(RecordVersion).where(RecordVersion.op == "D")).all()
        assert request.state == "queued" and [d.id for d in deletes] == [request.version_id]
        assert deletes[0].push_state == "queued"


def test_a_unit_cannot_withdraw_another_units_record(settings, published):
    write_list(settings.inbox / "zjj" / "撤销清单.csv", [["行政处罚", "雷市监罚〔2026〕1号", "", "冒名撤销"]])
    [f] = collect_unit(settings, "zjj", DAY).files
    assert (f.outcome, f.new_versions) == ("collected", 0)
    assert fill_outbox(settings, None, DAY).deletes == 0
    with session_scope(settings.database_url) as session:
        assert not session.exec(select(RevocationRequest)).all()
        [sub] = session.exec(select(Submission).where(Submission.unit == "zjj")).all()
        assert "未找到本单位" in sub.problems[0]["errors"][0]["message"]


def test_a_request_the_platform_cannot_apply_goes_back_to_the_unit(settings, published):
    from openpyxl import load_workbook

    _, client = published
    for n, day in enumerate((DAY, DAY + dt.timedelta(days=1))):
        write_list(
            settings.inbox / "scjgj" / f"撤销清单{n}.csv",
            [["行政处罚", "雷市监罚〔2026〕2号", "", f"录入错误{n}"]],
        )
        collect_unit(settings, "scjgj", day)
        outbox = fill_outbox(settings, ["scjgj"], day)
        push(client, database_url=settings.database_url, unit="scjgj", report_date=day)
    assert outbox.deletes == 0 and "已撤销" in outbox.refused[0].reason and outbox.refused[0].row == 3
    ws = load_workbook(unit_feedback(settings, "scjgj", day))["撤销未执行"]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert any("已撤销" in t for t in texts)
