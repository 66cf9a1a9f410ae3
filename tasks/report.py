"""Count and report: the day's statistics, each unit's 问题数据 workbook (once, after the push) and the monthly
bulletin, each with an artifact listing every output it wrote."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from credit import escape
from credit.stats import daily_markdown, daily_table
from credit.steps.count import daily_statistics
from credit.steps.report import monthly_bulletin, units_feedback
from tasks.common import settings
from tasks.outputs import outputs_markdown


@task(name="daily-stats", task_run_name="daily-stats {report_date}", cache_policy=NO_CACHE)
def daily_stats_task(report_date: dt.date) -> dict[str, str]:
    """Compute, store and publish the day's 日统计; returns its files {"json": …, "xlsx": …}."""
    count = daily_statistics(settings(), report_date)
    # The UI renders each table cell as Markdown; daily_markdown escapes the values it interpolates.
    create_table_artifact(
        key="daily-stats",
        table=escape.markdown_table(daily_table(count.report)),
        description=f"日统计 {report_date.isoformat()}",
    )
    create_markdown_artifact(
        key="daily-summary", markdown=daily_markdown(count.report), description="日统计摘要"
    )
    get_run_logger().info("日统计已生成")
    return count.paths


@task(name="feedback", task_run_name="feedback {report_date}", cache_policy=NO_CACHE)
def feedback_task(units: list[str], report_date: dt.date) -> dict[str, str | None]:
    """Write each unit's 问题数据 workbook of the day, once the platform's answers are in (unit -> path)."""
    written = units_feedback(settings(), units, report_date)
    count = sum(1 for p in written.values() if p)
    if count:
        get_run_logger().info("问题清单已生成：%d 个单位", count)
    return {unit: str(path) if path else None for unit, path in written.items()}


@task(name="outputs", task_run_name="outputs {report_date}", cache_policy=NO_CACHE)
def daily_outputs_task(report_date: dt.date, stats: dict[str, str] | None = None) -> list[str]:
    """The day's outputs as one markdown artifact: 日统计 (json, xlsx), each unit's 问题数据 workbook, Data Docs."""
    s = settings()
    day = report_date.isoformat()
    paths = [Path(p) for p in (stats or {}).values()]
    paths += sorted((s.out / "daily" / day).glob("*"))
    paths += sorted((s.out / "feedback" / day).rglob("*.xlsx"))
    paths.append(s.out / "data_docs" / "index.html")
    markdown = outputs_markdown(s, f"{day} 的输出文件", paths)
    create_markdown_artifact(key="daily-outputs", markdown=markdown, description=f"{day} 输出文件清单")
    return [line for line in markdown.splitlines() if line.startswith("| ") and "说明" not in line]


@task(name="monthly-bulletin", task_run_name="bulletin {month}", cache_policy=NO_CACHE)
def bulletin_task(month: str) -> dict[str, str | list[str] | None]:
    """Build the 月通报 documents for a month and list every file of them (docx, pdf, 附件, charts)."""
    s = settings()
    paths = monthly_bulletin(s, month)
    files = [paths.docx, paths.pdf, *sorted(p for p in paths.folder.rglob("*") if p.is_file())]
    create_markdown_artifact(
        key="monthly-bulletin",
        markdown=outputs_markdown(s, f"{month} 月通报", files),
        description=f"{month} 月通报文件清单",
    )
    return {
        "folder": str(paths.folder),
        "docx": str(paths.docx),
        "pdf": str(paths.pdf),
        "json": str(paths.json),
        "charts": [str(p) for p in paths.charts],
        "annex_xlsx": str(paths.annex_xlsx) if paths.annex_xlsx else None,
    }
