"""`credit`: the command line (docs/contracts.md "Command line"). The parser is here; each command is a module of
`cli.commands`, imported only when chosen, so `credit check` stays quick for the clerks who run it (it never
imports Prefect or the flows). Everything printed goes through `cli.output`."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
from zoneinfo import ZoneInfo

from credit.settings import load_settings


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


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"年份格式应为 YYYY：{text}")
    return int(text)


def _command(name: str):
    """The handler of a command: `run` of its module, imported now (see the module's docstring)."""

    def handler(args) -> int:
        return importlib.import_module(f"cli.commands.{name}").run(args)

    return handler


def build_parser() -> argparse.ArgumentParser:
    def today() -> dt.date:
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
    p.set_defaults(func=_command("check"))

    p = sub.add_parser("run", help="运行每日流程 / run the daily pipeline as a Prefect flow run")
    p.add_argument("--date", type=_date, default=None)
    p.add_argument("--unit", action="append", help="只处理这些单位（可重复）")
    p.add_argument("--no-push", action="store_true", help="只校验，不推送")
    p.set_defaults(func=_command("run"))

    p = sub.add_parser("stats", help="日统计 / daily statistics")
    p.add_argument("--date", type=_date, default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_command("stats"))

    p = sub.add_parser("bulletin", help="月通报 / monthly bulletin")
    p.add_argument("--month", type=_month, required=True)
    p.set_defaults(func=_command("bulletin"))

    p = sub.add_parser(
        "duties",
        help="重点工作任务：当月到期事项，或年度任务完成情况表 / the plan's obligations due in a month, or the year's table",
    )
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--month", type=_month, help="当月到期的定期报送事项 YYYY-MM")
    when.add_argument("--year", type=_year, help="年度任务完成情况表 YYYY")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--today", dest="as_of", type=_date, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=_command("duties"))

    p = sub.add_parser("sandbox", help="本地模拟信用湛江接口 / local 信用湛江 receiver")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--state", default=None, help="保存接收状态的文件")
    p.set_defaults(func=_command("sandbox"))

    p = sub.add_parser("demo", help="演示：生成数据并完整运行一天")
    p.add_argument("--days", type=int, default=1, help="生成并处理的天数（工作日）")
    p.add_argument("--date", type=_date, default=None, help="最后一天（默认今天）")
    p.set_defaults(func=_command("demo"))

    p = sub.add_parser(
        "deploy", help="部署 Prefect 部署、计划和告警 / create or update deployments and alerts"
    )
    p.add_argument("--pool", default="credit-process")
    p.set_defaults(func=_command("deploy"))

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
    p.set_defaults(func=_command("generate"))

    p = sub.add_parser("users", help="门户账号 / the portal's accounts")
    users = p.add_subparsers(dest="action", required=True)
    u = users.add_parser("add", help="添加账号（密码从标准输入读取一行）")
    u.add_argument("login")
    u.add_argument("--role", choices=["clerk", "operator", "admin"], required=True)
    u.add_argument("--unit", help="报送员所属单位代码（仅 clerk）")
    u = users.add_parser("disable", help="停用账号")
    u.add_argument("login")
    u = users.add_parser("reset", help="重设密码并解锁（新密码从标准输入读取一行）")
    u.add_argument("login")
    users.add_parser("list", help="列出账号")
    p.set_defaults(func=_command("users"))

    p = sub.add_parser("portal", help="门户网站 / the web portal for units and the office")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8300)
    p.set_defaults(func=_command("portal"))

    p = sub.add_parser("init-db", help="创建或升级数据库")
    p.set_defaults(func=_command("init_db"))

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
