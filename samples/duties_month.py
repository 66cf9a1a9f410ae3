"""A month of evidence deliveries of the plan's duties, for tests and the demo (the format:
docs/contracts.md "Evidence of the plan's duties").

`generate_duties_month(month, root, seed)` takes the obligations falling due in `month`
(credit.duties.obligations.due_in_month) and decides, seeded, each one's fate in fixed shares (`SHARES`,
at least one of each): delivered on time (on one of the last working days up to its due date), late (1 to
4 working days after it) or missing (nothing arrives). Exactly one on-time delivery names an unsafe
attachment (a PDF that runs JavaScript at opening): its row is refused, so the obligation stays undelivered.

For each unit and delivery day it writes one evidence workbook (one sheet per duty delivered that day, the
spec's headers in row 1, 所属期间 filled) and its attachments (PDF, PNG, JPEG, DOCX from
samples.evidence_files) under `root/<YYYY-MM-DD>/<unit>/`; the unsafe delivery gets a workbook of its own so
that it spoils no other sheet. `deliver(generated, day, inbox)` copies one day's files into
`inbox/<unit>/`, as the units would drop them before that day's run.

The manifest (also `root/manifest.json`) says, per obligation, its fate, the status the system should give
it once everything has arrived (`expected`, on `as_of`: credit.duties.status), the delivery day and the
files, so that a test can hold the system's verdicts against it. Everything is synthetic: the companies and
codes come from samples.generator's pools."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.styles import Font

from credit.datasets import catalogue
from credit.duties.obligations import Obligation, due_in_month, periods
from credit.duties.plan import Plan, plan_for
from credit.duties.rules import Duty, load_duties
from credit.duties.status import status
from credit.units import all_units
from credit.workdays import WorkCalendar
from samples import evidence_files
from samples.generator.ids import uscc
from samples.generator.pools import company_name

SHARES = {
    "on_time": 0.7,
    "late": 0.15,
    "missing": 0.15,
}  # of the month's obligations; the unsafe one is on time
# What each attachment named in duties.csv is delivered as (a photo set as one JPEG and one PNG).
ATTACHMENT_KINDS = {"活动方案": ("docx",), "图文照片": ("jpg", "png"), "文字总结": ("pdf",)}
LINK = "https://leizhou.example/xyxc/{n}.html"  # RFC 2606: never a real page
PLATFORMS = ("雷州市人民政府门户网站", "“信用雷州”微信公众号", "雷州发布", "湛江日报")
MEASURES = ("限制参与政府采购", "限制享受财政补贴", "列为重点监管对象", "限制高消费", "暂停审批新项目")
PLACES = ("镇政府会议室", "文化广场", "农贸市场", "社区服务中心", "中心小学")
FORMS = ("现场宣讲", "发放宣传资料", "专题讲座", "有奖问答", "线上推送")


def headers(duty: Duty) -> list[str]:
    """The evidence sheet's headers, as its dataset folder gives them: the duty's own columns, then 附件 where
    it asks for attachments, then 所属期间."""
    return [f.header for f in catalogue().evidence[duty.dataset].fields]


def _own_columns(duty: Duty) -> int:
    """How many of the headers the rows of `_rows` fill (附件 and 所属期间 are the caller's)."""
    return len(headers(duty)) - (1 if duty.attachments else 0) - 1


@dataclass
class DutiesMonth:
    month: str
    root: Path
    manifest: dict
    days: dict[dt.date, list[tuple[str, Path]]]  # delivery day -> (unit, file), attachments before workbooks


def _period_written(label: str, rnd: random.Random) -> str:
    """所属期间 as units write it: mostly YYYY-MM / YYYY-Qn, sometimes 2026年9月 / 2026年第3季度."""
    if rnd.random() < 0.8:
        return label
    year, _, rest = label.partition("-")
    return f"{year}年第{rest[1]}季度" if rest.startswith("Q") else f"{year}年{int(rest)}月"


def _period_end(duty: Duty, label: str) -> dt.date:
    year = int(label[:4])
    return next(p.end for p in periods(duty.cadence, year) if p.label == label)


def _in_period(rnd: random.Random, duty: Duty, label: str) -> dt.date:
    end = _period_end(duty, label)
    start = next(p.start for p in periods(duty.cadence, int(label[:4])) if p.label == label)
    return start + dt.timedelta(days=rnd.randrange((end - start).days + 1))


def _rows(rnd: random.Random, duty: Duty, o: Obligation, delivered: dt.date) -> list[list]:
    """The sheet's rows for one obligation delivered on `delivered` (附件 and 所属期间 added by the caller)."""
    unit = all_units()[o.unit]
    day = _in_period(rnd, duty, o.period)
    link = LINK.format(n=rnd.randrange(10_000, 99_999))
    zero = ["零报告"] + [None] * (_own_columns(duty) - 1)
    kind = duty.dataset
    if kind == "dutycases":
        if rnd.random() < 0.4:
            return [zero]
        rows = []
        for _ in range(rnd.randint(1, 2)):
            company = company_name(rnd, "91")
            measure = rnd.choice(MEASURES)
            rows.append(
                [
                    f"{company}失信惩戒案例",
                    company,
                    uscc(rnd, "91"),
                    measure,
                    "《关于对失信主体实施联合惩戒的合作备忘录》",
                    day,
                    link,
                ]
            )
        return rows
    if kind == "dutychecks":
        if rnd.random() < 0.6:
            return [zero]
        company = company_name(rnd, "91")
        return [
            [
                _period_written(o.period, rnd),
                "违背市场准入负面清单情况",
                1,
                f"{company}违规经营案",
                company,
                uscc(rnd, "91"),
                "未取得许可从事禁止准入事项",
                "已责令整改并移送处理",
            ]
        ]
    if kind == "dutylinks":
        return [
            [
                f"{unit.short_name}开展诚信宣传（{o.period}）第{i + 1}期",
                _in_period(rnd, duty, o.period),
                rnd.choice(PLATFORMS),
                LINK.format(n=rnd.randrange(10_000, 99_999)),
            ]
            for i in range(rnd.randint(1, 3))
        ]
    if kind == "dutyactivity":
        return [
            [
                f"{unit.short_name}“诚信建设万里行”宣传活动",
                day,
                f"{unit.short_name}{rnd.choice(PLACES)}",
                rnd.randint(20, 300),
                rnd.choice(FORMS),
                link,
            ]
        ]
    if kind == "dutybulletin":
        year, month = o.period.split("-")
        return [
            [
                f"关于{year}年{int(month)}月“双公示”数据归集情况的通报",
                delivered,
                f"{year}年{int(month)}月",
                link,
            ]
        ]
    raise ValueError(f"no evidence sheet for duty {duty.id!r}")


def _attachments(duty: Duty, o: Obligation) -> list[tuple[str, str]]:
    """(file name, kind) of every attachment the duty asks for: `2026-09_信用宣传活动报告_图文照片1.jpg` (quotation marks left out)."""
    files = []
    for name in duty.attachments:
        kinds = ATTACHMENT_KINDS.get(name, ("pdf",))
        for i, kind in enumerate(kinds, start=1):
            number = str(i) if len(kinds) > 1 else ""
            files.append((f"{o.period}_{_plain(duty.name)}_{name}{number}.{kind}", kind))
    return files


def _plain(name: str) -> str:
    """A duty's name as part of a file name: without quotation marks (“双公示”月通报 → 双公示月通报)."""
    return re.sub("[“”‘’\"']", "", name)


def _attachment_bytes(kind: str, o: Obligation, name: str, unsafe: bool) -> bytes:
    if unsafe:
        return evidence_files.unsafe_pdf(f"{o.unit} {o.duty} {o.period}")
    if kind == "pdf":
        return evidence_files.pdf(f"Leizhou credit evidence: {o.unit} {o.duty} {o.period}")
    if kind == "png":
        return evidence_files.png()
    if kind == "jpg":
        return evidence_files.jpeg()
    return evidence_files.docx(
        [f"{all_units()[o.unit].name} {name.rsplit('.', 1)[0]}", f"所属期间：{o.period}"]
    )


def _write_workbook(path: Path, sheets: list[tuple[Duty, list[list]]]) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for duty, rows in sheets:
        ws = wb.create_sheet(duty.name[:31])
        ws.append(headers(duty))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _fates(n: int, shares: dict[str, float], rnd: random.Random) -> list[str]:
    """n fates in the given shares, at least one of each (n >= len(shares) + 1: one on time turns unsafe)."""
    if n < len(shares) + 1:
        raise ValueError(f"{n} obligations are too few for one of each fate and an unsafe delivery")
    counts = {fate: max(1, round(n * share)) for fate, share in shares.items()}
    counts["on_time"] = n - counts["late"] - counts["missing"]
    if counts["on_time"] < 2:
        raise ValueError(f"shares {shares} leave no room for an on-time and an unsafe delivery among {n}")
    fates = [fate for fate, k in counts.items() for _ in range(k)]
    rnd.shuffle(fates)
    return fates


def _delivery_day(
    o: Obligation, duty: Duty, fate: str, rnd: random.Random, calendar: WorkCalendar
) -> dt.date:
    if fate == "late":
        return calendar.add_workdays(o.due, rnd.randint(1, 4))
    # On time: one of the last four working days up to the due date, after the period has ended.
    end = _period_end(duty, o.period)
    days = [o.due]
    while len(days) < 4:
        earlier = days[-1] - dt.timedelta(days=1)
        while not calendar.is_workday(earlier):
            earlier -= dt.timedelta(days=1)
        if earlier <= end:
            break
        days.append(earlier)
    return rnd.choice(days)


class _Delivery(NamedTuple):
    obligation: Obligation
    duty: Duty
    day: dt.date
    rows: list[list]  # the sheet's rows, 附件 and 所属期间 included
    attached: list[tuple[str, str]]  # (file name, kind)
    unsafe: str | None  # the unsafe attachment's file name
    entry: dict  # its manifest entry


def _entry(o: Obligation, duty: Duty, fate: str) -> dict:
    return {
        "unit": o.unit,
        "task": o.task,
        "duty": o.duty,
        "dataset": duty.dataset,
        "period": o.period,
        "due": o.due.isoformat(),
        "fate": fate,
        "day": None,
        "workbook": None,
        "sheet": None,
        "attachments": [],
        "unsafe": None,
    }


def _delivery(
    o: Obligation, duty: Duty, entry: dict, rnd: random.Random, calendar: WorkCalendar
) -> _Delivery:
    day = _delivery_day(o, duty, entry["fate"], rnd, calendar)
    attached = _attachments(duty, o)
    unsafe = None
    if entry["fate"] == "unsafe":
        unsafe = next(name for name, kind in attached if kind == "pdf")
    names = ["；".join(name for name, _ in attached)] if duty.attachments else []
    rows = _rows(rnd, duty, o, day)
    written = _period_written(o.period, rnd)
    rows = [[*row, *names, written] for row in rows]
    entry.update(day=day.isoformat(), sheet=duty.name, attachments=[n for n, _ in attached], unsafe=unsafe)
    return _Delivery(o, duty, day, rows, attached, unsafe, entry)


def _write(
    root: Path, day: dt.date, unit: str, apart: bool, items: list[_Delivery]
) -> list[tuple[str, Path]]:
    """One unit's workbook of the day and its attachments, under root/<day>/<unit>/; attachments first."""
    folder = root / day.isoformat() / unit
    folder.mkdir(parents=True, exist_ok=True)
    short = all_units()[unit].short_name
    book = folder / f"重点工作任务报送_{short}_{day:%Y%m%d}{'_补充' if apart else ''}.xlsx"
    files = []
    for item in items:
        for name, kind in item.attached:
            path = folder / name
            path.write_bytes(_attachment_bytes(kind, item.obligation, name, name == item.unsafe))
            files.append((unit, path))
        item.entry["workbook"] = book.relative_to(root).as_posix()
    _write_workbook(book, [(item.duty, item.rows) for item in items])
    return [*files, (unit, book)]


def generate_duties_month(
    month: str,
    root: Path,
    seed: int = 0,
    *,
    plan: Plan | None = None,
    calendar: WorkCalendar | None = None,
    shares: dict[str, float] | None = None,
) -> DutiesMonth:
    """Write the month's deliveries under `root/<day>/<unit>/` and return them with their manifest."""
    root = Path(root)
    calendar = calendar or WorkCalendar()
    plan = plan or plan_for(int(month[:4]))
    duties = {d.id: d for d in load_duties(plan)}
    obligations = due_in_month(duties.values(), month, calendar)
    rnd = random.Random(f"duties-month {month} {seed}")
    fates = _fates(len(obligations), shares or SHARES, rnd)
    candidates = [
        i for i, f in enumerate(fates) if f == "on_time" and duties[obligations[i].duty].attachments
    ]
    if not candidates:
        raise ValueError(f"{month}: no on-time obligation with attachments to carry the unsafe file")
    fates[rnd.choice(candidates)] = "unsafe"

    entries = [_entry(o, duties[o.duty], fate) for o, fate in zip(obligations, fates, strict=True)]
    # Per unit and day: the sheets and attachments of one workbook (the unsafe delivery in a workbook apart).
    groups: dict[tuple[dt.date, str, bool], list[_Delivery]] = {}
    for o, entry in zip(obligations, entries, strict=True):
        if entry["fate"] != "missing":
            delivery = _delivery(o, duties[o.duty], entry, rnd, calendar)
            groups.setdefault((delivery.day, o.unit, entry["fate"] == "unsafe"), []).append(delivery)
    days: dict[dt.date, list[tuple[str, Path]]] = {}
    for (day, unit, apart), items in sorted(groups.items()):
        days.setdefault(day, []).extend(_write(root, day, unit, apart, items))

    delivered = {
        (e["unit"], e["duty"], e["period"]): dt.date.fromisoformat(e["day"])
        for e in entries
        if e["fate"] in ("on_time", "late")
    }
    last = max([*days, *(o.due for o in obligations)])
    as_of = last + dt.timedelta(days=1)
    for o, entry in zip(obligations, entries, strict=True):
        entry["expected"] = status(o, as_of, delivered)
    (unsafe_entry,) = [e for e in entries if e["fate"] == "unsafe"]
    manifest = {
        "month": month,
        "seed": seed,
        "plan_year": plan.year,
        "as_of": as_of.isoformat(),
        "fates": dict(Counter(e["fate"] for e in entries)),
        "expected": dict(Counter(e["expected"] for e in entries)),
        "unsafe": {
            "unit": unsafe_entry["unit"],
            "duty": unsafe_entry["duty"],
            "period": unsafe_entry["period"],
            "file": f"{unsafe_entry['day']}/{unsafe_entry['unit']}/{unsafe_entry['unsafe']}",
        },
        "obligations": entries,
        "days": {
            day.isoformat(): [{"unit": u, "path": p.relative_to(root).as_posix()} for u, p in files]
            for day, files in sorted(days.items())
        },
    }
    (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return DutiesMonth(month, root, manifest, dict(sorted(days.items())))


def deliver(generated: DutiesMonth, day: dt.date, inbox: Path) -> list[Path]:
    """Copy the day's files into `inbox/<unit>/` (attachments first, then the workbooks); the copies."""
    copied = []
    for unit, path in generated.days.get(day, []):
        target = Path(inbox) / unit / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        copied.append(target)
    return copied
