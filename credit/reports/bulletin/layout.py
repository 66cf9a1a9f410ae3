"""GB/T 9704-2012 党政机关公文格式, as far as the bulletin uses it: page, type area, sizes, fonts by role,
title breaking, and text measurement shared by both renderers (so the docx and the pdf size tables alike).

Fonts by role: the docx names the faces an office PC has (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312,
宋体); the pdf embeds the closest free faces installed here (Noto Serif CJK SC for the 宋/仿宋/小标宋/楷 roles,
Noto Sans CJK SC for 黑体; fonts-noto-cjk), falling back to any CJK face the machine has."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from credit.reports import charts

# Page and type area (mm): A4, 天头 37, 订口 28, 版心 156 × 225.
PAGE_W, PAGE_H = 210.0, 297.0
TOP, BOTTOM, LEFT, RIGHT = 37.0, 35.0, 28.0, 26.0
TYPE_W, TYPE_H = PAGE_W - LEFT - RIGHT, PAGE_H - TOP - BOTTOM  # 156 × 225
LINES, CHARS = 22, 28
LINE_PITCH = TYPE_H / LINES  # mm: 22 lines fill the type area
PT = 25.4 / 72  # mm per point

# Sizes (pt): 初号 42, 小初 36, 二号 22, 三号 16, 四号 14, 五号 10.5.
MARK_SIZE = 36.0
TITLE_SIZE = 22.0
BODY_SIZE = 16.0
FOLIO_SIZE = 14.0  # 页码 and 版记: 4号
RED = (0xFF, 0x00, 0x00)

# role -> the face an office's Word has
OFFICIAL = {
    "xbs": "方正小标宋简体",
    "fs": "仿宋_GB2312",
    "hei": "黑体",
    "kai": "楷体_GB2312",
    "song": "宋体",
}
LATIN = "Times New Roman"

# role -> (family as fontconfig knows it, style) of the free face embedded in the pdf
FREE = {
    "xbs": ("Noto Serif CJK SC", "Bold"),
    "fs": ("Noto Serif CJK SC", "Regular"),
    "kai": ("Noto Serif CJK SC", "Regular"),
    "song": ("Noto Serif CJK SC", "Regular"),
    "hei": ("Noto Sans CJK SC", "Regular"),
}


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int  # face number inside a .ttc collection


@cache
def free_font(role: str) -> FontFile:
    """The installed file for a role (fc-match), or the machine's CJK font when the Noto face is absent."""
    family, style = FREE[role]
    if shutil.which("fc-match"):
        try:
            out = subprocess.run(
                ["fc-match", "-f", "%{family}|%{file}|%{index}", f"{family}:style={style}"],
                capture_output=True, text=True, timeout=20, check=False,
            ).stdout  # fmt: skip
            families, file, index = out.rsplit("|", 2)
            if family in families.split(",") and Path(file).is_file():
                return FontFile(Path(file), int(index or 0))
        except (OSError, subprocess.SubprocessError, ValueError):
            pass
    fallback = charts.find_cjk_font()  # MissingCJKFont if the machine has none
    return FontFile(fallback.path, 0)


def family(role: str) -> str:
    """The name a role's face is registered under in an fpdf document (one per file and face, so a face
    serving several roles is embedded once)."""
    font = free_font(role)
    return f"{font.path.stem}-{font.index}".lower()


def add_fonts(pdf) -> None:
    """Register every role's face with an fpdf document, each file and face once."""
    for role in FREE:
        name = family(role)
        if name not in pdf.fonts:
            font = free_font(role)
            pdf.add_font(name, "", str(font.path), collection_font_number=font.index)


@cache
def _wide_latin() -> Path | None:
    """The face LibreOffice substitutes for Times New Roman where neither it nor a metric-compatible face
    (Liberation Serif) is installed: DejaVu Serif, wider; table columns leave room for it."""
    for family in ("Liberation Serif", "DejaVu Serif"):
        try:
            out = subprocess.run(
                ["fc-match", "-f", "%{family}|%{file}", family], capture_output=True, text=True, timeout=20
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        names, _, file = out.rpartition("|")
        if family == "Liberation Serif" and family in names.split(","):
            return None  # metric-compatible with Times New Roman: no extra room needed
        if family in names.split(",") and Path(file).is_file() and file.endswith(".ttf"):
            return Path(file)
    return None


@cache
def _metrics():
    """An fpdf document used only to measure strings in the free faces."""
    from fpdf import FPDF  # 1.2 s to import: only when a bulletin is laid out, not with this module

    pdf = FPDF(unit="mm", format="A4")
    add_fonts(pdf)
    wide = _wide_latin() if shutil.which("fc-match") else None
    if wide:
        pdf.add_font("wide-latin", "", str(wide))
    return pdf


def cell_width(text: str, role: str, size: float) -> float:
    """Width in mm of a table cell's text wherever the file is opened: in the free face, or with its Latin
    characters in the wider face a word processor may substitute for Times New Roman, whichever is wider."""
    width = text_width(text, role, size)
    pdf = _metrics()
    latin = "".join(ch for ch in text if ord(ch) < 128)
    if latin and "wide-latin" in pdf.fonts:
        other = (
            text_width("".join(ch for ch in text if ord(ch) >= 128), role, size)
            if len(latin) < len(text)
            else 0
        )
        pdf.set_font("wide-latin", size=size)
        width = max(width, other + pdf.get_string_width(latin))
    return width


def text_width(text: str, role: str, size: float) -> float:
    """Width in mm of `text` set in `role` at `size` pt."""
    pdf = _metrics()
    pdf.set_font(family(role), size=size)
    return pdf.get_string_width(text)


# --- line breaking ------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[A-Za-z0-9.%,:/\-]+|.", re.S)
NO_LINE_START = set("，。、；：？！）》」』”’〕】％%,.;:!?)")
NO_LINE_END = set("（《「『“‘〔【(")


def wrap(text: str, role: str, size: float, first: float, width: float) -> list[str]:
    """Greedy line breaking for Chinese: any character may break, Latin words and numbers stay whole,
    closing punctuation never starts a line and opening punctuation never ends one."""
    lines: list[str] = []
    line, limit = "", first
    for token in _TOKEN.findall(text):
        if line and text_width(line + token, role, size) > limit + 0.01 and token[0] not in NO_LINE_START:
            carry = ""
            while line and line[-1] in NO_LINE_END:
                carry, line = line[-1] + carry, line[:-1]
            lines.append(line)
            line, limit = carry + token, width
        else:
            line += token
    if line or not lines:
        lines.append(line)
    return lines


def title_lines(parts: list[str], size: float = TITLE_SIZE, width: float | None = None) -> list[str]:
    """Break a title at the boundary between meaningful parts: the fewest lines, then the most even ones,
    the upper line not longer than the lower when they tie (梯形); never a lone word on a line. A line keeps
    one character's room (default width): a word processor substituting a wider face for 方正小标宋简体 would
    otherwise push the last character alone onto a line of its own."""
    width = TYPE_W - size * PT if width is None else width
    text = "".join(parts)
    if text_width(text, "xbs", size) <= width:
        return [text]
    best = None
    for cut in range(1, len(parts)):
        upper, lower = "".join(parts[:cut]), "".join(parts[cut:])
        wu, wl = text_width(upper, "xbs", size), text_width(lower, "xbs", size)
        if wu > width or wl > width:
            continue
        key = (abs(wu - wl), wu > wl)
        if best is None or key < best[0]:
            best = (key, [upper, lower])
    if best is None:  # no two-part break fits: break the parts greedily, whole parts per line
        lines, line = [], ""
        for part in parts:
            if line and text_width(line + part, "xbs", size) > width:
                lines.append(line)
                line = part
            else:
                line += part
        return [*lines, line]
    return best[1]


# --- tables -------------------------------------------------------------------------------------------------

CELL_PAD = 1.6  # mm, left + right together


def _header_min(text: str, role: str, size: float) -> float:
    """A header may wrap between characters but never inside a Latin word or number."""
    return max(text_width(t, role, size) for t in _TOKEN.findall(text) if t.strip()) if text.strip() else 0


def column_widths(
    headers: list[str],
    rows: list[list[str]],
    width: float = TYPE_W,
    sizes=(10.5, 10.0, 9.0, 8.5, 8.0, 7.5),
    groups: list[tuple[str, int]] | None = None,
) -> tuple[float, list[float]]:
    """The font size and column widths (mm, summing to `width`) for a table: every cell's text on one line,
    at the largest size down to 8 pt where the headers fit on one line too, else at the largest size where
    headers may wrap between characters into two lines; each column its widest content, the slack shared out
    evenly. A group label over several columns (`groups`, as `document.Table.groups`) widens them evenly
    where it needs more than they have."""
    extra = CELL_PAD + 0.4

    def needs(size: float, header_lines: int) -> list[float]:
        out = []
        for c, header in enumerate(headers):
            body = max((cell_width(r[c], "fs", size) for r in rows), default=0.0)
            head = cell_width(header, "hei", size)
            if header_lines > 1:
                head = max(_header_min(header, "hei", size), head / header_lines + size * PT)
            out.append(max(body, head) + extra)
        first = 0
        for label, span in groups or ():
            label_w = cell_width(label, "hei", size)
            if header_lines > 1:
                label_w = max(_header_min(label, "hei", size), label_w / header_lines + size * PT)
            short = label_w + extra - sum(out[first : first + span])
            if span > 1 and short > 0:
                for c in range(first, first + span):
                    out[c] += short / span
            first += span
        return out

    for header_lines, candidates in ((1, [z for z in sizes if z >= 8.0]), (2, sizes)):
        for size in candidates:
            need = needs(size, header_lines)
            if sum(need) <= width:
                slack = (width - sum(need)) / len(need)
                return size, [n + slack for n in need]
    size = sizes[-1]
    need = needs(size, 2)
    return size, [n * width / sum(need) for n in need]


def cn_date(day) -> str:
    """成文日期 in Arabic numerals, full year, no padding: 2026年12月1日."""
    return f"{day.year}年{day.month}月{day.day}日"


CN_NUM = "一二三四五六七八九十"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (up to 99)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CN_NUM[ones - 1]
    return (CN_NUM[tens - 1] if tens > 1 else "") + "十" + (CN_NUM[ones - 1] if ones else "")
