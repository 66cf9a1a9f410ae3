"""Tables of the store. Data flows one way: submissions -> records/versions (and revocation requests) ->
verdicts -> batches -> receipts -> daily statistics. Unique constraints, not luck, keep concurrent runs from duplicating rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from credit.counters import COUNT_FIELDS


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)  # sqlmodel 0.0.50 refuses naive datetimes


class UnitRow(SQLModel, table=True):
    """The unit registry as loaded into the store (credit/data/units.csv is the source)."""

    __tablename__ = "unit"
    code: str = Field(primary_key=True, max_length=32)
    name: str
    short_name: str
    kind: str
    shuanggongshi: bool
    uscc: str = Field(max_length=18)


class Submission(SQLModel, table=True):
    """One delivered file (or one SQL read), whatever became of it."""

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("unit", "sha256", name="uq_submission_unit_sha256"),)
    id: int | None = Field(default=None, primary_key=True)
    unit: str = Field(index=True, max_length=32)
    source: str = Field(default="inbox", max_length=16)  # inbox | sql
    file_name: str
    sha256: str = Field(max_length=64)
    received_date: dt.date = Field(index=True)  # the report date of the run that collected it
    received_at: dt.datetime = Field(default_factory=_now)
    datasets: str | None = None  # comma-separated dataset ids found in it
    rows: int = 0
    new_versions: int = 0
    repeats: int = 0
    outcome: str = Field(max_length=16)  # collected | quarantined | empty
    reason: str | None = None  # for quarantined files: Chinese / English
    stored_path: str | None = None  # where the file now lies (archive/ or quarantine/)
    encoding: str | None = None
    columns: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))  # sheet -> {key: header}
    # Rows that could not be applied (a 撤销清单's unmatched rows), in the feedback item shape.
    problems: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    validated: bool = False


class Record(SQLModel, table=True):
    """One decision of one unit across all its versions. Its identity is (dataset, sending unit, business key
    per docs/standard.md §3, DUP-1): a unit can correct, revoke or pre-empt only records it sent itself."""

    __tablename__ = "record"
    __table_args__ = (UniqueConstraint("dataset", "unit", "business_key", name="uq_record_unit_key"),)
    id: int | None = Field(default=None, primary_key=True)
    dataset: str = Field(index=True, max_length=16)  # evidence sheets' ids are longer (migration 0006)
    unit: str = Field(index=True, max_length=32)  # the unit that sent it (inbox folder, SQL source)
    business_key: str
    # The platform's recordKey: hex SHA-256 of unit and business key (keys.record_key); records stored
    # before migration 0003 keep the SHA-256 of the business key alone they were published under.
    record_key: str = Field(unique=True, max_length=64)
    decision_doc_no: str | None = Field(default=None, index=True)
    decision_date: dt.date | None = None
    first_received: dt.date = Field(index=True)
    current_version: int = 1
    accepted_version: int | None = (
        None  # last version the platform accepted (None: never, so the next op is I)
    )
    revoked: bool = False


class RecordVersion(SQLModel, table=True):
    """A version per content change, with lineage, verdict and delivery state."""

    __tablename__ = "record_version"
    __table_args__ = (UniqueConstraint("record_id", "version", name="uq_version_record_version"),)
    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="record.id", index=True)
    version: int
    content_hash: str = Field(max_length=64)
    submission_id: int | None = Field(default=None, foreign_key="submission.id", index=True)
    sheet: str | None = None
    row: int | None = None  # spreadsheet row number as the unit's file shows it
    received_date: dt.date = Field(index=True)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # normalised, by field key
    raw: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # as written, by field key
    # Validation
    status: str = Field(default="pending", index=True, max_length=16)  # pending | valid | invalid
    errors: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    warnings: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    late: bool | None = None
    # Delivery
    push_state: str = Field(default="none", index=True, max_length=16)
    # none (not to send) | queued | batched | accepted | rejected | duplicate | superseded
    op: str | None = Field(default=None, max_length=1)  # I | U | D
    platform_errors: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))


class Batch(SQLModel, table=True):
    """The push ledger: a batch is written here before it is sent, and settled from its receipt."""

    __tablename__ = "batch"
    batch_id: str = Field(primary_key=True, max_length=36)
    dataset: str = Field(max_length=8)
    unit: str = Field(index=True, max_length=32)
    transport: str = Field(default="api", max_length=16)  # api | frontdb
    state: str = Field(default="open", index=True, max_length=16)  # open | sent | settled | failed
    attempts: int = 0
    last_error: str | None = None
    records: int = 0
    created_at: dt.datetime = Field(default_factory=_now)
    sent_at: dt.datetime | None = None
    settled_at: dt.datetime | None = None
    report_date: dt.date | None = Field(default=None, index=True)  # report date of the run that settled it
    receipt: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class BatchItem(SQLModel, table=True):
    """One record of a batch. A version is in at most one batch, ever (uq_batch_item_version): a batch
    whose answer was lost is re-sent under its own batch id with the `payload`s stored here."""

    __tablename__ = "batch_item"
    __table_args__ = (
        UniqueConstraint("batch_id", "version_id", name="uq_batch_item"),
        UniqueConstraint("version_id", name="uq_batch_item_version"),
    )
    id: int | None = Field(default=None, primary_key=True)
    batch_id: str = Field(foreign_key="batch.batch_id", index=True, max_length=36)
    version_id: int = Field(foreign_key="record_version.id", index=True)
    record_key: str = Field(max_length=64)
    op: str = Field(max_length=1)
    status: str = Field(default="pending", max_length=16)  # pending | accepted | rejected | duplicate
    errors: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    # The record exactly as sent ({"recordKey","op","data"}), so a re-send repeats it byte for byte.
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class RevocationRequest(SQLModel, table=True):
    """A 撤销清单 row that matched one published record of the sending unit (collect step). The deliver step
    turns it into a delete (op D) in the outbox exactly once: 'requested' → 'queued' (the delete's version) or
    'refused' (the platform holds no accepted version of it; the reason goes to the unit's feedback)."""

    __tablename__ = "revocation_request"
    __table_args__ = (UniqueConstraint("submission_id", "row", name="uq_revocation_request_row"),)
    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    unit: str = Field(index=True, max_length=32)  # the sender: a unit withdraws only its own records
    dataset: str = Field(max_length=8)
    record_key: str = Field(max_length=64)
    row: int  # as the unit's spreadsheet shows it
    reason: str
    values: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # the row by key, for feedback
    columns: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # key -> header as written
    # requested | queued | refused ("claimed" only inside the deliver step's transaction)
    state: str = Field(default="requested", index=True, max_length=16)
    version_id: int | None = Field(default=None, foreign_key="record_version.id")


class ReferenceFile(SQLModel, table=True):
    """A reference-feed file already read (reading one twice changes nothing)."""

    __tablename__ = "reference_file"
    id: int | None = Field(default=None, primary_key=True)
    dataset: str = Field(max_length=8)
    path: str
    sha256: str = Field(unique=True, max_length=64)
    rows: int = 0
    loaded_at: dt.datetime = Field(default_factory=_now)


class ReferenceDecision(SQLModel, table=True):
    """A decision a unit is known to have made (政务服务 / 执法办案 exports)."""

    __tablename__ = "reference_decision"
    __table_args__ = (UniqueConstraint("dataset", "unit", "decision_doc_no", name="uq_reference_decision"),)
    id: int | None = Field(default=None, primary_key=True)
    dataset: str = Field(max_length=8)
    unit: str = Field(index=True, max_length=32)
    decision_doc_no: str
    decision_date: dt.date
    deadline: dt.date | None = Field(default=None, index=True)  # N-th working day after the decision


class _DailyStatKey(SQLModel):
    id: int | None = Field(default=None, primary_key=True)
    date: dt.date = Field(index=True)
    unit: str = Field(max_length=32)
    dataset: str = Field(max_length=8)
    deadline_workdays: int


# One integer column per daily counter, in the order of their one definition (credit.counters.Counts); the
# columns themselves are added by a migration (tests/test_migrations.py checks the newest one yields them).
_DailyStatCounters = type(
    "_DailyStatCounters",
    (_DailyStatKey,),
    {
        "__module__": __name__,
        "__annotations__": dict.fromkeys(COUNT_FIELDS, int),
        **dict.fromkeys(COUNT_FIELDS, 0),
    },
)


class DailyStat(_DailyStatCounters, table=True):
    """日统计: one row per report date, unit and dataset, the day's snapshot. Recomputing a day with the same
    knowledge leaves it as it is; a recomputation that gives other numbers is a restatement: the row takes the
    day's next `revision` and `restated` keeps what each revision changed (field: old, new), oldest first.
    Columns: the key (`_DailyStatKey`), the counters (`credit.counters`), then those below."""

    __tablename__ = "daily_stat"
    __table_args__ = (UniqueConstraint("date", "unit", "dataset", name="uq_daily_stat"),)
    suspected_gaps: list[str] | None = Field(default=None, sa_column=Column(JSON))
    suspected_gaps_total: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # [{"revision": 2, "at": "<ISO time>", "changes": {"missing": [13, 21], …}}, …]
    restated: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
