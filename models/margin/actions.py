"""Margin writes for the pages and the REST API: each takes `ctx`, owns its transaction and calls
the (session, ctx) repositories; the REST routes get back the read model they answer with, built
inside the same transaction as the write."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from engine.context import TenantContext
from engine.errors import NotFound
from engine.margin.permissions import DEALERS_STATUS, ENFORCE
from models.core.db import tenant_session
from models.core.handoffs import hand_off
from models.margin import alerts as alert_repo
from models.margin import dealers as dealer_repo
from models.margin import enforcement, notice_delivery
from models.margin import tasks as task_repo
from models.margin.enforcement.tables import EnforcementNotice
from models.margin.handoffs import NOTICE
from models.margin.inputs import TaskCreate, TaskPatch
from models.margin.notice_delivery import NoticePreferenceView
from models.margin.queries import alerts as alert_queries
from models.margin.queries import dealers as dealer_queries
from models.margin.queries.alerts import AlertDetail
from models.margin.queries.dealers import DealerDetail
from models.margin.queries.tasks import TaskView, task_views


def patch_alert(
    ctx: TenantContext,
    alert_id: Any,
    *,
    action: str | None,
    reason: str | None,
    note: str | None,
    expected_status: str | None = None,
) -> AlertDetail:
    """A decision and/or a note on the alert (models.margin.alerts.patch_alert), then its detail.
    `expected_status`: the status the user saw; a stale one is refused with 409, nothing written."""
    with tenant_session(ctx) as session:
        alert = alert_repo.patch_alert(
            session, ctx, alert_id, action=action, reason=reason, note=note, expected_status=expected_status
        )
        return alert_queries.detail_in(session, ctx, alert)


def create_task(ctx: TenantContext, data: TaskCreate) -> TaskView:
    with tenant_session(ctx) as session:
        return task_views(session, ctx, [task_repo.create_task(session, ctx, data)])[0]


def patch_task(ctx: TenantContext, task_id: Any, data: TaskPatch) -> TaskView:
    with tenant_session(ctx) as session:
        return task_views(session, ctx, [task_repo.patch_task(session, ctx, task_id, data)])[0]


def change_dealer_status(
    ctx: TenantContext, dealer_id: Any, action: str, reason: str | None, expected_status: str | None = None
) -> DealerDetail:
    """One rung on the dealer's ladder; a stale `expected_status` is refused with 409."""
    with tenant_session(ctx) as session:
        dealer_repo.change_status(session, ctx, dealer_id, action, reason, expected_status)
        return dealer_queries.detail_in(session, ctx, dealer_id)


def create_batch(ctx: TenantContext, filters: Any, action: str, *, name: str | None) -> dict[str, Any]:
    """A draft batch from the filters (the preview's plan, frozen); returns its batch view."""
    with tenant_session(ctx) as session:
        batch = enforcement.create_batch(session, ctx, filters, action, name=name)
        return enforcement.batch_view(session, ctx, batch)


def start_batch(ctx: TenantContext, batch_id: Any) -> dict[str, Any]:
    with tenant_session(ctx) as session:
        return enforcement.batch_view(session, ctx, enforcement.start_batch(session, ctx, batch_id))


def cancel_batch(ctx: TenantContext, batch_id: Any, reason: str | None) -> dict[str, Any]:
    with tenant_session(ctx) as session:
        return enforcement.batch_view(session, ctx, enforcement.cancel_batch(session, ctx, batch_id, reason))


def set_notice_delivery(
    ctx: TenantContext, dealer_id: Any, channel: str, email: str | None = None, endpoint_id: Any = None
) -> NoticePreferenceView:
    """How this dealer receives its notices (e-mail, its webhook endpoint, or none): `margin.dealers.status`."""
    ctx.require(DEALERS_STATUS)
    with tenant_session(ctx) as session:
        return notice_delivery.set_preference(session, ctx, dealer_id, channel, email, endpoint_id)


def open_case_for_notice(ctx: TenantContext, notice_id: Any) -> dict[str, Any]:
    """Open a vendor case with the notice's dealer about an enforcement notice (the dealer is the
    vendor organization; it answers in its vendor portal). Asked through the cases module's
    handoff `cases.open_case` (modules never import each other); asking again while the case is
    active answers the same case. How the case is decided comes back as notes on the notice's
    alerts and its dealer (models/margin/handoffs.py)."""
    ctx.require(ENFORCE)
    with tenant_session(ctx) as session:
        notice = session.exec(
            select(EnforcementNotice).where(
                EnforcementNotice.tenant_id == ctx.tenant_id, EnforcementNotice.id == notice_id
            )
        ).first()
        if notice is None:
            raise NotFound("notice not found")
        return hand_off(
            session,
            ctx,
            "cases.open_case",
            {
                "vendor_id": str(notice.dealer_id),
                "subject": notice.subject,
                "message": notice.body,
                "origin": NOTICE,
                "origin_ref": str(notice.id),
                "case_type": "enforcement",
            },
        )
