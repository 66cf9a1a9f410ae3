"""The outputs artifact: every file a run wrote, as a path relative to CREDIT_HOME with one line saying what it
is. A browser cannot open `file://` paths on the worker's disk (there is no file server yet): people open these
paths on the office share under the data folder."""

from __future__ import annotations

from pathlib import Path

from credit import escape
from credit.alerts import relative, unit_name
from credit.settings import Settings


def explain(path: Path) -> str:
    """One line saying what an output is and who opens it."""
    name = path.name
    if name == "stats.json":
        return "日统计数据（JSON）"
    if name.startswith("日统计_") and path.suffix == ".xlsx":
        return "日统计工作簿：各单位报送、校验、推送情况"
    if "_问题数据_" in name:
        code = name.split("_问题数据_", 1)[0]
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


def outputs_markdown(settings: Settings, title: str, paths: list[Path]) -> str:
    """A markdown table of the outputs (each listed once, in the order given)."""
    seen: list[Path] = []
    for p in paths:
        if p and Path(p).exists() and Path(p) not in seen:
            seen.append(Path(p))
    lines = [
        f"### {escape.markdown(title)}",
        "",
        f"路径相对于数据目录 CREDIT_HOME（{escape.markdown(settings.home.as_posix())}），在办公共享盘上打开。",
        "",
        "| 文件 | 说明 |",
        "|---|---|",
    ]
    lines += [f"| {escape.markdown(relative(settings, p))} | {escape.markdown(explain(p))} |" for p in seen]
    if not seen:
        lines.append("| — | 本次运行没有生成文件 |")
    return "\n".join(lines) + "\n"
