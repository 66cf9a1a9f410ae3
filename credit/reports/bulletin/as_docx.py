"""The bulletin as .docx (python-docx) after GB/T 9704-2012, naming the faces an office's Word has
(方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体) for East Asian text and Times New Roman for Latin.

The page carries Word's 文档网格 (22 lines × 28 characters) and body paragraphs an exact line pitch, so Word
and LibreOffice both set 22 lines a page; tables repeat their header row and never split a row."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from credit import escape
from credit.reports.bulletin import document as D
from credit.reports.bulletin import layout as L

PITCH = Pt(L.LINE_PITCH / L.PT)  # 28.99 pt: 22 lines in 225 mm
CH = Pt(L.BODY_SIZE)
CHAR_NARROWING = L.BODY_SIZE - L.TYPE_W / L.CHARS / L.PT + 0.04  # pt: 28 characters fit a line


def _el(tag: str, **attrs) -> OxmlElement:
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), str(value))
    return el


# Child order the schema requires (Word refuses a file whose properties are out of order).
_SEQ = {
    "pPr": ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
            "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
            "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
            "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
            "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
            "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
    "rPr": ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
            "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
            "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs",
            "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs",
            "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath"),
    "tcPr": ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd", "w:noWrap",
             "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"),
    "tblPr": ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
              "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
              "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"),
    "sectPr": ("w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz",
               "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt",
               "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid",
               "w:printerSettings", "w:sectPrChange"),
}  # fmt: skip


def _put(parent, el) -> None:
    """Set child `el` of a properties element in its schema position, replacing one of the same tag."""
    seq = _SEQ[parent.tag.rsplit("}", 1)[1]]
    tag = el.tag.rsplit("}", 1)[1]
    for old in parent.findall(qn(f"w:{tag}")):
        parent.remove(old)
    parent.insert_element_before(el, *seq[seq.index(f"w:{tag}") + 1 :])


def _off_grid(p) -> None:
    """A paragraph not snapped to the 22-line grid (table cells, figures, 版记: their own line heights)."""
    _put(p._p.get_or_add_pPr(), _el("w:snapToGrid", val="0"))


def _font(run, role: str, size: float, *, color=None, bold=False) -> None:
    run.font.name = L.LATIN
    run.font.size = Pt(size)
    run.font.bold = bold
    if color:
        run.font.color.rgb = RGBColor(*color)
    rfonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:ascii"), L.LATIN)
    rfonts.set(qn("w:hAnsi"), L.LATIN)
    rfonts.set(qn("w:eastAsia"), L.OFFICIAL[role])
    rfonts.set(qn("w:hint"), "eastAsia")


class _Writer:
    def __init__(self) -> None:
        self.doc = Document()
        self._setup()

    def _setup(self) -> None:
        doc = self.doc
        normal = doc.styles["Normal"]
        normal.font.name = L.LATIN
        normal.font.size = Pt(L.BODY_SIZE)
        rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        rfonts.set(qn("w:eastAsia"), L.OFFICIAL["fs"])
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = PITCH
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.widow_control = True
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(L.PAGE_W), Mm(L.PAGE_H)
        section.top_margin, section.bottom_margin = Mm(L.TOP), Mm(L.BOTTOM)
        section.left_margin, section.right_margin = Mm(L.LEFT), Mm(L.RIGHT)
        section.footer_distance = Mm(L.BOTTOM - 7 - L.FOLIO_SIZE * L.PT * 1.3)
        section.header_distance = Mm(15)
        # 文档网格 of 22 lines (the exact pitch above sets them too); 28 characters a line come from narrowing
        # each character by 0.25 pt (16 pt type in a 156 mm line), which Word and LibreOffice both honour,
        # where a character grid (linesAndChars) is laid out differently by each.
        sect_pr = section._sectPr
        _put(sect_pr, _el("w:docGrid", type="lines", linePitch=round(L.LINE_PITCH / L.PT * 20)))
        _put(normal.element.get_or_add_rPr(), _el("w:spacing", val=str(-round(CHAR_NARROWING * 20))))
        doc.settings.odd_and_even_pages_header_footer = True
        self._folio(section.footer.paragraphs[0], odd=True)
        self._folio(section.even_page_footer.paragraphs[0], odd=False)

    def _folio(self, p, *, odd: bool) -> None:
        """页码 "— n —" in 4号 宋体, outside: odd pages right, even pages left, one character in."""
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
        inset = Pt(L.FOLIO_SIZE)
        if odd:
            fmt.right_indent = inset
        else:
            fmt.left_indent = inset
        _font(p.add_run("— "), "song", L.FOLIO_SIZE)
        run = p.add_run()
        _font(run, "song", L.FOLIO_SIZE)
        run._r.append(_el("w:fldChar", fldCharType="begin"))
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = " PAGE "
        run._r.append(instr)
        run._r.append(_el("w:fldChar", fldCharType="separate"))
        num = p.add_run("1")
        _font(num, "song", L.FOLIO_SIZE)
        end = p.add_run()
        end._r.append(_el("w:fldChar", fldCharType="end"))
        _font(p.add_run(" —"), "song", L.FOLIO_SIZE)

    # -- paragraphs ---------------------------------------------------------------------------------------
    def para(self, text: str = "", role="fs", size=L.BODY_SIZE, *, indent=2, align=None, color=None,
             lead: str = "", keep_with_next=False):  # fmt: skip
        p = self.doc.add_paragraph()
        if align is not None:
            p.alignment = align
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt = p.paragraph_format
        if indent:
            fmt.first_line_indent = Pt(L.BODY_SIZE * indent)
        fmt.keep_with_next = keep_with_next
        if lead:
            _font(p.add_run(escape.document(lead)), "kai", size, color=color)
        if text:
            _font(p.add_run(escape.document(text)), role, size, color=color)
        return p

    # -- blocks (document.write_blocks) -------------------------------------------------------------------
    def heading(self, block: D.Heading, headings_after: int) -> None:
        self.para(block.text, "hei" if block.level == 1 else "kai", keep_with_next=True)

    def paragraph(self, block: D.Para, keep_with_next: bool) -> None:
        self.para(block.text, lead=block.lead, indent=2 if block.indent else 0, keep_with_next=keep_with_next)

    def figure(self, fig: D.Figure) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt = p.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact pitch would clip the picture
        fmt.keep_with_next = True  # the caption stays with its figure
        fmt.keep_together = True
        _off_grid(p)
        p.add_run().add_picture(str(fig.path), width=Mm(fig.width_mm))
        cap = self.para(fig.caption, "fs", 14, indent=0, align=WD_ALIGN_PARAGRAPH.CENTER)
        cap.paragraph_format.keep_together = True

    def table(self, table: D.Table) -> None:
        headers = [escape.document(h) for h in table.headers]
        rows = [[escape.document(v) for v in r] for r in table.rows]
        size, widths = L.column_widths(headers, rows, groups=table.groups)
        head_rows, spans, tall = _header_rows(table, headers)
        grid = self.doc.add_table(rows=len(head_rows) + len(rows), cols=len(headers))
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid.autofit = False
        tbl_pr = grid._tbl.tblPr
        _put(tbl_pr, _el("w:tblLayout", type="fixed"))
        margins = _el("w:tblCellMar")
        pad = str(round(L.CELL_PAD / 2 / L.PT * 20))
        for side in ("top", "left", "bottom", "right"):  # the schema's order
            margins.append(_el(f"w:{side}", w="20" if side in ("top", "bottom") else pad, type="dxa"))
        _put(tbl_pr, margins)
        grid_el = grid._tbl.tblGrid
        for col, width in zip(grid_el.findall(qn("w:gridCol")), widths, strict=True):
            col.set(qn("w:w"), str(round(width / L.PT * 20)))
        head = len(head_rows)
        for r, values in enumerate([*head_rows, *rows]):
            row = grid.rows[r]
            tr_pr = row._tr.get_or_add_trPr()
            tr_pr.append(_el("w:cantSplit"))
            if r < head:
                tr_pr.append(_el("w:tblHeader"))  # repeated at the top of each page
            cells = row.cells
            for c, value in enumerate(values):
                cell = cells[c]
                cell.width = Mm(widths[c])
                tc_pr = cell._tc.get_or_add_tcPr()
                _put(tc_pr, _el("w:vAlign", val="center"))
                if r < head:
                    _put(tc_pr, _el("w:shd", val="clear", color="auto", fill="E6E6E6"))
                p = cell.paragraphs[0]
                fmt = p.paragraph_format
                fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
                fmt.first_line_indent = Pt(0)
                _off_grid(p)
                numeric = r >= head and table.numeric[c]
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.CENTER
                total = r >= head and (r - head) in table.total_rows
                role = "hei" if r < head or total else "fs"
                color = L.RED if r >= head and (r - head) in table.alert_rows and not total else None
                if value:
                    _font(p.add_run(value), role, size, color=color)
                # kept together: every row with the next (Word and LibreOffice move the table whole)
                fmt.keep_with_next = r < head or (table.keep_together and r < head + len(rows) - 1)
        # the group row: a label over the columns it spans, a single column's label over both header rows
        for first, span in spans:
            grid.cell(0, first).merge(grid.cell(0, first + span - 1))
        for col in tall:
            grid.cell(0, col).merge(grid.cell(1, col))
        after = self.doc.add_paragraph()
        after.paragraph_format.line_spacing = Pt(8)
        _off_grid(after)


def _header_rows(
    table: D.Table, headers: list[str]
) -> tuple[list[list[str]], list[tuple[int, int]], list[int]]:
    """The header rows as cell values, the (first column, span) of each group wider than one column, and the
    columns whose one cell covers both header rows."""
    if not table.groups:
        return [headers], [], []
    top, lower, spans, tall = [], list(headers), [], []
    col = 0
    for label, span in table.groups:
        top += [escape.document(label)] + [""] * (span - 1)
        if span == 1 and label == table.headers[col]:
            tall.append(col)
            lower[col] = ""
        elif span > 1:
            spans.append((col, span))
        col += span
    return [top, lower], spans, tall


def render_docx(bulletin: D.Bulletin, path: Path) -> Path:
    w = _Writer()
    doc = w.doc

    mark_size = L.MARK_SIZE
    while L.text_width(bulletin.mark, "xbs", mark_size) > L.TYPE_W and mark_size > 22:
        mark_size -= 2
    p = w.para(bulletin.mark, "xbs", mark_size, indent=0, align=WD_ALIGN_PARAGRAPH.CENTER, color=L.RED)
    p.paragraph_format.line_spacing = Pt(2 * L.LINE_PITCH / L.PT)
    w.para(indent=0)
    p = w.para(bulletin.doc_no, indent=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    # the red rule, 4 mm under the 发文字号, the type area's width
    p_pr = p._p.get_or_add_pPr()
    borders = _el("w:pBdr")
    borders.append(_el("w:bottom", val="single", sz="12", space=str(round(4 / L.PT)), color="FF0000"))
    _put(p_pr, borders)
    w.para(indent=0)
    w.para(indent=0)
    lines = L.title_lines(bulletin.title_parts)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, line in enumerate(lines):
        run = p.add_run(escape.document(line))
        _font(run, "xbs", L.TITLE_SIZE)
        if i < len(lines) - 1:
            run.add_break()  # broken by meaning (layout.title_lines), never by the line's end
    w.para(indent=0)
    w.para(bulletin.addressee, indent=0, align=WD_ALIGN_PARAGRAPH.LEFT)
    D.write_blocks(bulletin.body, w)
    # The last paragraph, 附件说明, 署名 and 成文日期 stay on one page (GB/T 9704: no page with the 署名 alone).
    w.doc.paragraphs[-1].paragraph_format.keep_with_next = True

    w.para(indent=0, keep_with_next=True)
    for i, name in enumerate(bulletin.attachment_names, start=1):
        p = w.para((f"附件：{i}. " if i == 1 else f"{i}. ") + name, indent=0, align=WD_ALIGN_PARAGRAPH.LEFT,
                   keep_with_next=True)  # fmt: skip
        fmt = p.paragraph_format
        fmt.left_indent = Pt(L.BODY_SIZE * 5)
        fmt.first_line_indent = Pt(-L.BODY_SIZE * 3) if i == 1 else Pt(0)
    w.para(indent=0, keep_with_next=True)
    issuer, date = bulletin.issuer, L.cn_date(bulletin.issued)
    issuer_w = L.text_width(issuer, "fs", L.BODY_SIZE)
    date_w = L.text_width(date, "fs", L.BODY_SIZE)
    p = w.para(issuer, indent=0, align=WD_ALIGN_PARAGRAPH.RIGHT)
    p.paragraph_format.right_indent = Pt(L.BODY_SIZE * 2)
    p.paragraph_format.keep_with_next = True
    date_right = max(0.0, (issuer_w - date_w) / L.PT)  # the date starts two characters right of the issuer
    p = w.para(date, indent=0, align=WD_ALIGN_PARAGRAPH.RIGHT)
    p.paragraph_format.right_indent = Pt(date_right)
    if bulletin.note:
        w.para(f"（{bulletin.note}）", indent=2, align=WD_ALIGN_PARAGRAPH.LEFT)

    return D.finish(bulletin, path, annex=lambda annex: _annex(w, annex), colophon=lambda b: _colophon(w, b),
                  save=doc.save)  # fmt: skip


def _annex(w: _Writer, annex: D.Annex) -> None:
    label = w.para(annex.label, "hei", indent=0, align=WD_ALIGN_PARAGRAPH.LEFT, keep_with_next=True)
    label.paragraph_format.page_break_before = True  # 附件 start on a new page
    w.para(indent=0)
    p = w.doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = True
    lines = L.title_lines(annex.title_parts)
    for i, line in enumerate(lines):
        run = p.add_run(escape.document(line))
        _font(run, "xbs", L.TITLE_SIZE)
        if i < len(lines) - 1:
            run.add_break()
    w.para(indent=0)
    D.write_blocks(annex.blocks, w)


def _colophon(w: _Writer, bulletin: D.Bulletin) -> None:
    """版记: 抄送, then 印发机关 and 印发日期, between rules (first and last thick, the middle thin), as a table
    after a blank line at the end (a frame anchored at the page's foot is not laid out alike by Word and
    LibreOffice; the pdf puts it at the foot)."""
    w.para(indent=0)
    grid = w.doc.add_table(rows=2, cols=1)
    tbl_pr = grid._tbl.tblPr
    twips = str(round(L.TYPE_W / L.PT * 20))
    _put(tbl_pr, _el("w:tblW", w=twips, type="dxa"))
    _put(tbl_pr, _el("w:jc", val="center"))
    borders = _el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):  # the schema's order
        if side in ("left", "right", "insideV"):
            borders.append(_el(f"w:{side}", val="nil"))
        else:  # first and last rule thick (0.35 mm), the middle one thin (0.25 mm)
            borders.append(
                _el(f"w:{side}", val="single", sz=4 if side == "insideH" else 8, space=0, color="000000")
            )
    _put(tbl_pr, borders)
    margins = _el("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        margins.append(_el(f"w:{side}", w="0", type="dxa"))
    _put(tbl_pr, margins)
    grid._tbl.tblGrid.findall(qn("w:gridCol"))[0].set(qn("w:w"), twips)
    inset = Pt(L.FOLIO_SIZE)
    lines = [
        [escape.document(f"抄送：{bulletin.cc}。")],
        [escape.document(bulletin.printer), "\t" + escape.document(f"{L.cn_date(bulletin.issued)}印发")],
    ]
    for row, runs in zip(grid.rows, lines, strict=True):
        row._tr.get_or_add_trPr().append(_el("w:cantSplit"))
        cell = row.cells[0]
        cell.width = Mm(L.TYPE_W)
        p = cell.paragraphs[0]
        fmt = p.paragraph_format
        fmt.left_indent = fmt.right_indent = inset  # one character in from each side
        fmt.first_line_indent = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(24)
        fmt.keep_with_next = True
        _off_grid(p)
        if len(runs) > 1:
            fmt.tab_stops.add_tab_stop(Mm(L.TYPE_W) - inset * 2, alignment=2)  # right-aligned tab
        for text in runs:
            _font(p.add_run(text), "fs", L.FOLIO_SIZE)
