"""`credit demo`: the whole job on the embedded default — Prefect's ephemeral API, SQLite, and the sandbox
receiver started and stopped here. Generates realistic days for all 49 units, runs the daily pipeline for
each, builds the month's bulletin, prepares the portal on the demo's data (demo accounts, samples/demo_portal.py)
and says where everything is and how to open the portal."""

from __future__ import annotations

import datetime as dt
import json
import os
import time

from credit.sandbox import DEMO_APP_KEY, DEMO_APP_SECRET, start_sandbox
from credit.settings import load_settings
from credit.standard import DATASET_NAMES, datasets
from credit.workdays import WorkCalendar, working_days_until
from samples.demo_portal import instructions, prepare_portal
from samples.generator import generate_day
from samples.generator.sqlsource import write_sql_source

# A unit delivers each dataset other than 双公示 on about this share of days: every dataset shows in the
# statistics while the day stays quick (each file is one more read, each unit-dataset one more push batch).
OTHER_SHARE = 0.25


def _say(text: str) -> None:
    print(text, flush=True)


def _sql_sources(settings) -> None:
    """The sample databases (登记注册 of 市场监管局, 司法裁判 of 法院) as the office's SQL sources: each dataset
    read with its folder's query and unit (credit/sql_sources.py)."""
    folder = settings.home / "sources"
    for ds in datasets().values():  # every holder's database, also on a day it has no new rows
        if ds.source.get("kind") == "sql":
            write_sql_source(folder, ds, [])
    files = sorted(folder.glob("*.sqlite"))
    if not files:
        return
    entries = [
        f'[[source]]\ndataset = "{p.stem}"\nurl = {json.dumps(f"sqlite:///{p.as_posix()}")}\n' for p in files
    ]
    toml = settings.home / "sources" / "sources.toml"
    toml.write_text("# 演示用样例数据库（credit demo 生成）\n\n" + "\n".join(entries), encoding="utf-8")
    os.environ["CREDIT_SQL_SOURCES"] = str(toml)


def run_demo(days: int = 1, end: dt.date | None = None) -> int:
    settings = load_settings()
    settings.ensure_dirs()
    calendar = WorkCalendar(settings.calendar_override)
    end = end or dt.date.today()
    report_days = working_days_until(end, max(1, days), calendar)
    started = time.monotonic()
    own_sql_sources = not os.environ.get("CREDIT_SQL_SOURCES")
    _say(
        f"雷州市公共信用数据归集演示（双公示及其他信用信息）：{len(report_days)} 个报送日，数据目录 {settings.home}"
    )

    state_path = settings.home / "sandbox" / "state.db"
    state_path.parent.mkdir(parents=True, exist_ok=True)
    sandbox = start_sandbox(app_key=DEMO_APP_KEY, app_secret=DEMO_APP_SECRET, state_path=state_path)
    # The flow reads its configuration from the environment, as a worker would.
    os.environ.update(
        {
            "CREDIT_HOME": str(settings.home),
            "CREDIT_PLATFORM_URL": sandbox.url,
            "CREDIT_PLATFORM_APP_KEY": DEMO_APP_KEY,
            "CREDIT_PLATFORM_APP_SECRET": DEMO_APP_SECRET,
        }
    )
    _say(f"模拟信用湛江接口已启动：{sandbox.url}")
    try:
        from flows.ephemeral import start_ephemeral_api

        # Imported here, not at the top: Prefect's API boots while GX and the flows (seconds) are imported.
        api_ready = start_ephemeral_api()
        from credit.validation.gx import warm_up
        from flows.daily import daily_pipeline

        warm_up()
        api_ready()

        for day in report_days:
            manifest = settings.home / "generated" / f"{day.isoformat()}.json"
            if manifest.exists():
                _say(f"{day}：样例数据已生成过，直接运行")
            else:
                # Every dataset: each unit one file per dataset it reports; a dataset read from a database
                # (登记注册, 司法裁判) into a SQLite file under sources/ instead.
                generated = generate_day(
                    settings.home,
                    day,
                    seed=day.toordinal(),
                    profile="realistic",
                    datasets="all",
                    other_share=OTHER_SHARE,
                )
                kinds = len({f["dataset"] for f in generated.manifest["files"]})
                _say(f"{day}：已为 49 个单位生成 {len(generated.files)} 个报送文件（{kinds} 类数据）")
                for src in generated.manifest.get("sql_sources", []):
                    if src["path"]:
                        name = DATASET_NAMES.get(src["dataset"], src["dataset"])
                        _say(f"{day}：{name} {src['rows']} 条写入样例数据库 {settings.home / src['path']}")
            if own_sql_sources:  # unless the office configured its own
                _sql_sources(settings)
            _say(f"{day}：运行每日流程（收取 → 校验 → 推送 → 日统计）…")
            state = daily_pipeline(report_date=day, return_state=True)
            if not state.is_completed():
                _say(f"{day}：流程未完成：{state.name} {state.message or ''}")
                return 1
        from credit.steps.report import monthly_bulletin

        month = f"{end.year:04d}-{end.month:02d}"
        bulletin = monthly_bulletin(settings, month)
        platform = sandbox.state()
    finally:
        sandbox.stop()

    last = report_days[-1].isoformat()
    stats_path = settings.out / "daily" / last / "stats.json"
    total = json.loads(stats_path.read_text(encoding="utf-8"))["total"] if stats_path.exists() else {}
    feedback = sorted((settings.out / "feedback" / last).glob("*.xlsx"))
    docs = settings.out / "data_docs" / "index.html"

    def pct(value) -> str:
        return "—" if value is None else f"{value:.1%}"

    _say("")
    _say(f"完成，用时 {time.monotonic() - started:.0f} 秒。{last} 全市合计：")
    _say(
        f"  新增 {total.get('received', 0)} 条，错误 {total.get('invalid', 0)}，迟报 {total.get('late', 0)}，"
        f"漏报 {total.get('missing', 0)}；达标率 {pct(total.get('compliance_rate'))}，"
        f"及时率 {pct(total.get('timely_rate'))}"
    )
    _say(f"  平台已接收 {platform.get('accepted_total', '?')} 条")
    _say("输出：")
    _say(f"  日统计      {stats_path}")
    _say(f"              {stats_path.parent / ('日统计_' + last.replace('-', '') + '.xlsx')}")
    _say(f"  问题数据反馈 {settings.out / 'feedback' / last}/（{len(feedback)} 个单位）")
    _say(f"  Data Docs   {docs if docs.exists() else settings.out / 'data_docs'}")
    _say(f"  月通报      {bulletin.docx}")
    _say(f"              {bulletin.pdf}")
    for chart in bulletin.charts:
        _say(f"              {chart}")
    _say(f"  归档 / 隔离  {settings.archive} / {settings.quarantine}")
    _say("")
    for line in instructions(settings, prepare_portal(settings, report_days[-1])):
        _say(line)
    return 0
