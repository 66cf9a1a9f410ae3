"""Alert digests: what an operator or a unit's clerk reads after a run, one message per run and kind.

Each digest is plain data built from the store (true counts, whatever the run saw), with units and datasets
named in Chinese, the cause first and the next step last. With `CREDIT_PORTAL_URL` set they link to the
portal's pages (a unit's day, the quarantine of the day; credit.links); without it they name paths
relative to CREDIT_HOME that a person opens on the office share. The orchestrator only emits them
(tasks/alerts.py); the automation prints `subject` and `lines` as they are (deployments/automations.yaml).

A 企业微信 text message takes at most 2,048 bytes and a robot about 20 messages a minute: a digest lists
units by size until its byte budget is spent, then says how many more there are and where they are.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from credit.links import PortalLinks, portal_links
from credit.settings import Settings
from credit.standard import DATASET_NAMES
from credit.store import Record, RecordVersion, Submission, session_scope
from credit.units import all_units

MAX_BYTES = 1900  # 企业微信 text: 2,048 bytes for subject and body together
WAITING = ("queued", "batched")  # push states of a version that has not reached the platform
EVENTS = {
    "validation": "credit.validation.failed",
    "push": "credit.push.failed",
    "quarantine": "credit.file.quarantined",
    "duties": "credit.duties.reminder",  # credit.duties.reminders
}
RETRY_SCHEDULE = "每30分钟（北京时间整点、半点）"


@dataclass
class Digest:
    kind: str  # validation | push | quarantine | duties
    date: dt.date
    subject: str
    lines: list[str]
    total: int  # records (validation, push) or files (quarantine)
    by_unit: dict[str, dict[str, int]] = field(default_factory=dict)  # unit code -> dataset/file -> count

    @property
    def event(self) -> str:
        return EVENTS[self.kind]

    @property
    def text(self) -> str:
        """The message as the webhook receives it (deployments/deploy.py ROBOT_JSON)."""
        return "\n".join([self.subject, *self.lines])

    def payload(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "date": self.date.isoformat(),
            "subject": self.subject,
            "lines": self.lines,
            "total": self.total,
            "units": len(self.by_unit),
            "by_unit": self.by_unit,
        }


def unit_name(code: str) -> str:
    """A unit as people call it (简称, e.g. 市市场监管局); the code only for a unit not in the registry."""
    unit = all_units().get(code)
    return unit.short_name if unit else code


def dataset_name(dataset_id: str) -> str:
    return DATASET_NAMES.get(dataset_id, dataset_id)


def relative(settings: Settings, path: str | Path | None) -> str | None:
    """A path as a person finds it on the share: relative to CREDIT_HOME, with forward slashes."""
    if not path:
        return None
    p = Path(path)
    try:
        return p.resolve().relative_to(settings.home.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def inbox_folder(code: str) -> str:
    return f"inbox/{code}/"


def _fit(head: list[str], items: list[str], rest: str, tail: list[str], subject: str) -> list[str]:
    """head + as many items as fit in MAX_BYTES + (rest.format(n) for the n left out) + tail."""
    budget = MAX_BYTES - len(subject.encode()) - sum(len(s.encode()) + 1 for s in head + tail)
    shown: list[str] = []
    for i, item in enumerate(items):
        left = len(items) - i - 1
        reserve = len(rest.format(n=len(items)).encode()) + 1 if left else 0
        if len(item.encode()) + 1 + reserve > budget:
            break
        shown.append(item)
        budget -= len(item.encode()) + 1
    if len(shown) < len(items):
        shown.append(rest.format(n=len(items) - len(shown)))
    return head + shown + tail


def _counts(rows) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for unit, key, n in rows:
        out[unit][key] = out[unit].get(key, 0) + int(n)
    return dict(out)


def _by_size(by_unit: dict[str, dict[str, int]]) -> list[str]:
    return sorted(by_unit, key=lambda u: (-sum(by_unit[u].values()), u))


def _per_dataset(counts: dict[str, int]) -> str:
    return "、".join(f"{dataset_name(ds)} {n} 条" for ds, n in sorted(counts.items()))


# --- validation -------------------------------------------------------------------------------------------


def invalid_counts(settings: Settings, report_date: dt.date, units: list[str] | None = None):
    """Records received on `report_date` that failed validation, per sending unit and dataset."""
    sender = func.coalesce(Submission.unit, Record.unit)
    stmt = (
        select(sender, Record.dataset, func.count())
        .select_from(RecordVersion)
        .join(Record, Record.id == RecordVersion.record_id)
        .join(Submission, Submission.id == RecordVersion.submission_id, isouter=True)
        .where(RecordVersion.received_date == report_date, RecordVersion.status == "invalid")
        .group_by(sender, Record.dataset)
    )
    with session_scope(settings.database_url) as session:
        counts = _counts(session.execute(stmt).all())
    return {u: c for u, c in counts.items() if units is None or u in units}


def feedback_file(settings: Settings, unit: str, report_date: dt.date) -> str | None:
    """The unit's 问题数据 workbook for the day (out/feedback/<date>/…), relative to CREDIT_HOME."""
    folder = settings.out / "feedback" / report_date.isoformat()
    if not folder.is_dir():
        return None
    found = sorted(folder.glob(f"{unit}_*.xlsx")) or sorted((folder / unit).glob("*.xlsx"))
    return relative(settings, found[0]) if found else None


def validation_digest(
    settings: Settings,
    report_date: dt.date,
    units: list[str] | None = None,
    feedback: dict[str, str | None] | None = None,
) -> Digest | None:
    """All units' validation failures of the day in one message; None when every record passed.

    `feedback`: the workbooks the run wrote (unit -> path), else found under out/feedback/<date>/ (named
    only without CREDIT_PORTAL_URL: with it, each unit links to its day in the portal)."""
    by_unit = invalid_counts(settings, report_date, units)
    if not by_unit:
        return None
    total = sum(sum(c.values()) for c in by_unit.values())
    subject = f"【双公示】{report_date.isoformat()} 校验不合格：{len(by_unit)} 个单位共 {total} 条"
    links = portal_links(settings)
    if links is not None:
        where, items, rest, step = _validation_in_portal(links, by_unit, report_date)
    else:
        where, items, rest, step = _validation_in_files(settings, by_unit, report_date, feedback)
    head = [
        f"原因：{len(by_unit)} 个单位报送的 {total} 条记录不符合数据标准，未推送到信用湛江；"
        f"问题清单已按单位生成（{where}）。"
    ]
    tail = [f"下一步：请通知上列单位{step}，下次运行自动重新校验。"]
    return Digest("validation", report_date, subject, _fit(head, items, rest, tail, subject), total, by_unit)


def _validation_in_files(settings: Settings, by_unit, report_date: dt.date, feedback):
    items = []
    for unit in _by_size(by_unit):
        path = relative(settings, (feedback or {}).get(unit)) or feedback_file(settings, unit, report_date)
        where = f"问题清单 {path}" if path else "问题清单未生成（见运行日志）"
        items.append(
            f"· {unit_name(unit)}：{_per_dataset(by_unit[unit])}；{where}，改后放回 {inbox_folder(unit)}"
        )
    rest = f"· 另有 {{n}} 个单位，问题清单同在 out/feedback/{report_date.isoformat()}/"
    step = "打开本单位的问题清单，按标红单元格改正后，将该表放回本单位文件夹 inbox/<单位代码>/"
    return "路径相对于数据目录 CREDIT_HOME", items, rest, step


def _validation_in_portal(links: PortalLinks, by_unit, report_date: dt.date):
    items = [
        f"· {unit_name(unit)}：{_per_dataset(by_unit[unit])}；问题清单见 {links.unit_day(unit, report_date)}"
        for unit in _by_size(by_unit)
    ]
    rest = f"· 另有 {{n}} 个单位，见 {links.day(report_date)}"
    step = "登录门户下载本单位的问题清单，按标红单元格改正后在门户重新上传"
    return "链接打开门户中该单位当天的页面，需登录", items, rest, step


# --- push -------------------------------------------------------------------------------------------------


def waiting_counts(settings: Settings, units: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Records not yet at the platform (queued, or in a batch not yet settled), per unit and dataset."""
    stmt = (
        select(Record.unit, Record.dataset, func.count())
        .select_from(RecordVersion)
        .join(Record, Record.id == RecordVersion.record_id)
        .where(RecordVersion.push_state.in_(WAITING))
        .group_by(Record.unit, Record.dataset)
    )
    if units is not None:
        stmt = stmt.where(Record.unit.in_(units))
    with session_scope(settings.database_url) as session:
        return _counts(session.execute(stmt).all())


def _cause(error: str) -> str | None:
    """The Chinese head of a transport error ("平台返回重定向（HTTP 302 …" -> "平台返回重定向"), or None."""
    head = re.split(r"[：（，(:]", error or "", maxsplit=1)[0].strip()
    return head if head and not re.search(r"[A-Za-z]", head) else None


def push_digest(
    settings: Settings, report_date: dt.date, *, auth_failed: bool = False, errors: list[str] | None = None
) -> Digest | None:
    """The whole backlog for 信用湛江 after a push that could not finish, in one message; None when nothing
    waits. `auth_failed`: the platform refused the credentials (401); else `errors`, the failed batches'
    messages (their Chinese heads name the cause)."""
    by_unit = waiting_counts(settings)
    total = sum(sum(c.values()) for c in by_unit.values())
    if not total and not auth_failed:
        return None
    day = report_date.isoformat()
    backlog = f"待推送 {total} 条（{len(by_unit)} 个单位），记录保持排队，不会丢失，也不会重复报送。"
    if auth_failed:
        subject = f"【双公示】{day} 推送信用湛江失败：密钥被拒绝"
        head = [f"原因：信用湛江拒绝了本系统的应用密钥（401 认证失败），推送已停止；{backlog}"]
        tail = [
            "下一步：请核对 CREDIT_PLATFORM_APP_KEY、Prefect 密钥块 credit-platform-app-secret 和服务器时钟，"
            "改正后在 Prefect 界面运行 push-retry（密钥不改正，自动重推也会失败）。"
        ]
    else:
        causes = list(dict.fromkeys(c for c in map(_cause, errors or []) if c))
        cause = "、".join(causes[:3]) or "信用湛江平台暂时无法访问"
        subject = f"【双公示】{day} 推送信用湛江未完成：待推送 {total} 条"
        head = [f"原因：{cause}，本次推送未完成；{backlog}"]
        if any("重定向" in c or "约定之外" in c for c in causes):
            step = "请核对 CREDIT_PLATFORM_URL 是否为信用湛江的接口地址，并联系平台运维；"
        else:
            step = "无需操作，"
        tail = [f"下一步：{step}系统{RETRY_SCHEDULE}自动重推；如超过2小时仍未恢复，请联系信用湛江平台运维。"]
    items = [f"· {unit_name(u)}：{_per_dataset(by_unit[u])}" for u in _by_size(by_unit)]
    rest = "· 另有 {n} 个单位（见 Prefect 界面 push-retry 运行）"
    return Digest("push", report_date, subject, _fit(head, items, rest, tail, subject), total, by_unit)


# --- quarantine -------------------------------------------------------------------------------------------


@dataclass
class QuarantinedFile:
    unit: str
    name: str
    reason: str  # Chinese part
    path: str | None  # relative to CREDIT_HOME


def _reason_zh(reason: str | None) -> str:
    """The Chinese half of a stored reason ("中文 / English"), without a trailing exception class name."""
    zh = (reason or "").split(" / ", 1)[0].strip()
    return re.sub(r"[：:]\s*[A-Za-z_][\w.]*$", "", zh).strip() or "原因不明"


def quarantined_files(
    settings: Settings, report_date: dt.date, units: list[str] | None = None, extra: list[dict] | None = None
) -> list[QuarantinedFile]:
    """Files set aside on `report_date` (the store's quarantined submissions, plus `extra`: files the run
    quarantined without a submission, e.g. a link in a unit's folder: dicts of unit, name, reason, path)."""
    stmt = select(Submission).where(
        Submission.received_date == report_date, Submission.outcome == "quarantined"
    )
    if units is not None:
        stmt = stmt.where(Submission.unit.in_(units))
    with session_scope(settings.database_url) as session:
        subs = session.execute(stmt.order_by(Submission.unit, Submission.id)).scalars().all()
        files = [
            QuarantinedFile(s.unit, s.file_name, _reason_zh(s.reason), relative(settings, s.stored_path))
            for s in subs
        ]
    seen = {(f.unit, f.name) for f in files}
    for e in extra or []:
        if (e["unit"], e["name"]) not in seen:
            seen.add((e["unit"], e["name"]))
            files.append(
                QuarantinedFile(
                    e["unit"], e["name"], _reason_zh(e.get("reason")), relative(settings, e.get("path"))
                )
            )
    return files


def quarantine_digest(
    settings: Settings, report_date: dt.date, units: list[str] | None = None, extra: list[dict] | None = None
) -> Digest | None:
    files = quarantined_files(settings, report_date, units, extra)
    if not files:
        return None
    by_unit: dict[str, dict[str, int]] = defaultdict(dict)
    for f in files:
        by_unit[f.unit][f.name] = by_unit[f.unit].get(f.name, 0) + 1
    day = report_date.isoformat()
    names = "、".join(unit_name(u) for u in list(by_unit)[:3]) + (
        f"等 {len(by_unit)} 个单位" if len(by_unit) > 3 else ""
    )
    subject = f"【双公示】{day} 文件无法读取已隔离：{names} 共 {len(files)} 个文件"
    head = [f"原因：{len(files)} 个报送文件无法读取，已移入隔离区，其中的数据未收取、未校验、未推送。"]
    ordered = sorted(files, key=lambda f: (f.unit, f.name))
    which = "该" if len(by_unit) == 1 else "上列"
    links = portal_links(settings)
    if links is not None:  # one link to the day's quarantine page, first: it survives any trimming
        page = links.quarantine(report_date)
        head[0] += f"隔离文件及原因（门户，需登录）：{page}"
        items = [f"· {unit_name(f.unit)}：{f.name}——{f.reason}" for f in ordered]
        rest = "· 另有 {n} 个文件，见上面的门户链接"
        tail = [
            f"下一步：请通知{which}单位按原因改正（如另存为 .xlsx 或 UTF-8 编码的 .csv），"
            f"在门户重新上传，下次运行自动收取。"
        ]
    else:
        items = [
            f"· {unit_name(f.unit)}：{f.name}——{f.reason}；文件及说明在 {f.path or 'quarantine/'}"
            for f in ordered
        ]
        rest = f"· 另有 {{n}} 个文件，见 quarantine/<单位代码>/{day}/"
        folder = inbox_folder(next(iter(by_unit))) if len(by_unit) == 1 else "inbox/<单位代码>/"
        tail = [
            f"下一步：请通知{which}单位按原因改正（如另存为 .xlsx 或 UTF-8 编码的 .csv），"
            f"重新放入本单位文件夹 {folder}，下次运行自动收取。"
        ]
    return Digest(
        "quarantine", report_date, subject, _fit(head, items, rest, tail, subject), len(files), dict(by_unit)
    )
