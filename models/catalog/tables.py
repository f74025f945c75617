"""Catalog and pricing tables: organizations and their relationships, channels, products, SKUs,
offerings, versioned channel catalogs, price books and price rules.

Every table carries tenant_id (RLS, migration 0002) and a (tenant_id, id) unique key, and every
reference between them is a composite foreign key including tenant_id, so a row can never point at
another tenant's row. Published catalog versions and price rules are history: the app role may not
rewrite them (see the migration's grants and trigger).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import CheckConstraint, Column, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from engine.catalog.types import (
    CATALOG_CHANGES,
    CATALOG_VERSION_STATUSES,
    CHANNEL_KINDS,
    ORG_STATUSES,
    ORG_TYPES,
    RELATIONSHIP_TYPES,
)
from engine.pricing.model import PRICE_BOOK_KINDS
from models.core.base import (
    id_field,
    json_field,
    money_field,
    ref_field,
    sql_in,
    tenant_field,
    tenant_fk,
    tenant_key,
    ts_field,
)


class Organization(SQLModel, table=True):
    """Manufacturers (the brand itself too), distributors, dealers, suppliers, competitors, service partners."""

    __tablename__: ClassVar[str] = "organizations"
    __table_args__ = (
        tenant_key("organizations"),
        UniqueConstraint("tenant_id", "code", name="uq_organizations_code"),
        CheckConstraint(sql_in("type", ORG_TYPES), name="ck_organizations_type"),
        CheckConstraint(sql_in("status", ORG_STATUSES), name="ck_organizations_status"),
        Index("ix_organizations_tenant_type_name", "tenant_id", "type", "name"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    type: str = Field(max_length=30)
    code: str = Field(max_length=60)
    name: str = Field(max_length=200)
    status: str = Field(default="active", max_length=20)
    profile: dict[str, Any] = json_field({})
    created_at: datetime = ts_field()


class OrgRelationship(SQLModel, table=True):
    __tablename__: ClassVar[str] = "org_relationships"
    __table_args__ = (
        tenant_key("org_relationships"),
        tenant_fk(["from_org_id"], "organizations"),
        tenant_fk(["to_org_id"], "organizations"),
        CheckConstraint(sql_in("type", RELATIONSHIP_TYPES), name="ck_org_relationships_type"),
        CheckConstraint("from_org_id <> to_org_id", name="ck_org_relationships_distinct"),
        CheckConstraint("effective_to is null or effective_to > effective_from", name="ck_org_relationships_window"),
        Index("ix_org_relationships_from", "tenant_id", "from_org_id"),
        Index("ix_org_relationships_to", "tenant_id", "to_org_id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    from_org_id: uuid.UUID = ref_field("from_org_id")
    to_org_id: uuid.UUID = ref_field("to_org_id")
    type: str = Field(max_length=30)
    effective_from: datetime = ts_field()
    effective_to: datetime | None = ts_field(nullable=True, default_now=False)
    note: str | None = Field(default=None, max_length=1000)
    created_at: datetime = ts_field()


class Channel(SQLModel, table=True):
    __tablename__: ClassVar[str] = "channels"
    __table_args__ = (
        tenant_key("channels"),
        UniqueConstraint("tenant_id", "code", name="uq_channels_code"),
        CheckConstraint(sql_in("kind", CHANNEL_KINDS), name="ck_channels_kind"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    code: str = Field(max_length=60)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    is_active: bool = True
    created_at: datetime = ts_field()


class Product(SQLModel, table=True):
    __tablename__: ClassVar[str] = "products"
    __table_args__ = (
        tenant_key("products"),
        UniqueConstraint("tenant_id", "code", name="uq_products_code"),
        tenant_fk(["manufacturer_org_id"], "organizations"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    code: str = Field(max_length=60)
    name: str = Field(max_length=200)
    brand: str | None = Field(default=None, max_length=100)
    category: str | None = Field(default=None, max_length=100)
    manufacturer_org_id: uuid.UUID | None = ref_field("manufacturer_org_id", nullable=True)
    description: str | None = Field(default=None, max_length=4000)
    created_at: datetime = ts_field()


class Sku(SQLModel, table=True):
    __tablename__: ClassVar[str] = "skus"
    __table_args__ = (
        tenant_key("skus"),
        UniqueConstraint("tenant_id", "code", name="uq_skus_code"),
        tenant_fk(["product_id"], "products"),
        Index("ix_skus_product", "tenant_id", "product_id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    product_id: uuid.UUID = ref_field("product_id")
    code: str = Field(max_length=60)
    name: str = Field(max_length=200)
    uom: str = Field(default="each", max_length=20)
    attributes: dict[str, Any] = json_field({})
    is_active: bool = True
    created_at: datetime = ts_field()


class Offering(SQLModel, table=True):
    """A SKU offered on a channel (channel-specific title and attributes); listed through catalog versions."""

    __tablename__: ClassVar[str] = "offerings"
    __table_args__ = (
        tenant_key("offerings"),
        UniqueConstraint("tenant_id", "channel_id", "sku_id", name="uq_offerings_channel_sku"),
        tenant_fk(["channel_id"], "channels"),
        tenant_fk(["sku_id"], "skus"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    channel_id: uuid.UUID = ref_field("channel_id")
    sku_id: uuid.UUID = ref_field("sku_id")
    title: str = Field(max_length=200)
    attributes: dict[str, Any] = json_field({})
    created_at: datetime = ts_field()


class ChannelCatalogVersion(SQLModel, table=True):
    """Version N of a channel's catalog. Drafts become published (immutable) or discarded."""

    __tablename__: ClassVar[str] = "channel_catalog_versions"
    __table_args__ = (
        tenant_key("channel_catalog_versions"),
        UniqueConstraint("tenant_id", "channel_id", "version", name="uq_channel_catalog_versions_version"),
        tenant_fk(["channel_id"], "channels"),
        CheckConstraint(sql_in("status", CATALOG_VERSION_STATUSES), name="ck_channel_catalog_versions_status"),
        CheckConstraint(sql_in("change", CATALOG_CHANGES), name="ck_channel_catalog_versions_change"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    channel_id: uuid.UUID = ref_field("channel_id")
    version: int = Field(sa_column=Column(Integer, nullable=False))
    status: str = Field(default="draft", max_length=20)
    change: str = Field(max_length=20)
    changed_offering_ids: list[str] = json_field([])
    based_on_version: int | None = None
    note: str | None = Field(default=None, max_length=1000)
    created_by: str = Field(default="system", max_length=64)
    created_at: datetime = ts_field()


class ChannelCatalogItem(SQLModel, table=True):
    """One listed offering in one version, with a snapshot of what was listed."""

    __tablename__: ClassVar[str] = "channel_catalog_items"
    __table_args__ = (
        tenant_key("channel_catalog_items"),
        UniqueConstraint("tenant_id", "version_id", "offering_id", name="uq_channel_catalog_items_offering"),
        ForeignKeyConstraint(
            ["tenant_id", "version_id"],
            ["channel_catalog_versions.tenant_id", "channel_catalog_versions.id"],
            ondelete="CASCADE",
        ),
        tenant_fk(["offering_id"], "offerings"),
        tenant_fk(["sku_id"], "skus"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    version_id: uuid.UUID = ref_field("version_id")
    offering_id: uuid.UUID = ref_field("offering_id")
    sku_id: uuid.UUID = ref_field("sku_id")
    sku_code: str = Field(max_length=60)
    title: str = Field(max_length=200)


class PriceBook(SQLModel, table=True):
    """A set of price rules of one kind (list, MAP, MRP, cost, promo MAP) in one currency.

    Scope optionally pins every rule of the book to one channel and/or one organization.
    """

    __tablename__: ClassVar[str] = "price_books"
    __table_args__ = (
        tenant_key("price_books"),
        UniqueConstraint("tenant_id", "name", name="uq_price_books_name"),
        CheckConstraint(sql_in("kind", PRICE_BOOK_KINDS), name="ck_price_books_kind"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="ck_price_books_currency"),
        tenant_fk(["scope_channel_id"], "channels"),
        tenant_fk(["scope_org_id"], "organizations"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    currency: str = Field(sa_column=Column(String(3), nullable=False))
    scope_channel_id: uuid.UUID | None = ref_field("scope_channel_id", nullable=True)
    scope_org_id: uuid.UUID | None = ref_field("scope_org_id", nullable=True)
    description: str | None = Field(default=None, max_length=2000)
    created_at: datetime = ts_field()


class PriceRule(SQLModel, table=True):
    """One amount for one SKU on [effective_from, effective_to), optionally for one org and/or channel.

    Append-only: a price changes by adding a rule (a later effective_from wins a tie), never by
    rewriting one, so any past resolution can be rebuilt.
    """

    __tablename__: ClassVar[str] = "price_rules"
    __table_args__ = (
        tenant_key("price_rules"),
        tenant_fk(["price_book_id"], "price_books"),
        tenant_fk(["sku_id"], "skus"),
        tenant_fk(["org_id"], "organizations"),
        tenant_fk(["channel_id"], "channels"),
        CheckConstraint("amount >= 0", name="ck_price_rules_amount"),
        CheckConstraint("effective_to is null or effective_to > effective_from", name="ck_price_rules_window"),
        Index("ix_price_rules_sku", "tenant_id", "sku_id"),
        Index("ix_price_rules_book", "tenant_id", "price_book_id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    price_book_id: uuid.UUID = ref_field("price_book_id")
    sku_id: uuid.UUID = ref_field("sku_id")
    org_id: uuid.UUID | None = ref_field("org_id", nullable=True)
    channel_id: uuid.UUID | None = ref_field("channel_id", nullable=True)
    amount: Decimal = money_field()
    effective_from: datetime = ts_field(default_now=False)
    effective_to: datetime | None = ts_field(nullable=True, default_now=False)
    priority: int = 0
    note: str | None = Field(default=None, max_length=1000)
    created_by: str = Field(default="system", max_length=64)
    created_at: datetime = ts_field()


CATALOG_TABLES = (
    "organizations",
    "org_relationships",
    "channels",
    "products",
    "skus",
    "offerings",
    "channel_catalog_versions",
    "channel_catalog_items",
    "price_books",
    "price_rules",
)
