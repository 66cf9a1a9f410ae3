"""Units' own robots (credit.duties.robots): the CSV that configures them, one message per unit with its own
reminders and escalations, real HTTP on loopback, a failing robot that stops nobody, and robot URLs (their
keys) that never reach a log line, an error or a result.

The day: Wednesday 2026-10-14 with reminders 4 working days ahead. September's monthly duties fell due on
Tuesday 10-13 (escalated on the 1st working day after: today); Q3's 负面清单核查 and departments' 宣传活动 fall
due on Tuesday 10-20 (15, 16, 19, 20: 4 working days left)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from credit import escape
from credit.duties import reminders, robots
from credit.duties.obligations import Obligation
from credit.duties.plan import plan_for
from credit.duties.rules import load_duties
from credit.workdays import WorkCalendar
from tests.harness import free_port

D = dt.date
DAY = D(2026, 10, 14)
KEYS = {"gaj": "k-gaj-5f1e2d", "leicheng": "k-leicheng-9a7b", "fgj": "k-fgj-c3d4", "sfj": "k-sfj-0e0e"}


class Robots:
    """企业微信 robots on loopback: each key is one robot; POSTs are recorded per key; a key in `failing`
    answers 500."""

    def __init__(self, failing: tuple[str, ...] = ()):
        self.received: dict[str, list[dict]] = {}
        self.lock = threading.Lock()
        robots_ = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                key = self.path.partition("key=")[2]
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                with robots_.lock:
                    robots_.received.setdefault(key, []).append(body)
                status = 500 if key in failing else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode":0,"errmsg":"ok"}' if status == 200 else b"oops")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, key: str) -> str:
        return f"{self.base}/cgi-bin/webhook/send?key={key}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot_server():
    made = []

    def start(failing=()):
        made.append(Robots(failing))
        return made[-1]

    yield start
    for server in made:
        server.stop()


@pytest.fixture(scope="module")
def found():
    calendar = WorkCalendar()
    by_year = {2025: load_duties(plan_for(2025)), 2026: load_duties(plan_for(2026))}
    obligations = reminders.relevant(by_year, DAY, calendar)
    return reminders.notices(obligations, DAY, calendar, days_before=4)


def write_config(path, lines: list[str]):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- configuration ----------------------------------------------------------------------------------------


def test_no_file_no_robots_and_the_default_path_is_under_credit_home(settings):
    assert settings.unit_robots_file == settings.home / "config" / "unit_robots.csv"
    assert robots.load_robots(settings.unit_robots_file) == {}


def test_the_setting_names_the_file(home, monkeypatch, tmp_path):
    from credit.settings import load_settings

    path = write_config(tmp_path / "robots.csv", ["unit,url", "gaj,https://qyapi.example/send?key=abc"])
    monkeypatch.setenv("CREDIT_UNIT_ROBOTS", str(path))
    loaded = robots.load_robots(load_settings().unit_robots_file)
    assert list(loaded) == ["gaj"]
    assert loaded["gaj"].url == "https://qyapi.example/send?key=abc"
    assert "abc" not in repr(loaded) and "qyapi" not in str(loaded["gaj"])


def test_blank_and_comment_lines_are_skipped(tmp_path):
    path = write_config(
        tmp_path / "r.csv",
        [
            "\ufeffunit,url",
            "# 市公安局的机器人",
            "",
            "gaj,https://a.example/s?key=1",
            "fgj,http://b.example/s?key=2",
        ],
    )
    assert list(robots.load_robots(path)) == ["gaj", "fgj"]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["unit,url", "gaj,https://a.example/s?key=1", "nosuch,https://b.example/s?key=SECRET"],
            "第3行：单位代码“nosuch”不在单位名录中",
        ),
        (["unit,url", "gaj,ftp://a.example/s?key=SECRET"], "第2行：单位 gaj 的机器人地址不是 http(s) 网址"),
        (["unit,url", "gaj,javascript:alert(1)//SECRET"], "第2行：单位 gaj 的机器人地址不是 http(s) 网址"),
        (["unit,url", "gaj,https:///s?key=SECRET"], "第2行：单位 gaj 的机器人地址不是 http(s) 网址"),
        (["unit,url", "gaj,https://a.example/s?key=SECRET,extra"], "第2行：应为两列"),
        (
            ["unit,url", "gaj,https://a.example/s?key=1", "gaj,https://a.example/s?key=SECRET"],
            "第3行：单位 gaj 重复配置",
        ),
        (["单位,地址", "gaj,https://a.example/s?key=SECRET"], "第1行：应为表头 unit,url"),
        (["# 机器人", "gaj,https://a.example/s?key=SECRET"], "第2行：应为表头 unit,url"),
        (["unit,url", "https://a.example/s?key=SECRET,gaj"], "第2行：第一列应为单位代码（如 gaj），实际不是"),
    ],
)
def test_a_faulty_line_is_named_in_chinese_without_its_url(tmp_path, lines, expected):
    path = write_config(tmp_path / "unit_robots.csv", lines)
    with pytest.raises(robots.RobotConfigError) as err:
        robots.load_robots(path)
    assert expected in str(err.value)
    assert str(err.value).startswith("CREDIT_UNIT_ROBOTS（unit_robots.csv）")
    assert "SECRET" not in str(err.value) and "example" not in str(err.value)


# --- the messages -----------------------------------------------------------------------------------------


def test_each_configured_unit_gets_its_own_reminders_and_escalations(robot_server, found, caplog):
    server = robot_server()
    configured = {u: robots.Robot(u, server.url(KEYS[u])) for u in ("gaj", "leicheng", "fgj")}
    caplog.set_level(logging.DEBUG)
    result = robots.notify_units(configured, found, DAY, pause=0)
    assert result == robots.Sent(sent=("fgj", "gaj", "leicheng"), failed=())
    assert set(server.received) == {KEYS["gaj"], KEYS["leicheng"], KEYS["fgj"]}  # one robot per unit

    (gaj,) = server.received[KEYS["gaj"]]
    assert gaj["msgtype"] == "text" and set(gaj) == {"msgtype", "text"}
    text = gaj["text"]["content"]
    assert len(text.encode()) <= 2048
    assert text.split("\n") == [
        "【重点工作任务】2026-10-14 市公安局：2 项即将到期，2 项已逾期",
        "依据年度社会信用体系建设工作方案，本单位以下报送事项（按工作日计算，节假日和调休已扣除）：",
        "· [逾期] 失信惩戒案例报送，期间 2026-09，截止日期 2026-10-13，已逾期 1 个工作日，请尽快补报",
        "· [逾期] 信用宣传链接，期间 2026-09，截止日期 2026-10-13，已逾期 1 个工作日，请尽快补报",
        "· [提醒] 负面清单案例核查，期间 2026-Q3，截止日期 2026-10-20，剩余 4 个工作日",
        "· [提醒] 信用宣传活动报告，期间 2026-Q3，截止日期 2026-10-20，剩余 4 个工作日",
        "报送方式：将证据表（xlsx，每类事项一个工作表，填写“所属期间”）和附件放入本单位报送文件夹 inbox/gaj/，"
        "下次运行自动收取。",
    ]
    # A town: September's activity report and links overdue, nothing of a department's.
    (town,) = server.received[KEYS["leicheng"]]
    lines = town["text"]["content"].split("\n")
    assert lines[0] == "【重点工作任务】2026-10-14 雷城街道：0 项即将到期，2 项已逾期"
    assert (
        "· [逾期] 信用宣传活动报告，期间 2026-09，截止日期 2026-10-13，已逾期 1 个工作日，请尽快补报" in lines
    )
    assert "inbox/leicheng/" in lines[-1] and "负面清单" not in town["text"]["content"]
    # Only its own: no other unit's name in any message.
    assert "市公安局" not in town["text"]["content"] and "雷城" not in text
    assert all(KEYS[u] not in caplog.text for u in KEYS) and "/cgi-bin/webhook" not in caplog.text
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("credit")]
    assert ours == ["已向 3 个单位的机器人发送提醒：fgj、gaj、leicheng"]  # unit codes, no address


def test_a_unit_without_notices_today_gets_nothing(robot_server, found):
    server = robot_server()
    quiet = [n for n in found if n.obligation.unit != "gaj"]
    result = robots.notify_units({"gaj": robots.Robot("gaj", server.url(KEYS["gaj"]))}, quiet, DAY, pause=0)
    assert result == robots.Sent() and server.received == {}


def test_a_long_list_fits_one_message_and_says_how_many_more():
    notices = [
        reminders.Notice(
            Obligation("gaj", 9, f"d{i}", f"事项{i:02d}" * 6, f"2026-{i % 12 + 1:02d}", DAY), "escalate", 3
        )
        for i in range(60)
    ]
    text = robots.unit_text("gaj", notices, DAY)
    assert len(text.encode()) <= 2048
    lines = text.split("\n")
    assert lines[-1].startswith("报送方式：") and lines[-2].startswith("· 另有 ")
    shown = sum(line.startswith("· [逾期]") for line in lines)
    assert 0 < shown < 60 and lines[-2] == f"· 另有 {60 - shown} 项未列出，请向市发展和改革局信用股查询"


def test_every_text_is_plain_one_line_and_masked():
    person = "440882199003071234"
    name = f"案例\x1b[31m核查\n{person}\u202e"
    notice = reminders.Notice(
        Obligation("gaj", 9, "t9-cases", name, "2026-09", D(2026, 10, 13)), "escalate", 1
    )
    text = robots.unit_text("gaj", [notice], DAY)
    (line,) = [x for x in text.split("\n") if x.startswith("· ")]
    assert escape.log_line(name) in line
    assert "\x1b" not in text and "\u202e" not in text and person not in text
    assert len(text.split("\n")) == 4  # subject, head, the one item, tail


# --- failures ---------------------------------------------------------------------------------------------


def test_a_failing_robot_stops_no_other_and_its_url_is_never_logged(robot_server, found, caplog, tmp_path):
    server = robot_server(failing=(KEYS["gaj"],))
    port = free_port()  # nothing listens there: the connection is refused
    closed = robots.Robot("sfj", f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key={KEYS['sfj']}")
    configured = {
        "gaj": robots.Robot("gaj", server.url(KEYS["gaj"])),
        "sfj": closed,
        "leicheng": robots.Robot("leicheng", server.url(KEYS["leicheng"])),
    }
    assert any(n.obligation.unit == "sfj" for n in found)
    caplog.set_level(logging.DEBUG)  # urllib3's debug lines quote each request's path and query
    result = robots.notify_units(configured, found, DAY, pause=0)
    assert result.sent == ("leicheng",)
    assert result.failed == ("gaj", "sfj")  # registry order
    assert result.failures() == "gaj（HTTP 500）、sfj（连接失败（ConnectionError））"
    assert len(server.received[KEYS["gaj"]]) == 2  # one retry
    assert len(server.received[KEYS["leicheng"]]) == 1

    failures = [
        r.getMessage() for r in caplog.records if r.name == "credit.duties.robots" and r.levelno >= 30
    ]
    assert any("单位 gaj 的机器人消息发送失败" in m and "HTTP 500" in m for m in failures)
    assert any("单位 sfj 的机器人消息发送失败" in m and "连接失败（ConnectionError）" in m for m in failures)
    assert any("urllib3" in r.name for r in caplog.records)  # the debug lines were there, and hid the key
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for key in KEYS.values():
        assert key not in logged
    assert '"POST *** HTTP/1.1" 500' in caplog.text
    assert "key=" not in logged and "/cgi-bin/webhook" not in logged
    assert all(server.base not in m and "127.0.0.1" not in m for m in failures)


def test_a_robot_answering_an_errcode_has_failed(robot_server, found, caplog, monkeypatch):
    server = robot_server()
    answers = []

    class Refusing(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answers.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"errcode":93000,"errmsg":"invalid webhook url"}')

        def log_message(self, *args):
            pass

    refusing = ThreadingHTTPServer(("127.0.0.1", 0), Refusing)
    threading.Thread(target=refusing.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{refusing.server_address[1]}/send?key=stale-key"
        caplog.set_level(logging.WARNING)
        result = robots.notify_units(
            {"gaj": robots.Robot("gaj", url), "fgj": robots.Robot("fgj", server.url(KEYS["fgj"]))},
            found,
            DAY,
            pause=0,
        )
    finally:
        refusing.shutdown()
        refusing.server_close()
    assert result.sent == ("fgj",) and result.failed == ("gaj",)
    assert result.reasons == {"gaj": "HTTP 200，errcode 93000"}
    assert len(answers) == 2
    assert "errcode 93000" in caplog.text and "stale-key" not in caplog.text


# --- the flow, in process ---------------------------------------------------------------------------------


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


def test_the_duties_flow_sends_units_their_messages_after_the_digest(
    harness, settings, robot_server, monkeypatch, caplog
):
    import tasks.common
    from flows.duties import duties

    server = robot_server(failing=(KEYS["fgj"],))
    write_config(
        settings.home / "config" / "unit_robots.csv",
        ["unit,url", *(f"{u},{server.url(KEYS[u])}" for u in ("gaj", "leicheng", "fgj"))],
    )
    monkeypatch.setattr(robots, "RETRY_PAUSE", 0)
    events = []
    monkeypatch.setattr(tasks.common, "emit_event", lambda event, resource, payload: events.append(event))
    caplog.set_level(logging.DEBUG)
    run_log = Collect()  # Prefect's run loggers do not propagate to caplog's handler
    logging.getLogger("prefect.task_runs").addHandler(run_log)
    try:
        state = duties(report_date=DAY, days_before=4, return_state=True)
    finally:
        logging.getLogger("prefect.task_runs").removeHandler(run_log)
    assert state.is_completed(), state.message
    assert state.result() == {"remind": 50, "escalate": 86, "open": 138, "robots_sent": 2, "robots_failed": 1}
    assert events == ["credit.duties.reminder"]  # the office's digest, as before
    assert {k: len(v) for k, v in server.received.items()} == {
        KEYS["gaj"]: 1,
        KEYS["leicheng"]: 1,
        KEYS["fgj"]: 2,
    }
    assert all(
        key not in caplog.text + str([r.getMessage() for r in run_log.records]) for key in KEYS.values()
    )
    assert "单位机器人消息发送失败：fgj（HTTP 500）" in [r.getMessage() for r in run_log.records]


def test_a_faulty_robots_file_fails_the_run_after_the_digest(harness, settings, monkeypatch):
    import tasks.common
    from flows.duties import duties

    write_config(
        settings.home / "config" / "unit_robots.csv", ["unit,url", "gaj,ftp://x.example/?key=SECRET"]
    )
    events = []
    monkeypatch.setattr(tasks.common, "emit_event", lambda event, resource, payload: events.append(event))
    state = duties(report_date=DAY, return_state=True)
    assert state.is_failed()
    assert events == ["credit.duties.reminder"]  # the office got its digest first
    # As the credit-flow-run-failed automation sends it: the cause first, then what to do.
    cause, step = state.message.split("\n")
    assert cause == (
        "原因：单位机器人配置文件有误：CREDIT_UNIT_ROBOTS（unit_robots.csv）第2行：单位 gaj 的机器人地址不是 "
        "http(s) 网址。当天的汇总提醒已发给信用股，各单位的机器人消息未发送。"
    )
    assert step.startswith("下一步：按提示改正该文件")
    assert "SECRET" not in state.message
