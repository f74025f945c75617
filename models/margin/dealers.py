"""Dealers (dealer organizations): list with breach figures, summary with status ladder history,
and status changes through the decision path (DEALER_MACHINE; every change needs a reason)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import NotFound
from engine.margin.frames import PRICE_RULES
from engine.margin.machines import ALERT_OPEN_STATES, DEALER_LADDER, DEALER_MACHINE, TASK_OPEN_STATES
from engine.text import check_text
from models.catalog.tables import Organization
from models.core.base import utcnow
from models.core.decisions import decide
from models.core.pagination import Page, keyset_page
from models.core.repo import get_in_tenant
from models.core.tables import DecisionEvent
from models.core.text_search import like_pattern
from models.margin.inputs import TEXT_MAX
from models.margin.tables import MarginAlert, MarginDealerStatus, MarginTask


def get_dealer(session: Session, ctx: TenantContext, dealer_id: Any) -> Organization:
    org = get_in_tenant(session, ctx, Organization, dealer_id, "dealer")
    if org.type != "dealer":
        raise NotFound("dealer not found")
    return org


def statuses(session: Session, ctx: TenantContext, dealer_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not dealer_ids:
        return {}
    rows = session.exec(
        select(MarginDealerStatus.dealer_id, MarginDealerStatus.status).where(
            MarginDealerStatus.tenant_id == ctx.tenant_id,
            col(MarginDealerStatus.dealer_id).in_(dealer_ids),
        )
    ).all()
    found = dict(rows)
    return {d: found.get(d, DEALER_MACHINE.initial) for d in dealer_ids}


def figures(session: Session, ctx: TenantContext, dealer_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """Open alerts and open lost margin (MAP/MRP impact of open alerts) per dealer."""
    out: dict[uuid.UUID, dict[str, Any]] = {d: {"open_alerts": 0, "lost_margin": Decimal(0)} for d in dealer_ids}
    if not dealer_ids:
        return out
    lost = func.coalesce(func.sum(MarginAlert.impact).filter(col(MarginAlert.rule).in_(PRICE_RULES)), 0)
    for dealer_id, count, amount in session.exec(
        select(MarginAlert.dealer_id, func.count(), lost)
        .where(
            MarginAlert.tenant_id == ctx.tenant_id,
            col(MarginAlert.dealer_id).in_(dealer_ids),
            col(MarginAlert.status).in_(ALERT_OPEN_STATES),
        )
        .group_by(col(MarginAlert.dealer_id))
    ).all():
        out[dealer_id] = {"open_alerts": int(count), "lost_margin": Decimal(amount)}
    return out


def list_dealers(
    session: Session, ctx: TenantContext, *, q: str | None = None, limit: int | None = None, cursor: str | None = None
) -> tuple[Page[Organization], dict[uuid.UUID, str], dict[uuid.UUID, dict[str, Any]]]:
    query = select(Organization).where(Organization.tenant_id == ctx.tenant_id, Organization.type == "dealer")
    if q:
        like = like_pattern(q)
        query = query.where(func.lower(Organization.name).like(like) | func.lower(Organization.code).like(like))
    page = keyset_page(session, query, Organization.name, Organization.id, limit=limit, cursor=cursor)
    ids = [o.id for o in page.items]
    return page, statuses(session, ctx, ids), figures(session, ctx, ids)


def history(session: Session, ctx: TenantContext, dealer_id: uuid.UUID) -> list[DecisionEvent]:
    row = session.exec(
        select(MarginDealerStatus).where(
            MarginDealerStatus.tenant_id == ctx.tenant_id, MarginDealerStatus.dealer_id == dealer_id
        )
    ).first()
    if row is None:
        return []
    return list(
        session.exec(
            select(DecisionEvent)
            .where(
                DecisionEvent.tenant_id == ctx.tenant_id,
                DecisionEvent.machine == DEALER_MACHINE.name,
                DecisionEvent.entity_id == row.id,
            )
            .order_by(col(DecisionEvent.at), col(DecisionEvent.id))
        ).all()
    )


def summary(session: Session, ctx: TenantContext, dealer_id: Any) -> dict[str, Any]:
    dealer = get_dealer(session, ctx, dealer_id)
    status = statuses(session, ctx, [dealer.id])[dealer.id]
    numbers = figures(session, ctx, [dealer.id])[dealer.id]
    by_rule = dict(
        session.exec(
            select(MarginAlert.rule, func.count())
            .where(
                MarginAlert.tenant_id == ctx.tenant_id,
                MarginAlert.dealer_id == dealer.id,
                col(MarginAlert.status).in_(ALERT_OPEN_STATES),
            )
            .group_by(MarginAlert.rule)
        ).all()
    )
    open_tasks = session.exec(
        select(func.count()).where(
            MarginTask.tenant_id == ctx.tenant_id,
            MarginTask.dealer_id == dealer.id,
            col(MarginTask.status).in_(TASK_OPEN_STATES),
        )
    ).one()
    return {
        "dealer": dealer,
        "status": status,
        **numbers,
        "open_alerts_by_rule": {k: int(v) for k, v in by_rule.items()},
        "open_tasks": int(open_tasks),
        "history": history(session, ctx, dealer.id),
        "actions": [
            {"action": t.action, "label": t.display, "reason_required": t.reason_required}
            for t in DEALER_MACHINE.available_actions(status, ctx)
        ],
        "ladder": list(DEALER_LADDER),
    }


def status_row(session: Session, ctx: TenantContext, dealer: Organization, *, lock: bool = False) -> MarginDealerStatus:
    """The dealer's status row, created at 'active' on first use (creation is not a decision).

    Created with `on conflict do nothing`, so concurrent first uses make one row (never a unique
    violation); `lock`: the row is returned FOR UPDATE, and its creation audited after the lock."""
    from sqlalchemy import text

    created = session.execute(
        text(
            "insert into margin_dealer_status (id, tenant_id, dealer_id, status, created_at) "
            "values (gen_random_uuid(), :t, :d, :s, :at) on conflict (tenant_id, dealer_id) do nothing returning id"
        ),
        {"t": ctx.tenant_id, "d": dealer.id, "s": DEALER_MACHINE.initial, "at": utcnow()},
    ).first()
    query = select(MarginDealerStatus).where(
        MarginDealerStatus.tenant_id == ctx.tenant_id, MarginDealerStatus.dealer_id == dealer.id
    )
    if lock:
        query = query.with_for_update()
    row = session.exec(query.execution_options(populate_existing=True)).one()
    if created is not None:
        from models.core import audit
        from models.core.mutations import snapshot

        audit.record(
            session,
            ctx,
            action="margin_dealer_status.create",
            entity="margin_dealer_status",
            entity_id=row.id,
            after=snapshot(row),
        )
    return row


def change_status(
    session: Session,
    ctx: TenantContext,
    dealer_id: Any,
    action: str,
    reason: str | None,
    expected_status: str | None = None,
) -> MarginDealerStatus:
    """One rung on the dealer ladder through the decision path. `expected_status`: the status the
    user saw; a stale one (someone moved the dealer first) is refused with 409, nothing written."""
    ctx.require("margin.dealers.status")
    check_text(reason, "reason", max_length=TEXT_MAX)
    dealer = get_dealer(session, ctx, dealer_id)
    row = status_row(session, ctx, dealer, lock=True)
    decide(
        session,
        ctx,
        DEALER_MACHINE,
        row,
        action,
        reason=reason,
        details={"dealer_id": str(dealer.id)},
        expected_status=expected_status,
    )
    return row
