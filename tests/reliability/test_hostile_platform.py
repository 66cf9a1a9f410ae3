"""The platform client cannot be held hostage (issue 13, section 4): credit.delivery.push and the HTTP client
against a hostile endpoint on loopback (tests/reliability/hostile_platform.py, in front of the sandbox).

- A dripped answer (body or headers) is cut at the request's deadline; the push ends within its budget.
- An endless, a declared-huge and a gzip-bomb answer are cut at the size cap; memory does not follow the body.
- A malformed receipt of any shape, a redirect, a status outside the contract: the batch stays in the ledger,
  the push reports it (the credit.push.failed path), no record is marked rejected, and the next push settles
  the batch by one GET (or, if it never arrived, re-sends it under its own batch id): every record accepted
  exactly once.
- A platform rejection goes back to the unit in its feedback workbook whatever the source (xlsx, CSV, SQL).

Deadlines are short (seconds) so each case takes seconds; every server loop is bounded.
"""

from __future__ import annotations

import csv
import os
import threading
import time
import uuid

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from credit.delivery import push
from credit.platform.client import ApiClient, RetryPolicy
from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox
from credit.standard import DATASET_NAMES, dataset
from credit.store import Batch, RecordVersion, session_scope
from tests.reliability.hostile_platform import HostilePlatform, Mode
from tests.test_delivery import DAY, assert_exactly_once, queue, seed, states

pytestmark = pytest.mark.reliability

# read_timeout far above the drip interval: only the deadline can end a dripped answer.
SHORT = RetryPolicy(
    max_attempts=2,
    backoff_base=0.01,
    backoff_max=0.02,
    retry_after_cap=0.02,
    total_budget=3.0,
    connect_timeout=1.0,
    read_timeout=5.0,
    request_deadline=1.5,
)
CAP = 1 << 20
MiB = 1 << 20


@pytest.fixture
def sandbox():
    """The sandbox with the demo credentials (the reliability suite's own fixture uses other ones)."""
    handle = start_sandbox()
    yield handle
    handle.stop()


@pytest.fixture
def hostile(sandbox):
    with HostilePlatform(sandbox.url) as server:
        yield server


def client(url: str, **kw) -> ApiClient:
    return ApiClient(url, DEMO_APP_KEY, DEMO_APP_SECRET, retry=kw.pop("retry", SHORT), **kw)


def the_batch(db: str) -> Batch:
    with session_scope(db) as s:
        [batch] = s.exec(select(Batch)).scalars().all()
        s.expunge(batch)
        return batch


def wait_until(predicate, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:  # bounded
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def assert_left_open(db: str, summary, n: int, words: str) -> str:
    """The push reported the batch as failed (what raises credit.push.failed), left it in the ledger
    unsettled, and marked no record rejected."""
    assert summary.failed and summary.rejected == 0 and summary.accepted == 0, summary.to_dict()
    assert words in summary.failed_batches[0]["error"], summary.failed_batches
    assert states(db) == {"batched": n}
    batch = the_batch(db)
    assert batch.state == "sent" and words in (batch.last_error or "")
    return batch.batch_id


def assert_settled_by_get(
    db: str, hostile: HostilePlatform, sandbox, n: int, *, arrived: bool = True
) -> None:
    """The platform behaves again: the next push settles the batch with one GET (one GET and a re-POST of
    the same batch id when it never arrived) and sends nothing else; every record accepted exactly once."""
    hostile.clear()
    batch_id = the_batch(db).batch_id
    before = len(hostile.log)
    with client(hostile.url) as c:
        again = push(c, report_date=DAY, database_url=db)
    asked = [(e.method, e.path) for e in hostile.log[before:]]
    expected = [("GET", f"/api/v1/batches/{batch_id}")]
    if not arrived:
        expected.append(("POST", "/api/v1/datasets/xzcf/batches"))
    assert asked == expected
    assert again.resettled == 1 and again.accepted == n and not again.failed, again.to_dict()
    assert again.pushed == (0 if arrived else n) and again.batches == 0
    assert states(db) == {"accepted": n}
    assert_exactly_once(db, sandbox, n)


class PeakRss:
    """The process's resident memory sampled every 2 ms: `growth` is the peak over the baseline."""

    def __init__(self):
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._stop = threading.Event()
        self.baseline = self.peak = 0

    def _rss(self) -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * self._page

    def _run(self) -> None:
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> PeakRss:
        self.baseline = self.peak = self._rss()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self.peak = max(self.peak, self._rss())

    @property
    def growth(self) -> int:
        return self.peak - self.baseline


# -- a total deadline per request, the body included ----------------------------------------------------


@pytest.mark.parametrize("kind", ["drip_body", "drip_headers"])
def test_a_dripped_answer_is_cut_at_the_deadline(db, sandbox, hostile, kind):
    seed(db, 3)
    queue(db)
    hostile.set("POST", Mode(kind, interval=0.2, max_seconds=12))
    started = time.monotonic()
    with client(hostile.url) as c:
        summary = push(c, report_date=DAY, database_url=db)
    elapsed = time.monotonic() - started
    # Two attempts of at most 1.5 s each, inside a 3 s budget, although every read got a byte in 0.2 s.
    assert elapsed <= SHORT.total_budget + 0.5, elapsed
    posts = hostile.requests("POST")
    assert len(posts) == SHORT.max_attempts
    wait_until(lambda: all(e.ended for e in hostile.requests("POST")))
    assert {e.ended for e in hostile.requests("POST")} == {"client closed"}  # the client hung up
    assert all(e.sent < 40 for e in posts)  # ~1.5 s of one byte per 0.2 s, not the whole answer
    assert_left_open(db, summary, 3, "平台暂时不可用")
    assert "deadline" in summary.failed_batches[0]["error"]
    assert_settled_by_get(db, hostile, sandbox, 3)


def test_the_budget_bounds_every_attempt_together(db, sandbox, hostile):
    seed(db, 2)
    queue(db)
    hostile.set("POST", Mode("drip_body", interval=0.1, max_seconds=12))
    policy = RetryPolicy(
        max_attempts=10,
        backoff_base=0.01,
        backoff_max=0.02,
        total_budget=2.0,
        read_timeout=5,
        request_deadline=0.7,
    )
    started = time.monotonic()
    with client(hostile.url, retry=policy) as c:
        summary = push(c, report_date=DAY, database_url=db)
    elapsed = time.monotonic() - started
    assert 1.9 <= elapsed <= policy.total_budget + 0.5, elapsed
    assert 2 <= len(hostile.requests("POST")) <= 3  # 0.7 s attempts, the last one cut to what was left
    assert_left_open(db, summary, 2, "平台暂时不可用")
    assert_settled_by_get(db, hostile, sandbox, 2)


# -- a cap on the answer's size --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["endless", "declared_huge", "gzip_bomb"])
def test_a_huge_answer_is_cut_at_the_cap_and_memory_stays_flat(db, sandbox, hostile, kind):
    seed(db, 3)
    queue(db)
    offered = 256 * MiB
    hostile.set("POST", Mode(kind, size=offered, max_seconds=20))
    if kind == "gzip_bomb":
        from tests.reliability.hostile_platform import _bomb

        assert len(_bomb(offered)) < CAP  # small on the wire: only the decoded size can tell
    started = time.monotonic()
    with PeakRss() as rss, client(hostile.url, max_answer_bytes=CAP) as c:
        summary = push(c, report_date=DAY, database_url=db)
    elapsed = time.monotonic() - started
    assert rss.growth < 48 * MiB, (
        f"RSS grew by {rss.growth / MiB:.0f} MiB for a {offered / MiB:.0f} MiB answer"
    )
    assert elapsed < 3.0, elapsed
    posts = hostile.requests("POST")
    assert len(posts) == 1  # not asked again at once: it would answer the same
    wait_until(lambda: hostile.requests("POST")[0].ended != "")
    if kind != "gzip_bomb":  # the connection was closed: nothing more was read than the socket buffers hold
        assert posts[0].ended == "client closed" and posts[0].sent < 32 * MiB, posts[0]
    assert_left_open(db, summary, 3, "平台回复超过")
    assert_settled_by_get(db, hostile, sandbox, 3)


def test_a_final_4xx_with_an_endless_body_is_read_only_for_its_message(db, sandbox, hostile):
    seed(db, 2)
    queue(db)
    hostile.set("POST", Mode("endless", status=400, size=256 * MiB, max_seconds=20))
    started = time.monotonic()
    with PeakRss() as rss, client(hostile.url) as c:
        summary = push(c, report_date=DAY, database_url=db)
    assert time.monotonic() - started < 2.0 and rss.growth < 48 * MiB
    wait_until(lambda: hostile.requests("POST")[0].ended != "")
    assert hostile.requests("POST")[0].ended == "client closed"
    # a final 4xx is final (the contract): the records are rejected with the start of its message
    assert (summary.rejected, summary.failed) == (2, False)
    with session_scope(db) as s:
        errors = [v.platform_errors for v in s.exec(select(RecordVersion)).scalars()]
    assert all(
        e[0]["message"].startswith("平台拒绝整批（HTTP 400）：{") and len(e[0]["message"]) < 300
        for e in errors
    )


# -- any malformed answer is transient: settled later by GET, never re-sent as new ------------------------


def _results(receipt, f):
    return dict(receipt, results=[f(r) for r in receipt["results"]])


MALFORMED = {
    "not_json": b"<html><body>502 Bad Gateway</body></html>",
    "empty": b"",
    "null": b"null",
    "bad_utf8": b'{"code":"0","batchId":"\xff\xfe","results":[]}',
    "nested_too_deep": b"[" * 200_000 + b"]" * 200_000,
    "huge_integer": b'{"code":' + b"9" * 5000 + b"}",
    "top_level_list": lambda r: [r],
    "results_not_a_list": lambda r: dict(r, results={"0": r["results"][0]}),
    "results_items_not_objects": lambda r: dict(r, results=["x"] * len(r["results"])),
    "unknown_status": lambda r: _results(r, lambda x: dict(x, status="ok")),
    "status_missing": lambda r: _results(r, lambda x: {k: v for k, v in x.items() if k != "status"}),
    "record_key_missing": lambda r: _results(r, lambda x: {k: v for k, v in x.items() if k != "recordKey"}),
    "record_key_not_a_string": lambda r: _results(r, lambda x: dict(x, recordKey=12345)),
    "errors_not_a_list": lambda r: _results(r, lambda x: dict(x, errors="bad")),
    "errors_items_not_objects": lambda r: _results(r, lambda x: dict(x, errors=["x"])),
    "error_message_not_a_string": lambda r: _results(
        r, lambda x: dict(x, errors=[{"field": "CF_WSH", "message": None}])
    ),
    "code_not_zero": lambda r: dict(r, code="1"),
    "code_a_number": lambda r: dict(r, code=0),
    "code_missing": lambda r: {k: v for k, v in r.items() if k != "code"},
    "another_batch_id": lambda r: dict(r, batchId=str(uuid.uuid4())),
    "batch_id_missing": lambda r: {k: v for k, v in r.items() if k != "batchId"},
    "a_record_missing": lambda r: dict(r, results=r["results"][:-1]),
    "an_unknown_record": lambda r: dict(
        r, results=[*r["results"], {"recordKey": "f" * 64, "status": "accepted", "errors": []}]
    ),
    "a_record_twice": lambda r: dict(r, results=[*r["results"], r["results"][0]]),
}


@pytest.mark.parametrize("shape", list(MALFORMED))
def test_a_malformed_receipt_leaves_the_batch_to_be_settled_by_get(db, sandbox, hostile, shape):
    seed(db, 4)
    queue(db)
    hostile.set("POST", Mode("replace", body=MALFORMED[shape]))
    with client(hostile.url) as c:
        summary = push(c, report_date=DAY, database_url=db)
    assert len(hostile.requests("POST")) == 1  # processed once by the platform, not asked again at once
    assert_left_open(db, summary, 4, "平台回执无法解析")
    assert_settled_by_get(db, hostile, sandbox, 4)


@pytest.mark.parametrize(
    "shape", ["not_json", "results_items_not_objects", "another_batch_id", "a_record_missing"]
)
def test_a_malformed_receipt_to_the_get_keeps_the_batch_open(db, sandbox, hostile, shape):
    seed(db, 2)
    queue(db)
    hostile.set("POST", Mode("replace", body=MALFORMED["not_json"]))
    with client(hostile.url) as c:
        push(c, report_date=DAY, database_url=db)
        hostile.set("GET", Mode("replace", body=MALFORMED[shape]))
        again = push(c, report_date=DAY, database_url=db)
    assert [e.method for e in hostile.log] == ["POST", "GET"]  # settled by GET only, never re-sent
    assert_left_open(db, again, 2, "平台回执无法解析")
    assert_settled_by_get(db, hostile, sandbox, 2)


class _BrokenTransport(ApiClient):
    """The real client with a fault nobody foresaw in its send (a bug, a library raising something new)."""

    def send_batch(self, *args, **kwargs):
        raise RuntimeError("unforeseen")


def test_an_unforeseen_fault_in_the_exchange_leaves_the_batch_to_be_settled(db, sandbox, hostile):
    seed(db, 2)
    queue(db)
    with _BrokenTransport(hostile.url, DEMO_APP_KEY, DEMO_APP_SECRET, retry=SHORT) as c:
        summary = push(c, report_date=DAY, database_url=db)  # no exception out of the push
    assert_left_open(db, summary, 2, "RuntimeError")
    assert_settled_by_get(db, hostile, sandbox, 2, arrived=False)


# -- 3xx: an error that alerts and retries later, never a rejection --------------------------------------


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_an_error_never_a_rejection(db, sandbox, hostile, status):
    with HostilePlatform(sandbox.url) as elsewhere:  # a working endpoint the redirect points to
        seed(db, 4)
        queue(db)
        target = f"{elsewhere.url}/api/v1/datasets/xzcf/batches"
        hostile.set("POST", Mode("redirect", status=status, location=target))
        with client(hostile.url) as c:
            summary = push(c, report_date=DAY, database_url=db)
            assert len(hostile.requests("POST")) == 1
            assert_left_open(db, summary, 4, f"HTTP {status}")
            assert (
                "重定向" in summary.failed_batches[0]["error"]
                and target in summary.failed_batches[0]["error"]
            )
            # still redirecting on the next push: the GET is redirected too, the batch stays, it alerts again
            hostile.set("GET", Mode("redirect", status=status, location=target))
            again = push(c, report_date=DAY, database_url=db)
            assert_left_open(db, again, 4, "重定向")
        assert elsewhere.log == []  # never followed
    assert sandbox.state()["accepted_total"] == 0
    assert_settled_by_get(db, hostile, sandbox, 4, arrived=False)  # never arrived: same batch id re-sent


@pytest.mark.parametrize("status", [201, 202, 204, 226])
def test_a_status_outside_the_contract_is_no_rejection(db, sandbox, hostile, status):
    seed(db, 2)
    queue(db)
    # a redirect-shaped answer with another status: the client reads no receipt and rejects nothing
    hostile.set("POST", Mode("redirect", status=status, location=""))
    with client(hostile.url) as c:
        summary = push(c, report_date=DAY, database_url=db)
    assert_left_open(db, summary, 2, f"HTTP {status}")
    assert_settled_by_get(db, hostile, sandbox, 2, arrived=False)


# -- platform rejections go back to the unit, whatever the source format ----------------------------------

XZCF = dataset("xzcf")
DOC_NO = XZCF.field("decision_doc_no")
OWN_HEADER = "处罚决定书文号"  # the unit's own header (an alias of 行政处罚决定书文号)
REJECTED_DOC = "雷市监罚〔2026〕2号"
PLATFORM_MESSAGE = "决定书文号与平台已有记录冲突"


def _unit_rows(n: int) -> tuple[list[str], list[list[str]]]:
    from tests.rows import xzcf_row

    rows = [xzcf_row(n=i) for i in range(1, n + 1)]
    standard = [f.header for f in XZCF.fields]
    headers = [OWN_HEADER if h == DOC_NO.header else h for h in standard]
    return headers, [[row.get(h, "") for h in standard] for row in rows]


def _deliver(settings, source: str, tmp_path, monkeypatch):
    """Three rows of scjgj as an xlsx file, a CSV file or an SQL source; returns (settings, file name)."""
    from credit.collect import collect_sql, collect_unit

    headers, rows = _unit_rows(3)
    inbox = settings.inbox / "scjgj"
    inbox.mkdir(parents=True, exist_ok=True)
    if source == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        wb.active.title = "行政处罚"
        wb.active.append(headers)
        for row in rows:
            wb.active.append(row)
        wb.save(inbox / "处罚.xlsx")
        collect_unit(settings, "scjgj", DAY)
        return settings, "处罚.xlsx"
    if source == "csv":
        with open(inbox / "处罚.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(headers)
            writer.writerows(rows)
        collect_unit(settings, "scjgj", DAY)
        return settings, "处罚.csv"
    import sqlite3

    from credit.settings import load_settings

    src = tmp_path / "zfba.db"
    with sqlite3.connect(src) as conn:
        conn.execute("CREATE TABLE v_xzcf (" + ", ".join(f'"{h}" TEXT' for h in headers) + ")")
        conn.executemany(f"INSERT INTO v_xzcf VALUES ({', '.join('?' * len(headers))})", rows)
    config = tmp_path / "sources.toml"
    config.write_text(
        f'[[source]]\nunit = "scjgj"\nname = "执法办案系统"\nurl = "sqlite:///{src}"\n'
        'query = "SELECT * FROM v_xzcf"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("CREDIT_SQL_SOURCES", str(config))
    settings = load_settings()
    collect_sql(settings, "scjgj", DAY)
    return settings, "sql:执法办案系统"


def rejecting(record) -> list[dict[str, str]] | None:
    if record["data"].get(DOC_NO.code) == REJECTED_DOC:
        return [{"field": DOC_NO.code, "message": PLATFORM_MESSAGE}]
    return None


@pytest.mark.parametrize("source", ["xlsx", "csv", "sql"])
def test_a_platform_rejection_goes_back_to_the_unit_whatever_the_source(
    settings, sandbox, hostile, source, tmp_path, monkeypatch
):
    from credit.steps.deliver import fill_outbox
    from credit.steps.report import unit_feedback
    from credit.steps.validate import validate_unit

    settings, file_name = _deliver(settings, source, tmp_path, monkeypatch)
    checked = validate_unit(settings, "scjgj", DAY)
    assert (checked.valid, checked.invalid) == (3, 0)
    fill_outbox(settings, ["scjgj"], DAY)
    hostile.set("POST", Mode("reject", reject=rejecting))
    with client(hostile.url) as c:
        summary = push(c, unit="scjgj", report_date=DAY, database_url=settings.database_url)
    assert (summary.accepted, summary.rejected, summary.failed) == (2, 1, False)
    path = unit_feedback(settings, "scjgj", DAY)
    assert path is not None
    ws = load_workbook(path)[DATASET_NAMES["xzcf"]]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True)) for r in ws.iter_rows(min_row=2)]
    [row] = [r for r in rows if r[OWN_HEADER] == REJECTED_DOC]  # under the unit's own header
    assert row["原文件"] == file_name
    assert f"信用湛江平台拒收：{PLATFORM_MESSAGE}" in row["问题说明"] and "[PLATFORM]" in row["问题说明"]
    if source != "sql":
        assert row["行号"] == 3  # the second data row under the header row, as the file shows it
    cell = ws.cell(row=2 + rows.index(row), column=header.index(OWN_HEADER) + 1)
    assert cell.fill.fgColor.rgb == "FFFFC7CE" and "PLATFORM" in cell.comment.text  # the faulty cell marked


def test_the_feedback_writer_takes_items_without_columns_raw_or_row(tmp_path):
    from credit.reports.feedback import write_feedback

    items = [
        {
            "dataset": "xzcf",
            "file_name": None,
            "sheet": None,
            "row": None,
            "columns": None,
            "raw": None,
            "errors": [
                {"rule": "PLATFORM", "field": DOC_NO.code, "column": None, "value": None, "message": "拒收"}
            ],
            "warnings": [],
        }
    ]
    path = write_feedback(tmp_path, "scjgj", DAY, items)
    ws = load_workbook(path)[DATASET_NAMES["xzcf"]]
    assert [c.value for c in ws[1]][:4] == ["原文件", "工作表", "行号", "问题说明"]
    assert ws.cell(row=2, column=4).value == "✗ [PLATFORM] 拒收" and ws.cell(row=2, column=3).value is None


def test_the_cap_is_a_setting(home, monkeypatch):
    from credit.platform.transports import make_transport
    from credit.settings import load_settings

    monkeypatch.setenv("CREDIT_PLATFORM_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CREDIT_PLATFORM_APP_KEY", DEMO_APP_KEY)
    monkeypatch.setenv("CREDIT_PLATFORM_APP_SECRET", DEMO_APP_SECRET)
    assert make_transport(load_settings()).max_answer_bytes == 4 * MiB
    monkeypatch.setenv("CREDIT_PLATFORM_MAX_ANSWER_BYTES", str(CAP))
    assert make_transport(load_settings()).max_answer_bytes == CAP
