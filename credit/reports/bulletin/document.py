"""The bulletin as a document, whatever it is rendered as: its parts (`Bulletin`, `Annex`) and the blocks of
their bodies (`Heading`, `Para`, `Table`, `Figure`), and what both renderers do alike with them: hand each
block to the writer for its kind, and finish with the 附件 and 版记 and the file written whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass
class Heading:
    text: str
    level: int  # 1: 一、 黑体; 2: （一） 楷体


@dataclass
class Para:
    text: str
    lead: str = ""  # a run-in heading such as "（一）行政许可。", set in 楷体
    indent: bool = True  # first line indented two characters


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]  # right-aligned columns
    alert_rows: set[int] = field(default_factory=set)  # rows set in red
    total_rows: set[int] = field(default_factory=set)  # rows set in 黑体 (合计)
    # A header row above `headers`: (label, columns it spans); a label spanning one column whose header is the
    # same label is one cell over both header rows (单位).
    groups: list[tuple[str, int]] | None = None
    keep_together: bool = False  # on one page where one page holds it (a short table in the body)


@dataclass
class Figure:
    path: Path
    caption: str
    width_mm: float
    height_mm: float


@dataclass
class Annex:
    label: str  # 附件1
    title_parts: list[str]  # meaningful parts of its title, for breaking it
    blocks: list

    @property
    def title(self) -> str:
        return "".join(self.title_parts)


@dataclass
class Bulletin:
    month: str
    mark: str  # 发文机关标志
    doc_no: str  # 发文字号
    title_parts: list[str]  # meaningful parts of the title, for breaking it
    addressee: str  # 主送机关, with its colon
    body: list  # Heading / Para / Figure / Table
    attachment_names: list[str]  # 附件说明
    issuer: str
    issued: dt.date
    note: str  # 附注, without parentheses
    annexes: list[Annex]
    cc: str
    printer: str
    xlsx_annex: str | None = None  # the 附件 delivered as a workbook (its label and name), if any

    @property
    def title(self) -> str:
        return "".join(self.title_parts)


class BlockWriter(Protocol):
    """What a renderer's writer does with each kind of block."""

    def heading(self, block: Heading, headings_after: int) -> None: ...

    def paragraph(self, block: Para, keep_with_next: bool) -> None: ...

    def figure(self, fig: Figure) -> None: ...

    def table(self, table: Table) -> None: ...


def write_blocks(blocks: list, writer: BlockWriter) -> None:
    """Each block to the writer. A heading is told how many headings follow it directly (they stay on its
    page, with text under them); a paragraph before a figure stays with it."""
    for i, block in enumerate(blocks):
        if isinstance(block, Heading):
            after = 0
            while i + after + 1 < len(blocks) and isinstance(blocks[i + after + 1], Heading):
                after += 1
            writer.heading(block, after)
        elif isinstance(block, Para):
            writer.paragraph(block, i + 1 < len(blocks) and isinstance(blocks[i + 1], Figure))
        elif isinstance(block, Figure):
            writer.figure(block)
        elif isinstance(block, Table):
            writer.table(block)


def finish(
    bulletin: Bulletin,
    path: Path,
    *,
    annex: Callable[[Annex], None],
    colophon: Callable[[Bulletin], None],
    save: Callable[[str], object],
) -> Path:
    """The 附件 and the 版记, then the file: saved beside `path` and moved there (a reader never sees half)."""
    for part in bulletin.annexes:
        annex(part)
    colophon(bulletin)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    save(str(tmp))
    tmp.replace(path)
    return path
