"""月通报: 《雷州市YYYY年M月"双公示"数据归集情况通报》 as .docx (for the units' offices) and .pdf.

The month's numbers are the sums of its daily statistics (`DailyStat`), so the bulletin always agrees with
the 日统计 already sent; rates are computed from those sums (stats.Counts). The text is built once as a
list of blocks and rendered twice (python-docx and fpdf2), so both files say the same thing. Nothing in it
carries an identity number (STANDARD.md §7): units, counts, rates and decision document numbers only, and
any ID-like digits in a document number are masked anyway. Every text goes into both documents through
`credit.escape.document`: taken literally (a name like `**x**` or `<img …>` is printed as it is), control and
bidirectional characters visible, ID numbers masked.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import and_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from credit import escape
from credit.reports import charts
from credit.standard import DATASET_NAMES, datasets
from credit.stats import Counts, cn_date, pct
from credit.store.models import DailyStat, Record, RecordVersion
from credit.units import all_units, reporting_units
from credit.workdays import CalendarGap, WorkCalendar

ISSUER = "雷州市发展和改革局"
ADDRESSEE = "各镇（街）人民政府（办事处），市府直属有关单位："
PLAN = "《2023年雷州市社会信用体系建设工作方案》（雷发改函〔2023〕158号）"
TREND_MONTHS = 6


@dataclass
class BulletinPaths:
    folder: Path
    docx: Path
    pdf: Path
    json: Path
    charts: list[Path] = field(default_factory=list)


@dataclass
class UnitLine:
    code: str
    name: str  # the plan's short name (市市场监管局)
    counts: Counts
    by_dataset: dict[str, Counts]
    gaps: dict[str, tuple[list[str], int]]  # dataset -> (listed, total), as of the month's last statistics
    invalid_first: int = 0
    corrected: int = 0
    rank: int | None = None  # None: nothing to rank (no record and no missing decision this month)

    @property
    def has_data(self) -> bool:
        return self.counts.received + self.counts.missing > 0


@dataclass
class MonthSummary:
    month: str
    first: dt.date
    last: dt.date
    days: list[dt.date]
    deadline_workdays: int | None
    total: Counts
    by_dataset: dict[str, Counts]
    units: list[UnitLine]  # ranking order
    trend: list[tuple[str, Counts]]  # (YYYY-MM, totals), oldest first, this month last
    invalid_first: int
    corrected: int

    @property
    def fix_rate(self) -> float | None:
        """纠正率 = records first received this month with an invalid first version that have, by the end
        of the month, a later valid version / those invalid records."""
        return self.corrected / self.invalid_first if self.invalid_first else None

    @property
    def short(self) -> list[UnitLine]:
        return [u for u in self.units if not u.counts.three_zero]

    def as_dict(self) -> dict:
        return {
            "month": self.month,
            "days": [d.isoformat() for d in self.days],
            "deadline_workdays": self.deadline_workdays,
            "total": self.total.as_dict(),
            "by_dataset": {k: v.as_dict() for k, v in self.by_dataset.items()},
            "invalid_first": self.invalid_first,
            "corrected": self.corrected,
            "fix_rate": self.fix_rate,
            "units": [
                {
                    "unit": u.code,
                    "name": u.name,
                    "rank": u.rank,
                    **u.counts.as_dict(),
                    "by_dataset": {k: v.as_dict() for k, v in u.by_dataset.items()},
                    "suspected_gaps": {k: v[0] for k, v in u.gaps.items()},
                    "invalid_first": u.invalid_first,
                    "corrected": u.corrected,
                }
                for u in self.units
            ],
            "trend": [{"month": m, **c.as_dict()} for m, c in self.trend],
        }


# --- the numbers --------------------------------------------------------------------------------------------


def _month_bounds(month: str) -> tuple[dt.date, dt.date]:
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"月份格式应为 YYYY-MM / month must be YYYY-MM: {month!r}") from None
    following = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def _shift(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _counts(stat: DailyStat) -> Counts:
    return Counts(**{f: getattr(stat, f) for f in Counts.__dataclass_fields__})


def _rank_key(u: UnitLine):
    c = u.counts
    worst = 2.0  # rates are ≤ 1; a missing rate sorts last
    return (
        -(c.compliance_rate if c.compliance_rate is not None else -1),
        -(c.timely_rate if c.timely_rate is not None else -1),
        c.error_rate if c.error_rate is not None else worst,
        c.missing_rate if c.missing_rate is not None else worst,
    )


def month_summary(session: Session, month: str) -> MonthSummary:
    """The month's totals from its DailyStat rows, ranking, corrections and the trend of earlier months."""
    first, last = _month_bounds(month)
    start = _shift(first, -(TREND_MONTHS - 1))
    stats = session.execute(
        select(DailyStat).where(DailyStat.date >= start, DailyStat.date <= last).order_by(DailyStat.date)
    ).scalars()
    by_month: dict[str, Counts] = defaultdict(Counts)
    cells: dict[tuple[str, str], Counts] = defaultdict(Counts)
    gaps: dict[tuple[str, str], tuple[dt.date, list[str]]] = {}
    days: set[dt.date] = set()
    deadline = None
    for s in stats:
        c = _counts(s)
        by_month[f"{s.date:%Y-%m}"] = by_month[f"{s.date:%Y-%m}"] + c
        if s.date < first:
            continue
        days.add(s.date)
        deadline = s.deadline_workdays
        cells[(s.unit, s.dataset)] = cells[(s.unit, s.dataset)] + c
        previous = gaps.get((s.unit, s.dataset))
        if previous is None or s.date >= previous[0]:
            gaps[(s.unit, s.dataset)] = (s.date, list(s.suspected_gaps or []))

    invalid_first, corrected = _corrections(session, first, last)
    codes = [u.code for u in reporting_units()]
    codes += sorted({unit for unit, _ in cells} - set(codes))
    registry = all_units()
    lines = []
    for code in codes:
        per = {d: cells.get((code, d), Counts()) for d in datasets()}
        total = Counts()
        for c in per.values():
            total = total + c
        unit_gaps = {
            d: ([escape.mask(g) for g in gaps[(code, d)][1]], len(gaps[(code, d)][1]))
            for d in datasets()
            if gaps.get((code, d), (None, []))[1]
        }
        lines.append(
            UnitLine(
                code=code,
                name=registry[code].short_name if code in registry else code,
                counts=total,
                by_dataset=per,
                gaps=unit_gaps,
                invalid_first=invalid_first.get(code, 0),
                corrected=corrected.get(code, 0),
            )
        )
    ranked = sorted((u for u in lines if u.has_data), key=_rank_key)
    previous_key, rank = None, 0
    for position, u in enumerate(ranked, start=1):
        key = _rank_key(u)
        if key != previous_key:
            rank, previous_key = position, key
        u.rank = rank
    ordered = ranked + [u for u in lines if not u.has_data]

    total, by_dataset = Counts(), {d: Counts() for d in datasets()}
    for (_unit, dataset), c in cells.items():
        total = total + c
        by_dataset[dataset] = by_dataset.get(dataset, Counts()) + c
    trend = [(m, by_month[m]) for m in sorted(by_month)]
    if month not in by_month:
        trend.append((month, total))
    return MonthSummary(
        month=month,
        first=first,
        last=last,
        days=sorted(days),
        deadline_workdays=deadline,
        total=total,
        by_dataset=by_dataset,
        units=ordered,
        trend=trend,
        invalid_first=sum(invalid_first.values()),
        corrected=sum(corrected.values()),
    )


def _corrections(session: Session, first: dt.date, last: dt.date) -> tuple[dict[str, int], dict[str, int]]:
    """Per unit: records first received in the month whose first version was invalid, and how many of them
    had a valid later version by the end of the month."""
    v1 = aliased(RecordVersion)
    v2 = aliased(RecordVersion)
    invalid = session.execute(
        select(Record.id, Record.unit)
        .join(v1, and_(v1.record_id == Record.id, v1.version == 1))
        .where(Record.first_received >= first, Record.first_received <= last, v1.status == "invalid")
    ).all()
    ids = {rid: unit for rid, unit in invalid}
    invalid_by_unit: dict[str, int] = defaultdict(int)
    for unit in ids.values():
        invalid_by_unit[unit] += 1
    fixed_by_unit: dict[str, int] = defaultdict(int)
    id_list = list(ids)
    for start in range(0, len(id_list), 500):
        chunk = id_list[start : start + 500]
        fixed = session.execute(
            select(v2.record_id)
            .where(v2.record_id.in_(chunk), v2.version > 1, v2.status == "valid", v2.received_date <= last)
            .distinct()
        ).scalars()
        for rid in fixed:
            fixed_by_unit[ids[rid]] += 1
    return dict(invalid_by_unit), dict(fixed_by_unit)


# --- the text -----------------------------------------------------------------------------------------------


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float]  # relative
    alert_rows: set[int] = field(default_factory=set)  # rows shown in red (short of 三清零)


Block = (
    tuple  # (kind, payload…): redhead, docno, title, addressee, heading, para, table, image, signature, note
)


def _cn_month(month: str) -> tuple[int, int]:
    first, _ = _month_bounds(month)
    return first.year, first.month


def title_of(month: str) -> str:
    year, mon = _cn_month(month)
    return f"雷州市{year}年{mon}月“双公示”数据归集情况通报"


def file_stem(month: str) -> str:
    year, mon = _cn_month(month)
    # Chinese quotes, not ASCII ": the units' offices open these files on Windows, which forbids '"'.
    return f"雷州市{year}年{mon}月“双公示”数据归集情况通报"


def default_issue_date(month: str, calendar: WorkCalendar | None = None) -> dt.date:
    """The first working day of the following month (the 1st if that year's calendar is unknown)."""
    _, last = _month_bounds(month)
    day = last + dt.timedelta(days=1)
    try:
        calendar = calendar or WorkCalendar()
        while not calendar.is_workday(day):
            day += dt.timedelta(days=1)
    except CalendarGap:
        day = last + dt.timedelta(days=1)
    return day


def _pp(delta: float) -> str:
    return f"{abs(delta) * 100:.2f}个百分点"


def _trend_sentence(summary: MonthSummary) -> str:
    if len(summary.trend) < 2:
        return "本月为首个统计月份，暂无往月数据可比。"
    (prev_month, prev), (_, now) = summary.trend[-2], summary.trend[-1]
    _, pm = _cn_month(prev_month)
    parts = []
    diff = now.received - prev.received
    parts.append(f"新增数据{'增加' if diff >= 0 else '减少'}{abs(diff)}条")
    for label, attr in (("达标率", "compliance_rate"), ("及时率", "timely_rate"), ("错误率", "error_rate")):
        a, b = getattr(prev, attr), getattr(now, attr)
        if a is None or b is None:
            continue
        if abs(b - a) < 1e-12:
            parts.append(f"{label}持平")
        else:
            parts.append(f"{label}{'上升' if b > a else '下降'}{_pp(b - a)}")
    return f"与{pm}月相比，" + "，".join(parts) + "。"


def bulletin_blocks(
    summary: MonthSummary, issued: dt.date, chart_paths: dict[str, Path] | None = None
) -> list[Block]:
    year, mon = _cn_month(summary.month)
    t = summary.total
    n = summary.deadline_workdays or 3
    reporting = [u for u in summary.units if u.code in {r.code for r in reporting_units()}]
    three_zero = sum(1 for u in reporting if u.counts.three_zero)
    blocks: list[Block] = [
        ("redhead", ISSUER),
        ("docno", f"雷发改函〔{issued.year}〕　　号"),
        ("title", title_of(summary.month)),
        ("addressee", ADDRESSEE),
        (
            "para",
            f"根据{PLAN}关于“双公示”信息归集“日统计、月通报”的工作要求，现将{year}年{mon}月全市行政许可和"
            f"行政处罚“双公示”数据归集情况通报如下：",
        ),
        ("heading", "一、总体情况"),
    ]
    split = "，".join(f"{DATASET_NAMES.get(d, d)}{c.received}条" for d, c in summary.by_dataset.items())
    blocks.append(
        (
            "para",
            f"{year}年{mon}月（统计{len(summary.days)}天，{summary.first.month}月{summary.first.day}日至"
            f"{summary.last.month}月{summary.last.day}日），全市{len(reporting)}个“双公示”职能单位共新增报送"
            f"“双公示”数据{t.received}条（{split}）；其中错误数据{t.invalid}条，迟报{t.late}条（超过"
            f"{n}个工作日报送），漏报{t.missing}条，纠正报送{t.corrections}条。全市错误率{pct(t.error_rate)}，"
            f"迟报率{pct(t.late_rate)}，漏报率{pct(t.missing_rate)}，达标率{pct(t.compliance_rate)}，"
            f"及时率{pct(t.timely_rate)}。向“信用湛江”平台推送{t.pushed}条，平台接收{t.accepted}条，"
            f"退回{t.rejected}条。{three_zero}个单位实现迟报率、漏报率、错误率“三清零”，"
            f"{len(reporting) - three_zero}个单位未实现。",
        )
    )
    blocks.append(("heading", "二、各单位报送情况及排名"))
    blocks.append(
        (
            "para",
            "各单位按达标率、及时率（同分时依次比较错误率、漏报率）排名；本月既无报送数据也无漏报的单位"
            "不参与排名，列于表末。“—”表示该比率无分母（无数据）。",
        )
    )
    headers = [
        "排名",
        "单位",
        "新增",
        "错误",
        "迟报",
        "漏报",
        "纠正",
        "错误率",
        "迟报率",
        "漏报率",
        "及时率",
        "达标率",
        "三清零",
    ]
    rows, alerts = [], set()
    for i, u in enumerate(summary.units):
        c = u.counts
        rows.append(
            [
                str(u.rank) if u.rank is not None else "—", u.name, str(c.received), str(c.invalid), str(c.late),
                str(c.missing), str(c.corrections), pct(c.error_rate, 1), pct(c.late_rate, 1),
                pct(c.missing_rate, 1), pct(c.timely_rate, 1), pct(c.compliance_rate, 1),
                "是" if c.three_zero else "否",
            ]
        )  # fmt: skip
        if not c.three_zero:
            alerts.add(i)
    rows.append(
        ["", "全市合计", str(t.received), str(t.invalid), str(t.late), str(t.missing), str(t.corrections),
         pct(t.error_rate, 1), pct(t.late_rate, 1), pct(t.missing_rate, 1), pct(t.timely_rate, 1),
         pct(t.compliance_rate, 1), "是" if t.three_zero else "否"]
    )  # fmt: skip
    widths = [0.9, 3.4] + [1.0] * 5 + [1.35] * 5 + [1.0]
    blocks.append(("table", Table(headers, rows, widths, alerts)))
    if chart_paths and "units" in chart_paths:
        blocks.append(("image", chart_paths["units"], f"图1 {year}年{mon}月各单位达标率、及时率"))

    blocks.append(("heading", "三、未实现“三清零”的单位"))
    short = [u for u in summary.short if u.code in {r.code for r in reporting_units()}] + [
        u for u in summary.short if u.code not in {r.code for r in reporting_units()}
    ]
    if short:
        names = "；".join(f"{u.name}（{u.counts.shortfall()}）" for u in short)
        blocks.append(("para", f"本月以下{len(short)}个单位未实现“三清零”：{names}。"))
    else:
        blocks.append(("para", "本月全部单位均实现迟报率、漏报率、错误率“三清零”。"))

    blocks.append(("heading", "四、疑似漏报情况"))
    gap_units = [u for u in summary.units if u.gaps]
    if gap_units:
        blocks.append(
            (
                "para",
                "经比对各单位已报送数据的决定文书号，以下文号不连续，疑似漏报（未计入漏报数），请相关单位逐一核实：",
            )
        )
        for u in gap_units:
            for dataset, (listed, total) in u.gaps.items():
                shown = listed[:30]
                more = f"等{total}个" if total > len(shown) else f"共{total}个"
                blocks.append(
                    (
                        "para",
                        f"{u.name}（{DATASET_NAMES.get(dataset, dataset)}）：{'、'.join(shown)}，{more}。",
                    )
                )
    else:
        blocks.append(("para", "本月未发现决定文书号不连续（疑似漏报）的情况。"))

    blocks.append(("heading", "五、数据纠正情况"))
    fixed_units = [u for u in summary.units if u.invalid_first]
    text = (
        f"本月首次报送即有错误的数据{summary.invalid_first}条，截至{summary.last.month}月{summary.last.day}日已更正"
        f"并通过校验{summary.corrected}条，纠正率{pct(summary.fix_rate)}（纠正率＝已纠正的错误数据条数÷错误数据"
        f"条数）；全月共收到纠正报送{t.corrections}次。"
    )
    if fixed_units:
        text += "分单位情况：" + "；".join(
            f"{u.name}错误{u.invalid_first}条、已纠正{u.corrected}条" for u in fixed_units
        ) + "。"  # fmt: skip
    blocks.append(("para", text))

    blocks.append(("heading", "六、与往月对比"))
    blocks.append(("para", _trend_sentence(summary)))
    trend_rows = []
    for m, c in summary.trend:
        y, mm = _cn_month(m)
        trend_rows.append(
            [f"{y}年{mm}月", str(c.received), pct(c.error_rate), pct(c.late_rate), pct(c.missing_rate),
             pct(c.timely_rate), pct(c.compliance_rate)]
        )  # fmt: skip
    blocks.append(
        (
            "table",
            Table(
                ["月份", "新增", "错误率", "迟报率", "漏报率", "及时率", "达标率"],
                trend_rows,
                [2.2] + [1.3] * 6,
            ),
        )
    )
    if chart_paths and "trend" in chart_paths:
        blocks.append(("image", chart_paths["trend"], "图2 全市“双公示”数据归集情况月度趋势"))

    blocks.append(("heading", "七、整改要求"))
    blocks += [
        (
            "para",
            f"（一）严格落实报送时限。各单位要严格按照“应归尽归、应示尽示”的原则，在作出行政许可、行政处罚"
            f"决定之日起{n}个工作日内报送“双公示”信息，杜绝迟报、漏报。",
        ),
        (
            "para",
            "（二）确保“三清零”。未实现“三清零”的单位要认真查找原因，明确专人负责，立即整改，确保迟报率、"
            "漏报率、错误率“三清零”，总体达标率、及时率达到100%。",
        ),
        (
            "para",
            "（三）核对反馈清单。各单位要及时核对市发展和改革局反馈的错误数据清单，逐条更正后重新报送；对疑似"
            "漏报的文书号逐一核实，确属漏报的立即补报，属文号作废、跳号等情况的请书面说明。",
        ),
        (
            "para",
            "（四）提升数据质量。各单位要严格执行政府网站信息发布三级审核制度，报送数据人员要熟悉政策、工作要求和"
            "数据规则，报送前做好自查，提升“双公示”数据报送质量。",
        ),
        ("signature", [ISSUER, cn_date(issued)]),
        ("note", "公开方式：依申请公开"),
    ]
    return blocks


# --- rendering ----------------------------------------------------------------------------------------------

BODY_FONT = "仿宋"
TITLE_FONT = "宋体"
HEADING_FONT = "黑体"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"


def _docx_font(run, east_asia: str, size: float, *, bold=False, color=None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = LATIN_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor(*color)
    rfonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:ascii"), LATIN_FONT)
    rfonts.set(qn("w:hAnsi"), LATIN_FONT)


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _page_number_footer(section) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run("— ")
    _docx_font(run, BODY_FONT, 12)
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    fld.append(inner)
    p._p.append(fld)
    run = p.add_run(" —")
    _docx_font(run, BODY_FONT, 12)


def render_docx(blocks: list[Block], path: Path) -> Path:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    _page_number_footer(section)
    usable = 21 - 2.8 - 2.6

    def paragraph(text: str, font: str, size: float, *, align=None, bold=False, color=None, indent=False):
        p = doc.add_paragraph()
        if align is not None:
            p.alignment = align
        fmt = p.paragraph_format
        fmt.line_spacing = Pt(28) if size >= 14 else None
        fmt.space_after = Pt(0)
        if indent:
            fmt.first_line_indent = Pt(size * 2)
        _docx_font(p.add_run(escape.document(text)), font, size, bold=bold, color=color)
        return p

    for block in blocks:
        kind = block[0]
        if kind == "redhead":
            p = paragraph(
                block[1], TITLE_FONT, 36, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, color=(0xC0, 0, 0)
            )
            p.paragraph_format.line_spacing = None
            p.paragraph_format.space_before = Pt(12)
        elif kind == "docno":
            p = paragraph(block[1], BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER)
            p.paragraph_format.space_before = Pt(12)
            # the red rule under the 文号
            from docx.oxml import OxmlElement

            p_pr = p._p.get_or_add_pPr()
            borders = OxmlElement("w:pBdr")
            bottom = OxmlElement("w:bottom")
            for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "6"), ("w:color", "C00000")):
                bottom.set(qn(key), value)
            borders.append(bottom)
            p_pr.append(borders)
        elif kind == "title":
            p = paragraph(block[1], TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
            p.paragraph_format.space_before = Pt(24)
            p.paragraph_format.space_after = Pt(18)
            p.paragraph_format.line_spacing = None
        elif kind == "addressee":
            paragraph(block[1], BODY_FONT, 16)
        elif kind == "heading":
            paragraph(block[1], HEADING_FONT, 16, indent=True)
        elif kind == "para":
            paragraph(block[1], BODY_FONT, 16, indent=True)
        elif kind == "note":
            p = paragraph(block[1], BODY_FONT, 14)
            p.paragraph_format.space_before = Pt(24)
        elif kind == "signature":
            doc.add_paragraph()
            for line in block[1]:
                p = paragraph(line, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT)
                p.paragraph_format.right_indent = Cm(1.5)
        elif kind == "image":
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run().add_picture(str(block[1]), width=Cm(usable - 0.5))
            paragraph(block[2], BODY_FONT, 12, align=WD_ALIGN_PARAGRAPH.CENTER)
        elif kind == "table":
            table: Table = block[1]
            grid = doc.add_table(rows=1 + len(table.rows), cols=len(table.headers))
            grid.style = "Table Grid"
            grid.alignment = WD_TABLE_ALIGNMENT.CENTER
            grid.autofit = False
            scale = usable / sum(table.widths)
            size = 8 if len(table.headers) > 8 else 10.5
            for r, values in enumerate([table.headers, *table.rows]):
                row_cells = grid.rows[r].cells  # once per row: Table.cell() rescans the whole table
                for c, value in enumerate(values):
                    cell = row_cells[c]
                    cell.width = Cm(table.widths[c] * scale)
                    p = cell.paragraphs[0]
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    color = (0xC0, 0, 0) if r > 0 and (r - 1) in table.alert_rows else None
                    _docx_font(p.add_run(escape.document(value)), TABLE_FONT, size, bold=r == 0, color=color)
                    if r == 0:
                        _shade(cell, "D9E1F2")
            for c, width in enumerate(table.widths):
                grid.columns[c].width = Cm(width * scale)
            doc.add_paragraph()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    doc.save(str(tmp))
    tmp.replace(path)
    return path


_TOKEN = re.compile(r"[A-Za-z0-9.%]+|.", re.S)
_NO_LINE_START = set("，。、；：？！）》」』”’〕】％%,.;:!?)")
_NO_LINE_END = set("（《「『“‘〔【(")


def _wrap(measure, text: str, first: float, width: float) -> list[str]:
    """Greedy line breaking for Chinese text: any character may break, Latin words and numbers stay
    whole, closing punctuation never starts a line and opening punctuation never ends one."""
    lines: list[str] = []
    line, limit = "", first
    for token in _TOKEN.findall(text):
        if line and measure(line + token) > limit and token[0] not in _NO_LINE_START:
            carry = ""
            while line and line[-1] in _NO_LINE_END:
                carry, line = line[-1] + carry, line[:-1]
            lines.append(line)
            line, limit = carry + token, width
        else:
            line += token
    if line or not lines:
        lines.append(line)
    return lines


def render_pdf(blocks: list[Block], path: Path) -> Path:
    """The same blocks as a PDF (fpdf2), in the machine's CJK font (charts.MissingCJKFont if none)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos
    from fpdf.fonts import FontFace

    font = charts.find_cjk_font()

    class _PDF(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("cjk", size=9)
            self.set_text_color(0, 0, 0)
            self.cell(0, 10, f"— {self.page_no()} —", align="C")

    pdf = _PDF(format="A4")
    pdf.add_font("cjk", "", str(font.path), collection_font_number=0)  # no bold face: sizes set headings
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(True, 20)
    pdf.set_title(next((b[1] for b in blocks if b[0] == "title"), "通报"))
    pdf.set_author(ISSUER)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def text(value: str, size: float, *, align="L", color=(0, 0, 0), indent=False, height=None):
        pdf.set_font("cjk", size=size)
        pdf.set_text_color(*color)
        value = escape.document(value)
        h = height or size * 0.55
        lead = 2 * size * 0.3528 if indent else 0.0  # first-line indent of two characters (pt -> mm)
        for i, line in enumerate(_wrap(pdf.get_string_width, value, width - lead, width)):
            pdf.set_x(pdf.l_margin + (lead if i == 0 else 0))
            pdf.cell(
                width - (lead if i == 0 else 0), h, line, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )

    for block in blocks:
        kind = block[0]
        if kind == "redhead":
            pdf.ln(4)
            text(block[1], 28, align="C", color=(192, 0, 0), height=14)
        elif kind == "docno":
            pdf.ln(4)
            text(block[1], 13, align="C")
            pdf.ln(1)
            pdf.set_draw_color(192, 0, 0)
            pdf.set_line_width(0.8)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
            pdf.set_draw_color(0, 0, 0)
            pdf.set_line_width(0.2)
            pdf.ln(6)
        elif kind == "title":
            text(block[1], 17, align="C", height=10)
            pdf.ln(4)
        elif kind == "addressee":
            text(block[1], 12, height=8)
        elif kind == "heading":
            if pdf.get_y() > pdf.h - pdf.b_margin - 30:  # keep a heading with what follows it
                pdf.add_page()
            pdf.ln(2)
            text(block[1], 13, height=8, indent=True)
        elif kind == "para":
            text(block[1], 12, height=7, indent=True)
        elif kind == "note":
            pdf.ln(6)
            text(block[1], 11, height=7)
        elif kind == "signature":
            pdf.ln(8)
            for line in block[1]:
                text(line + "　　", 12, align="R", height=8)
        elif kind == "image":
            img_w = width - 10
            pdf.image(str(block[1]), x=pdf.l_margin + 5, w=img_w)
            text(block[2], 10, align="C", height=6)
            pdf.ln(2)
        elif kind == "table":
            table: Table = block[1]
            size = 7 if len(table.headers) > 8 else 9
            pdf.set_font("cjk", size=size)
            pdf.set_text_color(0, 0, 0)
            heading = FontFace(emphasis="", fill_color=(217, 225, 242))
            red = FontFace(color=(192, 0, 0))
            with pdf.table(
                col_widths=tuple(table.widths), text_align="CENTER", line_height=size * 0.6,
                headings_style=heading, width=width,
            ) as grid:  # fmt: skip
                header = grid.row()
                for value in table.headers:
                    header.cell(escape.document(value))
                for i, values in enumerate(table.rows):
                    row = grid.row()
                    for value in values:
                        row.cell(escape.document(value), style=red if i in table.alert_rows else None)
            pdf.ln(3)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    pdf.output(str(tmp))
    tmp.replace(path)
    return path


# --- the whole bulletin -------------------------------------------------------------------------------------


def make_charts(summary: MonthSummary, folder: Path) -> dict[str, Path]:
    year, mon = _cn_month(summary.month)
    units = summary.units
    unit_chart = charts.unit_rates_chart(
        [u.name for u in units],
        [u.counts.compliance_rate for u in units],
        [u.counts.timely_rate for u in units],
        folder / "图1_各单位达标率及时率.png",
        f"{year}年{mon}月各单位“双公示”达标率、及时率（按排名）",
    )
    labels = [f"{int(m[:4])}年{int(m[5:])}月" for m, _ in summary.trend]
    trend = charts.trend_chart(
        labels,
        {
            "达标率": [c.compliance_rate for _, c in summary.trend],
            "及时率": [c.timely_rate for _, c in summary.trend],
            "错误率": [c.error_rate for _, c in summary.trend],
            "迟报率": [c.late_rate for _, c in summary.trend],
            "漏报率": [c.missing_rate for _, c in summary.trend],
        },
        [c.received for _, c in summary.trend],
        folder / "图2_月度趋势.png",
        "全市“双公示”数据归集情况月度趋势",
    )
    return {"units": unit_chart, "trend": trend}


def build_bulletin(
    session: Session,
    month: str,
    out_dir: Path,
    *,
    issued: dt.date | None = None,
    calendar: WorkCalendar | None = None,
) -> BulletinPaths:
    """Write `<out_dir>/bulletins/<yyyy-mm>/`: the .docx, the .pdf, the two chart PNGs and bulletin.json."""
    summary = month_summary(session, month)
    issued = issued or default_issue_date(month, calendar)
    folder = Path(out_dir) / "bulletins" / month
    folder.mkdir(parents=True, exist_ok=True)
    chart_paths = make_charts(summary, folder)
    blocks = bulletin_blocks(summary, issued, chart_paths)
    stem = file_stem(month)
    docx_path = render_docx(blocks, folder / f"{stem}.docx")
    pdf_path = render_pdf(blocks, folder / f"{stem}.pdf")
    json_path = folder / "bulletin.json"
    data = {"title": title_of(month), "issued": issued.isoformat(), **summary.as_dict()}
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return BulletinPaths(folder, docx_path, pdf_path, json_path, list(chart_paths.values()))
