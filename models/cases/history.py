"""A case as it stood at a past moment, rebuilt from what was recorded on the way (architecture:
"as of time T can be rebuilt from events"), the way a payment's `payment_as_of` is:

- the case's status: the last case event's target by then (`open` when there was none);
- its subject, type, due date and assignee: the values now, except where an edit (`case.update` in
  the audit chain) came later: then the first later edit's `before` is the value then;
- messages, evidence files and versions, and decision events: those made by then;
- each evidence file's status: its last event's target by then (`submitted` with none), and its
  current version: 1, moved by each REPLACE by then to the newest version uploaded before it;
- the checklist: the steps added by then, each done or not as its last `case_step.done` /
  `case_step.undone` audit entry by then says.

The rows handed back are detached copies: nothing here writes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from engine.cases.machines import CASE_MACHINE, EVIDENCE_MACHINE
from engine.context import TenantContext
from engine.errors import ValidationFailed
from models.cases.tables import Case, CaseMessage, ChecklistStep, Evidence, EvidenceVersion
from models.cases.views import EventView
from models.core.tables import AuditEvent

EDITED = ("subject", "case_type", "due_at", "assignee_id")
STEP_ACTIONS = {"case_step.done": True, "case_step.undone": False}


@dataclass(frozen=True)
class CaseThen:
    case: Case
    messages: list[CaseMessage]
    files: list[Evidence]
    versions: list[EvidenceVersion]
    events: list[EventView]
    steps: list[ChecklistStep]


def _audit(session: Session, ctx: TenantContext, ids: list[uuid.UUID], actions: list[str]) -> list[AuditEvent]:
    if not ids:
        return []
    return list(
        session.exec(
            select(AuditEvent)
            .where(
                AuditEvent.tenant_id == ctx.tenant_id,
                col(AuditEvent.entity_id).in_([str(i) for i in ids]),
                col(AuditEvent.action).in_(actions),
            )
            .order_by(col(AuditEvent.seq))
        ).all()
    )


def _value(field: str, raw: Any) -> Any:
    if raw is None:
        return None
    if field == "assignee_id":
        return uuid.UUID(str(raw))
    if field == "due_at":
        return datetime.fromisoformat(str(raw))
    return raw


def _case_then(session: Session, ctx: TenantContext, row: Case, at: datetime, events: list[EventView]) -> Case:
    mine = [e for e in events if e.entity == "case" and e.at <= at]
    values = {"status": mine[-1].to_status if mine else CASE_MACHINE.initial}
    for edit in _audit(session, ctx, [row.id], ["case.update"]):
        if edit.at <= at:
            continue
        for field in EDITED:
            if field not in values and field in (edit.before or {}):
                values[field] = _value(field, edit.before[field])
    return Case(**{**row.model_dump(), **values})


def _file_then(row: Evidence, at: datetime, events: list[EventView], versions: list[EvidenceVersion]) -> Evidence:
    mine = [e for e in events if e.entity == "evidence" and e.entity_id == row.id and e.at <= at]
    current = 1
    for e in mine:
        if e.action == "replace":
            current = max(v.version for v in versions if v.evidence_id == row.id and v.created_at <= e.at)
    status = mine[-1].to_status if mine else EVIDENCE_MACHINE.initial
    return Evidence(**{**row.model_dump(), "status": status, "current_version": current})


def _steps_then(session: Session, ctx: TenantContext, steps: list[ChecklistStep], at: datetime) -> list[ChecklistStep]:
    kept = [s for s in steps if s.created_at <= at]
    done: dict[str, tuple[bool, datetime]] = {}
    for entry in _audit(session, ctx, [s.id for s in kept], list(STEP_ACTIONS)):
        if entry.at <= at:
            done[entry.entity_id] = (STEP_ACTIONS[entry.action], entry.at)
    out = []
    for s in kept:
        is_done, when = done.get(str(s.id), (False, None))
        out.append(ChecklistStep(**{**s.model_dump(), "done": is_done, "done_at": when if is_done else None}))
    return out


def case_then(
    session: Session,
    ctx: TenantContext,
    row: Case,
    at: datetime,
    *,
    messages: list[CaseMessage],
    files: list[Evidence],
    versions: list[EvidenceVersion],
    events: list[EventView],
    steps: list[ChecklistStep],
) -> CaseThen:
    """The case's rows as they were at `at` (422 naming `as_of` before the case was opened)."""
    if at.tzinfo is None:
        raise ValidationFailed("as_of: give a time zone (e.g. 2026-05-01T12:00:00Z)", fields={"as_of": "no time zone"})
    if at < row.opened_at:
        raise ValidationFailed("as_of: the case was not opened yet", fields={"as_of": "before the case"})
    kept_versions = [v for v in versions if v.created_at <= at]
    kept_files = [f for f in files if f.created_at <= at]
    return CaseThen(
        case=_case_then(session, ctx, row, at, events),
        messages=[m for m in messages if m.created_at <= at],
        files=[_file_then(f, at, events, kept_versions) for f in kept_files],
        versions=kept_versions,
        events=[e for e in events if e.at <= at],
        steps=_steps_then(session, ctx, steps, at),
    )
