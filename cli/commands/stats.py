"""`credit stats`: the day's statistics (the count step), as Markdown text or the stats.json document."""

from __future__ import annotations

import json

from cli.output import out, print_json
from credit.settings import load_settings
from credit.stats import daily_markdown
from credit.steps.count import daily_statistics


def run(args) -> int:
    settings = load_settings()
    settings.ensure_dirs()
    count = daily_statistics(settings, args.date)
    if args.json:
        print_json(json.loads(count.json.read_text(encoding="utf-8")))
    else:
        out(daily_markdown(count.report))  # its names and document numbers are escaped as Markdown text
        out(f"\n文件：{count.json}")
    return 0
