"""Report: daily statistics and the monthly bulletin, each with an artifact listing every output it wrote."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from credit import escape
from credit.pipeline import daily_statistics, monthly_bulletin
from tasks.common import settings
from tasks.outputs import outputs_markdown


@task(name="daily-stats", task_run_name="daily-stats {report_date}", cache_policy=NO_CACHE)
def daily_stats_task(report_date: dt.date) -> dict:
    """Compute, store and publish the day's 日统计."""
    from credit.stats import daily_markdown, daily_table

    report, paths = daily_statistics(settings(), report_date)
    # The UI renders each table cell as Markdown; daily_markdown escapes the values it interpolates.
    create_table_artifact(
        key="daily-stats",
        table=escape.markdown_table(daily_table(report)),
        description=f"日统计 {report_date.isoformat()}",
    )
    create_markdown_artifact(key="daily-summary", markdown=daily_markdown(report), description="日统计摘要")
    get_run_logger().info("日统计已生成")
    return (
        {k: str(v) for k, v in paths.items()}
        if isinstance(paths, dict)
        else {"paths": [str(p) for p in paths]}
    )


@task(name="outputs", task_run_name="outputs {report_date}", cache_policy=NO_CACHE)
def daily_outputs_task(report_date: dt.date, stats: dict | None = None) -> list[str]:
    """The day's outputs as one markdown artifact: 日统计 (json, xlsx), each unit's 问题数据 workbook, Data Docs."""
    s = settings()
    day = report_date.isoformat()
    paths = [Path(p) for p in (stats or {}).values() if isinstance(p, str)]
    paths += sorted((s.out / "daily" / day).glob("*"))
    paths += sorted((s.out / "feedback" / day).rglob("*.xlsx"))
    paths.append(s.out / "data_docs" / "index.html")
    markdown = outputs_markdown(s, f"{day} 的输出文件", paths)
    create_markdown_artifact(key="daily-outputs", markdown=markdown, description=f"{day} 输出文件清单")
    return [line for line in markdown.splitlines() if line.startswith("| ") and "说明" not in line]


@task(name="monthly-bulletin", task_run_name="bulletin {month}", cache_policy=NO_CACHE)
def bulletin_task(month: str) -> dict:
    """Build the 月通报 documents for a month and list every file of them (docx, pdf, 附件, charts)."""
    s = settings()
    paths = monthly_bulletin(s, month)
    result = (
        {k: str(v) for k, v in vars(paths).items()} if hasattr(paths, "__dict__") else {"paths": str(paths)}
    )
    folder = Path(result.get("folder") or s.out / "bulletins" / month)
    files = [Path(result[k]) for k in ("docx", "pdf") if result.get(k)]
    files += sorted(p for p in folder.rglob("*") if p.is_file())
    create_markdown_artifact(
        key="monthly-bulletin",
        markdown=outputs_markdown(s, f"{month} 月通报", files),
        description=f"{month} 月通报文件清单",
    )
    return result
