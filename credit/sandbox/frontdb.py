"""The platform's side of the 前置库, for tests and the demo: read unprocessed rows and fill STATUS with
the same semantics as the HTTP sandbox (I for a held key → duplicate, U for an unknown key → rejected,
D for a held key → accepted, missing required codes → rejected)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from credit.platform.frontdb import FrontDbTransport
from credit.standard import datasets


def process_frontdb(url: str) -> int:
    """Process every row whose STATUS is NULL, oldest first; returns how many rows were processed."""
    transport = FrontDbTransport(url)
    required = {ds: [f.code for f in d.fields if f.required == "yes"] for ds, d in datasets().items()}
    done = 0
    try:
        with transport.engine.begin() as conn:
            for ds in sorted(datasets()):
                tables = [transport.table(ds, s) for s in ("FR", "ZRR")]
                held: set[str] = set()
                for table in tables:  # what the platform holds: the history of processed rows
                    for row in conn.execute(
                        select(table.c.RECORD_KEY, table.c.OP)
                        .where(table.c.STATUS == "accepted")
                        .order_by(table.c.PROCESS_TIME, table.c.ID)
                    ):
                        (held.discard if row.OP == "D" else held.add)(row.RECORD_KEY)
                pending = []
                for table in tables:
                    for row in conn.execute(select(table).where(table.c.STATUS.is_(None))).mappings():
                        pending.append((row["SUBMIT_TIME"], row["ID"], table, dict(row)))
                pending.sort(key=lambda p: (p[0], p[1]))
                now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
                for _, row_id, table, row in pending:
                    key, op = row["RECORD_KEY"], row["OP"]
                    status, field, message = "accepted", None, None
                    missing = [c for c in required[ds] if not (row.get(c) or "").strip()]
                    if op == "D":
                        if key in held:
                            held.discard(key)
                        else:
                            status, message = "rejected", "记录不存在，无法撤销"
                    elif missing:
                        status, field, message = "rejected", missing[0], f"必填字段 {missing[0]} 缺失"
                    elif op == "I" and key in held:
                        status = "duplicate"
                    elif op == "U" and key not in held:
                        status, message = "rejected", "平台无此记录，无法更新（应以新增 I 报送）"
                    else:
                        held.add(key)
                    conn.execute(
                        update(table)
                        .where(table.c["ID"] == row_id)
                        .values(STATUS=status, ERROR_FIELD=field, MESSAGE=message, PROCESS_TIME=now)
                    )
                    done += 1
    finally:
        transport.close()
    return done
