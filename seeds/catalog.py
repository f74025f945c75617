"""Demo catalog and pricing: the brand, its distributor, 2 dealers, 1 competitor, two channels,
3 products/SKUs, published channel catalogs, and MAP + MRP price books in INR.

The MAP book holds one dealer-specific override (Metro Pharma Retail on AUR-D3-60) and one
future-dated rule (AUR-OMEGA-90 from 2027-04-01), so margin's floor lookups have something to
explain. Ids are deterministic (seeds.ids.demo_id) and every step is get-or-create: running the
seeder twice changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, SQLModel, select

from engine.context import TenantContext
from models.catalog import catalog, orgs, pricing, publishing
from models.catalog.inputs import (
    ChannelCreate,
    OfferingCreate,
    OrgCreate,
    PriceBookCreate,
    PriceRuleCreate,
    ProductCreate,
    RelationshipCreate,
    SkuCreate,
)
from models.catalog.tables import (
    Channel,
    ChannelCatalogVersion,
    Offering,
    Organization,
    OrgRelationship,
    PriceBook,
    PriceRule,
    Product,
    Sku,
)
from seeds.ids import demo_id

IdFor = Callable[[str, str], uuid.UUID]

SINCE = datetime(2026, 1, 1, tzinfo=UTC)
FUTURE = datetime(2027, 4, 1, tzinfo=UTC)
CURRENCY = "INR"

ORGS = [
    ("brand", "manufacturer", "BRAND", "Demo Brand Co.", {"is_self": True, "brands": ["Aurora"], "country": "IN"}),
    ("distributor", "distributor", "DIST-NORTH", "Northstar Distribution", {"regions": ["North", "West"]}),
    (
        "dealer-metro",
        "dealer",
        "DLR-METRO",
        "Metro Pharma Retail",
        {"region": "North", "city": "Delhi", "tier": "gold"},
    ),
    (
        "dealer-coastal",
        "dealer",
        "DLR-COASTAL",
        "Coastal Health Mart",
        {"region": "West", "city": "Mumbai", "tier": "silver"},
    ),
    ("competitor", "competitor", "COMP-RIVAL", "Rival Labs", {"brands": ["Rivita"], "price_position": "discount"}),
]
RELATIONSHIPS = [
    ("brand", "distributor", "supplies"),
    ("distributor", "dealer-metro", "distributes_to"),
    ("distributor", "dealer-coastal", "distributes_to"),
    ("dealer-metro", "brand", "sells_for"),
    ("dealer-coastal", "brand", "sells_for"),
    ("competitor", "brand", "competes_with"),
]
CHANNELS = [("retail", "RETAIL", "Retail stores", "retail"), ("online", "ONLINE", "Online marketplace", "marketplace")]
PRODUCTS = [
    # key, product code, product name, sku code, sku name, MAP, MRP
    ("d3", "AUR-D3", "Aurora Vitamin D3", "AUR-D3-60", "Aurora Vitamin D3 1000 IU, 60 capsules", "499.00", "599.00"),
    (
        "omega",
        "AUR-OMEGA",
        "Aurora Omega-3",
        "AUR-OMEGA-90",
        "Aurora Omega-3 Fish Oil, 90 softgels",
        "1299.00",
        "1499.00",
    ),
    ("zinc", "AUR-ZINC", "Aurora Zinc", "AUR-ZINC-30", "Aurora Zinc 50 mg, 30 tablets", "249.00", "299.00"),
]
DEALER_OVERRIDE = ("d3", "dealer-metro", "479.00")  # MAP for one dealer
FUTURE_RULE = ("omega", "1349.00")  # MAP from FUTURE


@dataclass
class CatalogIds:
    orgs: dict[str, uuid.UUID] = field(default_factory=dict)
    channels: dict[str, uuid.UUID] = field(default_factory=dict)
    products: dict[str, uuid.UUID] = field(default_factory=dict)
    skus: dict[str, uuid.UUID] = field(default_factory=dict)
    offerings: dict[str, uuid.UUID] = field(default_factory=dict)
    books: dict[str, uuid.UUID] = field(default_factory=dict)
    rules: dict[str, uuid.UUID] = field(default_factory=dict)


def _exists(session: Session, ctx: TenantContext, model: type[SQLModel], row_id: uuid.UUID) -> bool:
    query = select(model.id).where(model.tenant_id == ctx.tenant_id, model.id == row_id)  # type: ignore[attr-defined]
    return session.exec(query).first() is not None


def _ensure(
    session: Session, ctx: TenantContext, model: type[SQLModel], row_id: uuid.UUID, make: Callable[[], Any]
) -> None:
    if not _exists(session, ctx, model, row_id):
        make()


def build_catalog(session: Session, ctx: TenantContext, id_for: IdFor) -> CatalogIds:
    """Create the demo catalog in ctx's tenant with ids from `id_for(kind, key)`; idempotent."""
    ids = CatalogIds()
    for key, org_type, code, name, profile in ORGS:
        oid = ids.orgs[key] = id_for("organization", key)
        data = OrgCreate(type=org_type, code=code, name=name, profile=profile)
        _ensure(session, ctx, Organization, oid, lambda d=data, i=oid: orgs.create_org(session, ctx, d, org_id=i))
    for a, b, rel_type in RELATIONSHIPS:
        rid = id_for("org_relationship", f"{a}:{rel_type}:{b}")
        data = RelationshipCreate(from_org_id=ids.orgs[a], to_org_id=ids.orgs[b], type=rel_type, effective_from=SINCE)
        _ensure(
            session,
            ctx,
            OrgRelationship,
            rid,
            lambda d=data, i=rid: orgs.create_relationship(session, ctx, d, rel_id=i),
        )
    for key, code, name, kind in CHANNELS:
        cid = ids.channels[key] = id_for("channel", key)
        data = ChannelCreate(code=code, name=name, kind=kind)
        _ensure(session, ctx, Channel, cid, lambda d=data, i=cid: catalog.create_channel(session, ctx, d, channel_id=i))
    for key, pcode, pname, scode, sname, _map, _mrp in PRODUCTS:
        pid = ids.products[key] = id_for("product", key)
        pdata = ProductCreate(
            code=pcode, name=pname, brand="Aurora", category="Supplements", manufacturer_org_id=ids.orgs["brand"]
        )
        _ensure(
            session, ctx, Product, pid, lambda d=pdata, i=pid: catalog.create_product(session, ctx, d, product_id=i)
        )
        sid = ids.skus[key] = id_for("sku", key)
        sdata = SkuCreate(product_id=pid, code=scode, name=sname, uom="pack")
        _ensure(session, ctx, Sku, sid, lambda d=sdata, i=sid: catalog.create_sku(session, ctx, d, sku_id=i))
        for channel in ids.channels:
            oid = ids.offerings[f"{channel}:{key}"] = id_for("offering", f"{channel}:{key}")
            odata = OfferingCreate(channel_id=ids.channels[channel], sku_id=sid)
            _ensure(
                session,
                ctx,
                Offering,
                oid,
                lambda d=odata, i=oid: catalog.create_offering(session, ctx, d, offering_id=i),
            )
    _seed_catalog_versions(session, ctx, ids, id_for)
    _seed_prices(session, ctx, ids, id_for)
    return ids


def _seed_catalog_versions(session: Session, ctx: TenantContext, ids: CatalogIds, id_for: IdFor) -> None:
    # retail: v1 lists all three; online: v1 lists all three, v2 unlists zinc (history + a diff to show)
    plan = [
        ("retail", 1, "publish", ["d3", "omega", "zinc"], "Launch assortment"),
        ("online", 1, "publish", ["d3", "omega", "zinc"], "Launch assortment"),
        ("online", 2, "unlist", ["zinc"], "Zinc withdrawn from the marketplace"),
    ]
    for channel, number, change, keys, note in plan:
        vid = id_for("channel_catalog_version", f"{channel}:{number}")
        if _exists(session, ctx, ChannelCatalogVersion, vid):
            continue
        offering_ids = [ids.offerings[f"{channel}:{k}"] for k in keys]
        publishing.change_catalog(session, ctx, ids.channels[channel], change, offering_ids, note=note, version_id=vid)


def _seed_prices(session: Session, ctx: TenantContext, ids: CatalogIds, id_for: IdFor) -> None:
    for kind, name in (("map", "MAP (INR)"), ("mrp", "MRP (INR)")):
        bid = ids.books[kind] = id_for("price_book", kind)
        data = PriceBookCreate(
            name=name, kind=kind, currency=CURRENCY, description=f"{kind.upper()} floors of the brand"
        )
        _ensure(session, ctx, PriceBook, bid, lambda d=data, i=bid: pricing.create_book(session, ctx, d, book_id=i))
    rules: list[tuple[str, PriceRuleCreate]] = []
    for key, *_, map_amount, mrp_amount in PRODUCTS:
        for kind, amount in (("map", map_amount), ("mrp", mrp_amount)):
            rules.append(
                (
                    f"{kind}:{key}",
                    PriceRuleCreate(
                        price_book_id=ids.books[kind], sku_id=ids.skus[key], amount=amount, effective_from=SINCE
                    ),
                )
            )
    sku_key, dealer, amount = DEALER_OVERRIDE
    rules.append(
        (
            f"map:{sku_key}:{dealer}",
            PriceRuleCreate(
                price_book_id=ids.books["map"],
                sku_id=ids.skus[sku_key],
                org_id=ids.orgs[dealer],
                amount=amount,
                effective_from=SINCE,
                note="Approved dealer MAP",
            ),
        )
    )
    sku_key, amount = FUTURE_RULE
    rules.append(
        (
            f"map:{sku_key}:future",
            PriceRuleCreate(
                price_book_id=ids.books["map"],
                sku_id=ids.skus[sku_key],
                amount=amount,
                effective_from=FUTURE,
                note="Announced MAP increase",
            ),
        )
    )
    for key, data in rules:
        rid = ids.rules[key] = id_for("price_rule", key)
        _ensure(session, ctx, PriceRule, rid, lambda d=data, i=rid: pricing.create_rule(session, ctx, d, rule_id=i))


def seed_catalog(session: Session, ctx: TenantContext) -> None:
    """The demo tenant's catalog and price books."""
    build_catalog(session, ctx, demo_id)


def tenant_ids(tenant_id: uuid.UUID) -> IdFor:
    """Ids for the same dataset in any tenant (tests): deterministic per tenant, never colliding."""
    return lambda kind, key: demo_id(kind, f"{tenant_id}:{key}")


seed = seed_catalog  # the module's seeder (seeds/demo.py)
