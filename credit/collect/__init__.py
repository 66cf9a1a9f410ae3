"""Collect: a unit's deliveries into the store. `inbox` reads the files of `inbox/<unit>/` (and a 撤销清单
into withdrawal requests), `sql` the unit's SQL sources, `records` stores a sheet's rows as records and
versions, `attachments` checks and stores (or quarantines) the attachments of the evidence sheets and says what
is wrong with those a row cites; `outcomes` holds what collecting one file gives. The collect step
(credit.steps.collect) calls both readers."""

from credit.collect.inbox import FileOutcome, UnitCollect, collect_file, collect_unit
from credit.collect.sql import collect_sql

__all__ = ["FileOutcome", "UnitCollect", "collect_file", "collect_sql", "collect_unit"]
