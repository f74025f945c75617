"""Display rows of the organizations, SKUs and channels pages: each function calls one catalog query
(which owns the transaction; it runs in a worker thread) and turns its read model into the strings
the page shows."""

from __future__ import annotations

from typing import Any

from engine.context import TenantContext
from models.catalog import queries
from models.catalog.public import ChannelPublic, ItemPublic


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _org(o: queries.OrgRow) -> dict[str, str]:
    return {"id": o.id, "name": o.name, "code": o.code, "type": o.type, "status": o.status}


def org_rows(ctx: TenantContext, org_type: str | None) -> list[dict[str, str]]:
    return [_org(o) for o in queries.org_rows(ctx, org_type)]


def _relationship(name: str, r: queries.RelationshipRow) -> dict[str, str]:
    other, verb = r.other_name or "?", r.type.replace("_", " ")
    return {
        "text": f"{name} {verb} {other}" if r.outgoing else f"{other} {verb} {name}",
        "type": r.type,
        "other_type": r.other_type or "",
        "since": r.effective_from.date().isoformat(),
        "until": r.effective_to.date().isoformat() if r.effective_to else "open",
    }


def org_detail(ctx: TenantContext, org_id: str) -> dict[str, Any]:
    """The organization, its profile as (key, value) lines, relationships as sentences, its decisions."""
    detail = queries.org_detail(ctx, org_id)
    return {
        "org": _org(detail.org),
        "profile": [
            {"key": k.replace("_", " "), "value": ", ".join(map(str, v)) if isinstance(v, list) else _text(v)}
            for k, v in sorted(detail.profile.items())
        ],
        "relationships": [_relationship(detail.org.name, r) for r in detail.relationships],
        "actions": [{"action": a.action, "label": a.label} for a in detail.actions],
    }


def _channel(c: ChannelPublic) -> dict[str, str]:
    return {"id": str(c.id), "name": c.name, "code": c.code, "kind": c.kind, "active": "yes" if c.is_active else "no"}


def channel_rows(ctx: TenantContext) -> list[dict[str, str]]:
    return [_channel(c) for c in queries.channel_list(ctx)]


def sku_page(ctx: TenantContext) -> dict[str, list[dict[str, str]]]:
    """SKUs, products (manufacturers named), channels and the product / manufacturer pickers."""
    data = queries.sku_catalog(ctx)
    return {
        "skus": [
            {
                "id": s.id,
                "code": s.code,
                "name": s.name,
                "uom": s.uom,
                "product": s.product,
                "category": s.category,
                "manufacturer": s.manufacturer,
                "active": "yes" if s.is_active else "no",
            }
            for s in data.skus
        ],
        "products": [
            {
                "id": p.id,
                "code": p.code,
                "name": p.name,
                "brand": p.brand,
                "category": p.category,
                "manufacturer": p.manufacturer,
            }
            for p in data.products
        ],
        "channels": [_channel(c) for c in data.channels],
        "product_options": [{"id": o.id, "label": o.label} for o in data.product_options],
        "maker_options": [{"id": o.id, "label": o.label} for o in data.maker_options],
    }


def _item(i: ItemPublic) -> dict[str, str]:
    return {"offering_id": str(i.offering_id), "sku_id": str(i.sku_id), "sku_code": i.sku_code, "title": i.title}


def channel_catalog(ctx: TenantContext, channel_id: str) -> dict[str, Any]:
    """Versions (newest first), the latest published listing and the channel's offerings."""
    data = queries.channel_catalog(ctx, channel_id)
    return {
        "current": str(data.current) if data.current is not None else "",
        "versions": [
            {
                "version": str(v.version),
                "status": v.status,
                "change": v.change,
                "count": str(len(v.changed_offering_ids)),
                "note": _text(v.note),
                "at": v.created_at.strftime("%Y-%m-%d %H:%M UTC"),
            }
            for v in data.versions
        ],
        "items": [_item(i) for i in data.items],
        "offerings": [{"id": o.id, "title": o.title, "listed": "yes" if o.listed else ""} for o in data.offerings],
    }


def catalog_diff(ctx: TenantContext, channel_id: str, old: int, new: int) -> list[dict[str, str]]:
    d = queries.catalog_diff(ctx, channel_id, old, new)
    return (
        [{"change": "added", **_item(i)} for i in d.added]
        + [{"change": "removed", **_item(i)} for i in d.removed]
        + [{"change": "unchanged", **_item(i)} for i in d.unchanged]
    )
