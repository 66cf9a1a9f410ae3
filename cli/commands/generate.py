"""`credit generate`: sample deliveries of the units into the inbox."""

from __future__ import annotations

import sys

from cli.output import out
from credit.settings import load_settings
from credit.standard import DATASET_NAMES
from credit.workdays import WorkCalendar, working_days_until
from samples.generator import generate_days


def run(args) -> int:
    settings = load_settings()
    settings.ensure_dirs()
    calendar = WorkCalendar(settings.calendar_override)
    if args.days < 1:
        out("--days 应为正整数（工作日天数）", sys.stderr)
        return 2
    if not calendar.is_workday(args.date):
        out(f"{args.date} 是休息日，单位不报送；改为生成此前最近的 {args.days} 个工作日的数据。")
    days = working_days_until(args.date, args.days, calendar)
    # Every dataset, for the units that report it; a dataset read from a database goes into sources/.
    generated = generate_days(
        settings.home, days[0], days[-1], seed=args.seed, profile=args.profile, datasets="all"
    )
    for day in generated:
        out(f"{day.date}：{len(day.files)} 个文件，写入 {settings.inbox}")
        for src in day.manifest.get("sql_sources", []):
            if src["path"]:
                name = DATASET_NAMES.get(src["dataset"], src["dataset"])
                out(f"{day.date}：{name} {src['rows']} 条写入样例数据库 {settings.home / src['path']}")
    return 0
