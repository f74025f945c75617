"""The catalog's create / edit forms: organizations (with their type's profile), channels, products,
SKUs, price books and price rules (the framework is app/web/kit/forms.py).

Each form's load and save call the catalog's queries and actions with the API's validated inputs,
so the API's rules hold here too: codes unique (409 → "taken" next to the field), references of
this tenant only, money as an exact decimal string, status only by decision.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

import reflex as rx

from app.web.catalog.price_views import RuleWarning
from app.web.catalog.widgets import pair
from app.web.kit.forms import (
    NONE,
    EntityForm,
    FormSpec,
    check_field,
    choice_field,
    form_values,
    parse_instant,
    text_field,
)
from app.web.kit.forms import blank_form as _blank_form
from engine.catalog.permissions import CATALOG_WRITE, PRICING_WRITE
from engine.catalog.profiles import PROFILE_MODELS
from engine.catalog.types import CHANNEL_KINDS, ORG_TYPES
from engine.context import TenantContext
from engine.pricing import PRICE_BOOK_KINDS
from models.catalog import actions, queries
from models.catalog.inputs import (
    ChannelCreate,
    ChannelUpdate,
    OrgCreate,
    OrgUpdate,
    PriceBookCreate,
    PriceRuleCreate,
    ProductCreate,
    ProductUpdate,
    SkuCreate,
    SkuUpdate,
    parse_input,
)
from models.core.flags import ENABLE_CHANNELS, ENABLE_ORG, ENABLE_PRICE_BOOKS

CHANNEL_KIND_OPTIONS = [(k, k) for k in CHANNEL_KINDS]
ORG_TYPE_OPTIONS = [(t, t.replace("_", " ")) for t in ORG_TYPES]
BOOK_KIND_OPTIONS = [(k, k.upper()) for k in PRICE_BOOK_KINDS]


@dataclass(frozen=True)
class ProfileField:
    name: str  # form key: "profile.<attribute>"
    label: str
    kind: str  # text | number | list (comma separated) | check | choice
    options: tuple[str, ...] = ()
    types: tuple[str, ...] = ()


def _kind_of(annotation: Any) -> tuple[str, tuple[str, ...]]:
    args = get_args(annotation)
    if get_origin(annotation) is list:
        return "list", ()
    if annotation is bool:
        return "check", ()
    literal = [a for a in args if get_origin(a) is Literal]
    if literal:
        return "choice", tuple(str(v) for v in get_args(literal[0]))
    return ("number", ()) if int in args else ("text", ())


LABELS = {
    "is_self": "This is our own brand",
    "payment_terms_days": "Payment terms (days)",
    "country": "Country (ISO code, e.g. IN)",
    "tax_id": "Tax id",
    "contact_email": "Contact e-mail",
}
SHARED_PROFILE = tuple(next(iter(PROFILE_MODELS.values())).__mro__[1].model_fields)


def _profile_fields() -> dict[str, ProfileField]:
    """Every profile attribute of every organization type."""
    found: dict[str, ProfileField] = {}
    for org_type, model in PROFILE_MODELS.items():
        for name, info in model.model_fields.items():
            key = f"profile.{name}"
            if key in found:
                found[key] = ProfileField(**{**found[key].__dict__, "types": (*found[key].types, org_type)})
                continue
            kind, options = _kind_of(info.annotation)
            label = LABELS.get(name, name.replace("_", " ").capitalize()) + (
                " (comma separated)" if kind == "list" else ""
            )
            found[key] = ProfileField(key, label, kind, options, (org_type,))
    return found


def profile_fields_of(org_type: str) -> list[ProfileField]:
    """The type's own attributes in its model's order, then the shared ones."""
    names = [n for n in PROFILE_MODELS[org_type].model_fields if n not in SHARED_PROFILE] + list(SHARED_PROFILE)
    return [PROFILE_FIELDS[f"profile.{n}"] for n in names]


PROFILE_FIELDS = _profile_fields()


def profile_to_form(profile: dict[str, Any]) -> dict[str, str]:
    form = {}
    for key, value in profile.items():
        if isinstance(value, list):
            form[f"profile.{key}"] = ", ".join(map(str, value))
        elif isinstance(value, bool):
            form[f"profile.{key}"] = "yes" if value else ""
        else:
            form[f"profile.{key}"] = "" if value is None else str(value)
    return form


def form_to_profile(org_type: str, form: dict[str, str]) -> dict[str, Any]:
    """The type's attributes from the form; empty values are left out (the validator types the rest)."""
    profile: dict[str, Any] = {}
    for spec in PROFILE_FIELDS.values():
        value = (form.get(spec.name) or "").strip()
        if org_type not in spec.types or value in ("", NONE):
            continue
        name = spec.name.removeprefix("profile.")
        if spec.kind == "list":
            profile[name] = [part.strip() for part in value.split(",") if part.strip()]
        elif spec.kind == "check":
            profile[name] = value == "yes"
        else:
            profile[name] = value
    return profile


def _load_org(ctx: TenantContext, row_id: str) -> dict[str, str]:
    org = queries.org(ctx, row_id)
    return {"id": str(org.id), "type": org.type, "code": org.code, "name": org.name, **profile_to_form(org.profile)}


def _save_org(ctx: TenantContext, row_id: str | None, form: dict[str, str]) -> dict[str, Any]:
    if row_id is None:
        org_type = (form.get("type") or "").strip()
        data = {**form_values(form, ("type", "code", "name")), "profile": form_to_profile(org_type, form)}
        org = actions.create_org(ctx, parse_input(OrgCreate, data))
    else:
        org_type = actions.org_type(ctx, row_id)
        data = {**form_values(form, ("code", "name")), "profile": form_to_profile(org_type, form)}
        org = actions.update_org(ctx, row_id, parse_input(OrgUpdate, data))
    return {"id": str(org.id), "label": org.name}


def _loader(get: Callable[[TenantContext, str], Any], fields: tuple[str, ...], selects: tuple[str, ...] = ()):
    """Edit: the row's values as form text (an empty optional select shows its "none" item)."""

    def load(ctx: TenantContext, row_id: str) -> dict[str, str]:
        row = get(ctx, row_id)
        values = {f: getattr(row, f) for f in fields}
        return {
            "id": str(row.id),
            **{f: (NONE if f in selects else "") if v is None else str(v) for f, v in values.items()},
        }

    return load


def _saver(
    required: tuple[str, ...],
    optional: tuple[str, ...],
    inputs: tuple[type, type],
    create: Callable[..., Any],
    update: Callable[..., Any],
    label: str,
):
    """Create (no id) or edit (the id read back from this tenant's row) with the API's inputs."""

    def save(ctx: TenantContext, row_id: str | None, form: dict[str, str]) -> dict[str, Any]:
        data = form_values(form, required, optional)
        if row_id is None:
            row = create(ctx, parse_input(inputs[0], data))
        else:
            row = update(ctx, row_id, parse_input(inputs[1], data))
        return {"id": str(row.id), "label": getattr(row, label)}

    return save


PRODUCT_OPTIONAL = ("brand", "category", "manufacturer_org_id", "description")
_load_channel = _loader(queries.channel, ("code", "name", "kind"))
_save_channel = _saver(
    ("code", "name", "kind"), (), (ChannelCreate, ChannelUpdate), actions.create_channel, actions.update_channel, "name"
)
_load_product = _loader(queries.product, ("code", "name", *PRODUCT_OPTIONAL), ("manufacturer_org_id",))
_save_product = _saver(
    ("code", "name"),
    PRODUCT_OPTIONAL,
    (ProductCreate, ProductUpdate),
    actions.create_product,
    actions.update_product,
    "code",
)
_load_sku = _loader(queries.sku, ("product_id", "code", "name", "uom"))
_save_sku = _saver(
    ("code", "name", "uom"), ("product_id",), (SkuCreate, SkuUpdate), actions.create_sku, actions.update_sku, "code"
)


def _save_book(ctx: TenantContext, _row_id: str | None, form: dict[str, str]) -> dict[str, Any]:
    data = form_values(form, ("name", "kind"), ("scope_channel_id", "scope_org_id", "description"))
    data["currency"] = (form.get("currency") or "").strip().upper()
    book = actions.create_book(ctx, parse_input(PriceBookCreate, data))
    return {"id": str(book.id), "label": book.name}


def _save_rule(ctx: TenantContext, _row_id: str | None, form: dict[str, str]) -> dict[str, Any]:
    """Amount stays a decimal string until the repository makes it a Decimal (never a float)."""
    data = form_values(form, ("amount",), ("price_book_id", "sku_id", "org_id", "channel_id", "note"))
    data["effective_from"] = parse_instant(form.get("effective_from"), "effective_from")
    data["effective_to"] = parse_instant(form.get("effective_to"), "effective_to")
    priority = (form.get("priority") or "").strip() or "0"
    # the input model takes JSON integers only; a form sends text, so ASCII digits become a number here
    data["priority"] = int(priority) if re.fullmatch(r"-?[0-9]{1,6}", priority) else priority
    created = actions.create_rule(ctx, parse_input(PriceRuleCreate, data))
    return {
        "id": str(created.rule.id),
        "label": f"{created.rule.amount:f}".rstrip("0").rstrip(".") + f" {created.rule.currency}",
        "warnings": [RuleWarning(o["severity"], o["message"]) for o in created.warnings],
    }


FORMS: dict[str, FormSpec] = {
    "org": FormSpec(
        "organization",
        CATALOG_WRITE,
        ENABLE_ORG,
        ("type", "code", "name", *PROFILE_FIELDS),
        _save_org,
        _load_org,
        {"type": "dealer"},
    ),
    "channel": FormSpec(
        "channel",
        CATALOG_WRITE,
        ENABLE_CHANNELS,
        ("code", "name", "kind"),
        _save_channel,
        _load_channel,
        {"kind": "online"},
    ),
    "product": FormSpec(
        "product",
        CATALOG_WRITE,
        ENABLE_CHANNELS,
        ("code", "name", *PRODUCT_OPTIONAL),
        _save_product,
        _load_product,
        {"manufacturer_org_id": NONE},
    ),
    "sku": FormSpec(
        "SKU",
        CATALOG_WRITE,
        ENABLE_CHANNELS,
        ("product_id", "code", "name", "uom"),
        _save_sku,
        _load_sku,
        {"uom": "each"},
    ),
    "book": FormSpec(
        "price book",
        PRICING_WRITE,
        ENABLE_PRICE_BOOKS,
        ("name", "kind", "currency", "scope_channel_id", "scope_org_id", "description"),
        _save_book,
        None,
        {"kind": "map", "currency": "INR", "scope_channel_id": NONE, "scope_org_id": NONE},
    ),
    "rule": FormSpec(
        "price rule",
        PRICING_WRITE,
        ENABLE_PRICE_BOOKS,
        (
            "price_book_id",
            "sku_id",
            "org_id",
            "channel_id",
            "amount",
            "effective_from",
            "effective_to",
            "priority",
            "note",
        ),
        _save_rule,
        None,
        {"org_id": NONE, "channel_id": NONE, "priority": "0"},
    ),
}


def blank_form(kind: str) -> dict[str, str]:
    """A blank catalog form: every field of every catalog form present, then the kind's defaults."""
    return _blank_form(FORMS, kind)


def profile_fields(state: type[EntityForm]) -> rx.Component:
    """The chosen organization type's profile attributes (the form switches with the type)."""

    def render(spec: ProfileField) -> rx.Component:
        if spec.kind == "choice":
            return choice_field(state, spec.name, spec.label, [(o, o) for o in spec.options], none_label="—")
        if spec.kind == "check":
            return check_field(state, spec.name, spec.label)
        return text_field(state, spec.name, spec.label, **({"input_mode": "numeric"} if spec.kind == "number" else {}))

    return rx.match(
        state.form["type"],
        *[(t, pair(*[render(s) for s in profile_fields_of(t)])) for t in ORG_TYPES],
        rx.fragment(),
    )
