"""Reading the audit chain: filtered, paginated lists for the audit page and API.

The ctx-level functions (`event_page`, `labelled_page`, `filter_values`) open their own tenant
transaction, so routes and pages hold no session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import ValidationFailed
from models.core.db import tenant_session
from models.core.identity import Member, tenant_members
from models.core.pagination import Page, clamp_limit, decode_cursor, encode_cursor
from models.core.tables import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    entity: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    event_type: str | None = None  # exactly this action (`action` above matches a prefix)


def list_events(
    session: Session, ctx: TenantContext, flt: AuditFilter, *, limit: int | None = None, cursor: str | None = None
) -> Page[AuditEvent]:
    """Newest first. The tenant filter is explicit here and enforced again by RLS."""
    size = clamp_limit(limit)
    if flt.since and flt.until and flt.since > flt.until:
        raise ValidationFailed("'since' must be before 'until'", fields={"since": "after until"})
    query = select(AuditEvent).where(AuditEvent.tenant_id == ctx.tenant_id)
    if flt.actor:
        query = query.where(AuditEvent.actor == flt.actor)
    if flt.action:
        query = query.where(col(AuditEvent.action).startswith(flt.action))
    if flt.event_type:
        query = query.where(AuditEvent.action == flt.event_type)
    if flt.entity:
        query = query.where(AuditEvent.entity == flt.entity)
    if flt.since:
        query = query.where(AuditEvent.at >= flt.since)
    if flt.until:
        query = query.where(AuditEvent.at <= flt.until)
    after = decode_cursor(cursor, 1)
    if after:
        query = query.where(AuditEvent.seq < int(after[0]))
    rows = session.exec(query.order_by(col(AuditEvent.seq).desc()).limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    return Page(items=list(rows), next_cursor=encode_cursor([rows[-1].seq]) if more and rows else None)


def distinct_values(session: Session, ctx: TenantContext, column: str, limit: int = 200) -> list[str]:
    """Values for filter drop-downs (actions, entities, actors) of this tenant."""
    col = getattr(AuditEvent, column)
    rows = session.exec(
        select(col).where(AuditEvent.tenant_id == ctx.tenant_id).distinct().order_by(col).limit(limit)
    ).all()
    return [str(r) for r in rows]


@dataclass(frozen=True)
class LabelledPage:
    """A page of events and the names of the tenant's members, read in one transaction."""

    labels: dict[str, str]  # user id → display name (or email)
    page: Page[AuditEvent]


@dataclass(frozen=True)
class FilterValues:
    """What the audit filters can offer: the members, and the values the chain holds."""

    members: list[Member]
    actors: list[str]
    entities: list[str]
    actions: list[str]


def event_page(
    ctx: TenantContext, flt: AuditFilter, *, limit: int | None = None, cursor: str | None = None
) -> Page[AuditEvent]:
    with tenant_session(ctx) as session:
        return list_events(session, ctx, flt, limit=limit, cursor=cursor)


def labelled_page(
    ctx: TenantContext, flt: AuditFilter, *, limit: int | None = None, cursor: str | None = None
) -> LabelledPage:
    with tenant_session(ctx) as session:
        labels = {m.user_id: m.display_name or m.email for m in tenant_members(session, ctx)}
        return LabelledPage(labels, list_events(session, ctx, flt, limit=limit, cursor=cursor))


def filter_values(ctx: TenantContext) -> FilterValues:
    with tenant_session(ctx) as session:
        return FilterValues(
            members=tenant_members(session, ctx),
            actors=distinct_values(session, ctx, "actor"),
            entities=distinct_values(session, ctx, "entity"),
            actions=distinct_values(session, ctx, "action"),
        )
