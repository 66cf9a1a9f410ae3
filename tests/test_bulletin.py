"""月通报: totals are the sums of the month's daily statistics; the docx, PDF and charts are readable."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import warnings

import pytest

from credit.reports import charts
from credit.reports.bulletin import build_bulletin, month_summary, title_of
from credit.stats import COUNT_FIELDS, Counts
from credit.store import DailyStat, init_db, session_scope
from credit.units import reporting_units
from tests.test_stats import add_record, add_version

D = dt.date
SHORT_UNITS = ("scjgj", "wushi")  # given a late / invalid / missing record
ID_NO = "440882199001011234"


def _stat(day: D, unit: str, dataset: str, rng: random.Random, bad: bool) -> DailyStat:
    received = rng.randint(0, 4)
    invalid = rng.randint(0, received) if bad else 0
    late = rng.randint(0, received) if bad else 0
    both = rng.randint(max(0, invalid + late - received), min(invalid, late))
    missing = rng.randint(0, 1) if bad else 0
    gaps = (
        [f"雷市监罚〔2026〕{day.day + 100}号", f"雷市监罚〔{ID_NO}〕1号"]
        if bad and dataset == "xzcf"
        else None
    )
    return DailyStat(
        date=day, unit=unit, dataset=dataset, deadline_workdays=3, received=received, invalid=invalid,
        late=late, invalid_or_late=invalid + late - both, missing=missing, corrections=rng.randint(0, 1),
        pushed=received, accepted=received - invalid, rejected=0, suspected_gaps=gaps,
        suspected_gaps_total=len(gaps or []),
    )  # fmt: skip


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path}/t.db"
    init_db(url)
    rng = random.Random(7)
    days = [D(2026, 9, d) for d in (1, 2, 15, 30)] + [D(2026, 8, 3), D(2026, 10, 1)]
    with session_scope(url) as s:
        for day in days:
            for u in reporting_units():
                for dataset in ("xzxk", "xzcf"):
                    s.add(_stat(day, u.code, dataset, rng, u.code in SHORT_UNITS))
        s.add(DailyStat(date=D(2026, 9, 30), unit="scjgj_typo", dataset="xzcf", deadline_workdays=3))
        # for 纠正率: two invalid first versions in September, one corrected by a valid version
        fixed = add_record(s, "scjgj", "雷市监罚〔2026〕1号", D(2026, 9, 1), D(2026, 9, 2), "invalid")
        add_version(s, fixed, 2, D(2026, 9, 3), "valid")
        add_record(s, "scjgj", "雷市监罚〔2026〕2号", D(2026, 9, 1), D(2026, 9, 2), "invalid")
        s.add(DailyStat(date=D(2026, 9, 3), unit="scjgj", dataset="xzxk", deadline_workdays=3, missing=1))
    return url


def _expected(url, first, last) -> Counts:
    from sqlmodel import select

    with session_scope(url) as s:
        rows = s.exec(select(DailyStat).where(DailyStat.date >= first, DailyStat.date <= last)).all()
    return Counts(**{f: sum(getattr(r, f) for r in rows) for f in COUNT_FIELDS})


def test_month_totals_equal_sum_of_daily_statistics(store):
    with session_scope(store) as s:
        summary = month_summary(s, "2026-09")
    expected = _expected(store, D(2026, 9, 1), D(2026, 9, 30))
    assert summary.total == expected
    assert sum((u.counts for u in summary.units), Counts()) == expected
    assert summary.trend[-1] == ("2026-09", expected)
    assert [m for m, _ in summary.trend] == ["2026-08", "2026-09"]  # no later month in a September bulletin
    assert summary.trend[0][1] == _expected(store, D(2026, 8, 1), D(2026, 8, 31))
    assert (summary.invalid_first, summary.corrected, summary.fix_rate) == (2, 1, 0.5)
    assert {u.code for u in summary.short} == {"scjgj", "wushi"}
    ranks = [u.rank for u in summary.units if u.rank is not None]
    assert ranks == sorted(ranks) and ranks[0] == 1
    rates = [u.counts.compliance_rate for u in summary.units if u.rank is not None]
    assert rates == sorted(rates, reverse=True)


def test_bulletin_files(store, tmp_path):
    with session_scope(store) as s, warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        paths = build_bulletin(s, "2026-09", tmp_path / "out", issued=D(2026, 10, 8))
    assert paths.folder == tmp_path / "out" / "bulletins" / "2026-09"
    assert paths.docx.name == "雷州市2026年9月“双公示”数据归集情况通报.docx"

    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(str(paths.docx))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    # the title is broken by meaning into lines of one paragraph (GB/T 9704: never a lone word)
    assert (
        title_of("2026-09") in text.replace("\n", "")
        and "雷州市发展和改革局" in text
        and "2026年10月8日" in text
    )
    assert "雷发改函〔2026〕" in text
    for u in reporting_units():
        assert u.short_name in cells, u.short_name
    with session_scope(store) as s:
        summary = month_summary(s, "2026-09")
    named = text[text.index("五、存在问题") : text.index("六、整改要求")]
    for u in summary.short:  # both units past the thresholds, named with their numbers
        c = u.counts
        line = next(x for x in named.splitlines() if x.startswith(f"{u.name}：") or f". {u.name}：" in x)
        assert f"新增{c.received}条" in line and f"漏报{c.missing}条" in line, line
    # 二、其他信用信息归集情况 (none in this store: one sentence), then 四、表扬
    assert "二、其他信用信息归集情况\n本月各单位无“双公示”以外的其他信用信息报送。" in text
    praise = text[text.index("四、表扬") : text.index("五、存在问题")]
    assert "市档案局" in praise and "市市场监管局" not in praise and "乌石镇" not in praise
    assert "疑似漏报" in text and "雷市监罚〔2026〕130号" in text
    assert "纠正率50.00%" in text and "整改要求" in text and "3个工作日内" in text
    assert ID_NO not in text + cells and "440882********1234" in text  # masked (docs/standard.md §7)
    east_asia = {
        r._element.rPr.rFonts.get(qn("w:eastAsia")) for p in doc.paragraphs for r in p.runs if r.text
    }
    # the faces an office's Word has, by role (GB/T 9704-2012)
    assert east_asia <= {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"}
    assert {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"} <= east_asia

    pdf = paths.pdf.read_bytes()
    assert paths.pdf.suffix == ".pdf" and pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf)) >= 3  # several pages
    assert all(p.stat().st_size > 10_000 for p in paths.charts)
    data = json.loads(paths.json.read_text(encoding="utf-8"))
    assert data["total"]["received"] == _expected(store, D(2026, 9, 1), D(2026, 9, 30)).received


def test_charts_have_no_missing_glyphs(tmp_path):
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        charts.unit_rates_chart(
            ["市档案局", "市文化广电旅游体育局", "覃斗镇"], [1.0, 0.5, None], [1.0, 0.75, None],
            tmp_path / "u.png", "各单位达标率、及时率（按排名）",
        )  # fmt: skip
        charts.trend_chart(
            ["2026年8月", "2026年9月"], {"达标率": [0.9, None], "错误率": [0.1, 0.0]}, [10, 0],
            tmp_path / "t.png", "全市“双公示”数据归集情况月度趋势",
        )  # fmt: skip
    # and the check itself works: a glyph the font lacks raises under the same filter
    with warnings.catch_warnings(), pytest.raises(UserWarning, match=r"(?i)glyph"):
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        charts.trend_chart(["\U0001f600"], {"x": [0.5]}, [1], tmp_path / "bad.png", "\U0001f600")
