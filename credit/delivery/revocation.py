"""Revocations (撤销, op D): a record the platform accepted is withdrawn by queueing a version that carries
only its identity fields."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import func, or_, update
from sqlmodel import Session
from sqlmodel import select as orm_select

from credit.delivery.tables import RV
from credit.store.models import Record, RecordVersion

# Fields a revocation (op D) carries so the platform and people can tell which record it is.
IDENTITY_KEYS = (
    "counterpart_name",
    "counterpart_category",
    "uscc",
    "id_type",
    "id_no",
    "decision_doc_no",
    "decision_date",
    "authority",
    "authority_uscc",
    "source_unit",
    "source_unit_uscc",
)


class RevokeError(ValueError):
    """A revocation that cannot be queued (unknown record, never accepted, already revoked)."""


def revoke(
    session: Session,
    dataset: str,
    key: str,
    reason: str,
    *,
    unit: str,
    report_date: dt.date | None = None,
) -> RecordVersion:
    """Queue a revocation (撤销, op D) of a record of `unit` the platform has accepted.

    `key` is the record's `record_key` (hex SHA-256) or its business key; only the unit's own records are
    found (a unit revokes nothing it did not send). A new RecordVersion is added
    (status 'valid', push_state 'queued', op 'D') whose data is the identity fields of the last accepted
    version plus `remark` = "撤销：<reason>"; its raw holds {"revoke_reason": reason}. Unsent versions of the
    record are superseded. Idempotent: a revocation already queued or in flight is returned as is. When the
    platform accepts it, Record.revoked becomes True (a later new version then goes as I). Raises
    RevokeError (Chinese message) for an unknown, never accepted or already revoked record. The caller
    commits."""
    record = session.exec(
        orm_select(Record).where(
            Record.dataset == dataset,
            Record.unit == unit,
            or_(Record.record_key == key, Record.business_key == key),
        )
    ).first()
    if record is None:
        raise RevokeError(f"撤销失败：数据集 {dataset} 中没有该记录")
    pending = session.exec(
        orm_select(RecordVersion).where(
            RecordVersion.record_id == record.id,
            RecordVersion.op == "D",
            RecordVersion.push_state.in_(("queued", "batched")),
        )
    ).first()
    if pending is not None:
        return pending
    if record.accepted_version is None or record.revoked:
        raise RevokeError("撤销失败：该记录尚未被平台接受或已撤销，无需撤销（未报送的版本不会再报送）")
    accepted = session.exec(
        orm_select(RecordVersion).where(
            RecordVersion.record_id == record.id, RecordVersion.version == record.accepted_version
        )
    ).one()
    data = {k: accepted.data[k] for k in IDENTITY_KEYS if accepted.data.get(k) not in (None, "")}
    data["remark"] = f"撤销：{reason}"
    session.execute(
        update(RV)
        .where(RV.c.record_id == record.id, RV.c.push_state.in_(("none", "queued")))
        .values(push_state="superseded")
    )
    max_version = session.exec(
        orm_select(func.max(RecordVersion.version)).where(RecordVersion.record_id == record.id)
    ).one()
    version_no = max(record.current_version, max_version or 0) + 1
    version = RecordVersion(
        record_id=record.id,
        version=version_no,
        content_hash=hashlib.sha256(
            json.dumps({"op": "D", "data": data}, ensure_ascii=False, sort_keys=True).encode()
        ).hexdigest(),
        received_date=report_date or dt.date.today(),
        data=data,
        raw={"revoke_reason": reason},
        status="valid",
        push_state="queued",
        op="D",
    )
    session.add(version)
    record.current_version = version_no
    session.add(record)
    session.flush()
    return version
