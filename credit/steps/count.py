"""Count step: the store (verdicts, receipts, reference feed) → the day's statistics, stored (a restatement
when they changed) and written as stats.json and the 日统计 workbook."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from credit.reports.daily import write_daily
from credit.settings import Settings
from credit.standard import datasets
from credit.stats import DailyReport, compute_daily, save_daily
from credit.stats.report import three_zero_datasets
from credit.store import session_scope
from credit.workdays import WorkCalendar


@dataclass
class DailyCount:
    report: DailyReport
    json: Path  # out/daily/<date>/stats.json
    xlsx: Path  # out/daily/<date>/日统计_<yyyymmdd>.xlsx

    @property
    def paths(self) -> dict[str, str]:
        return {"json": str(self.json), "xlsx": str(self.xlsx)}


def daily_statistics(settings: Settings, report_date: dt.date) -> DailyCount:
    """Compute, store and write the day's statistics."""
    with session_scope(settings.database_url) as session:
        report = compute_daily(
            session,
            report_date,
            calendar=WorkCalendar(settings.calendar_override),
            deadline_workdays=settings.deadline_workdays,
            doc_series=settings.doc_series_file,
            deadlines={
                ds.id: n for ds in datasets().values() if (n := ds.deadline_workdays(settings)) is not None
            },
        )
        # The datasets of the totals and 三清零 as these settings say (not as the environment does).
        report.three_zero_datasets = three_zero_datasets(settings.three_zero_datasets)
        save_daily(session, report)
    paths = write_daily(report, settings.out)
    return DailyCount(report, paths["json"], paths["xlsx"])
