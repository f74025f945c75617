"""Per-type organization profiles: the variable attributes of an organization, validated as JSON.

Each organization type has one pydantic model (unknown keys refused); `validate_profile` returns the
clean dict to store or raises ValidationFailed naming the offending field as `profile.<name>`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.errors import ValidationFailed


class _Profile(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    website: str | None = Field(default=None, max_length=300)
    contact_email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    country: str | None = Field(default=None, min_length=2, max_length=2, pattern=r"^[A-Z]{2}$")
    notes: str | None = Field(default=None, max_length=2000)


class ManufacturerProfile(_Profile):
    brands: list[str] = Field(default_factory=list, max_length=50)
    is_self: bool = False  # the tenant's own brand


class DistributorProfile(_Profile):
    regions: list[str] = Field(default_factory=list, max_length=100)
    tax_id: str | None = Field(default=None, max_length=40)


class DealerProfile(_Profile):
    region: str | None = Field(default=None, max_length=100)
    city: str | None = Field(default=None, max_length=100)
    tier: Literal["platinum", "gold", "silver", "bronze"] | None = None
    tax_id: str | None = Field(default=None, max_length=40)


class SupplierProfile(_Profile):
    categories: list[str] = Field(default_factory=list, max_length=50)
    payment_terms_days: int | None = Field(default=None, ge=0, le=365)


class CompetitorProfile(_Profile):
    brands: list[str] = Field(default_factory=list, max_length=50)
    price_position: Literal["premium", "parity", "discount"] | None = None


class ServicePartnerProfile(_Profile):
    service_areas: list[str] = Field(default_factory=list, max_length=100)
    certifications: list[str] = Field(default_factory=list, max_length=50)


PROFILE_MODELS: dict[str, type[_Profile]] = {
    "manufacturer": ManufacturerProfile,
    "distributor": DistributorProfile,
    "dealer": DealerProfile,
    "supplier": SupplierProfile,
    "competitor": CompetitorProfile,
    "service_partner": ServicePartnerProfile,
}


def validate_profile(org_type: str, data: dict[str, Any] | None) -> dict[str, Any]:
    model = PROFILE_MODELS.get(org_type)
    if model is None:
        raise ValidationFailed(
            f"type must be one of {', '.join(PROFILE_MODELS)}", fields={"type": "unknown organization type"}
        )
    try:
        profile = model.model_validate(data or {})
    except ValidationError as exc:
        fields = {"profile." + ".".join(str(p) for p in e["loc"]): e["msg"] for e in exc.errors()}
        raise ValidationFailed(f"invalid {org_type} profile: {', '.join(fields)}", fields=fields) from exc
    return profile.model_dump(mode="json", exclude_none=True)
