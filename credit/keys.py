"""Business keys (docs/standard.md §3, DUP-1): what makes two rows the same record."""

from __future__ import annotations

import hashlib

import pandas as pd

KEY_SEPARATOR = "\x1f"


def counterpart_id(uscc: object, id_no: object, name: object) -> str:
    """The counterpart's identifier: USCC, else 证件号码, else name (the placeholder USCC is no identifier)."""
    for value in (uscc, id_no, name):
        if isinstance(value, str) and value and value != "0" * 17 + "X":
            return value
    return ""


def business_key(
    dataset: str, doc_no: object, uscc: object, id_no: object, name: object, authority_uscc
) -> str:
    parts = [dataset, str(doc_no or ""), counterpart_id(uscc, id_no, name), str(authority_uscc or "")]
    return KEY_SEPARATOR.join(parts)


def record_key(unit: str, key: str) -> str:
    """The platform's `recordKey`: hex SHA-256 of the sending unit and the business key (docs/contracts.md, the
    信用湛江 endpoint). The unit is part of a record's identity: two units sending the same business key own
    two records, and neither can change the other's. Records stored before this rule keep the key they were
    published under (`Record.record_key` is stored, never recomputed)."""
    return hashlib.sha256(f"{unit}{KEY_SEPARATOR}{key}".encode()).hexdigest()


def business_keys(dataset: str, frame: pd.DataFrame) -> pd.Series:
    """Vectorised `business_key` over a normalised frame (columns are field keys)."""

    def col(name: str) -> pd.Series:
        return frame[name] if name in frame else pd.Series([None] * len(frame), index=frame.index)

    placeholder = "0" * 17 + "X"
    uscc = col("uscc").where(col("uscc") != placeholder)
    ident = uscc.where(uscc.notna() & (uscc != ""), col("id_no"))
    ident = ident.where(ident.notna() & (ident != ""), col("counterpart_name")).fillna("")
    return (
        dataset
        + KEY_SEPARATOR
        + col("decision_doc_no").fillna("").astype(str)
        + KEY_SEPARATOR
        + ident.astype(str)
        + KEY_SEPARATOR
        + col("authority_uscc").fillna("").astype(str)
    )
