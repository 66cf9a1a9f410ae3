"""The outbox: valid versions queued for the platform, one per record (the newest), the rest superseded."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session
from sqlmodel import select as orm_select

from credit.delivery.tables import RV, R, op_for
from credit.store.models import RecordVersion


def queue_valid(session: Session, version_ids: Iterable[int] | None = None) -> int:
    """Queue every valid, not-yet-queued version (optionally only `version_ids`): push_state 'none' →
    'queued', op 'I' when the platform holds no accepted version of its record (also after a rejection or
    a revocation), else 'U'. Per record only the newest valid unsent version goes; older queued or
    never-sent ones become 'superseded'. Returns how many versions were queued. The caller commits."""
    q = orm_select(RecordVersion.record_id).where(
        RecordVersion.status == "valid", RecordVersion.push_state == "none"
    )
    if version_ids is not None:
        ids = list(version_ids)
        if not ids:
            return 0
        q = q.where(RecordVersion.id.in_(ids))
    record_ids = sorted(set(session.exec(q).all()))
    queued = 0
    for start in range(0, len(record_ids), 500):
        chunk = record_ids[start : start + 500]
        rows = session.execute(
            select(
                RV.c.id,
                RV.c.record_id,
                RV.c.version,
                RV.c.status,
                RV.c.push_state,
                RV.c.op,
                R.c.accepted_version,
                R.c.revoked,
            )
            .join(R, R.c.id == RV.c.record_id)
            .where(RV.c.record_id.in_(chunk))
        ).all()
        by_record: dict[int, list[Any]] = {}
        for row in rows:
            by_record.setdefault(row.record_id, []).append(row)
        to_queue: dict[str, list[int]] = {"I": [], "U": []}
        supersede: list[int] = []
        for versions in by_record.values():
            sent = [v.version for v in versions if v.push_state in ("batched", "accepted", "duplicate")]
            pool = [v for v in versions if v.status == "valid" and v.push_state in ("none", "queued")]
            if not pool:
                continue
            newest = max(pool, key=lambda v: v.version)
            for v in pool:
                if v is not newest or (sent and newest.version < max(sent)):
                    supersede.append(v.id)
            if newest.id in supersede or newest.push_state != "none":
                continue
            to_queue[op_for(newest.accepted_version, newest.revoked)].append(newest.id)
        for op, ids in to_queue.items():
            if ids:
                result = session.execute(
                    update(RV)
                    .where(RV.c.id.in_(ids), RV.c.push_state == "none")
                    .values(push_state="queued", op=op)
                )
                queued += result.rowcount
        if supersede:
            session.execute(
                update(RV)
                .where(RV.c.id.in_(supersede), RV.c.push_state.in_(("none", "queued")))
                .values(push_state="superseded")
            )
    session.flush()
    return queued
