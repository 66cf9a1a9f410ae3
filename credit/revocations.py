"""撤销清单: how a unit asks to withdraw records it published (a decision revoked on review, a record sent
in error). It delivers, to its inbox like any file, a sheet whose header row has a 撤销原因 column:

    数据类别 | 决定文书号 | 行政相对人名称 | 统一社会信用代码或证件号码 | 撤销原因 | 撤销日期

(数据类别 行政许可/行政处罚; the name and code are optional and only narrow the match). Each row is matched
to one of the unit's published records by 决定文书号 and recorded as a withdrawal request (collect step); the
deliver step turns each request into a delete (op D) to 信用湛江, once. Rows that match nothing, or more than
one record, go back to the unit in its feedback list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from credit.readers import read_unit_file
from credit.readers.revocation import MARKER, SCAN_ROWS, RevocationTable
from credit.reference_feed import doc_no_key
from credit.standard import DATASET_NAMES, datasets
from credit.store import Record, RecordVersion, RevocationRequest, Submission

__all__ = [
    "HEADER_SCAN_ROWS",
    "MARKER",
    "RevocationMatch",
    "RevocationOutcome",
    "RevocationRow",
    "dataset_words",
    "feedback_items",
    "is_revocation_list",
    "match_revocations",
    "read_revocation_list",
    "request_revocations",
    "revocation_rows",
]


def dataset_words() -> dict[str, str]:
    """What a unit may write in 数据类别 -> dataset id: its name, the other names its folder lists, its id."""
    words: dict[str, str] = {}
    for ds in datasets().values():
        for word in (ds.name, *ds.other_names, ds.id.upper(), ds.id):
            words.setdefault(word, ds.id)
    return words


HEADER_SCAN_ROWS = SCAN_ROWS


@dataclass
class RevocationRow:
    row: int  # as the unit's spreadsheet shows it
    values: dict[str, str]  # by key: dataset, decision_doc_no, counterpart_name, counterpart_id, reason
    columns: dict[str, str]  # key -> header as written


def is_revocation_list(path: Path) -> bool:
    """Whether a delivered file is a 撤销清单 (a header row with a 撤销原因 column). Never raises: an unreadable
    file is not one (collect then quarantines it with the reader's reason)."""
    try:
        return read_unit_file(path).revocations is not None
    except Exception:
        return False


def read_revocation_list(path: Path) -> list[RevocationRow]:
    """The rows of a 撤销清单, read as every unit file is (credit.readers.read_unit_file): UnreadableFile if the
    file cannot be read, ValueError if it is not a list or lacks a required column."""
    table = read_unit_file(path).revocations
    if table is None:
        raise ValueError("不是撤销清单：没有“撤销原因”列")
    return revocation_rows(table)


def revocation_rows(table: RevocationTable) -> list[RevocationRow]:
    """The list's rows with a value; ValueError if a required column is missing."""
    missing = [
        name
        for key, name in (("dataset", "数据类别"), ("decision_doc_no", "决定文书号"))
        if key not in table.columns
    ]
    if missing:
        raise ValueError(f"撤销清单缺少列：{'、'.join(missing)}")
    headers = {k: h for k, (_, h) in table.columns.items()}
    return [
        RevocationRow(number, {k: v for k, v in values.items() if v}, headers)
        for number, values in table.rows
        if any(values.values())
    ]


@dataclass
class RevocationMatch:
    """A row and the one published record of the unit it names."""

    item: RevocationRow
    dataset: str
    record_key: str


@dataclass
class RevocationOutcome:
    matched: list[RevocationMatch] = field(default_factory=list)  # recorded as requests for the deliver step
    problems: list[tuple[RevocationRow, str]] = field(default_factory=list)  # (row, Chinese message)

    @property
    def requested(self) -> list[int]:
        """The row numbers recorded as withdrawal requests."""
        return [m.item.row for m in self.matched]


def match_revocations(session: Session, unit: str, rows: list[RevocationRow]) -> RevocationOutcome:
    """Match every row to exactly one record of `unit` (a unit withdraws only what it sent itself); the rows
    that name none, or several, are problems for the unit's feedback."""
    outcome = RevocationOutcome()
    for item in rows:
        v = item.values
        words = dataset_words()
        dataset = words.get((v.get("dataset") or "").upper()) or words.get(v.get("dataset") or "")
        if dataset is None:
            expected = "”“".join(DATASET_NAMES.values())
            outcome.problems.append(
                (item, f"数据类别“{v.get('dataset') or ''}”无法识别，应为“{expected}”之一")
            )
            continue
        if not v.get("reason"):
            outcome.problems.append((item, "撤销原因为空：请写明撤销的原因"))
            continue
        wanted = doc_no_key(v.get("decision_doc_no"))
        if not wanted:
            outcome.problems.append((item, "决定文书号为空"))
            continue
        candidates = [
            r
            for r in session.exec(select(Record).where(Record.unit == unit, Record.dataset == dataset))
            if doc_no_key(r.decision_doc_no) == wanted
        ]
        if len(candidates) > 1 and (v.get("counterpart_id") or v.get("counterpart_name")):
            candidates = [r for r in candidates if _names_counterpart(session, r, v)]
        if not candidates:
            outcome.problems.append(
                (item, f"未找到本单位决定文书号为“{v['decision_doc_no']}”的{_name(dataset)}记录")
            )
            continue
        if len(candidates) > 1:
            outcome.problems.append(
                (item, "该文书号对应多条记录：请填写行政相对人名称和统一社会信用代码或证件号码")
            )
            continue
        outcome.matched.append(RevocationMatch(item, dataset, candidates[0].record_key))
    return outcome


def _names_counterpart(session: Session, record: Record, v: dict[str, str]) -> bool:
    """Whether the record's newest published (else current) version has the row's counterpart."""
    latest = session.exec(
        select(RecordVersion).where(
            RecordVersion.record_id == record.id,
            RecordVersion.version == (record.accepted_version or record.current_version),
        )
    ).first()
    data = latest.data if latest else {}
    ids = {data.get("uscc"), data.get("id_no")}
    return (not v.get("counterpart_id") or v["counterpart_id"].upper() in ids) and (
        not v.get("counterpart_name") or v["counterpart_name"] == data.get("counterpart_name")
    )


def request_revocations(
    session: Session, submission: Submission, rows: list[RevocationRow]
) -> RevocationOutcome:
    """Record the list's matched rows as withdrawal requests of the submission's unit (the deliver step turns
    them into deletes) and its other rows as the submission's problems. The caller commits."""
    outcome = match_revocations(session, submission.unit, rows)
    for m in outcome.matched:
        session.add(
            RevocationRequest(
                submission_id=submission.id,
                unit=submission.unit,
                dataset=m.dataset,
                record_key=m.record_key,
                row=m.item.row,
                reason=m.item.values["reason"],
                values=m.item.values,
                columns=m.item.columns,
            )
        )
    submission.new_versions = len(outcome.matched)
    submission.problems = feedback_items(submission.file_name, outcome.problems) or None
    session.add(submission)
    session.flush()
    return outcome


def _name(dataset: str) -> str:
    return DATASET_NAMES[dataset]


def feedback_items(file_name: str, problems: list[tuple[RevocationRow, str]]) -> list[dict]:
    """Problems (row, Chinese message) in the feedback workbook's item shape (rule REVOKE)."""
    items = []
    for item, message in problems:
        dataset = dataset_words().get(item.values.get("dataset") or "", "xzcf")
        doc_code = datasets()[dataset].code_of(datasets()[dataset].doc_no or "decision_doc_no")
        raw = item.values  # the counterpart code is not echoed back: it may be an ID number
        items.append(
            {
                "dataset": dataset,
                "file_name": file_name,
                "sheet": None,
                "row": item.row,
                "columns": {"decision_doc_no": item.columns.get("decision_doc_no", "决定文书号")},
                "raw": {
                    "decision_doc_no": raw.get("decision_doc_no"),
                    "remark": f"撤销原因：{raw.get('reason') or ''}",
                },
                "errors": [
                    {
                        "rule": "REVOKE",
                        "field": doc_code,
                        "column": item.columns.get("decision_doc_no", "决定文书号"),
                        "value": raw.get("decision_doc_no"),
                        "message": message,
                    }
                ],
                "warnings": [],
            }
        )
    return items
