"""The benchmark's bulk loader: validated records into a fresh store with SQLAlchemy Core inserts.

This is not `credit.collect` (the production store step inserts row by row through the ORM and is measured
separately, on a sample); it only puts N records where the statistics and the push can find them.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd
from sqlalchemy import insert

from credit.keys import business_keys
from credit.store import Record, RecordVersion
from credit.store.db import init_db

CHUNK = 20_000


def _rows(frame: pd.DataFrame) -> list[dict]:
    cols = {k: frame[k].to_numpy(dtype=object, na_value=None) for k in frame.columns}
    keys = list(cols)
    out = []
    for values in zip(*(cols[k] for k in keys), strict=True):
        out.append({k: v for k, v in zip(keys, values, strict=True) if v is not None})
    return out


def load_records(
    database_url: str,
    dataset: str,
    data: pd.DataFrame,
    raw: pd.DataFrame,
    units: np.ndarray,
    valid: np.ndarray,
    report_date: dt.date,
    *,
    queued: np.ndarray | None = None,
) -> int:
    """Insert one version per distinct business key (the first row of a DUP-1 group); returns the count."""
    engine = init_db(database_url)
    keys = business_keys(dataset, data)
    keep = ~keys.duplicated(keep="first").to_numpy()
    data, raw, keys = data[keep], raw.reindex(index=data.index)[keep], keys[keep]
    units, valid = np.asarray(units)[keep], np.asarray(valid)[keep]
    queued = np.zeros(len(data), dtype=bool) if queued is None else np.asarray(queued)[keep]
    decision = pd.to_datetime(data["decision_date"], format="%Y-%m-%d", errors="coerce")
    decision = [None if pd.isna(d) else d.date() for d in decision]
    datas, raws = _rows(data), _rows(raw)
    doc_nos = data["decision_doc_no"].to_numpy(dtype=object, na_value=None)
    rows = data.index.to_numpy()
    with engine.begin() as conn:
        start = (conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM record").scalar() or 0) + 1
        for lo in range(0, len(data), CHUNK):
            hi = min(lo + CHUNK, len(data))
            records, versions = [], []
            for i in range(lo, hi):
                key = keys.iloc[i]
                rid = start + i
                records.append(
                    {
                        "id": rid,
                        "dataset": dataset,
                        "unit": units[i],
                        "business_key": key,
                        "record_key": hashlib.sha256(key.encode()).hexdigest(),
                        "decision_doc_no": doc_nos[i],
                        "decision_date": decision[i],
                        "first_received": report_date,
                        "current_version": 1,
                        "revoked": False,
                    }
                )
                versions.append(
                    {
                        "id": rid,
                        "record_id": rid,
                        "version": 1,
                        "content_hash": "",
                        "sheet": None,
                        "row": int(rows[i]),
                        "received_date": report_date,
                        "data": datas[i],
                        "raw": raws[i],
                        "status": "valid" if valid[i] else "invalid",
                        "push_state": "queued" if queued[i] else "none",
                        "op": "I" if queued[i] else None,
                    }
                )
            conn.execute(insert(Record.__table__), records)
            conn.execute(insert(RecordVersion.__table__), versions)
    return len(data)
