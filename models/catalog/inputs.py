"""Validated inputs of catalog and pricing writes (shared by the REST API, pages and seeds).

Unknown keys are refused; money is a decimal string (never a JSON float); instants carry a zone
and lie in 1900..2999; integers are JSON integers; text follows the one rule of `engine.text`
(control characters refused in every field, nested profile/attribute values included).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import Field, StrictBool, ValidationError

from engine.catalog.types import CHANNEL_KINDS, ORG_TYPES, RELATIONSHIP_TYPES
from engine.errors import ValidationFailed
from engine.inputs import Instant, StrictInt
from engine.pricing.model import PRICE_BOOK_KINDS
from engine.text import TextInput

if TYPE_CHECKING:  # the checker sees text; pydantic validates against the engine's own values
    OrgType = RelationshipType = ChannelKind = BookKind = str
else:
    OrgType = Literal[ORG_TYPES]
    RelationshipType = Literal[RELATIONSHIP_TYPES]
    ChannelKind = Literal[CHANNEL_KINDS]
    BookKind = Literal[PRICE_BOOK_KINDS]
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
Code = Field(min_length=1, max_length=60, pattern=CODE_PATTERN)
Name = Field(min_length=1, max_length=200)
# edits: absent = unchanged; an explicit null on a required column is refused by the repository
NewCode = Field(default=None, min_length=1, max_length=60, pattern=CODE_PATTERN)
NewName = Field(default=None, min_length=1, max_length=200)
DECIMAL_TEXT = r"^[0-9]{1,28}(\.[0-9]{1,10})?$"  # ASCII digits: `\d` also takes ١٢٣


class _Input(TextInput):
    """Unknown keys refused, text stripped, control characters refused: engine.text, like margin's."""


InputT = TypeVar("InputT", bound=_Input)
PATTERN_HINTS = {
    "code": "letters, digits, '.', '_' or '-' (no spaces)",
    "amount": "a decimal such as 499.00 (at most 10 decimals, no sign)",
    "currency": "three capital letters, e.g. INR",
}


def _message(error: Any) -> str:
    if error["type"] == "missing" or error.get("input") in (None, ""):
        return "required"
    if error["type"] == "value_error":
        return error["msg"].removeprefix("Value error, ")
    if error["type"] == "string_pattern_mismatch":
        return PATTERN_HINTS.get(str(error["loc"][-1])) or str(error["msg"])
    return error["msg"]


def parse_input(model: type[InputT], data: dict[str, Any]) -> InputT:
    """Validate a form's values like the API validates a body: errors as ValidationFailed naming each field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = {".".join(str(p) for p in e["loc"]) or "request": _message(e) for e in exc.errors()}
        raise ValidationFailed(f"invalid input: {', '.join(fields)}", fields=fields) from None


class OrgCreate(_Input):
    type: OrgType
    code: str = Code
    name: str = Name
    profile: dict[str, Any] = Field(default_factory=dict)


class OrgUpdate(_Input):
    """Edit: only the keys sent change. `profile` replaces the whole profile (validated for the
    organization's type); the type is fixed at creation and the status changes only by decision."""

    code: str | None = NewCode
    name: str | None = NewName
    profile: dict[str, Any] | None = None


class OrgDecision(_Input):
    action: Literal["hold", "suspend", "reinstate", "archive"]
    reason: str = Field(min_length=1, max_length=4000)
    # the status the user saw: a stale one is refused with 409 naming the current status
    expected_status: Literal["active", "on_hold", "suspended", "archived"] | None = None


class RelationshipCreate(_Input):
    from_org_id: uuid.UUID
    to_org_id: uuid.UUID
    type: RelationshipType
    effective_from: Instant | None = None
    effective_to: Instant | None = None
    note: str | None = Field(default=None, max_length=1000)


class ChannelCreate(_Input):
    code: str = Code
    name: str = Name
    kind: ChannelKind


class ChannelUpdate(_Input):
    code: str | None = NewCode
    name: str | None = NewName
    kind: ChannelKind | None = None
    is_active: StrictBool | None = None  # false deactivates, true reactivates (audited as such)


class ProductCreate(_Input):
    code: str = Code
    name: str = Name
    brand: str | None = Field(default=None, max_length=100)
    category: str | None = Field(default=None, max_length=100)
    manufacturer_org_id: uuid.UUID | None = None
    description: str | None = Field(default=None, max_length=4000)


class ProductUpdate(_Input):
    code: str | None = NewCode
    name: str | None = NewName
    brand: str | None = Field(default=None, max_length=100)
    category: str | None = Field(default=None, max_length=100)
    manufacturer_org_id: uuid.UUID | None = None
    description: str | None = Field(default=None, max_length=4000)


class SkuCreate(_Input):
    product_id: uuid.UUID
    code: str = Code
    name: str = Name
    uom: str = Field(default="each", min_length=1, max_length=20)
    attributes: dict[str, Any] = Field(default_factory=dict)


class SkuUpdate(_Input):
    product_id: uuid.UUID | None = None
    code: str | None = NewCode
    name: str | None = NewName
    uom: str | None = Field(default=None, min_length=1, max_length=20)
    attributes: dict[str, Any] | None = None
    is_active: StrictBool | None = None  # false deactivates, true reactivates (audited as such)


class OfferingCreate(_Input):
    channel_id: uuid.UUID
    sku_id: uuid.UUID
    title: str | None = Field(default=None, min_length=1, max_length=200)
    attributes: dict[str, Any] = Field(default_factory=dict)


class CatalogChange(_Input):
    offering_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)
    note: str | None = Field(default=None, max_length=1000)


class PriceBookCreate(_Input):
    name: str = Name
    kind: BookKind
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    scope_channel_id: uuid.UUID | None = None
    scope_org_id: uuid.UUID | None = None
    description: str | None = Field(default=None, max_length=2000)


class PriceRuleCreate(_Input):
    price_book_id: uuid.UUID
    sku_id: uuid.UUID
    org_id: uuid.UUID | None = None
    channel_id: uuid.UUID | None = None
    amount: str = Field(pattern=DECIMAL_TEXT, description="decimal string, at most 10 decimals, e.g. '1299.00'")
    effective_from: Instant
    effective_to: Instant | None = None
    priority: StrictInt = Field(default=0, ge=-1000, le=1000)
    note: str | None = Field(default=None, max_length=1000)


def window_ok(start: datetime | None, end: datetime | None) -> bool:
    return start is None or end is None or end > start
