"""Sample data: a realistic reporting day for the 双公示 units, with exactly known planted defects.

- `generate_day(home, report_date, ...)` writes `inbox/<unit>/<file>` (xlsx and CSV in four encodings, five
  header variants), `reference/<dataset>/<date>.csv` (every decision made, reported or not) and the manifest
  `generated/<date>.json` (per row: spreadsheet row number, planted rules, validity, lateness, business key).
- `generate_days(home, start, end, ...)`: every working day of a range, with repeats, corrections and late
  arrivals of earlier unreported decisions.
- `profile="realistic"` (what `credit demo` and `credit generate` use): most units clean, a few units
  (`problem_share`) wrong, late or missing at the given rates, the others at `clean_rate`; `"uniform"` (the
  default of these functions): the given rates for every unit. See `PROFILES`.
- `datasets="all"` (what `credit demo` and `credit generate` use; default: the 双公示 datasets only): also every
  other dataset folder (credit/datasets/<id>/ without `[generator] profile`), one file per unit and dataset it
  reports, made from the folder alone (`samples.generator.datasets`); lifecycle records (履约中, 有效) come back
  later with a new status (a correction); a dataset read from a database (`[source] kind = "sql"`) goes into
  `sources/<id>.sqlite`, built from the folder's source.sql, instead of the inbox. The 双公示 files are the same
  with or without it.
- `generate_records(dataset, n, ...)`: the vectorised bulk path for the benchmark (1M rows in seconds).
- `write_frame(frame, path, fmt)`: a frame as csv-utf8 | csv-utf8-sig | csv-gbk | csv-gb18030 | xlsx.

A clean row breaks no rule of docs/standard.md §3 (not even a warning); a planted row breaks exactly its planted
rule. Everything is synthetic and deterministic for a given seed.
"""

from .bulk import generate_records, generate_records_with_meta
from .datasets import PLANTABLE, DatasetRows, generic_datasets
from .day import PROFILES, GeneratedDay, generate_day, generate_days, problem_units
from .files import write_frame
from .records import FORMATS, RULES, SEVERITY, VARIANTS

__all__ = [
    "FORMATS",
    "PLANTABLE",
    "PROFILES",
    "RULES",
    "SEVERITY",
    "VARIANTS",
    "DatasetRows",
    "GeneratedDay",
    "generate_day",
    "generate_days",
    "generate_records",
    "generate_records_with_meta",
    "generic_datasets",
    "problem_units",
    "write_frame",
]
