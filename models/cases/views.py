"""Read models of the cases module (frozen dataclasses): what the REST API answers and the pages show."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from models.core.decision_actions import ActionView


@dataclass(frozen=True)
class CaseView:
    id: uuid.UUID
    vendor_id: uuid.UUID
    vendor_name: str
    subject: str
    case_type: str
    type_label: str
    status: str
    assignee_id: uuid.UUID | None
    assignee_name: str
    opened_at: datetime
    due_at: datetime
    sla_days: int
    age_days: int
    overdue: bool


@dataclass(frozen=True)
class MessageView:
    id: uuid.UUID
    kind: str
    body: str
    author_name: str
    author_role: str
    created_at: datetime


@dataclass(frozen=True)
class StepView:
    id: uuid.UUID
    position: int
    label: str
    done: bool
    done_at: datetime | None


@dataclass(frozen=True)
class VersionView:
    version: int
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime
    current: bool


@dataclass(frozen=True)
class EvidenceView:
    id: uuid.UUID
    case_id: uuid.UUID
    label: str
    status: str
    current_version: int
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime
    new_version_waiting: bool  # a newer version is uploaded: REPLACE puts it in place
    versions: list[VersionView] = field(default_factory=list)
    actions: list[ActionView] = field(default_factory=list)
    # REPLACE is not among `actions`: it needs a new version uploaded first (upload, then decide)
    can_replace: bool = False


@dataclass(frozen=True)
class EventView:
    id: uuid.UUID
    entity: str  # "case" or "evidence"
    entity_id: uuid.UUID
    action: str
    from_status: str
    to_status: str
    reason: str | None
    actor_name: str
    actor_role: str
    at: datetime


@dataclass(frozen=True)
class TimelineItem:
    """One line of a case's timeline: a message, an evidence upload or a decision, in time order."""

    at: datetime
    kind: str  # message | evidence | decision
    title: str
    body: str
    who: str
    ref: str  # the message, evidence or event id


@dataclass(frozen=True)
class CaseDetail:
    case: CaseView
    actions: list[ActionView]
    timeline: list[TimelineItem]
    checklist: list[StepView]
    evidence: list[EvidenceView]


@dataclass(frozen=True)
class Option:
    id: str
    label: str


@dataclass(frozen=True)
class EvidenceFile:
    """What a download needs: the stored object and the names to send it under."""

    storage_key: str
    filename: str
    content_type: str
    size: int
    sha256: str
