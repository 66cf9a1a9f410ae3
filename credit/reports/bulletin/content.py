"""What the bulletin says: a `Bulletin` built once from the month's numbers and the office's settings, then
rendered as docx and pdf (which therefore say the same thing).

The outline follows published 双公示 通报: 总体情况 (行政许可 and 行政处罚 apart, 纠正, trend) → 其他信用信息归集情况
(the datasets outside the 三清零 judgement: totals per category, and a table by unit and category — in the body
when it is short, else as an 附件) → 重点工作任务落实情况 (the plan's duties due in the month: on time, late,
missing, as of the issue date; the units as an 附件 when long) → 表扬 (units at 三清零) → 通报 (units past the thresholds, with their numbers;
the others short of 三清零 by name; 疑似漏报) → 整改要求 with a date → contact → 附件说明 → 署名 and date → 附件 → 版记.
Totals, ranking and 三清零 cover `MonthSummary.counted` (CREDIT_THREE_ZERO_DATASETS; default 双公示)."""

from __future__ import annotations

import datetime as dt

from credit.counters import COUNT_LABELS, RATE_FIELDS, RATE_LABELS
from credit.reports.bulletin.document import Annex, Bulletin, Figure, Heading, Para, Table
from credit.reports.bulletin.duties import HEADING, DutySection
from credit.reports.bulletin.layout import cn_number
from credit.reports.bulletin.numbers import MonthSummary, UnitLine, month_bounds
from credit.reports.bulletin.others import other_section, other_tables
from credit.settings import BulletinSettings
from credit.standard import DATASET_NAMES, datasets
from credit.stats import Counts, cn_date, pct
from credit.stats.report import scope_label
from credit.workdays import CalendarGap, WorkCalendar

PLAN = "《2023年雷州市社会信用体系建设工作方案》（雷发改函〔2023〕158号）"
OTHER_INLINE_ROWS = 12  # a longer 其他信用信息 table goes to an 附件 (the body stays a few pages)


def title_parts(month: str) -> list[str]:
    first, _ = month_bounds(month)
    return ["雷州市", f"{first.year}年{first.month}月", "“双公示”", "数据归集", "情况通报"]


def title_of(month: str) -> str:
    return "".join(title_parts(month))


def file_stem(month: str) -> str:
    # Chinese quotes, not ASCII ": the units' offices open these files on Windows, which forbids '"'.
    return title_of(month)


def _calendar_day(calendar: WorkCalendar | None, day: dt.date) -> bool:
    try:
        return (calendar or WorkCalendar()).is_workday(day)
    except CalendarGap:
        return day.weekday() < 5


def default_issue_date(month: str, calendar: WorkCalendar | None = None) -> dt.date:
    """The first working day of the following month (weekdays if that year's calendar is unknown)."""
    _, last = month_bounds(month)
    day = last + dt.timedelta(days=1)
    while not _calendar_day(calendar, day):
        day += dt.timedelta(days=1)
    return day


def fix_due_date(month: str, issued: dt.date, nth: int, calendar: WorkCalendar | None = None) -> dt.date:
    """整改 due: the nth working day of the month after the bulletin's month, or, if the bulletin is issued
    on or after that day, the nth working day after its issue."""
    _, last = month_bounds(month)
    day, count = last, 0
    while count < nth:
        day += dt.timedelta(days=1)
        count += _calendar_day(calendar, day)
    if day > issued:
        return day
    day, count = issued, 0
    while count < nth:
        day += dt.timedelta(days=1)
        count += _calendar_day(calendar, day)
    return day


def _md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def _names(units: list[UnitLine]) -> str:
    return "、".join(u.name for u in units)


def past_thresholds(u: UnitLine, s: BulletinSettings) -> list[str]:
    """Why a unit is named (empty: not named): each threshold it is past, with its numbers."""
    c = u.counts
    why = []
    if c.missing > s.missing_over:
        why.append(f"漏报{c.missing}条（漏报率{pct(c.missing_rate)}）")
    if c.late_rate is not None and c.late_rate > s.late_rate_over:
        why.append(f"迟报{c.late}条（迟报率{pct(c.late_rate)}）")
    if c.error_rate is not None and c.error_rate > s.error_rate_over:
        why.append(f"错误{c.invalid}条（错误率{pct(c.error_rate)}）")
    return why


def _threshold_text(s: BulletinSettings) -> str:
    missing = "存在漏报" if s.missing_over == 0 else f"漏报超过{s.missing_over}条"
    return f"迟报率超过{pct(s.late_rate_over, 0)}、错误率超过{pct(s.error_rate_over, 0)}或{missing}"


def _dataset_sentence(label: str, c: Counts) -> str:
    if c.received + c.missing == 0:
        return f"本月无新增{label}数据，亦无漏报。"
    return (
        f"新增{c.received}条，其中错误{c.invalid}条、迟报{c.late}条，漏报{c.missing}条；"
        f"错误率{pct(c.error_rate)}，迟报率{pct(c.late_rate)}，漏报率{pct(c.missing_rate)}，"
        f"达标率{pct(c.compliance_rate)}，及时率{pct(c.timely_rate)}。"
    )


def _trend_sentence(summary: MonthSummary) -> str | None:
    if len(summary.trend) < 2:
        return None
    (prev_month, prev), (_, now) = summary.trend[-2], summary.trend[-1]
    pm = int(prev_month[5:])
    parts = []
    diff = now.received - prev.received
    parts.append(f"新增数据{'增加' if diff >= 0 else '减少'}{abs(diff)}条")
    for label, attr in (("达标率", "compliance_rate"), ("及时率", "timely_rate"), ("错误率", "error_rate")):
        a, b = getattr(prev, attr), getattr(now, attr)
        if a is None or b is None:
            continue
        if abs(b - a) < 5e-5:
            parts.append(f"{label}持平")
        else:
            parts.append(f"{label}{'上升' if b > a else '下降'}{abs(b - a) * 100:.2f}个百分点")
    return f"与{pm}月相比，" + "，".join(parts) + "。"


def _revision_sentence(summary: MonthSummary) -> str:
    restated = {d: r for d, r in summary.revisions.items() if r > 1}
    if not restated:
        return "本通报数据取自本月各日日统计（均为首次统计结果）。"
    days = "、".join(f"{_md(d)}（第{r}版）" for d, r in restated.items())
    return f"本通报数据取自本月各日日统计，其中{days}的日统计经重述，采用重述后的版本，其余为首次统计结果。"


def _gap_item(u: UnitLine, dataset: str, listed: list[str], total: int) -> str:
    label = DATASET_NAMES.get(dataset, dataset)
    if total <= 3 and len(listed) == total:
        return f"{u.name}{label}{total}个（{'、'.join(listed)}）"
    shown = "、".join(listed[:2])
    return f"{u.name}{label}{total}个（{shown}等{total}个）" if shown else f"{u.name}{label}{total}个"


# The month's table: the counters of what units delivered (the platform's are the daily statistics'), then every
# rate; labels and order from their one definition (credit.counters).
TABLE_COUNTS = ("received", "invalid", "late", "missing", "corrections")


def unit_table(summary: MonthSummary) -> Table:
    headers = [
        "排名",
        "单位",
        *(COUNT_LABELS[f] for f in TABLE_COUNTS),
        *(RATE_LABELS[r] for r in RATE_FIELDS),
        "三清零",
    ]

    def row(rank: str, name: str, c: Counts) -> list[str]:
        return [rank, name, *(str(getattr(c, f)) for f in TABLE_COUNTS),
                *(pct(getattr(c, r), 1) for r in RATE_FIELDS), "是" if c.three_zero else "否"]  # fmt: skip

    rows, alerts = [], set()
    units = summary.reporting + [u for u in summary.units if not u.reporting]
    units.sort(key=lambda u: (u.rank is None, u.rank or 0))
    for i, u in enumerate(units):
        rows.append(row(str(u.rank) if u.rank is not None else "—", u.name, u.counts))
        if not u.counts.three_zero:
            alerts.add(i)
    rows.append(row("", "全市合计", summary.total))
    numeric = [False, False] + [True] * (len(TABLE_COUNTS) + len(RATE_FIELDS)) + [False]
    return Table(headers, rows, numeric, alerts, {len(rows) - 1})


def gap_rows(summary: MonthSummary) -> list[list[str]]:
    """序号, 单位, 类别, 文书号 (one per row), 核实结果 (blank for the unit); a cut list ends with a row
    saying how many more there are."""
    rows, n = [], 0
    for u in summary.units:
        for dataset, (listed, total) in u.gaps.items():
            label = DATASET_NAMES.get(dataset, dataset)
            for number in listed:
                n += 1
                rows.append([str(n), u.name, label, number, ""])
            if total > len(listed):
                rows.append(["", u.name, label, f"以上列出{len(listed)}个，共{total}个", ""])
    return rows


def compose(
    summary: MonthSummary,
    settings: BulletinSettings,
    issued: dt.date,
    fix_due: dt.date,
    figures: dict[str, Figure],
    duties: DutySection | None = None,
) -> Bulletin:
    first, _ = month_bounds(summary.month)
    year, mon = first.year, first.month
    t = summary.total
    n = summary.deadline_workdays or 3
    reporting = summary.reporting
    active = [u for u in reporting if u.has_data]
    praised = [u for u in reporting if u.counts.three_zero and u.counts.received > 0]
    idle = [u for u in reporting if not u.has_data]
    named = [(u, why) for u in summary.units if (why := past_thresholds(u, settings))]
    named_codes = {u.code for u, _ in named}
    other_short = [u for u in summary.short if u.code not in named_codes]
    gap_units = [u for u in summary.units if u.gaps]
    gap_total = sum(u.gap_total for u in gap_units)
    gaps_in_xlsx = gap_total > settings.gaps_inline_max
    three_zero = sum(1 for u in reporting if u.counts.three_zero)
    scope = scope_label(summary.counted)
    same_n = len(set(summary.deadlines.values())) <= 1
    late_rule = f"超过{n}个工作日报送" if same_n else "超过各类信息的报送时限"
    section = iter(range(1, 100))

    def h1(title: str) -> Heading:
        return Heading(f"{cn_number(next(section))}、{title}", 1)

    has_others = any(d not in summary.counted for d in datasets())
    others = summary.other_by_dataset
    also = "及其他信用信息" if others else ""
    body: list = [
        Para(
            f"根据{PLAN}关于“双公示”信息归集“日统计、月通报”的工作要求，现将{year}年{mon}月全市行政许可和"
            f"行政处罚“双公示”数据{also}归集情况通报如下："
        ),
        h1("总体情况"),
        Para(
            f"{year}年{mon}月（{_md(summary.first)}至{_md(summary.last)}，统计{len(summary.days)}个工作日），"
            f"全市{len(reporting)}个“双公示”职能单位中{len(active)}个单位有数据报送或漏报，共新增报送{scope}数据"
            f"{t.received}条，其中错误{t.invalid}条、迟报{t.late}条（{late_rule}），漏报{t.missing}条；"
            f"全市达标率{pct(t.compliance_rate)}，及时率{pct(t.timely_rate)}。向“信用湛江”平台推送{t.pushed}条，"
            f"平台接收{t.accepted}条，退回{t.rejected}条。{three_zero}个单位实现迟报率、漏报率、错误率"
            f"“三清零”，{len(reporting) - three_zero}个单位未实现。{_revision_sentence(summary)}"
        ),
    ]
    sub = 0
    for dataset, c in summary.counted_by_dataset.items():
        label = DATASET_NAMES.get(dataset, dataset)
        body.append(Para(_dataset_sentence(label, c), lead=f"（{cn_number(sub + 1)}）{label}。"))
        sub += 1
    body.append(
        Para(
            f"本月首次报送即有错误的数据{summary.invalid_first}条，截至{_md(summary.last)}已更正并通过校验"
            f"{summary.corrected}条，纠正率{pct(summary.fix_rate)}（纠正率＝已纠正的错误数据条数÷首次报送即有错误"
            f"的数据条数）；全月共收到纠正报送{t.corrections}次。",
            lead=f"（{cn_number(sub + 1)}）数据纠正。",
        )
    )
    sub += 1
    trend = _trend_sentence(summary)
    if trend and "trend" in figures:
        body.append(
            Para(
                trend + f"近{len(summary.trend)}个月情况见图1。", lead=f"（{cn_number(sub + 1)}）与往月对比。"
            )
        )
        body.append(figures["trend"])
    else:
        body.append(
            Para(
                "本月为首个有统计数据的月份，暂无往月数据可比。", lead=f"（{cn_number(sub + 1)}）与往月对比。"
            )
        )

    # 其他信用信息: its table in the body when short, else as the 附件 after the unit table and the 疑似漏报 list.
    tables = other_tables(summary) if others else []
    long = len(tables) > 1 or sum(len(t.rows) for t in tables) > OTHER_INLINE_ROWS + 1
    other_annex = f"附件{2 + bool(gap_units)}" if long else None
    if has_others:
        body.append(h1("其他信用信息归集情况"))
        body += other_section(summary, other_annex)

    # 重点工作任务落实情况 (credit.duties): what was found, before praise and criticism; its list of units as the
    # last 附件 when long.
    duty_annex = f"附件{2 + bool(gap_units) + bool(other_annex)}" if duties and duties.long else None
    body += [h1(HEADING), *duties.blocks(duty_annex)] if duties else []

    body.append(h1("表扬"))
    if praised:
        text = (
            f"{_names(praised)}等{len(praised)}个单位本月数据报送及时、准确、完整，实现迟报率、漏报率、错误率"
            f"“三清零”，予以通报表扬。"
        )
    else:
        text = "本月没有单位在有数据报送的同时实现迟报率、漏报率、错误率“三清零”。"
    if idle:
        text += f"另有{len(idle)}个单位本月无新增数据、无漏报。"
    body.append(Para(text))

    body.append(h1("存在问题"))
    body.append(Heading("（一）通报点名的单位", 2))
    if named:
        body.append(Para(f"以下{len(named)}个单位本月{_threshold_text(settings)}，予以通报："))
        for i, (u, why) in enumerate(named, start=1):
            body.append(Para(f"{i}. {u.name}：新增{u.counts.received}条，" + "，".join(why) + "。"))
    else:
        body.append(Para(f"本月没有单位{_threshold_text(settings)}。"))
    if other_short:
        body.append(
            Para(
                f"此外，{_names(other_short)}等{len(other_short)}个单位未实现“三清零”（未达通报标准），"
                f"具体数据见附件1。"
            )
        )
    body.append(Heading("（二）疑似漏报", 2))
    if gap_units:
        items = "；".join(
            _gap_item(u, d, listed, total) for u in gap_units for d, (listed, total) in u.gaps.items()
        )
        body.append(
            Para(
                f"经比对各单位已报送数据和部门决定清单，{len(gap_units)}个单位共{gap_total}个决定文书号不连续、"
                f"既未报送也不在部门决定清单中，疑似漏报（未计入漏报数）：{items}。完整清单见附件2，请相关单位"
                f"逐一核实。"
            )
        )
    else:
        body.append(Para("本月未发现决定文书号不连续（疑似漏报）的情况。"))

    body.append(h1("整改要求"))
    body += [
        Para(
            f"各单位要严格按照“应归尽归、应示尽示”的原则，在作出行政许可、行政处罚决定之日起{n}个工作日内报送"
            f"“双公示”信息，杜绝迟报、漏报。",
            lead="（一）严格落实报送时限。",
        ),
        Para(
            f"被通报单位和未实现“三清零”的单位要查明原因，明确专人负责，于{cn_date(fix_due)}前完成整改，"
            f"并将整改情况（含疑似漏报核实结果）书面报送{settings.issuer}。",
            lead="（二）限期整改。",
        ),
        Para(
            "各单位要及时核对反馈的错误数据清单，逐条更正后重新报送；对疑似漏报的文书号逐一核实，确属漏报的立即"
            "补报，属文号作废、跳号等情况的书面说明。",
            lead="（三）核对反馈清单。",
        ),
    ]
    contact = f"联系人：{settings.contact_name}"
    if settings.contact_phone:
        contact += f"，联系电话：{settings.contact_phone}"
    if settings.contact_email:
        contact += f"，电子邮箱：{settings.contact_email}"
    body.append(Para(contact + "。"))

    annexes = [
        Annex("附件1", [f"{year}年{mon}月", f"各单位{scope}", "数据归集情况表"], [unit_table(summary)])
    ]
    if "units" in figures:
        annexes[0].blocks.append(figures["units"])
    names = [annexes[0].title]
    xlsx_annex = None
    if gap_units:
        gap_parts = [f"{year}年{mon}月", "疑似漏报", "决定文书号", "核实清单"]
        gap_title = "".join(gap_parts)
        if gaps_in_xlsx:
            xlsx_annex = gap_title
            names.append(f"{gap_title}（电子表格，随文印发）")
        else:
            rows = gap_rows(summary)
            annexes.append(
                Annex("附件2", gap_parts, [Table(["序号", "单位", "类别", "疑似漏报文书号", "核实结果"], rows,
                                                 [True, False, False, False, False])])
            )  # fmt: skip
            names.append(gap_title)
    if other_annex:
        parts = [f"{year}年{mon}月", "各单位其他信用信息", "归集情况表"]
        annexes.append(Annex(other_annex, parts, other_tables(summary)))
        names.append("".join(parts))
    annexes += [duties.annex(duty_annex)] if duty_annex else []
    names += [annexes[-1].title] if duty_annex else []
    return Bulletin(
        month=summary.month,
        mark=settings.mark_text,
        doc_no=f"{settings.doc_prefix}〔{issued.year}〕{settings.doc_number or '　　'}号",
        title_parts=title_parts(summary.month),
        addressee=settings.addressee + "：",
        body=body,
        attachment_names=names,
        issuer=settings.issuer,
        issued=issued,
        note=settings.note,
        annexes=annexes,
        cc=settings.cc,
        printer=settings.printer,
        xlsx_annex=xlsx_annex,
    )
