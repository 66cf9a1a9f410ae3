"""`credit`: the command line (DESIGN.md "Command line"). Prefect and Great Expectations are imported only
by the commands that need them, so `credit check` stays quick for the clerks who run it.

Everything printed goes through `_out` or `_print_json` (credit.escape's terminal rules): a file name, sheet
name or value never moves the cursor, colours the terminal, forges a line or shows an ID number in full."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from credit import escape

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def _month(text: str) -> str:
    try:
        dt.date.fromisoformat(text + "-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"月份格式应为 YYYY-MM：{text}") from None
    return text


def _masked(obj):
    """Every string of a JSON document with its ID numbers masked (values keep their exact text otherwise)."""
    if isinstance(obj, str):
        return escape.mask(obj)
    if isinstance(obj, dict):
        return {k: _masked(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_masked(v) for v in obj]
    return obj


def _lines(obj):
    """Every string of a document as one escaped line, for text composed from it."""
    if isinstance(obj, str):
        return escape.log_line(obj)
    if isinstance(obj, dict):
        return {k: _lines(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_lines(v) for v in obj]
    return obj


def _print_json(obj) -> None:
    text = json.dumps(_masked(obj), ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(escape.terminal_json(text) + "\n")


def _out(text: str, stream=None) -> None:
    (stream or sys.stdout).write(escape.terminal(text) + "\n")


def cmd_check(args) -> int:
    from credit.check import format_check_text, run_check

    try:
        result, code = run_check(Path(args.file), args.unit, args.date)
    except (KeyError, ValueError) as exc:  # an unknown or malformed --unit
        _out(f"{exc.args[0] if exc.args else exc}", sys.stderr)
        return 2
    if args.json:
        _print_json(result)
    else:
        _out(format_check_text(_lines(result)))
    return code


def cmd_run(args) -> int:
    from flows.ephemeral import start_ephemeral_api

    api_ready = start_ephemeral_api()  # Prefect's API boots while GX and the flows are imported
    from credit.validation.gx import warm_up
    from flows.daily import daily_pipeline

    warm_up()
    api_ready()

    state = daily_pipeline(
        report_date=args.date, units=args.unit or None, push=not args.no_push, return_state=True
    )
    if not state.is_completed():
        _out(escape.log_line(f"运行未完成：{state.name} {state.message or ''}"), sys.stderr)
        return 1
    result = state.result()
    _print_json({"date": result["date"], "stats": result.get("stats")})
    return 0


def cmd_stats(args) -> int:
    from credit.pipeline import daily_statistics
    from credit.settings import load_settings

    settings = load_settings()
    settings.ensure_dirs()
    report, _ = daily_statistics(settings, args.date)
    stats_json = settings.out / "daily" / args.date.isoformat() / "stats.json"
    if args.json:
        _print_json(json.loads(stats_json.read_text(encoding="utf-8")))
    else:
        from credit.stats import daily_markdown

        _out(daily_markdown(report))  # its names and document numbers are escaped as Markdown text
        _out(f"\n文件：{stats_json}")
    return 0


def cmd_bulletin(args) -> int:
    from credit.pipeline import monthly_bulletin
    from credit.settings import load_settings

    settings = load_settings()
    settings.ensure_dirs()
    paths = monthly_bulletin(settings, args.month)
    _out(f"月通报已生成：{paths.folder}")
    labels = {
        "docx": "通报（Word）",
        "pdf": "通报（PDF）",
        "annex_xlsx": "附件2（疑似漏报核实清单）",
        "json": "数据",
    }
    for key, label in labels.items():
        path = getattr(paths, key, None)
        if path:
            _out(f"  {label}：{path}")
    for chart in getattr(paths, "charts", []) or []:
        _out(f"  图表：{chart}")
    return 0


def cmd_sandbox(args) -> int:
    from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, serve_forever

    def ready(url: str) -> None:
        # The demo key and secret are public values of this local stand-in, printed so that a person can
        # point the pipeline at it; no real credential is ever printed.
        _out(f"信用湛江模拟接口已启动：{url}")
        _out("演示凭据（仅限本机测试）：")
        _out(f"  CREDIT_PLATFORM_URL={url}")
        _out(f"  CREDIT_PLATFORM_APP_KEY={DEMO_APP_KEY}")
        _out(f"  CREDIT_PLATFORM_APP_SECRET={DEMO_APP_SECRET}")
        _out("按 Ctrl+C 停止。")
        sys.stdout.flush()

    serve_forever(host=args.host, port=args.port, state_path=args.state, on_ready=ready)
    return 0


def cmd_demo(args) -> int:
    from samples.demo import run_demo

    return run_demo(days=args.days, end=args.date)


def cmd_deploy(args) -> int:
    from deployments.deploy import deploy

    deploy(work_pool=args.pool)
    return 0


def cmd_generate(args) -> int:
    from credit.settings import load_settings
    from credit.workdays import WorkCalendar, working_days_until
    from samples.generator import generate_days

    settings = load_settings()
    settings.ensure_dirs()
    calendar = WorkCalendar(settings.calendar_override)
    if args.days < 1:
        _out("--days 应为正整数（工作日天数）", sys.stderr)
        return 2
    if not calendar.is_workday(args.date):
        _out(f"{args.date} 是休息日，单位不报送；改为生成此前最近的 {args.days} 个工作日的数据。")
    days = working_days_until(args.date, args.days, calendar)
    generated = generate_days(settings.home, days[0], days[-1], seed=args.seed, profile=args.profile)
    for day in generated:
        _out(f"{day.date}：{len(day.files)} 个文件，写入 {settings.inbox}")
    return 0


def cmd_init_db(args) -> int:
    from credit.pipeline import sync_units
    from credit.settings import load_settings
    from credit.store import init_db

    settings = load_settings()
    settings.ensure_dirs()
    init_db(settings.database_url)
    sync_units(settings)
    _out("数据库已就绪")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from credit.settings import load_settings

    def today() -> dt.date:
        from zoneinfo import ZoneInfo

        return dt.datetime.now(ZoneInfo(load_settings().timezone)).date()

    parser = argparse.ArgumentParser(
        prog="credit", description="雷州市“双公示”数据归集：收取、校验、推送、统计、通报"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="报送前自查文件 / check a file before sending it")
    p.add_argument("file")
    p.add_argument("--unit", help="单位代码（如 scjgj），用于核对数据来源单位")
    p.add_argument("--date", type=_date, default=None, help="报送日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("run", help="运行每日流程 / run the daily pipeline as a Prefect flow run")
    p.add_argument("--date", type=_date, default=None)
    p.add_argument("--unit", action="append", help="只处理这些单位（可重复）")
    p.add_argument("--no-push", action="store_true", help="只校验，不推送")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("stats", help="日统计 / daily statistics")
    p.add_argument("--date", type=_date, default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("bulletin", help="月通报 / monthly bulletin")
    p.add_argument("--month", type=_month, required=True)
    p.set_defaults(func=cmd_bulletin)

    p = sub.add_parser("sandbox", help="本地模拟信用湛江接口 / local 信用湛江 receiver")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--state", default=None, help="保存接收状态的文件")
    p.set_defaults(func=cmd_sandbox)

    p = sub.add_parser("demo", help="演示：生成数据并完整运行一天")
    p.add_argument("--days", type=int, default=1, help="生成并处理的天数（工作日）")
    p.add_argument("--date", type=_date, default=None, help="最后一天（默认今天）")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "deploy", help="部署 Prefect 部署、计划和告警 / create or update deployments and alerts"
    )
    p.add_argument("--pool", default="credit-process")
    p.set_defaults(func=cmd_deploy)

    p = sub.add_parser("generate", help="生成样例数据 / sample data")
    p.add_argument("--date", type=_date, default=None)
    p.add_argument("--days", type=int, default=1, help="生成的工作日天数，截至 --date（默认今天）")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--profile",
        choices=["realistic", "uniform"],
        default="realistic",
        help="realistic：多数单位“三清零”，少数单位迟报、漏报或出错（默认）；uniform：每个单位同一差错率",
    )
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("init-db", help="创建或升级数据库")
    p.set_defaults(func=cmd_init_db)

    parser.set_defaults(today=today)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "date", "unset") is None and args.command in ("stats", "generate", "demo"):
        args.date = args.today()
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
