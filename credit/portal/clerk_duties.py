"""A unit's duties of the year's plan, for its clerks: its obligations falling due in the current and the
previous month with their status (credit.duties: obligations, status, deliveries), and the evidence files it
has delivered (credit.store.evidence.EvidenceFile; names and facts only, never the files themselves)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from credit.duties import deliveries
from credit.duties.obligations import Obligation, due_in_month
from credit.duties.plan import PlanError, UnknownUnitName, plan_for
from credit.duties.rules import load_duties
from credit.duties.status import LABELS, status
from credit.readers.attachments import LABELS as KIND_LABELS
from credit.settings import Settings
from credit.store import EvidenceFile
from credit.workdays import CalendarGap, WorkCalendar

EVIDENCE_SHOWN = 100


@dataclass
class Due:
    obligation: Obligation
    status: str

    @property
    def label(self) -> str:
        return LABELS[self.status]


@dataclass
class MonthDuties:
    month: str
    rows: list[Due]
    problem: str | None = None  # why the month could not be listed (no plan, no calendar)


def _previous(month: str) -> str:
    year, m = int(month[:4]), int(month[5:])
    return f"{year - 1}-12" if m == 1 else f"{year}-{m - 1:02d}"


def unit_duties(settings: Settings, unit: str, today: dt.date) -> list[MonthDuties]:
    """The previous and the current month, each with the unit's obligations due in it."""
    current = f"{today:%Y-%m}"
    calendar = WorkCalendar(settings.calendar_override)
    settled = deliveries.load(settings, today)
    out = []
    for month in (_previous(current), current):
        try:
            duties = load_duties(plan_for(int(month[:4])))
            found = [o for o in due_in_month(duties, month, calendar) if o.unit == unit]
        except (PlanError, UnknownUnitName, CalendarGap) as exc:
            out.append(MonthDuties(month, [], f"无法列出：{exc}".split(" / ", 1)[0]))
            continue
        out.append(MonthDuties(month, [Due(o, status(o, today, settled)) for o in found]))
    return out


def evidence_files(session: Session, unit: str) -> list[EvidenceFile]:
    return list(
        session.exec(
            select(EvidenceFile)
            .where(EvidenceFile.unit == unit)
            .order_by(EvidenceFile.received_at.desc(), EvidenceFile.id.desc())
            .limit(EVIDENCE_SHOWN)
        ).all()
    )


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)
