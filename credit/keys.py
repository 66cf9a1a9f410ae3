"""Business keys (docs/standard.md §3, DUP-1): what makes two rows the same record.

A dataset's key is `[key] fields` of its folder (credit/datasets/README.md): the dataset id, then each field in
order, `@subject` standing for the subject's identifier (USCC, else 证件号码, else name).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import pandas as pd

from credit.datasets import SUBJECT, catalogue

KEY_SEPARATOR = "\x1f"


def counterpart_id(uscc: object, id_no: object, name: object) -> str:
    """The counterpart's identifier: USCC, else 证件号码, else name (the placeholder USCC is no identifier)."""
    for value in (uscc, id_no, name):
        if isinstance(value, str) and value and value != "0" * 17 + "X":
            return value
    return ""


def business_key_of(dataset: str, values: Mapping[str, object]) -> str:
    """The business key of one row (field key -> normalised value)."""
    parts = [dataset]
    for k in catalogue().dataset(dataset).key_fields:
        if k == SUBJECT:
            parts.append(
                counterpart_id(values.get("uscc"), values.get("id_no"), values.get("counterpart_name"))
            )
        else:
            parts.append(str(values.get(k) or ""))
    return KEY_SEPARATOR.join(parts)


def business_key(
    dataset: str, doc_no: object, uscc: object, id_no: object, name: object, authority_uscc
) -> str:
    """The key of a 双公示 record (决定文书号, subject, authority USCC)."""
    values = {"decision_doc_no": doc_no, "uscc": uscc, "id_no": id_no, "counterpart_name": name}
    return business_key_of(dataset, values | {"authority_uscc": authority_uscc})


def record_key(unit: str, key: str) -> str:
    """The platform's `recordKey`: hex SHA-256 of the sending unit and the business key (docs/contracts.md, the
    信用湛江 endpoint). The unit is part of a record's identity: two units sending the same business key own
    two records, and neither can change the other's. Records stored before this rule keep the key they were
    published under (`Record.record_key` is stored, never recomputed)."""
    return hashlib.sha256(f"{unit}{KEY_SEPARATOR}{key}".encode()).hexdigest()


def business_keys(dataset: str, frame: pd.DataFrame) -> pd.Series:
    """Vectorised `business_key_of` over a normalised frame (columns are field keys)."""

    def col(name: str) -> pd.Series:
        return frame[name] if name in frame else pd.Series([None] * len(frame), index=frame.index)

    key = pd.Series(dataset, index=frame.index, dtype=object)
    for k in catalogue().dataset(dataset).key_fields:
        if k == SUBJECT:
            placeholder = "0" * 17 + "X"
            uscc = col("uscc").where(col("uscc") != placeholder)
            part = uscc.where(uscc.notna() & (uscc != ""), col("id_no"))
            part = part.where(part.notna() & (part != ""), col("counterpart_name")).fillna("").astype(str)
        else:
            part = col(k).fillna("").astype(str)
        key = key + KEY_SEPARATOR + part
    return key
