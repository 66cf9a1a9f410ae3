"""The outputs artifact: every file a run wrote, as a path relative to CREDIT_HOME with one line saying what it
is. A browser cannot open `file://` paths on the worker's disk: with `CREDIT_PORTAL_URL` set, each path links
to the portal's page that serves it (a unit's feedback, the day, the bulletin, the Data Docs; behind the
login); without it people open these paths on the office share under the data folder."""

from __future__ import annotations

from pathlib import Path

from credit import escape
from credit.alerts import relative, unit_name
from credit.links import PortalLinks, portal_links
from credit.settings import Settings


def explain(path: Path, portal: bool = False) -> str:
    """One line saying what an output is and who opens it (`portal`: the units work in the portal)."""
    name = path.name
    if name == "stats.json":
        return "日统计数据（JSON）"
    if name.startswith("日统计_") and path.suffix == ".xlsx":
        return "日统计工作簿：各单位报送、校验、推送情况"
    if "_问题数据_" in name:
        code = name.split("_问题数据_", 1)[0]
        if portal:
            return f"{unit_name(code)}问题清单，单位在门户下载，改后在门户重新上传"
        return f"{unit_name(code)}问题清单，改后放回 inbox/{code}/"
    if name == "index.html" and "data_docs" in path.parts:
        return "校验详情（Data Docs，用浏览器打开）"
    if "附件" in name:
        return f"月通报附件（{path.suffix.lstrip('.')}）"
    if path.suffix == ".docx":
        return "月通报 Word 版：可修改后印发"
    if path.suffix == ".pdf":
        return "月通报 PDF 版：排版定稿，内嵌字体"
    if path.suffix == ".png":
        return "月通报插图"
    if name == "bulletin.json":
        return "月通报数据（JSON，供程序读取）"
    return "输出文件"


def page_of(links: PortalLinks, rel: str) -> str | None:
    """The portal page serving an output (`rel`: its path relative to CREDIT_HOME), or None (no page)."""
    parts = rel.split("/")
    if len(parts) < 3 or parts[0] != "out":
        return None
    kind, rest = parts[1], parts[2:]
    if kind == "data_docs":
        return links.datadocs("/".join(rest))
    if kind == "daily" and len(rest) == 2:
        return links.day(rest[0])
    if kind == "feedback" and len(rest) == 2 and "_问题数据_" in rest[1]:
        return links.unit_feedback(rest[1].split("_问题数据_", 1)[0], rest[0])
    if kind == "bulletins" and len(rest) == 2:
        month, name = rest
        suffix = Path(name).suffix.lstrip(".")
        if suffix in ("docx", "pdf") and "附件" not in name:
            return links.bulletin(month, suffix)
        return links.bulletins()
    return None


def _cell(settings: Settings, links: PortalLinks | None, path: Path) -> str:
    """The path as Markdown text, a link to its portal page when there is one."""
    rel = relative(settings, path)
    page = page_of(links, rel) if links is not None else None
    text = escape.markdown(rel)
    return f"[{text}]({page})" if page else text


def outputs_markdown(settings: Settings, title: str, paths: list[Path]) -> str:
    """A markdown table of the outputs (each listed once, in the order given)."""
    seen: list[Path] = []
    for p in paths:
        if p and Path(p).exists() and Path(p) not in seen:
            seen.append(Path(p))
    links = portal_links(settings)
    home = escape.markdown(settings.home.as_posix())
    if links is None:
        where = f"路径相对于数据目录 CREDIT_HOME（{home}），在办公共享盘上打开。"
    else:
        where = (
            f"点击路径在门户中打开（需登录：[{escape.markdown(links.base)}]({links.base})）；"
            f"路径相对于数据目录 CREDIT_HOME（{home}）。"
        )
    lines = [f"### {escape.markdown(title)}", "", where, "", "| 文件 | 说明 |", "|---|---|"]
    lines += [
        f"| {_cell(settings, links, p)} | {escape.markdown(explain(p, links is not None))} |" for p in seen
    ]
    if not seen:
        lines.append("| — | 本次运行没有生成文件 |")
    return "\n".join(lines) + "\n"
