"""The bulletin as PDF (fpdf2) after GB/T 9704-2012: body text on the 22 × 28 grid of the 156 × 225 mm type
area, lines justified to the type area's width, the free CJK faces of `layout.FREE` embedded (subset)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from credit import escape
from credit.reports.bulletin import document as D
from credit.reports.bulletin import layout as L

RED = L.RED
BOTTOM_Y = L.TOP + L.TYPE_H  # the type area's lower edge
CH = L.TYPE_W / L.CHARS  # one character of body text on the grid


def _new_pdf(title: str, author: str):
    class _PDF(FPDF):
        def footer(self) -> None:
            # 页码: 4号 半角, "— n —", 7 mm below the type area; odd pages right, even pages left, one
            # character in from the type area's edge.
            self.set_font(L.family("song"), size=L.FOLIO_SIZE)
            self.set_text_color(0, 0, 0)
            self.set_char_spacing(0)
            label = f"— {self.page_no()} —"
            w = self.get_string_width(label)
            inset = L.FOLIO_SIZE * L.PT
            x = L.LEFT + L.TYPE_W - inset - w if self.page_no() % 2 else L.LEFT + inset
            self.set_xy(x, BOTTOM_Y + 7)
            self.cell(w, L.FOLIO_SIZE * L.PT, label)

    pdf = _PDF(unit="mm", format="A4")
    L.add_fonts(pdf)
    pdf.set_margins(L.LEFT, L.TOP, L.RIGHT)
    pdf.set_auto_page_break(False)
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_lang("zh-CN")
    return pdf


class _Writer:
    def __init__(self, pdf) -> None:
        self.pdf = pdf
        self.y = L.TOP

    # -- grid ---------------------------------------------------------------------------------------------
    def new_page(self) -> None:
        self.pdf.add_page()
        self.y = L.TOP

    def snap(self) -> None:
        """Move to the next grid line (after a table or figure)."""
        k = (self.y - L.TOP) / L.LINE_PITCH
        whole = round(k)
        self.y = L.TOP + (whole if abs(k - whole) < 1e-6 else int(k) + 1) * L.LINE_PITCH

    def room(self, lines: float = 1) -> bool:
        return self.y + lines * L.LINE_PITCH <= BOTTOM_Y + 1e-6

    def need(self, lines: float) -> None:
        if not self.room(lines):
            self.new_page()

    def blank(self, lines: int = 1) -> None:
        self.y += lines * L.LINE_PITCH
        if self.y > BOTTOM_Y:
            self.new_page()

    # -- text ---------------------------------------------------------------------------------------------
    def line(self, text: str, role: str, size: float, *, x: float, width: float, align="L", justify=False,
             color=(0, 0, 0)) -> None:  # fmt: skip
        pdf = self.pdf
        self.need(1)
        pdf.set_font(L.family(role), size=size)
        pdf.set_text_color(*color)
        pdf.set_char_spacing(0)
        natural = pdf.get_string_width(text)
        if len(text) > 1 and (justify or natural > width):
            pdf.set_char_spacing((width - natural) / (len(text) - 1) * pdf.k)
        pdf.set_xy(x, self.y)
        pdf.cell(width + 0.5 if justify else width, L.LINE_PITCH, text, align=align)
        pdf.set_char_spacing(0)
        self.y += L.LINE_PITCH

    def para(self, text: str, role="fs", size=L.BODY_SIZE, *, indent=2, align="L", color=(0, 0, 0),
             keep_with_next=False) -> None:  # fmt: skip
        text = escape.document(text)
        lead = indent * CH
        lines = L.wrap(text, role, size, L.TYPE_W - lead + 2.1, L.TYPE_W + 2.1)
        if keep_with_next:
            self.need(len(lines) + 1)
        elif len(lines) > 1 and not self.room(2):  # no lone first line at a page's foot
            self.new_page()
        for i, line in enumerate(lines):
            first = i == 0
            last = i == len(lines) - 1
            x = L.LEFT + (lead if first else 0)
            width = L.TYPE_W - (lead if first else 0)
            self.line(line, role, size, x=x, width=width, align=align, justify=not last and align == "L",
                      color=color)  # fmt: skip

    # -- blocks (document.write_blocks) -------------------------------------------------------------------
    def heading(self, block: D.Heading, headings_after: int) -> None:
        # It and the headings that follow it directly stay on one page, with two lines of text under them.
        self.need(headings_after + 1 + 2)
        self.para(block.text, "hei" if block.level == 1 else "kai")

    def paragraph(self, block: D.Para, keep_with_next: bool) -> None:
        self.para(block.lead + block.text if block.lead else block.text, indent=2 if block.indent else 0,
                  keep_with_next=keep_with_next)  # fmt: skip

    def figure(self, fig: D.Figure) -> None:
        pdf = self.pdf
        caption_h = L.LINE_PITCH
        if self.y + fig.height_mm + caption_h > BOTTOM_Y:
            self.new_page()
        pdf.image(str(fig.path), x=L.LEFT + (L.TYPE_W - fig.width_mm) / 2, y=self.y + 1, w=fig.width_mm,
                  h=fig.height_mm)  # fmt: skip
        self.y += fig.height_mm + 1
        self.line(escape.document(fig.caption), "fs", 14, x=L.LEFT, width=L.TYPE_W, align="C")
        self.snap()

    def table(self, table: D.Table) -> None:
        pdf = self.pdf
        headers = [escape.document(h) for h in table.headers]
        rows = [[escape.document(v) for v in r] for r in table.rows]
        size, widths = L.column_widths(headers, rows, groups=table.groups)
        line_h = size * L.PT * 1.45
        pdf.set_font(L.family("fs"), size=size)
        pdf.set_text_color(0, 0, 0)
        pdf.set_char_spacing(0)
        # A table kept together starts a page rather than break (when one page holds it): rows of one line,
        # padding 0.5 mm above and below.
        height = (len(rows) + 1 + bool(table.groups)) * (line_h + 1.0)
        if self.y + 3 * line_h > BOTTOM_Y or (
            table.keep_together and self.y + height > BOTTOM_Y and height <= L.TYPE_H
        ):
            self.new_page()
        pdf.set_y(self.y)
        pdf.set_auto_page_break(True, L.BOTTOM)
        head = FontFace(family=L.family("hei"), emphasis="", size_pt=size, fill_color=(230, 230, 230))
        red = FontFace(color=RED)
        total = FontFace(family=L.family("hei"), emphasis="")
        align = tuple("RIGHT" if n else "CENTER" for n in table.numeric)
        with pdf.table(
            col_widths=tuple(widths), width=L.TYPE_W, text_align=align, line_height=line_h, headings_style=head,
            padding=(0.5, L.CELL_PAD / 2), repeat_headings=1, num_heading_rows=2 if table.groups else 1,
        ) as grid:  # fmt: skip
            tall = set()
            if table.groups:  # a label over the columns it spans; a single column's over both header rows
                row, col = grid.row(), 0
                for label, span in table.groups:
                    if span == 1 and label == table.headers[col]:
                        tall.add(col)
                        row.cell(escape.document(label), align="CENTER", rowspan=2)
                    else:
                        row.cell(escape.document(label), align="CENTER", colspan=span)
                    col += span
            row = grid.row()
            for c, h in enumerate(headers):
                if c not in tall:
                    row.cell(h, align="CENTER")
            for i, values in enumerate(rows):
                style = total if i in table.total_rows else red if i in table.alert_rows else None
                row = grid.row(style=style)
                for value in values:
                    row.cell(value)
        pdf.set_auto_page_break(False)
        self.y = pdf.get_y() + 1
        self.snap()


def render_pdf(bulletin: D.Bulletin, path: Path) -> Path:
    pdf = _new_pdf(bulletin.title, bulletin.issuer)
    w = _Writer(pdf)
    w.new_page()

    # 版头: 发文机关标志 (red 小标宋), 发文字号 two lines below, the red rule 4 mm under it.
    mark_size = L.MARK_SIZE
    while L.text_width(bulletin.mark, "xbs", mark_size) > L.TYPE_W and mark_size > 22:
        mark_size -= 2
    pdf.set_font(L.family("xbs"), size=mark_size)
    pdf.set_text_color(*RED)
    pdf.set_xy(L.LEFT, w.y)
    pdf.cell(L.TYPE_W, 2 * L.LINE_PITCH, escape.document(bulletin.mark), align="C")
    w.y += 2 * L.LINE_PITCH
    w.blank(1)
    w.line(escape.document(bulletin.doc_no), "fs", L.BODY_SIZE, x=L.LEFT, width=L.TYPE_W, align="C")
    rule_y = w.y - L.LINE_PITCH / 2 + L.BODY_SIZE * L.PT / 2 + 4
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.75)
    pdf.line(L.LEFT, rule_y, L.LEFT + L.TYPE_W, rule_y)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    w.blank(2)

    for line in L.title_lines(bulletin.title_parts):
        w.line(escape.document(line), "xbs", L.TITLE_SIZE, x=L.LEFT, width=L.TYPE_W, align="C")
    w.blank(1)
    w.para(bulletin.addressee, indent=0)
    # The last paragraph, 附件说明, 署名 and 成文日期 stay on one page (GB/T 9704: no page with the 署名 alone).
    *body, last = bulletin.body
    D.write_blocks(body, w)
    closing = len(L.wrap(escape.document(last.lead + last.text), "fs", L.BODY_SIZE, L.TYPE_W - 2 * CH + 2.1,
                         L.TYPE_W + 2.1))  # fmt: skip
    closing += 1 + sum(
        len(L.wrap(escape.document(f"{i}. {name}"), "fs", L.BODY_SIZE, L.TYPE_W - 5 * CH, L.TYPE_W - 5 * CH))
        for i, name in enumerate(bulletin.attachment_names, start=1)
    )
    w.need(closing + 3)
    D.write_blocks([last], w)

    # 附件说明, 署名 and 成文日期, 附注
    w.blank(1)
    for i, name in enumerate(bulletin.attachment_names, start=1):
        label = "附件：" if i == 1 else ""
        text = escape.document(f"{i}. {name}")
        lines = L.wrap(text, "fs", L.BODY_SIZE, L.TYPE_W - 5 * CH, L.TYPE_W - 5 * CH)
        for j, line in enumerate(lines):
            if i == 1 and j == 0:
                w.line(label, "fs", L.BODY_SIZE, x=L.LEFT + 2 * CH, width=3 * CH)
                w.y -= L.LINE_PITCH
            w.line(line, "fs", L.BODY_SIZE, x=L.LEFT + 5 * CH, width=L.TYPE_W - 5 * CH)
    w.blank(1)
    w.need(2)
    issuer = escape.document(bulletin.issuer)
    date = escape.document(L.cn_date(bulletin.issued))
    issuer_w = L.text_width(issuer, "fs", L.BODY_SIZE)
    issuer_x = L.LEFT + L.TYPE_W - 2 * CH - issuer_w
    date_x = min(issuer_x + 2 * CH, L.LEFT + L.TYPE_W - L.text_width(date, "fs", L.BODY_SIZE))
    w.line(issuer, "fs", L.BODY_SIZE, x=issuer_x, width=issuer_w + 1)
    w.line(date, "fs", L.BODY_SIZE, x=date_x, width=L.LEFT + L.TYPE_W - date_x)
    if bulletin.note:
        w.line(escape.document(f"（{bulletin.note}）"), "fs", L.BODY_SIZE, x=L.LEFT + 2 * CH, width=L.TYPE_W)

    return D.finish(bulletin, path, annex=lambda annex: _annex(w, annex), colophon=lambda b: _colophon(w, b),
                  save=pdf.output)  # fmt: skip


def _annex(w: _Writer, annex: D.Annex) -> None:
    w.new_page()
    w.line(escape.document(annex.label), "hei", L.BODY_SIZE, x=L.LEFT, width=L.TYPE_W)
    w.blank(1)
    for line in L.title_lines(annex.title_parts):
        w.line(escape.document(line), "xbs", L.TITLE_SIZE, x=L.LEFT, width=L.TYPE_W, align="C")
    w.blank(1)
    D.write_blocks(annex.blocks, w)


def _colophon(w: _Writer, bulletin: D.Bulletin) -> None:
    """版记 at the foot of the last page: 抄送, then 印发机关 and 印发日期, between rules (first and last thick)."""
    pdf = w.pdf
    pitch = 8.0
    height = 2 * pitch + 1
    if w.y + height > BOTTOM_Y:
        w.new_page()
    top = BOTTOM_Y - height
    pdf.set_draw_color(0, 0, 0)
    inset = L.FOLIO_SIZE * L.PT
    for y, thick in ((top, 0.35), (top + pitch, 0.25), (top + 2 * pitch, 0.35)):
        pdf.set_line_width(thick)
        pdf.line(L.LEFT, y, L.LEFT + L.TYPE_W, y)
    pdf.set_line_width(0.2)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(L.family("fs"), size=L.FOLIO_SIZE)
    pdf.set_char_spacing(0)
    pdf.set_xy(L.LEFT + inset, top)
    pdf.cell(L.TYPE_W - 2 * inset, pitch, escape.document(f"抄送：{bulletin.cc}。"))
    pdf.set_xy(L.LEFT + inset, top + pitch)
    pdf.cell(L.TYPE_W - 2 * inset, pitch, escape.document(bulletin.printer))
    pdf.set_xy(L.LEFT + inset, top + pitch)
    pdf.cell(L.TYPE_W - 2 * inset, pitch, escape.document(f"{L.cn_date(bulletin.issued)}印发"), align="R")
