"""Alerts: list (filters + keyset pages), detail, evidence, timeline, decisions and notes."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import Conflict, ValidationFailed
from engine.margin.machines import ALERT_MACHINE
from engine.text import check_text
from models.core import mutations
from models.core.base import utcnow
from models.core.decisions import decide, lock_for_decision
from models.core.pagination import Page, keyset_page, parse_instant
from models.core.repo import get_in_tenant
from models.core.tables import DecisionEvent
from models.margin.inputs import TEXT_MAX
from models.margin.tables import MarginAlert, MarginAlertEvidence, MarginNote, MarginTask

READ = "margin.read"
NOTES = "margin.notes.write"


def get_alert(session: Session, ctx: TenantContext, alert_id: Any) -> MarginAlert:
    return get_in_tenant(session, ctx, MarginAlert, alert_id, "alert")


def list_alerts(
    session: Session,
    ctx: TenantContext,
    *,
    status: str | None = None,
    rule: str | None = None,
    severity: str | None = None,
    dealer_id: uuid.UUID | None = None,
    sku_id: uuid.UUID | None = None,
    open_only: bool = False,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[MarginAlert]:
    """Newest first: ordered by (opened_at, id) descending; the cursor holds the last pair."""
    query = select(MarginAlert).where(MarginAlert.tenant_id == ctx.tenant_id)
    for column, value in (
        (MarginAlert.status, status),
        (MarginAlert.rule, rule),
        (MarginAlert.severity, severity),
        (MarginAlert.dealer_id, dealer_id),
        (MarginAlert.sku_id, sku_id),
    ):
        if value:
            query = query.where(column == value)
    if open_only:
        query = query.where(col(MarginAlert.status).in_(("open", "acknowledged", "in_enforcement")))
    return keyset_page(
        session,
        query,
        MarginAlert.opened_at,
        MarginAlert.id,
        limit=limit,
        cursor=cursor,
        descending=True,
        parse=parse_instant,
    )


def evidence(session: Session, ctx: TenantContext, alert_id: Any) -> list[MarginAlertEvidence]:
    alert = get_alert(session, ctx, alert_id)
    return list(
        session.exec(
            select(MarginAlertEvidence)
            .where(MarginAlertEvidence.tenant_id == ctx.tenant_id, MarginAlertEvidence.alert_id == alert.id)
            .order_by(col(MarginAlertEvidence.observed_at), col(MarginAlertEvidence.evidence_id))
        ).all()
    )


def timeline(session: Session, ctx: TenantContext, alert_id: Any) -> list[dict[str, Any]]:
    """Decision events, tasks and notes of the alert, oldest first, as uniform entries."""
    alert = get_alert(session, ctx, alert_id)
    entries: list[dict[str, Any]] = [
        {"at": alert.opened_at, "type": "opened", "id": str(alert.id), "text": f"{alert.rule} alert opened"}
    ]
    for e in session.exec(
        select(DecisionEvent).where(
            DecisionEvent.tenant_id == ctx.tenant_id,
            DecisionEvent.machine == ALERT_MACHINE.name,
            DecisionEvent.entity_id == alert.id,
        )
    ).all():
        entries.append(
            {
                "at": e.at,
                "type": "decision",
                "id": str(e.id),
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "reason": e.reason,
                "actor": e.actor,
                "text": f"{e.action}: {e.from_status} → {e.to_status}",
            }
        )
    for t in session.exec(
        select(MarginTask).where(MarginTask.tenant_id == ctx.tenant_id, MarginTask.alert_id == alert.id)
    ).all():
        entries.append(
            {
                "at": t.created_at,
                "type": "task",
                "id": str(t.id),
                "status": t.status,
                "text": t.title,
                "due_at": t.due_at,
            }
        )
    for n in session.exec(
        select(MarginNote).where(MarginNote.tenant_id == ctx.tenant_id, MarginNote.alert_id == alert.id)
    ).all():
        entries.append({"at": n.created_at, "type": "note", "id": str(n.id), "actor": n.author, "text": n.body})
    entries.sort(key=lambda x: (x["at"], x["id"]))
    return entries


def actions_for(ctx: TenantContext, alert: MarginAlert) -> list[dict[str, Any]]:
    return [
        {"action": t.action, "label": t.display, "reason_required": t.reason_required}
        for t in ALERT_MACHINE.actions_for(alert, ctx)
    ]


def add_note(
    session: Session,
    ctx: TenantContext,
    body: str,
    *,
    alert_id: uuid.UUID | None = None,
    dealer_id: uuid.UUID | None = None,
    task_id: uuid.UUID | None = None,
) -> MarginNote:
    ctx.require(NOTES)
    check_text(body, "note", max_length=TEXT_MAX)
    if not body.strip():
        raise ValidationFailed("note: cannot be empty", fields={"note": "cannot be empty"})
    note = MarginNote(
        tenant_id=ctx.tenant_id,
        alert_id=alert_id,
        dealer_id=dealer_id,
        task_id=task_id,
        body=body,
        author=ctx.actor_label,
    )
    return mutations.create(session, ctx, note, action="margin_note.create")


def patch_alert(
    session: Session,
    ctx: TenantContext,
    alert_id: Any,
    *,
    action: str | None = None,
    reason: str | None = None,
    note: str | None = None,
    expected_status: str | None = None,
) -> MarginAlert:
    """A decision through the decision path (ALERT_MACHINE) and/or a note on the alert.
    `expected_status`: the status the user saw (a stale one is refused with 409, nothing written)."""
    check_text(reason, "reason", max_length=TEXT_MAX)
    alert = get_alert(session, ctx, alert_id)
    if action is not None:  # the alert's row lock before the note's audit append (lock order)
        lock_for_decision(session, ALERT_MACHINE, alert, expected_status)
    if note is not None:
        add_note(session, ctx, note, alert_id=alert.id, dealer_id=alert.dealer_id)
    if action is not None:
        try:
            with session.begin_nested():
                decide(session, ctx, ALERT_MACHINE, alert, action, reason=reason, expected_status=expected_status)
        except IntegrityError as exc:
            # the partial unique index: reopening while a newer alert for the same key is open
            session.refresh(alert)
            raise Conflict(
                "another open alert exists for this dealer, SKU and rule; work on that one",
                fields={"action": "duplicate open alert"},
            ) from exc
        mutations.update(session, ctx, alert, {"updated_at": utcnow()}, action="margin_alert.touch")
    return alert
