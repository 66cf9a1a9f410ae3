"""The daily job's steps, one module each, in the order the data flows:

    inbox ─collect→ store ─validate→ verdicts ─deliver→ outbox → receipts ─count→ statistics ─report→ reports

collect   (`steps.collect`)   a unit's inbox and SQL sources into the store; 撤销清单 rows as withdrawal requests
validate  (`steps.validate`)  pending record versions → verdicts in the store (nothing else)
deliver   (`steps.deliver`)   valid verdicts and withdrawal requests → the outbox; the outbox → 信用湛江 → receipts
count     (`steps.count`)     the store (verdicts, receipts, reference feed) → the day's statistics
report    (`steps.report`)    each unit's 问题数据 workbook (written once, after the receipts), the 月通报

Each step takes the settings and plain values and returns a typed result (a dataclass); it reads its input
from the store and writes its output there, so any step can be rerun alone (a UI retry, a custom run of an
old date) and reach the same state. Prefect tasks (tasks/) and the command line (cli/) call these functions;
nothing here knows Prefect.
"""
