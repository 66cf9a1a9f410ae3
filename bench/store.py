"""The benchmark's bulk loader: validated records into a fresh store with SQLAlchemy Core inserts.

Not `credit.collect.store_sheet` (which also decides repeats and corrections against what is stored, and
gives every record its submission's unit): it only puts N records, each with its own unit and verdict, where
the statistics and the push can find them. It works chunk by chunk so that at 1M records only one chunk's
row dicts (a ~1 KB dict per row and per frame) exist at a time, never the whole table's.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import insert

from credit.keys import business_keys, record_key
from credit.store import Record, RecordVersion
from credit.store.db import init_db

CHUNK = 10_000


def _rows(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts without blanks, in column order."""
    names = list(frame.columns)
    cells = frame.to_numpy(dtype=object, na_value=None)
    return [{k: v for k, v in zip(names, row, strict=True) if v is not None} for row in cells.tolist()]


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
    # Positions of the kept rows: no filtered copy of the (large) frames is made.
    kept = np.flatnonzero(~keys.duplicated(keep="first").to_numpy())
    keys = keys.to_numpy(dtype=object)
    if not raw.index.equals(data.index):
        raw = raw.reindex(index=data.index)
    units, valid = np.asarray(units), np.asarray(valid)
    queued = np.zeros(len(data), dtype=bool) if queued is None else np.asarray(queued)
    rows = data.index.to_numpy()
    with engine.begin() as conn:
        start = (conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM record").scalar() or 0) + 1
        for lo in range(0, len(kept), CHUNK):
            part = kept[lo : lo + CHUNK]
            chunk = data.iloc[part]
            decision = pd.to_datetime(chunk["decision_date"], format="%Y-%m-%d", errors="coerce")
            decision = [None if pd.isna(d) else d.date() for d in decision]
            doc_nos = chunk["decision_doc_no"].to_numpy(dtype=object, na_value=None)
            datas, raws = _rows(chunk), _rows(raw.iloc[part])
            records, versions = [], []
            for j, i in enumerate(part.tolist()):
                key = keys[i]
                rid = start + lo + j
                records.append(
                    {
                        "id": rid,
                        "dataset": dataset,
                        "unit": units[i],
                        "business_key": key,
                        "record_key": record_key(units[i], key),
                        "decision_doc_no": doc_nos[j],
                        "decision_date": decision[j],
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
                        "data": datas[j],
                        "raw": raws[j],
                        "status": "valid" if valid[i] else "invalid",
                        "push_state": "queued" if queued[i] else "none",
                        "op": "I" if queued[i] else None,
                    }
                )
            conn.execute(insert(Record.__table__), records)
            conn.execute(insert(RecordVersion.__table__), versions)
            del chunk, datas, raws, records, versions
    return len(kept)
