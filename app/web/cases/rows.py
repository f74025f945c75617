"""Display rows of the staff case pages: typed, strings and real bools, a default for every field.
Built from the cases module's read models (models/cases/views.py) on the server."""

from __future__ import annotations

from dataclasses import dataclass

from app.web.kit import format as fmt
from models.cases.views import CaseView, EvidenceView, StepView, TimelineItem

# status → Radix colour for the case and evidence machines
CASE_COLORS: tuple[tuple[str, str], ...] = (
    ("open", "blue"),
    ("waiting_vendor", "amber"),
    ("in_review", "violet"),
    ("resolved_approved", "green"),
    ("resolved_rejected", "red"),
    ("withdrawn", "gray"),
    ("cancelled", "gray"),
    ("submitted", "blue"),
    ("verified", "green"),
    ("rejected", "red"),
    ("removed", "gray"),
)


@dataclass(frozen=True)
class CaseRow:
    id: str = ""
    href: str = ""
    subject: str = ""
    vendor: str = ""
    type_label: str = ""
    status: str = ""
    age: str = ""
    sla: str = ""
    overdue: bool = False
    assignee: str = ""
    opened: str = ""
    assignee_id: str = ""


def case_row(v: CaseView, base: str = "/cases") -> CaseRow:
    return CaseRow(
        id=str(v.id),
        href=f"{base}/{v.id}",
        subject=v.subject,
        vendor=v.vendor_name,
        type_label=v.type_label,
        status=v.status,
        age=f"{v.age_days} d",
        sla=f"{v.sla_days} d",
        overdue=v.overdue,
        assignee=v.assignee_name or "—",
        opened=fmt.when(v.opened_at),
        assignee_id=str(v.assignee_id) if v.assignee_id else "",
    )


@dataclass(frozen=True)
class TimelineRow:
    kind: str = ""
    title: str = ""
    body: str = ""
    who: str = ""
    at: str = ""


def timeline_rows(items: list[TimelineItem]) -> list[TimelineRow]:
    return [TimelineRow(i.kind, i.title, i.body, i.who, fmt.when(i.at)) for i in items]


@dataclass(frozen=True)
class StepRow:
    id: str = ""
    label: str = ""
    done: bool = False
    done_at: str = ""


def step_rows(steps: list[StepView]) -> list[StepRow]:
    return [StepRow(str(s.id), s.label, s.done, fmt.when(s.done_at)) for s in steps]


@dataclass(frozen=True)
class EvidenceRow:
    id: str = ""
    label: str = ""
    status: str = ""
    filename: str = ""
    size: str = ""
    sha256: str = ""
    version: str = ""
    href: str = ""
    new_version_waiting: bool = False
    verify: bool = False
    reject: bool = False
    remove: bool = False


def evidence_rows(items: list[EvidenceView]) -> list[EvidenceRow]:
    out = []
    for e in items:
        can = {a.action for a in e.actions}
        out.append(
            EvidenceRow(
                id=str(e.id),
                label=e.label,
                status=e.status,
                filename=e.filename,
                size=f"{e.size:,} bytes",
                sha256=e.sha256[:16],
                version=f"v{e.current_version}",
                href=f"/api/evidence/{e.id}/file",
                new_version_waiting=e.new_version_waiting,
                verify="verify" in can,
                reject="reject" in can,
                remove="remove" in can,
            )
        )
    return out
