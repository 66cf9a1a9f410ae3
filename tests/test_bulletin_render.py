"""The 月通报 as people get it: both files rendered to pages (the docx by LibreOffice, as an office PC would
print it) and checked for GB/T 9704-2012 layout: page count, faces embedded or named, red 版头, title lines,
page numbers outside, no number wrapped in a table cell, captions on their figure's page; plus what the
bulletin says for thresholds, long 疑似漏报 lists and a first month."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
import zipfile

import pytest
from openpyxl import load_workbook

from credit.reports import charts
from credit.reports.bulletin import build_bulletin, month_summary
from credit.reports.bulletin import layout as L
from credit.reports.bulletin.content import compose, title_parts
from credit.settings import BulletinSettings
from credit.store import DailyStat, init_db, session_scope
from tests.test_bulletin import store  # noqa: F401  (the fixture: a September with two short units)
from tests.test_duties_reports import september_deliveries  # three units late or missing in the plan's duties

D = dt.date
pytestmark = pytest.mark.slow
needs_tools = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("soffice", "pdftoppm", "pdftotext", "pdffonts", "pdfimages")),
    reason="LibreOffice and poppler-utils are needed to render the bulletin",
)


def _run(*args: str, cwd=None) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=180, cwd=cwd).stdout


def _pages(pdf) -> list[str]:
    """Each page's text, laid out (pdftotext -layout), pages split at form feeds."""
    return _run("pdftotext", "-layout", str(pdf), "-").split("\f")[:-1]


@pytest.fixture
def built(store, tmp_path):  # noqa: F811
    with session_scope(store) as s:
        paths = build_bulletin(s, "2026-09", tmp_path / "out", issued=D(2026, 10, 8), settings=BulletinSettings(),
                               deliveries=september_deliveries())  # fmt: skip
        summary = month_summary(s, "2026-09")
    folder = tmp_path / "lo"
    folder.mkdir()
    docx = folder / "bulletin.docx"  # an ASCII name for soffice's command line
    shutil.copy(paths.docx, docx)
    _run("soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--convert-to", "pdf",
         "--outdir", str(folder), str(docx))  # fmt: skip
    return paths, folder / "bulletin.pdf", summary


def _words(pdf, page: int) -> tuple[float, float, list[tuple[str, float, float, float]]]:
    """The page's size and its words with xMin, yMin, xMax (pdftotext -bbox), in points."""
    html = _run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-")
    size = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', html)
    words = [
        (m[4], float(m[0]), float(m[1]), float(m[2]))
        for m in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html
        )
    ]
    return float(size[1]), float(size[2]), words


def _title_lines(page: str) -> list[str]:
    lines = [x.strip().replace(" ", "") for x in page.splitlines() if x.strip()]
    title = "".join(title_parts("2026-09"))
    out, joined = [], ""
    for line in lines:
        if line and title.startswith(joined + line):
            out.append(line)
            joined += line
        elif out:
            break
    assert joined == title, (joined, lines[:10])
    return out


def _table_rows_on_one_line(pages: list[str], rows: list[list[str]]) -> None:
    """Every unit's row of 附件1 appears on one text line with all its values in order: no value wrapped."""
    text_lines = [re.sub(r"\s+", " ", x).strip() for page in pages for x in page.splitlines()]
    for row in rows:
        name = row[1]
        candidates = [x for x in text_lines if re.search(rf"(^| ){re.escape(name)}( |$)", x)]
        assert candidates, f"{name} not on a line of its own cell"
        tokens = [v.replace(" ", "") for v in row if v]
        assert any(_in_order(x.split(" "), tokens) for x in candidates), (row, candidates)


def _has_row(page: str, rows: list[list[str]]) -> bool:
    lines = [re.sub(r"\s+", " ", x).strip().split(" ") for x in page.splitlines()]
    return any(_in_order(words, [v.replace(" ", "") for v in row if v]) for words in lines for row in rows)


def _in_order(words: list[str], tokens: list[str]) -> bool:
    i = 0
    for w in words:
        if i < len(tokens) and w == tokens[i]:
            i += 1
    return i == len(tokens)


@needs_tools
def test_both_files_render_as_gbt9704_pages(built, tmp_path):
    paths, lo_pdf, summary = built
    for pdf in (paths.pdf, lo_pdf):
        pages = _pages(pdf)
        assert 6 <= len(pages) <= 12, (pdf.name, len(pages))  # 49 units, two annexes; was 27 before
        # the title broken by meaning: two lines, neither a lone word
        lines = _title_lines(pages[0])
        assert lines == L.title_lines(title_parts("2026-09")) and all(len(x) >= 6 for x in lines), lines
        # page numbers "— n —", outside: odd pages at the right, even pages at the left
        for n in (1, 2):
            width, height, words = _words(pdf, n)
            folio = [
                (x0, x1) for text, x0, y0, x1 in words if text.strip("—") == str(n) and y0 > 0.85 * height
            ]
            assert len(folio) == 1, (pdf.name, n, words[-5:])
            x0, x1 = folio[0]
            assert (x0 > width * 0.6) if n % 2 else (x1 < width * 0.4), (pdf.name, n, folio)
        # 附件1: every unit's row on one line, every value whole
        unit_rows = [r for r in _unit_rows(summary)]
        annex = [p for p in pages if "附件1" in p or "三清零" in p]
        _table_rows_on_one_line(annex, unit_rows)
        # the header row repeated on each page the table spans
        table_pages = [p for p in pages if _has_row(p, unit_rows)]
        assert len(table_pages) >= 2 and all("达标率" in p and "三清零" in p for p in table_pages)
        # captions on their figure's page
        images = _run("pdfimages", "-list", str(pdf)).splitlines()[2:]
        image_pages = {int(x.split()[0]) for x in images}
        for caption in ("图1 全市“双公示”数据归集情况月度趋势", "图2 各单位达标率、及时率"):
            on = [i + 1 for i, p in enumerate(pages) if caption.replace(" ", "") in p.replace(" ", "")]
            assert len(on) == 1 and on[0] in image_pages, (pdf.name, caption, on, image_pages)
        # the 版头 in red (发文机关标志 and rule) on page 1
        png = tmp_path / f"{pdf.stem}-p1"
        _run("pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(png))
        from PIL import Image

        with Image.open(f"{png}.png") as img:
            rgb = img.convert("RGB")
            w, h = rgb.size
            red = sum(1 for x in range(w) for y in range(h // 3)
                      if (p := rgb.getpixel((x, y)))[0] > 200 and p[1] < 80 and p[2] < 80)  # fmt: skip
            assert red > 500, red


def _unit_rows(summary) -> list[list[str]]:
    from credit.reports.bulletin.content import unit_table

    return unit_table(summary).rows


@needs_tools
def test_pdf_embeds_the_free_faces_and_docx_names_the_official_ones(built):
    paths, _, _ = built
    fonts = _run("pdffonts", str(paths.pdf)).splitlines()[2:]
    names = [x.split()[0] for x in fonts]
    assert all(x.split()[-5] == "yes" for x in fonts), fonts  # emb
    assert any("NotoSerifCJKSC" in n for n in names) and any("NotoSansCJKSC" in n for n in names), names
    assert len(names) == len(set(n.split("+")[1] for n in names)), names  # each face embedded once
    with zipfile.ZipFile(paths.docx) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        styles = z.read("word/styles.xml").decode("utf-8")
        footer_xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/footer"))
    for face in ("方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"):
        assert f'w:eastAsia="{face}"' in xml, face
    assert 'w:eastAsia="仿宋_GB2312"' in styles and 'w:sz w:val="32"' in styles  # body 3号 = 16 pt
    assert 'w:eastAsia="宋体"' in footer_xml and 'w:sz w:val="28"' in footer_xml  # 页码 4号 宋体
    assert re.search(r'<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"', xml)  # mm
    # each table's first row repeats on every page: 附件1, 附件2 and 重点工作任务落实情况's
    assert xml.count("<w:tblHeader/>") == 3
    # a figure's paragraph is kept with its caption (keepNext on the paragraph holding the drawing)
    for caption in ("图1 ", "图2 "):
        before = xml[: xml.index(caption)]
        figure_p = before[: before.rindex("<w:drawing>")]
        figure_p = figure_p[max(figure_p.rfind("<w:p>"), figure_p.rfind("<w:p ")) :]
        assert "<w:keepNext/>" in figure_p, caption


@needs_tools
def test_render_script_for_people(built, tmp_path):
    paths, _, _ = built
    out = tmp_path / "p1.png"
    printed = _run("bash", "scripts/render_bulletin_page.sh", str(paths.pdf), "1", str(out))
    assert printed.strip() == str(out) and out.stat().st_size > 20_000
    docx_png = tmp_path / "d1.png"
    printed = _run("bash", "scripts/render_bulletin_page.sh", str(paths.docx), "1", str(docx_png))
    assert printed.strip() == str(docx_png) and docx_png.stat().st_size > 20_000


# --- what the bulletin says --------------------------------------------------------------------------------


def _compose(url, settings=None, month="2026-09", tweak=None):
    settings = settings or BulletinSettings()
    with session_scope(url) as s:
        summary = month_summary(s, month)
    if tweak:
        tweak(summary)
    return summary, compose(summary, settings, D(2026, 10, 8), D(2026, 10, 22), {})


def _text(bulletin) -> str:
    return "\n".join(getattr(b, "lead", "") + getattr(b, "text", "") for b in bulletin.body)


def _named(text: str) -> list[str]:
    return re.findall(r"^\d+\. (\S+?)：", text, flags=re.M)


def test_only_units_past_the_thresholds_are_named(store):  # noqa: F811
    summary, bulletin = _compose(store)
    assert sorted(_named(_text(bulletin))) == sorted(u.name for u in summary.short)  # both have 漏报
    # late-rate threshold between the two units' rates, 漏报 and errors tolerated: only the later one named
    rates = {u.name: u.counts.late_rate for u in summary.short}
    low, high = sorted(rates.values())
    between = dataclasses.replace(
        BulletinSettings(), late_rate_over=(low + high) / 2, error_rate_over=0.99, missing_over=99
    )
    _, bulletin = _compose(store, between)
    text = _text(bulletin)
    worst = max(rates, key=rates.get)
    other = min(rates, key=rates.get)
    unit = next(u for u in summary.short if u.name == worst)
    assert _named(text) == [worst]
    assert (
        f"1. {worst}：新增{unit.counts.received}条，迟报{unit.counts.late}条（迟报率{high * 100:.2f}%）。"
        in text
    )
    assert f"此外，{other}等1个单位未实现“三清零”（未达通报标准）" in text
    # thresholds above everyone's: nobody named, the short units still listed by name
    lax = dataclasses.replace(BulletinSettings(), late_rate_over=0.99, error_rate_over=0.99, missing_over=99)
    _, bulletin = _compose(store, lax)
    text = _text(bulletin)
    assert _named(text) == [] and "本月没有单位迟报率超过99%、错误率超过99%或漏报超过99条" in text
    assert all(name in text[text.index("此外") :] for name in rates)
    assert "2026年10月22日前完成整改" in text


def test_a_cut_gap_list_says_its_true_total_and_goes_to_a_workbook(store, tmp_path):  # noqa: F811
    listed = [f"雷市监罚〔2026〕{n}号" for n in range(200, 250)]

    def cut(summary):
        unit = next(u for u in summary.units if u.code == "scjgj")
        unit.gaps = {"xzcf": (listed, 653)}

    summary, bulletin = _compose(store, tweak=cut)
    text = _text(bulletin)
    assert "市市场监管局行政处罚653个（雷市监罚〔2026〕200号、雷市监罚〔2026〕201号等653个）" in text
    assert "等50个" not in text
    assert bulletin.xlsx_annex and all(a.label != "附件2" for a in bulletin.annexes)  # long: a workbook
    from credit.reports.bulletin.annex_xlsx import write_gap_workbook

    path = write_gap_workbook(summary, bulletin.xlsx_annex, tmp_path / "a2.xlsx")
    wb = load_workbook(path)
    totals = {(r[0], r[1]): r[2] for r in wb["汇总"].iter_rows(min_row=3, values_only=True)}
    assert totals[("市市场监管局", "行政处罚")] == 653
    rows = list(wb["清单"].iter_rows(min_row=3, values_only=True))
    assert [r[3] for r in rows if r[1] == "市市场监管局"][-1] == "以上列出50个，共653个"
    assert wb["清单"].print_title_rows == "$2:$2"


def test_first_month_has_no_trend_chart_but_a_sentence(tmp_path):
    url = f"sqlite:///{tmp_path}/one.db"
    init_db(url)
    with session_scope(url) as s:
        s.add(DailyStat(date=D(2026, 9, 1), unit="scjgj", dataset="xzcf", deadline_workdays=3, received=4))
    with session_scope(url) as s:
        paths = build_bulletin(
            s, "2026-09", tmp_path / "out", issued=D(2026, 10, 8), settings=BulletinSettings()
        )
    from docx import Document

    text = "\n".join(p.text for p in Document(str(paths.docx)).paragraphs)
    assert "本月为首个有统计数据的月份，暂无往月数据可比。" in text
    assert "月度趋势" not in text and len(paths.charts) == 1 and "图1 各单位达标率、及时率" in text


def test_rate_axis_shows_the_differences():
    lower, upper = charts.rate_limits([0.78, 0.9, 1.0])  # was drawn on 0–105: 78 % and 90 % looked alike
    assert 70 <= lower <= 76 and 100 <= upper <= 100.5
    lower, upper = charts.rate_limits([0.994, 0.997], floor_pad=0.5)  # the trend's upper panel
    assert 98 <= lower < 99.4 and 99.7 < upper <= 100.5  # never a rate above 100 %
    lower, upper = charts.rate_limits([0.001, 0.003], floor_pad=0.5)  # error/late/missing rates
    assert lower == 0 and 0.3 < upper <= 1.5
    assert charts.rate_limits([None]) == (0.0, 100.0)
