"""Display rows of the organizations, SKUs and channels pages: each function calls one catalog query
(which owns the transaction; it runs in a worker thread) and turns its read model into the typed
rows the page shows. The queries' own rows (OrgRow, SkuRow, ProductRow, OfferingRow, Option) are
already display strings and are shown as they are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.context import TenantContext
from models.catalog import queries
from models.catalog.public import ChannelPublic, ItemPublic
from models.catalog.queries import OfferingRow, Option, OrgRow, ProductRow, SkuRow

__all__ = ["OfferingRow", "Option", "OrgRow", "ProductRow", "SkuRow"]

NO_ORG = OrgRow("", "", "", "", "")


@dataclass(frozen=True)
class ProfileLine:
    key: str
    value: str


@dataclass(frozen=True)
class RelationshipLine:
    text: str  # "Northstar Distribution distributes to Metro Pharma Retail"
    type: str
    other_type: str
    since: str
    until: str  # a day, or "open"


@dataclass(frozen=True)
class ChannelRow:
    id: str
    name: str
    code: str
    kind: str
    is_active: bool


@dataclass(frozen=True)
class SkuPage:
    skus: list[SkuRow]
    products: list[ProductRow]
    channels: list[ChannelRow]
    product_options: list[Option]
    maker_options: list[Option]


@dataclass(frozen=True)
class VersionRow:
    version: str
    status: str
    change: str
    count: str  # offerings the version changed
    note: str
    at: str


@dataclass(frozen=True)
class ItemRow:
    offering_id: str
    sku_id: str
    sku_code: str
    title: str
    change: str = ""  # in a diff: added, removed or unchanged


@dataclass(frozen=True)
class ChannelView:
    current: str  # the live version's number, "" before the first
    versions: list[VersionRow]
    items: list[ItemRow]
    offerings: list[OfferingRow]


def org_rows(ctx: TenantContext, org_type: str | None) -> list[OrgRow]:
    return queries.org_rows(ctx, org_type)


def _relationship(name: str, r: queries.RelationshipRow) -> RelationshipLine:
    other, verb = r.other_name or "?", r.type.replace("_", " ")
    return RelationshipLine(
        f"{name} {verb} {other}" if r.outgoing else f"{other} {verb} {name}",
        r.type,
        r.other_type or "",
        r.effective_from.date().isoformat(),
        r.effective_to.date().isoformat() if r.effective_to else "open",
    )


def _value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


def org_detail(ctx: TenantContext, org_id: str) -> dict[str, Any]:
    """The organization, its profile lines, relationships as sentences, and its decisions (the
    `actions` the decision dialog offers)."""
    detail = queries.org_detail(ctx, org_id)
    return {
        "org": detail.org,
        "profile": [ProfileLine(k.replace("_", " "), _value(v)) for k, v in sorted(detail.profile.items())],
        "relationships": [_relationship(detail.org.name, r) for r in detail.relationships],
        "actions": [{"action": a.action, "label": a.label} for a in detail.actions],
    }


def _channel(c: ChannelPublic) -> ChannelRow:
    return ChannelRow(str(c.id), c.name, c.code, c.kind, c.is_active)


def channel_rows(ctx: TenantContext) -> list[ChannelRow]:
    return [_channel(c) for c in queries.channel_list(ctx)]


def sku_page(ctx: TenantContext) -> SkuPage:
    """SKUs, products (manufacturers named), channels and the product / manufacturer pickers."""
    data = queries.sku_catalog(ctx)
    channels = [_channel(c) for c in data.channels]
    return SkuPage(data.skus, data.products, channels, data.product_options, data.maker_options)


def _item(i: ItemPublic, change: str = "") -> ItemRow:
    return ItemRow(str(i.offering_id), str(i.sku_id), i.sku_code, i.title, change)


def channel_catalog(ctx: TenantContext, channel_id: str) -> ChannelView:
    """Versions (newest first), the latest published listing and the channel's offerings."""
    data = queries.channel_catalog(ctx, channel_id)
    versions = [
        VersionRow(
            str(v.version),
            v.status,
            v.change,
            str(len(v.changed_offering_ids)),
            _value(v.note),
            v.created_at.strftime("%Y-%m-%d %H:%M UTC"),
        )
        for v in data.versions
    ]
    current = str(data.current) if data.current is not None else ""
    return ChannelView(current, versions, [_item(i) for i in data.items], data.offerings)


def catalog_diff(ctx: TenantContext, channel_id: str, old: int, new: int) -> list[ItemRow]:
    d = queries.catalog_diff(ctx, channel_id, old, new)
    parts = (("added", d.added), ("removed", d.removed), ("unchanged", d.unchanged))
    return [_item(i, change) for change, items in parts for i in items]
