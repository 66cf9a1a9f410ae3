"""A day's statistics as files: `<out>/daily/<date>/stats.json` (the statistics contract) and the workbook
`日统计_<yyyymmdd>.xlsx` (`credit.reports.daily_workbook`)."""

from __future__ import annotations

import json
from pathlib import Path

from credit.reports.daily_workbook import write_daily_workbook
from credit.stats import DailyReport


def write_daily(report: DailyReport, out_dir: Path) -> dict[str, Path]:
    """`<out_dir>/daily/<date>/stats.json` and `日统计_<yyyymmdd>.xlsx`; returns {'json': …, 'xlsx': …}."""
    folder = Path(out_dir) / "daily" / report.date.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / "stats.json"
    tmp = json_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(json_path)
    xlsx_path = write_daily_workbook(report, folder / f"日统计_{report.date:%Y%m%d}.xlsx")
    return {"json": json_path, "xlsx": xlsx_path}
