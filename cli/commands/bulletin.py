"""`credit bulletin --month YYYY-MM`: the 月通报 (the report step)."""

from __future__ import annotations

from cli.output import out
from credit.settings import load_settings
from credit.steps.report import monthly_bulletin

LABELS = {
    "docx": "通报（Word）",
    "pdf": "通报（PDF）",
    "annex_xlsx": "附件2（疑似漏报核实清单）",
    "json": "数据",
}


def run(args) -> int:
    settings = load_settings()
    settings.ensure_dirs()
    paths = monthly_bulletin(settings, args.month)
    out(f"月通报已生成：{paths.folder}")
    for key, label in LABELS.items():
        path = getattr(paths, key)
        if path:
            out(f"  {label}：{path}")
    for chart in paths.charts:
        out(f"  图表：{chart}")
    return 0
