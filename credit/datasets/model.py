"""What a dataset is, as read from its folder (credit/datasets/README.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUBJECT = "@subject"  # in a business key: USCC, else 证件号码, else name (docs/standard.md §3, DUP-1)
SUBJECT_FIELDS = ("uscc", "id_no", "counterpart_name")


@dataclass(frozen=True)
class Field:
    dataset: str
    seq: int
    key: str  # stable English key used in frames and the store
    code: str  # standard code sent to the platform (CF_XDR_SHXYM)
    header: str  # template header
    type: str  # str | text | enum | multienum | date | decimal | uscc
    max_len: int | None
    required: str  # yes | no | cond (conditional, see the suite)
    code_list: str | None
    code_like: bool = False  # an identifier: normalised to half-width, no spaces, upper case (§2.5)


@dataclass(frozen=True)
class Deadline:
    """迟报: a record received more than N working days after `field`."""

    field: str
    workdays: int
    setting: str | None = None  # a Settings attribute that sets N instead (xzxk/xzcf: deadline_workdays)


@dataclass(frozen=True)
class Reporters:
    roles: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    units: tuple[str, ...] = ()

    def includes(self, unit: Any) -> bool:
        """Whether a registry unit (credit.units.Unit) reports the dataset."""
        return (
            unit.code in self.units
            or getattr(unit, "kind", None) in self.kinds
            or any(getattr(unit, role, False) is True for role in self.roles)
        )


@dataclass(frozen=True, eq=False)
class Dataset:
    id: str
    name: str
    fields: tuple[Field, ...]
    category: str = ""
    other_names: tuple[str, ...] = ()  # what units also write for it (许可, 处罚)
    code_prefix: str = ""
    order: int = 100
    shuanggongshi: bool = False
    key_fields: tuple[str, ...] = ()
    doc_no: str | None = None
    deadline: Deadline | None = None
    resource: str = ""
    table: str = ""
    reporters: Reporters = field(default_factory=Reporters)
    hidden: tuple[str, ...] = ()  # never shown (法定代表人证件号码)
    masked: tuple[str, ...] = ()  # shown masked (自然人证件号码)
    status_field: str | None = None  # lifecycle: a new value is a correction of the same record
    unpublish: tuple[str, ...] = ()  # status values on which the platform un-publishes the record
    reference_feed: bool = False
    source: dict[str, Any] = field(default_factory=dict)
    generator: dict[str, Any] = field(default_factory=dict)
    suite_extras: tuple[dict, ...] = ()
    folder: Path | None = None
    evidence: tuple[str, ...] = ()  # an evidence sheet: the plan's duty ids its rows settle (never pushed)

    @property
    def is_evidence(self) -> bool:
        """Evidence of the plan's duties (docs: credit/datasets/README.md): collected, validated and fed back
        like records, but never sent to 信用湛江 nor counted in statistics, 三清零 or the bulletin."""
        return bool(self.evidence)

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)

    def has(self, key: str) -> bool:
        return any(f.key == key for f in self.fields)

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.fields]

    @property
    def required_keys(self) -> list[str]:
        return [f.key for f in self.fields if f.required == "yes"]

    def keys_of_type(self, *types: str) -> list[str]:
        return [f.key for f in self.fields if f.type in types]

    def code_of(self, key: str) -> str:
        return self.field(key).code

    @property
    def has_identity(self) -> bool:
        """The dataset is about a subject: the identity block of docs/standard.md §2.1 applies."""
        return self.has("counterpart_category")

    @property
    def deadline_field(self) -> str | None:
        return self.deadline.field if self.deadline else None

    @property
    def key_columns(self) -> list[str]:
        """The frame columns the business key reads, `@subject` expanded."""
        out: list[str] = []
        for k in self.key_fields:
            out.extend(SUBJECT_FIELDS if k == SUBJECT else (k,))
        return [k for k in dict.fromkeys(out) if self.has(k)]

    @property
    def dup_field(self) -> str:
        """The cell DUP-1 points the clerk to: the key's first own field (决定文书号, 承诺书编号, …)."""
        return next((k for k in self.key_fields if k != SUBJECT), self.key_columns[0])

    def deadline_workdays(self, settings: Any = None) -> int | None:
        """N for this dataset: the setting it names, else CREDIT_DATASET_DEADLINES, else its folder's value."""
        if self.deadline is None:
            return None
        if self.deadline.setting and getattr(settings, self.deadline.setting, None) is not None:
            return int(getattr(settings, self.deadline.setting))
        overrides = getattr(settings, "dataset_deadlines", None) or {}
        return int(overrides.get(self.id, self.deadline.workdays))
