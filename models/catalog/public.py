"""Read models of the catalog as the REST API answers them (`...Public`), built from table rows.

The JSON is the one the routes always gave: ids as text, money as an exact decimal string, instants
as ISO-8601 UTC with microseconds (engine.jsonable.format_instant), no tenant_id. Declaring them
makes `/api/openapi.json` a contract instead of "object".
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, PlainSerializer

from engine.jsonable import format_instant

Instant = Annotated[datetime, PlainSerializer(format_instant, return_type=str)]
Money = Annotated[Decimal, PlainSerializer(str, return_type=str)]


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def of(cls, row: Any, **extra: Any) -> Self:
        """From a table row (attributes) plus computed keys."""
        if not extra:
            return cls.model_validate(row)
        return cls.model_validate({**row.model_dump(), **extra})


class OrgAction(BaseModel):
    action: str
    label: str
    reason_required: bool


class OrgPublic(_Public):
    id: uuid.UUID
    type: str
    code: str
    name: str
    status: str
    profile: dict[str, Any]
    created_at: Instant


class OrgDetailPublic(OrgPublic):
    actions: list[OrgAction]


class Counterpart(BaseModel):
    id: uuid.UUID
    name: str
    type: str


class RelationshipPublic(_Public):
    id: uuid.UUID
    from_org_id: uuid.UUID
    to_org_id: uuid.UUID
    type: str
    effective_from: Instant
    effective_to: Instant | None
    note: str | None
    created_at: Instant
    direction: str
    counterpart: Counterpart | None


class ChannelPublic(_Public):
    id: uuid.UUID
    code: str
    name: str
    kind: str
    is_active: bool
    created_at: Instant


class ProductPublic(_Public):
    id: uuid.UUID
    code: str
    name: str
    brand: str | None
    category: str | None
    manufacturer_org_id: uuid.UUID | None
    description: str | None
    created_at: Instant


class SkuPublic(_Public):
    id: uuid.UUID
    product_id: uuid.UUID
    code: str
    name: str
    uom: str
    attributes: dict[str, Any]
    is_active: bool
    created_at: Instant


class OfferingPublic(_Public):
    id: uuid.UUID
    channel_id: uuid.UUID
    sku_id: uuid.UUID
    title: str
    attributes: dict[str, Any]
    created_at: Instant


class VersionPublic(_Public):
    id: uuid.UUID
    channel_id: uuid.UUID
    version: int
    status: str
    change: str
    changed_offering_ids: list[str]
    based_on_version: int | None
    note: str | None
    created_by: str
    created_at: Instant


class ItemPublic(_Public):
    """One listed offering of a version (a snapshot of what was listed)."""

    offering_id: uuid.UUID
    sku_id: uuid.UUID
    sku_code: str
    title: str


class DiffPublic(BaseModel):
    from_version: int
    to_version: int
    added: list[ItemPublic]
    removed: list[ItemPublic]
    unchanged: list[ItemPublic]


class CatalogPublic(BaseModel):
    """A channel's catalog at one version; `diff` only when a comparison was asked for."""

    channel: ChannelPublic
    version: VersionPublic | None
    items: list[ItemPublic]
    diff: DiffPublic | None = None


class PriceBookPublic(_Public):
    id: uuid.UUID
    name: str
    kind: str
    currency: str
    scope_channel_id: uuid.UUID | None
    scope_org_id: uuid.UUID | None
    description: str | None
    created_at: Instant


class PriceRulePublic(_Public):
    id: uuid.UUID
    price_book_id: uuid.UUID
    sku_id: uuid.UUID
    org_id: uuid.UUID | None
    channel_id: uuid.UUID | None
    amount: Money
    effective_from: Instant
    effective_to: Instant | None
    priority: int
    note: str | None
    created_by: str
    created_at: Instant


class CreatedRulePublic(PriceRulePublic):
    kind: str
    currency: str


class RuleCreatedPublic(BaseModel):
    """A saved rule and its overlaps with existing rules at the same step (engine Overlap.to_dict)."""

    rule: CreatedRulePublic
    warnings: list[dict[str, Any]]


class ConflictsPublic(BaseModel):
    items: list[dict[str, Any]]
    total: int
    next_cursor: str | None
