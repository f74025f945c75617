"""Bulk enforcement reads: preview, batches, the execution view, the report and the notices outbox.
Batch views stay the repository's JSON-ready dicts (the REST contract is built on them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from engine.context import TenantContext
from models.catalog.lookups import names_by_id, tenant_currency
from models.core.db import tenant_session
from models.core.pagination import Page
from models.delivery.endpoints import deliveries_of, endpoint_urls
from models.margin import enforcement
from models.margin.enforcement.batches import NOTICE_ENTITY
from models.margin.enforcement.tables import EnforcementBatch, EnforcementNotice


@dataclass(frozen=True)
class Priced:
    """A repository result with the currency its amounts are in."""

    data: dict[str, Any]
    currency: str


@dataclass(frozen=True)
class BatchPage:
    page: Page[dict[str, Any]]
    currency: str


@dataclass(frozen=True)
class NoticeDelivery:
    """How one notice went out (or is still trying): to whom, how, and what happened."""

    channel: str  # email | webhook
    to: str  # the address, or the endpoint's URL
    status: str  # pending | delivered | dead
    attempts: int
    delivered_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class NoticeView:
    notice: EnforcementNotice
    dealer_name: str | None
    deliveries: list[NoticeDelivery] = field(default_factory=list)


def currency(ctx: TenantContext) -> str:
    """The currency the enforcement pages state their amounts in (the tenant's)."""
    with tenant_session(ctx) as session:
        return tenant_currency(session, ctx)


def preview(ctx: TenantContext, filters: Any, action: str) -> Priced:
    with tenant_session(ctx) as session:
        return Priced(enforcement.preview(session, ctx, filters, action), tenant_currency(session, ctx))


def batch_page(ctx: TenantContext, *, status: str | None = None, limit: int, cursor: str | None) -> BatchPage:
    """Batches newest first, each as the repository's batch view (counts, percent, label)."""
    with tenant_session(ctx) as session:
        page = enforcement.list_batches(session, ctx, status=status, limit=limit, cursor=cursor)
        views = [enforcement.batch_view(session, ctx, b) for b in page.items]
        return BatchPage(Page(views, page.next_cursor), tenant_currency(session, ctx))


def batch_detail(ctx: TenantContext, batch_id: Any, *, recent: int = 50) -> dict[str, Any]:
    with tenant_session(ctx) as session:
        return enforcement.batch_detail(session, ctx, batch_id, recent=recent)


def job_id_of(ctx: TenantContext, batch_id: Any) -> uuid.UUID:
    with tenant_session(ctx) as session:
        return enforcement.job_of(session, ctx, batch_id).id


def pick_batch(ctx: TenantContext, wanted: str) -> str:
    """The batch asked for (a valid id; unknown ids fail later with "not found"), else the newest
    running one, else the newest queued one, else the newest ever started; a never-started draft
    only when no batch was ever started."""
    if wanted:
        return str(uuid.UUID(wanted))
    with tenant_session(ctx) as session:
        for status in ("running", "queued"):
            page = enforcement.list_batches(session, ctx, status=status, limit=1)
            if page.items:
                return str(page.items[0].id)
        started = session.exec(
            select(EnforcementBatch.id)
            .where(EnforcementBatch.tenant_id == ctx.tenant_id, col(EnforcementBatch.job_id).is_not(None))
            .order_by(col(EnforcementBatch.created_at).desc(), col(EnforcementBatch.id).desc())
            .limit(1)
        ).first()
        if started is not None:
            return str(started)
        page = enforcement.list_batches(session, ctx, limit=1)
        return str(page.items[0].id) if page.items else ""


def report(ctx: TenantContext, batch_id: Any) -> Priced:
    with tenant_session(ctx) as session:
        return Priced(enforcement.report(session, ctx, batch_id), tenant_currency(session, ctx))


def report_csv(ctx: TenantContext, batch_id: Any) -> tuple[str, str]:
    with tenant_session(ctx) as session:
        return enforcement.report_csv(session, ctx, batch_id)


def notice_page(
    ctx: TenantContext,
    *,
    batch_id: uuid.UUID | None = None,
    dealer_id: uuid.UUID | None = None,
    limit: int,
    cursor: str | None,
) -> Page[NoticeView]:
    """The notices, newest first, with each notice's dealer name and how it was delivered."""
    with tenant_session(ctx) as session:
        page = enforcement.list_notices(
            session, ctx, batch_id=batch_id, dealer_id=dealer_id, limit=limit, cursor=cursor
        )
        orgs, _ = names_by_id(session, ctx, {n.dealer_id for n in page.items})
        sent = deliveries_of(session, ctx, NOTICE_ENTITY, [str(n.id) for n in page.items])
        urls = endpoint_urls(session, ctx, {d.endpoint_id for ds in sent.values() for d in ds if d.endpoint_id})
        return Page(
            [
                NoticeView(
                    n,
                    orgs[n.dealer_id].name if n.dealer_id in orgs else None,
                    [
                        NoticeDelivery(
                            d.channel,
                            (d.email_to or "") if d.channel == "email" else urls.get(d.endpoint_id, ""),
                            d.status,
                            len(d.attempts),
                            d.delivered_at,
                            d.next_attempt_at,
                            d.last_error,
                        )
                        for d in sent.get(str(n.id), [])
                    ],
                )
                for n in page.items
            ],
            page.next_cursor,
        )
