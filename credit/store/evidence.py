"""Tables of the evidence of the plan's duties. The evidence sheets' rows are records and versions like any
(credit.collect.records; their datasets are never pushed); the attachments they name are files of their own,
one row each here, whatever became of them (stored or quarantined)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from credit.store.models import _now


class EvidenceFile(SQLModel, table=True):
    """An attachment a unit delivered (.pdf, .docx, .jpg/.jpeg, .png), checked by credit.readers.attachments.
    A safe one lies content-addressed, read-only, at `$CREDIT_HOME/evidence/<unit>/<sha256><ext>`; an unsafe
    one in quarantine/ with its reason. The name is the unit's, for display and for the 附件 column to cite."""

    __tablename__ = "evidence_file"
    __table_args__ = (UniqueConstraint("unit", "sha256", "file_name", name="uq_evidence_file_unit_sha_name"),)
    id: int | None = Field(default=None, primary_key=True)
    unit: str = Field(index=True, max_length=32)
    file_name: str  # as delivered (display name): what a row's 附件 cites
    kind: str = Field(max_length=8)  # pdf | docx | jpeg | png (sniffed); the extension's kind when refused
    size: int
    sha256: str = Field(max_length=64, index=True)
    received_date: dt.date = Field(index=True)  # the report date of the run that collected it
    received_at: dt.datetime = Field(default_factory=_now)
    state: str = Field(max_length=16)  # stored | quarantined
    reason: str | None = None  # quarantined: Chinese / English
    stored_path: str | None = None
