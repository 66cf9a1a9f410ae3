"""日统计: the daily statistics per unit and dataset, exactly as docs/contracts.md "Daily statistics" defines them.

For report date D and N = CREDIT_DEADLINE_WORKDAYS:

- received: distinct records (`Record`, one per business key) with `first_received == D`; a correction is a
  new version of an existing record, not a new record.
- invalid: of those, records whose first version (version 1) has status `invalid`.
- late: of those, records received more than N working days after their decision date; a record whose
  decision date is unknown is not late.
- invalid_or_late: of those, records invalid or late or both (each counted once), for compliance_rate.
- missing: reference decisions whose deadline is D and for which no record of the same dataset, unit and
  decision document number was first received on or before D (each missing decision counted once, on its
  deadline day).
- corrections (纠正): versions > 1 received on D.
- pushed / accepted / rejected: items of the batches whose `report_date` is D (the run that settled them);
  a `duplicate` answer means the platform already holds that record, so it counts as accepted.
- rates: error = invalid/received, late = late/received, timely = 1 − late_rate,
  missing = missing/(received+missing), compliance = (received − invalid_or_late)/(received+missing);
  a zero denominator gives None (JSON null), never 0 or 1.
- three_zero (三清零): late, missing and invalid all zero over the period.
- suspected_gaps (疑似漏报, listed, not counted): holes in a unit's sequential document numbers
  `<prefix>〔YYYY〕N号`, one series per unit, dataset and year whatever the prefix variant (independent series
  declared in `credit/data/doc_number_series.csv`), never a number received in any form or listed by the
  reference feed; `suspected_gaps_total` is the true count.

A day's statistics are a snapshot (`save_daily`): recomputed with the same knowledge they stay as they are,
revision and all; recomputed with other results they are restated as the day's next revision, and what
changed (unit, dataset, field, old → new) is kept in the store and written in stats.json ("revision",
"restated"). For the bulletin: `month_suspected_gaps` and `day_revisions`.

Rooms: the counters themselves are defined once in `credit.counters`; `report` holds the result
(`DailyReport`, `UnitStat`), `compute` computes it, `doc_numbers` the series and their holes, `snapshots`
stores and restates it, `render` writes it as table rows and markdown. The files (stats.json, the workbook)
are written above, by `credit.reports.daily.write_daily`: the statistics import no rendering.
"""

from credit.counters import (
    COUNT_FIELDS,
    COUNT_LABELS,
    MEASURES,
    RATE_FIELDS,
    RATE_LABELS,
    SHOWN_COUNTS,
    Counts,
    Measure,
    ratio,
)
from credit.stats.compute import compute_daily
from credit.stats.doc_numbers import DocSeries, SeriesRule, parse_doc_no, read_series_rules
from credit.stats.render import cn_date, daily_markdown, daily_table, ordered_rows, pct
from credit.stats.report import DailyReport, UnitStat
from credit.stats.snapshots import (
    MAX_GAPS,
    SNAPSHOT_FIELDS,
    GapList,
    day_revisions,
    month_suspected_gaps,
    save_daily,
)

__all__ = [
    "COUNT_FIELDS",
    "COUNT_LABELS",
    "MAX_GAPS",
    "MEASURES",
    "RATE_FIELDS",
    "RATE_LABELS",
    "SHOWN_COUNTS",
    "SNAPSHOT_FIELDS",
    "Counts",
    "DailyReport",
    "DocSeries",
    "GapList",
    "Measure",
    "SeriesRule",
    "UnitStat",
    "cn_date",
    "compute_daily",
    "daily_markdown",
    "daily_table",
    "day_revisions",
    "month_suspected_gaps",
    "ordered_rows",
    "parse_doc_no",
    "pct",
    "ratio",
    "read_series_rules",
    "save_daily",
]
