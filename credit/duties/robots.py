"""Units' own robots: where a unit has its own 企业微信 robot webhook, it gets its reminders and escalations
of the day (credit.duties.reminders) there too, one text message per unit, besides the office's digest.

Configuration: `CREDIT_UNIT_ROBOTS` names a CSV file with the header `unit,url` (default
`$CREDIT_HOME/config/unit_robots.csv`; no file: no unit robot). `unit` is a registry code, `url` an http(s)
address; blank lines and lines starting with `#` are skipped. A line that breaks this raises
`RobotConfigError`, in Chinese, naming the file's line and the unit, never the URL.

A robot's URL carries its key: it is a secret. It is never logged, never written, never put in an error or a
result; a failure is logged with the unit code and the HTTP status (or the exception's class name: requests'
messages quote the URL) and nothing else. urllib3's own debug lines quote the request's path and query, so
their request target is replaced by `***` (`_HideQuery`). One unit's failure never stops the others.

Nothing here imports Prefect."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

from credit import escape
from credit.alerts import _fit, inbox_folder, unit_name
from credit.duties.reminders import Notice
from credit.links import PortalLinks
from credit.units import UNIT_CODE, all_units

log = logging.getLogger(__name__)

HEADER = ("unit", "url")
MAX_FILE_BYTES = 256 * 1024  # a list of robots, not a data file
TIMEOUT = (5, 10)  # seconds: connect, read
ATTEMPTS = 2  # one retry
RETRY_PAUSE = 2.0  # seconds between the attempts


class RobotConfigError(ValueError):
    """The robots file cannot be used as it stands; the message is Chinese and holds no URL."""


def config_failure(exc: RobotConfigError) -> str:
    """The failed run's message (sent as it is by the flow-run-failed automation): cause, then what to do."""
    return (
        f"原因：单位机器人配置文件有误：{exc}。当天的汇总提醒已发给信用股，各单位的机器人消息未发送。\n"
        "下一步：按提示改正该文件（表头 unit,url，每行一个单位代码和它的机器人地址），下次运行起生效；"
        "如需今天补发，可在 Prefect 界面重跑本次运行（汇总提醒会再发一次）。"
    )


@dataclass(frozen=True)
class Robot:
    unit: str
    url: str = field(repr=False)

    def __repr__(self) -> str:  # never show the key
        return f"Robot(unit={self.unit!r}, url=***)"

    __str__ = __repr__


def load_robots(path: Path | None) -> dict[str, Robot]:
    """The configured robots by unit code, in the file's order; {} when the file does not exist."""
    if path is None or not Path(path).is_file():
        return {}
    path = Path(path)
    where = f"CREDIT_UNIT_ROBOTS（{path.name}）"
    if path.stat().st_size > MAX_FILE_BYTES:
        raise RobotConfigError(f"{where}：文件超过 {MAX_FILE_BYTES // 1024} KB，不像机器人地址表")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RobotConfigError(f"{where}：文件应为 UTF-8 编码的 CSV") from None
    rows = list(csv.reader(io.StringIO(text)))
    lines = [(n, [c.strip() for c in row]) for n, row in enumerate(rows, start=1)]
    lines = [(n, row) for n, row in lines if any(row) and not row[0].startswith("#")]
    if not lines or tuple(c.lower() for c in lines[0][1]) != HEADER:
        raise RobotConfigError(f"{where}第{lines[0][0] if lines else 1}行：应为表头 unit,url")
    units = all_units()
    robots: dict[str, Robot] = {}
    for n, row in lines[1:]:
        unit = row[0] if row else ""
        label = f"{where}第{n}行"
        if len(row) != 2:
            raise RobotConfigError(f"{label}：应为两列（单位代码,机器人地址），实际为 {len(row)} 列")
        if not UNIT_CODE.fullmatch(unit):  # not echoed: the columns may be swapped, a key in it
            raise RobotConfigError(f"{label}：第一列应为单位代码（如 gaj），实际不是")
        if unit not in units:
            raise RobotConfigError(f"{label}：单位代码“{unit}”不在单位名录中（credit/data/units.csv）")
        if not _is_http(row[1]):
            raise RobotConfigError(f"{label}：单位 {unit} 的机器人地址不是 http(s) 网址")
        if unit in robots:
            raise RobotConfigError(f"{label}：单位 {unit} 重复配置（每个单位只配一个机器人）")
        robots[unit] = Robot(unit, row[1])
    return robots


def _is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and not any(c.isspace() for c in url)


# --- the message ------------------------------------------------------------------------------------------


def _line(n: Notice) -> str:
    o = n.obligation
    if n.kind == "escalate":
        when = f"已逾期 {n.workdays} 个工作日，请尽快补报"
    elif n.workdays == 0:
        when = "今天截止"
    else:
        when = f"剩余 {n.workdays} 个工作日"
    mark = "逾期" if n.kind == "escalate" else "提醒"
    return f"· [{mark}] {o.name}，期间 {o.period}，截止日期 {o.due.isoformat()}，{when}"


def unit_text(unit: str, found: Iterable[Notice], today: dt.date, links: PortalLinks | None = None) -> str:
    """One unit's message: its own escalations first, then its reminders, and where to deliver (with
    `links`, CREDIT_PORTAL_URL set: the unit's duties page and its upload page in the portal); within a
    robot message's size. Every line escaped as plain text (one line each, ID numbers masked)."""
    mine = sorted(
        (n for n in found if n.obligation.unit == unit),
        key=lambda n: (n.kind != "escalate", n.obligation.due, n.obligation.task, n.obligation.period),
    )
    reminded = sum(n.kind == "remind" for n in mine)
    escalated = len(mine) - reminded
    subject = escape.log_line(
        f"【重点工作任务】{today.isoformat()} {unit_name(unit)}：{reminded} 项即将到期，{escalated} 项已逾期"
    )
    head = [
        escape.log_line(
            "依据年度社会信用体系建设工作方案，本单位以下报送事项（按工作日计算，节假日和调休已扣除）："
        )
    ]
    items = [escape.log_line(_line(n)) for n in mine]
    rest = "· 另有 {n} 项未列出，请向市发展和改革局信用股查询"
    evidence = "证据表（xlsx，每类事项一个工作表，填写“所属期间”）和附件"
    if links is None:
        how = f"报送方式：将{evidence}放入本单位报送文件夹 {inbox_folder(unit)}，下次运行自动收取。"
    else:
        how = (
            f"本单位的事项和已收到的证据：{links.clerk_duties()} （登录门户）；"
            f"报送方式：在门户首页 {links.clerk_home()} 上传{evidence}，下次运行自动收取。"
        )
    tail = [escape.log_line(how)]
    return "\n".join([subject, *_fit(head, items, rest, tail, subject)])


def message(unit: str, found: Iterable[Notice], today: dt.date, links: PortalLinks | None = None) -> dict:
    """The 企业微信 robot's JSON body for one unit."""
    return {"msgtype": "text", "text": {"content": unit_text(unit, found, today, links)}}


# --- sending ----------------------------------------------------------------------------------------------


class _HideQuery(logging.Filter):
    """urllib3 logs each request's path and query at debug level: some robots carry their key in the query
    (企业微信, 钉钉), others in the path (飞书), so the whole request target becomes ***."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple("***" if isinstance(a, str) and a.startswith("/") else a for a in record.args)
        return True


_URLLIB3 = logging.getLogger("urllib3.connectionpool")
if not any(isinstance(f, _HideQuery) for f in _URLLIB3.filters):
    _URLLIB3.addFilter(_HideQuery())


def _failure(response: requests.Response | None, exc: Exception | None) -> str | None:
    """Why an attempt failed, without the URL; None when the robot took the message."""
    if exc is not None:
        return f"连接失败（{type(exc).__name__}）"
    if not 200 <= response.status_code < 300:
        return f"HTTP {response.status_code}"
    try:
        answer = response.json()
    except ValueError:
        return None  # a gateway that answers 2xx without JSON took it
    code = answer.get("errcode", 0) if isinstance(answer, dict) else 0
    return None if code in (0, "0") else f"HTTP {response.status_code}，errcode {escape.log_line(code)}"


def send(robot: Robot, body: dict, *, session=None, pause: float | None = None) -> str | None:
    """POST one message, with one retry; None when the robot took it, else why not (no URL in it). Never
    raises for the robot's sake."""
    http = session or requests
    why = None
    for attempt in range(1, ATTEMPTS + 1):
        response, exc = None, None
        try:
            response = http.post(robot.url, json=body, timeout=TIMEOUT)
        except Exception as exc_:  # whatever goes wrong with one robot, the others are still sent
            exc = exc_
        why = _failure(response, exc)
        if why is None:
            return None
        if attempt < ATTEMPTS:
            time.sleep(RETRY_PAUSE if pause is None else pause)
    log.warning("单位 %s 的机器人消息发送失败（已重试 %d 次）：%s", robot.unit, ATTEMPTS - 1, why)
    return why


@dataclass(frozen=True)
class Sent:
    sent: tuple[str, ...] = ()  # unit codes
    failed: tuple[str, ...] = ()
    reasons: dict[str, str] = field(default_factory=dict)  # failed unit -> why (an HTTP status, no URL)

    def failures(self) -> str:
        """`gaj（HTTP 500）、sfj（连接失败（ConnectionError））`, for the run's log."""
        return "、".join(f"{u}（{self.reasons.get(u, '原因不明')}）" for u in self.failed)


def notify_units(
    robots: dict[str, Robot],
    found: Iterable[Notice],
    today: dt.date,
    *,
    pause: float | None = None,
    links: PortalLinks | None = None,
) -> Sent:
    """One message to each configured unit that has reminders or escalations today, in registry order
    (`links`: CREDIT_PORTAL_URL set, each message points to the unit's pages in the portal)."""
    found = list(found)
    concerned = {n.obligation.unit for n in found}
    sent, reasons = [], {}
    with requests.Session() as session:
        for unit in (u for u in all_units() if u in concerned and u in robots):
            why = send(robots[unit], message(unit, found, today, links), session=session, pause=pause)
            if why is None:
                sent.append(unit)
            else:
                reasons[unit] = why
    if sent:
        log.info("已向 %d 个单位的机器人发送提醒：%s", len(sent), "、".join(sent))
    return Sent(tuple(sent), tuple(reasons), reasons)
