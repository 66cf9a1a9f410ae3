"""The platform's rejections as feedback items for the unit's 问题数据 workbook and the run report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from credit.datasets import catalogue
from credit.delivery.tables import BI, RV, B, R
from credit.identifiers import mask_id
from credit.standard import dataset as get_dataset
from credit.store.models import Submission


def _masked_raw(raw: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in (raw or {}).items():
        if key in catalogue().hidden_keys:
            continue  # never shown (docs/standard.md §7)
        out[key] = mask_id(value) if key in catalogue().masked_keys and value not in (None, "") else value
    return out


def platform_rejections(
    session: Session, unit: str, report_date: dt.date, *, masked: bool = True
) -> list[dict[str, Any]]:
    """The unit's versions the platform rejected in batches settled on `report_date`, as feedback items
    `{"dataset","file_name","sheet","row","columns","raw","errors":[{"rule":"PLATFORM","field","column",
    "value","message"}],"warnings":[]}`; values masked per docs/standard.md §7 (`masked=False`: `raw` as the unit
    sent it, for the unit's own 问题数据 workbook only)."""
    rows = session.execute(
        select(
            RV.c.id,
            RV.c.sheet,
            RV.c.row,
            RV.c.raw,
            RV.c.data,
            RV.c.platform_errors,
            RV.c.submission_id,
            R.c.dataset,
        )
        .join(R, R.c.id == RV.c.record_id)
        .join(BI, BI.c.version_id == RV.c.id)
        .join(B, B.c.batch_id == BI.c.batch_id)
        .where(R.c.unit == unit, RV.c.push_state == "rejected", B.c.report_date == report_date)
        .order_by(RV.c.submission_id, RV.c.sheet, RV.c.row, RV.c.id)
    ).all()
    submissions: dict[int, Any] = {}
    items = []
    for row in rows:
        sub = None
        if row.submission_id is not None:
            if row.submission_id not in submissions:
                submissions[row.submission_id] = session.get(Submission, row.submission_id)
            sub = submissions[row.submission_id]
        # The unit's own headers for the sheet the row came from; CSV files and SQL sources are stored
        # under "" (they have no sheet). Always a mapping: a revocation or an unknown sheet gives {}.
        columns: dict[str, str] = {}
        if sub is not None and isinstance(sub.columns, dict):
            found = sub.columns.get(row.sheet or "")
            columns = dict(found) if isinstance(found, dict) else {}
        ds = get_dataset(row.dataset)
        by_code = {f.code: f for f in ds.fields}
        raw = _masked_raw(row.raw or {}) if masked else dict(row.raw or {})
        errors = []
        for err in row.platform_errors or [{"field": "", "message": "平台拒收"}]:
            code = err.get("field") or ""
            f = by_code.get(code)
            value = None
            column = None
            if f is not None:
                column = columns.get(f.key) or f.header
                if f.key not in catalogue().hidden_keys:
                    value = raw.get(f.key, (row.data or {}).get(f.key))
                    if f.key in catalogue().masked_keys and value not in (None, "") and f.key not in raw:
                        value = mask_id(value)
            errors.append(
                {
                    "rule": "PLATFORM",
                    "field": code,
                    "column": column,
                    "value": value,
                    "message": f"信用湛江平台拒收：{err.get('message') or ''}",
                }
            )
        items.append(
            {
                "dataset": row.dataset,
                "file_name": sub.file_name if sub is not None else None,
                "sheet": row.sheet,
                "row": row.row,
                "columns": columns,
                "raw": raw,
                "errors": errors,
                "warnings": [],
            }
        )
    return items
