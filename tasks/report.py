"""Report: daily statistics (with artifacts) and the monthly bulletin."""

from __future__ import annotations

import datetime as dt

from prefect import get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from credit import escape
from credit.pipeline import daily_statistics, monthly_bulletin
from tasks.common import settings


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
    docs = settings().out / "data_docs" / "index.html"
    if docs.exists():
        create_link_artifact(
            key="data-docs", link=docs.as_uri(), description="Great Expectations Data Docs（校验详情）"
        )
    get_run_logger().info("日统计已生成：%s", paths)
    return (
        {k: str(v) for k, v in paths.items()}
        if isinstance(paths, dict)
        else {"paths": [str(p) for p in paths]}
    )


@task(name="monthly-bulletin", task_run_name="bulletin {month}", cache_policy=NO_CACHE)
def bulletin_task(month: str) -> dict:
    """Build the 月通报 documents for a month."""
    paths = monthly_bulletin(settings(), month)
    result = (
        {k: str(v) for k, v in vars(paths).items()} if hasattr(paths, "__dict__") else {"paths": str(paths)}
    )
    docx = result.get("docx")
    if docx:
        create_link_artifact(key="monthly-bulletin", link=f"file://{docx}", description=f"{month} 月通报")
    return result
