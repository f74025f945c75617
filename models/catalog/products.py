"""Products (what a manufacturer makes) and their SKUs (what is sold, one unit of measure each)."""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import Session, select

from engine.context import TenantContext
from models.catalog.inputs import ProductCreate, ProductUpdate, SkuCreate, SkuUpdate
from models.catalog.listing import active_action, matching
from models.catalog.tables import Organization, Product, Sku
from models.core.pagination import Page, keyset_page
from models.core.repo import create, get_in_tenant, reference, update


def list_products(
    session: Session,
    ctx: TenantContext,
    *,
    q: str | None = None,
    manufacturer_org_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[Product]:
    query = select(Product).where(Product.tenant_id == ctx.tenant_id)
    if manufacturer_org_id:
        query = query.where(Product.manufacturer_org_id == manufacturer_org_id)
    query = matching(query, q, Product.name, Product.code)
    return keyset_page(session, query, Product.code, Product.id, limit=limit, cursor=cursor)


def get_product(session: Session, ctx: TenantContext, product_id: uuid.UUID | str) -> Product:
    return get_in_tenant(session, ctx, Product, product_id, "product")


def create_product(
    session: Session, ctx: TenantContext, data: ProductCreate, *, product_id: uuid.UUID | None = None
) -> Product:
    if data.manufacturer_org_id:
        reference(session, ctx, Organization, data.manufacturer_org_id, "manufacturer_org_id", "organization")
    row = Product(id=product_id or uuid.uuid4(), tenant_id=ctx.tenant_id, **data.model_dump())
    return create(session, ctx, row, action="product.create")


def update_product(session: Session, ctx: TenantContext, product_id: uuid.UUID | str, data: ProductUpdate) -> Product:
    product = get_product(session, ctx, product_id)
    if data.manufacturer_org_id:
        reference(session, ctx, Organization, data.manufacturer_org_id, "manufacturer_org_id", "organization")
    return update(session, ctx, product, data, action="product.update")


def list_skus(
    session: Session,
    ctx: TenantContext,
    *,
    q: str | None = None,
    product_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[Sku]:
    query = select(Sku).where(Sku.tenant_id == ctx.tenant_id)
    if product_id:
        query = query.where(Sku.product_id == product_id)
    query = matching(query, q, Sku.name, Sku.code)
    return keyset_page(session, query, Sku.code, Sku.id, limit=limit, cursor=cursor)


def get_sku(session: Session, ctx: TenantContext, sku_id: uuid.UUID | str) -> Sku:
    return get_in_tenant(session, ctx, Sku, sku_id, "SKU")


def create_sku(session: Session, ctx: TenantContext, data: SkuCreate, *, sku_id: uuid.UUID | None = None) -> Sku:
    reference(session, ctx, Product, data.product_id, "product_id", "product")
    row = Sku(id=sku_id or uuid.uuid4(), tenant_id=ctx.tenant_id, **data.model_dump())
    return create(session, ctx, row, action="sku.create")


def update_sku(session: Session, ctx: TenantContext, sku_id: uuid.UUID | str, data: SkuUpdate) -> Sku:
    sku = get_sku(session, ctx, sku_id)
    if data.product_id:
        reference(session, ctx, Product, data.product_id, "product_id", "product")
    required = ("product_id", "code", "name", "uom", "attributes", "is_active")
    return update(session, ctx, sku, data, action=active_action("sku", sku, data), required=required)


def skus_by_code(session: Session, ctx: TenantContext, code: str) -> list[Sku]:
    """This tenant's SKUs of `code`: the exact code, else a case-insensitive match (which may be several)."""
    exact = session.exec(select(Sku).where(Sku.tenant_id == ctx.tenant_id, Sku.code == code)).all()
    if exact:
        return list(exact)
    return list(
        session.exec(select(Sku).where(Sku.tenant_id == ctx.tenant_id, func.upper(Sku.code) == code.upper())).all()
    )
