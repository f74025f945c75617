"""Versioned channel catalogs: publish and unlist create a new version; published ones never change.

A change (publish = list more offerings, unlist = remove some) locks the channel, reads the latest
published version, computes the next listing (engine.catalog.versions), writes a draft version with
its items, then takes the draft to `published` through the decision path, all in one transaction:
a failure anywhere leaves no version behind.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from engine.catalog.machines import CATALOG_VERSION
from engine.catalog.versions import diff_items, next_listing
from engine.context import TenantContext
from engine.errors import NotFound, ValidationFailed
from models.catalog.channels import get_channel
from models.catalog.tables import Channel, ChannelCatalogItem, ChannelCatalogVersion, Offering, Sku
from models.core import audit
from models.core.decisions import decide
from models.core.pagination import Page, keyset_page
from models.core.repo import create


@dataclass(frozen=True)
class CatalogView:
    channel: Channel
    version: ChannelCatalogVersion | None
    items: list[ChannelCatalogItem]


def latest_published(session: Session, ctx: TenantContext, channel_id: uuid.UUID) -> ChannelCatalogVersion | None:
    return session.exec(
        select(ChannelCatalogVersion)
        .where(
            ChannelCatalogVersion.tenant_id == ctx.tenant_id,
            ChannelCatalogVersion.channel_id == channel_id,
            ChannelCatalogVersion.status == "published",
        )
        .order_by(col(ChannelCatalogVersion.version).desc())
        .limit(1)
    ).first()


def version_items(session: Session, ctx: TenantContext, version_id: uuid.UUID) -> list[ChannelCatalogItem]:
    return list(
        session.exec(
            select(ChannelCatalogItem)
            .where(ChannelCatalogItem.tenant_id == ctx.tenant_id, ChannelCatalogItem.version_id == version_id)
            .order_by(col(ChannelCatalogItem.sku_code), col(ChannelCatalogItem.id))
        ).all()
    )


def get_version(session: Session, ctx: TenantContext, channel_id: uuid.UUID, number: int) -> ChannelCatalogVersion:
    row = session.exec(
        select(ChannelCatalogVersion).where(
            ChannelCatalogVersion.tenant_id == ctx.tenant_id,
            ChannelCatalogVersion.channel_id == channel_id,
            ChannelCatalogVersion.version == number,
        )
    ).first()
    if row is None:
        raise NotFound(f"version {number} of this channel's catalog not found", fields={"version": "not found"})
    return row


def get_catalog(
    session: Session, ctx: TenantContext, channel_id: uuid.UUID | str, *, version: int | None = None
) -> CatalogView:
    """The given version, or the latest published one (None when nothing was ever published)."""
    channel = get_channel(session, ctx, channel_id)
    row = (
        get_version(session, ctx, channel.id, version)
        if version is not None
        else latest_published(session, ctx, channel.id)
    )
    return CatalogView(channel, row, version_items(session, ctx, row.id) if row else [])


def list_versions(
    session: Session,
    ctx: TenantContext,
    channel_id: uuid.UUID | str,
    *,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[ChannelCatalogVersion]:
    channel = get_channel(session, ctx, channel_id)
    query = select(ChannelCatalogVersion).where(
        ChannelCatalogVersion.tenant_id == ctx.tenant_id, ChannelCatalogVersion.channel_id == channel.id
    )
    return keyset_page(
        session,
        query,
        ChannelCatalogVersion.version,
        ChannelCatalogVersion.id,
        limit=limit,
        cursor=cursor,
        descending=True,
        parse=int,
    )


def item_view(item: ChannelCatalogItem) -> dict[str, Any]:
    return {
        "offering_id": str(item.offering_id),
        "sku_id": str(item.sku_id),
        "sku_code": item.sku_code,
        "title": item.title,
    }


def diff_versions(
    session: Session, ctx: TenantContext, channel_id: uuid.UUID | str, old: int, new: int
) -> dict[str, Any]:
    channel = get_channel(session, ctx, channel_id)
    a = get_version(session, ctx, channel.id, old)
    b = get_version(session, ctx, channel.id, new)
    before = {str(i.offering_id): item_view(i) for i in version_items(session, ctx, a.id)}
    after = {str(i.offering_id): item_view(i) for i in version_items(session, ctx, b.id)}
    return {"from_version": old, "to_version": new, **diff_items(before, after)}


def change_catalog(
    session: Session,
    ctx: TenantContext,
    channel_id: uuid.UUID | str,
    change: str,
    offering_ids: list[uuid.UUID],
    *,
    note: str | None = None,
    version_id: uuid.UUID | None = None,
) -> CatalogView:
    """Publish (add) or unlist (remove) offerings: a new published version, or an error and nothing."""
    if change not in ("publish", "unlist"):
        raise ValueError(f"unknown catalog change {change!r}")
    channel = get_channel(session, ctx, channel_id)
    # serialize changes per channel so two publishes cannot both become version N+1
    session.exec(select(Channel).where(Channel.id == channel.id).with_for_update()).first()
    current = latest_published(session, ctx, channel.id)
    current_items = version_items(session, ctx, current.id) if current else []
    requested = [str(i) for i in offering_ids]
    listed = next_listing([str(i.offering_id) for i in current_items], change, requested)

    offerings = {
        str(o.id): o
        for o in session.exec(
            select(Offering).where(
                Offering.tenant_id == ctx.tenant_id,
                col(Offering.id).in_([uuid.UUID(i) for i in listed + requested]),
            )
        ).all()
    }
    wrong = sorted(i for i in requested if i not in offerings or offerings[i].channel_id != channel.id)
    if wrong:
        raise ValidationFailed(
            f"not offerings of this channel: {', '.join(wrong)}", fields={"offering_ids": "not on this channel"}
        )
    skus = {
        s.id: s
        for s in session.exec(
            select(Sku).where(Sku.tenant_id == ctx.tenant_id, col(Sku.id).in_({o.sku_id for o in offerings.values()}))
        ).all()
    }
    highest = session.exec(
        select(func.max(ChannelCatalogVersion.version)).where(
            ChannelCatalogVersion.tenant_id == ctx.tenant_id, ChannelCatalogVersion.channel_id == channel.id
        )
    ).one()
    draft = create(
        session,
        ctx,
        ChannelCatalogVersion(
            id=version_id or uuid.uuid4(),
            tenant_id=ctx.tenant_id,
            channel_id=channel.id,
            version=(highest or 0) + 1,
            change=change,
            changed_offering_ids=sorted(requested),
            based_on_version=current.version if current else None,
            note=note,
            created_by=ctx.actor_label,
        ),
        action="channel_catalog_version.create",
        unique_field="version",
        message="another catalog change of this channel happened at the same time; retry",
    )
    items = []
    for oid in listed:
        offering = offerings[oid]
        sku = skus[offering.sku_id]
        items.append(
            ChannelCatalogItem(
                tenant_id=ctx.tenant_id,
                version_id=draft.id,
                offering_id=offering.id,
                sku_id=sku.id,
                sku_code=sku.code,
                title=offering.title,
            )
        )
    session.add_all(items)
    session.flush()
    audit.record(
        session,
        ctx,
        action="channel_catalog_version.items",
        entity="channel_catalog_versions",
        entity_id=draft.id,
        after={"version": draft.version, "listed_offering_ids": listed},
    )
    decide(
        session,
        ctx,
        CATALOG_VERSION,
        draft,
        change,
        reason=note,
        details={"channel_id": str(channel.id), "version": draft.version, "offering_ids": sorted(requested)},
    )
    return CatalogView(channel, draft, sorted(items, key=lambda i: (i.sku_code, str(i.id))))
