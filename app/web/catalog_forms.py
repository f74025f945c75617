"""Create / edit forms of the catalog pages: organizations, channels, products, SKUs, price books
and price rules.

`FORMS` names each form (kind → permission, feature flag, fields, load for edit, save). Saving runs
the same validated inputs and repositories as the REST API in a worker thread (one
`tenant_session`), so the API's rules hold here too: codes unique (409 → "taken" next to the
field), references of this tenant only, money as an exact decimal string, status only by decision.

`EntityForm` is a state mixin with the handlers every form needs (open new / open edit / set a
value / save / close); each page state lists the kinds it serves in `_form_kinds` and refreshes
itself in `_after_save`. The form's values stay in the state on error, so nothing typed is lost.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, get_args, get_origin

import reflex as rx
from reflex.vars import Var

from app.web import margin_components as mc
from engine.catalog.profiles import PROFILE_MODELS
from engine.catalog.types import CHANNEL_KINDS, ORG_TYPES
from engine.context import TenantContext
from engine.errors import DomainError, ValidationFailed
from engine.pricing import PRICE_BOOK_KINDS
from models.catalog import catalog, orgs, pricing
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
from models.db import tenant_session
from models.flags import ENABLE_CHANNELS, ENABLE_ORG, ENABLE_PRICE_BOOKS, is_enabled

NONE = "__none__"  # the "no value" item of an optional select (Radix selects refuse "")
MAX_VALUE = 4000


def flag_on(ctx: TenantContext, flag: str) -> bool:
    with tenant_session(ctx) as session:
        return is_enabled(session, ctx, flag)


async def page_context(state: Any, permission: str, flag: str) -> tuple[TenantContext | None, bool]:
    """(ctx, feature_off): ctx is None when the role lacks `permission` or the flag is off."""
    ctx = await state._require(permission)
    if ctx is None:
        return None, False
    if not await asyncio.to_thread(flag_on, ctx, flag):
        return None, True
    return ctx, False


# ---- organization profiles as form fields ----------------------------------------------------


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
            label = LABELS.get(name, name.replace("_", " ").capitalize()) + (" (comma separated)" if kind == "list" else "")
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


# ---- form values → inputs ----------------------------------------------------------------------


def _opt(form: dict[str, str], key: str) -> str | None:
    value = (form.get(key) or "").strip()
    return None if value in ("", NONE) else value


def _values(form: dict[str, str], required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    data: dict[str, Any] = {k: (form.get(k) or "").strip() for k in required}
    data.update({k: _opt(form, k) for k in optional})
    return data


def parse_instant(value: str | None, field_name: str) -> datetime | None:
    """A `datetime-local` value (or ISO text) as an aware instant; no zone means UTC."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            f"{field_name}: pick a date and time", fields={field_name: "pick a date and time"}
        ) from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def _instant_text(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") if value else ""


# ---- the forms: load (for edit) and save, each in one tenant_session ----------------------------


def _load_org(ctx: TenantContext, row_id: str) -> dict[str, str]:
    with tenant_session(ctx) as session:
        org = orgs.get_org(session, ctx, row_id)
        return {"id": str(org.id), "type": org.type, "code": org.code, "name": org.name, **profile_to_form(org.profile)}


def _save_org(ctx: TenantContext, row_id: str | None, form: dict[str, str]) -> dict[str, Any]:
    with tenant_session(ctx) as session:
        if row_id is None:
            org_type = (form.get("type") or "").strip()
            data = {**_values(form, ("type", "code", "name")), "profile": form_to_profile(org_type, form)}
            org = orgs.create_org(session, ctx, parse_input(OrgCreate, data))
        else:
            org_type = orgs.get_org(session, ctx, row_id).type
            data = {**_values(form, ("code", "name")), "profile": form_to_profile(org_type, form)}
            org = orgs.update_org(session, ctx, row_id, parse_input(OrgUpdate, data))
        return {"id": str(org.id), "label": org.name}


def _loader(get: Callable[..., Any], fields: tuple[str, ...], selects: tuple[str, ...] = ()):
    """Edit: the row's values as form text (an empty optional select shows its "none" item)."""

    def load(ctx: TenantContext, row_id: str) -> dict[str, str]:
        with tenant_session(ctx) as session:
            row = get(session, ctx, row_id)
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
        data = _values(form, required, optional)
        with tenant_session(ctx) as session:
            if row_id is None:
                row = create(session, ctx, parse_input(inputs[0], data))
            else:
                row = update(session, ctx, row_id, parse_input(inputs[1], data))
            return {"id": str(row.id), "label": getattr(row, label)}

    return save


PRODUCT_OPTIONAL = ("brand", "category", "manufacturer_org_id", "description")
_load_channel = _loader(catalog.get_channel, ("code", "name", "kind"))
_save_channel = _saver(
    ("code", "name", "kind"), (), (ChannelCreate, ChannelUpdate), catalog.create_channel, catalog.update_channel, "name"
)
_load_product = _loader(catalog.get_product, ("code", "name", *PRODUCT_OPTIONAL), ("manufacturer_org_id",))
_save_product = _saver(
    ("code", "name"),
    PRODUCT_OPTIONAL,
    (ProductCreate, ProductUpdate),
    catalog.create_product,
    catalog.update_product,
    "code",
)
_load_sku = _loader(catalog.get_sku, ("product_id", "code", "name", "uom"))
_save_sku = _saver(
    ("code", "name", "uom"), ("product_id",), (SkuCreate, SkuUpdate), catalog.create_sku, catalog.update_sku, "code"
)


def _save_book(ctx: TenantContext, _row_id: str | None, form: dict[str, str]) -> dict[str, Any]:
    data = _values(form, ("name", "kind"), ("scope_channel_id", "scope_org_id", "description"))
    data["currency"] = (form.get("currency") or "").strip().upper()
    with tenant_session(ctx) as session:
        book = pricing.create_book(session, ctx, parse_input(PriceBookCreate, data))
        return {"id": str(book.id), "label": book.name}


def _save_rule(ctx: TenantContext, _row_id: str | None, form: dict[str, str]) -> dict[str, Any]:
    """Amount stays a decimal string until the repository makes it a Decimal (never a float)."""
    data = _values(form, ("amount",), ("price_book_id", "sku_id", "org_id", "channel_id", "note"))
    data["effective_from"] = parse_instant(form.get("effective_from"), "effective_from")
    data["effective_to"] = parse_instant(form.get("effective_to"), "effective_to")
    priority = (form.get("priority") or "").strip() or "0"
    # the input model takes JSON integers only; a form sends text, so ASCII digits become a number here
    data["priority"] = int(priority) if re.fullmatch(r"-?[0-9]{1,6}", priority) else priority
    with tenant_session(ctx) as session:
        created = pricing.create_rule(session, ctx, parse_input(PriceRuleCreate, data))
        return {
            "id": str(created.rule.id),
            "label": f"{created.rule.amount:f}".rstrip("0").rstrip(".") + f" {created.book.currency}",
            "warnings": [
                {"severity": o.severity, "message": o.to_dict()["message"]} for o in created.overlaps
            ],
        }


@dataclass(frozen=True)
class FormSpec:
    noun: str
    permission: str
    flag: str
    fields: tuple[str, ...]
    save: Callable[[TenantContext, str | None, dict[str, str]], dict[str, Any]]
    load: Callable[[TenantContext, str], dict[str, str]] | None = None  # None: create only
    defaults: dict[str, str] = field(default_factory=dict)


FORMS: dict[str, FormSpec] = {
    "org": FormSpec(
        "organization",
        "catalog.write",
        ENABLE_ORG,
        ("type", "code", "name", *PROFILE_FIELDS),
        _save_org,
        _load_org,
        {"type": "dealer"},
    ),
    "channel": FormSpec(
        "channel", "catalog.write", ENABLE_CHANNELS, ("code", "name", "kind"), _save_channel, _load_channel, {"kind": "online"}
    ),
    "product": FormSpec(
        "product",
        "catalog.write",
        ENABLE_CHANNELS,
        ("code", "name", *PRODUCT_OPTIONAL),
        _save_product,
        _load_product,
        {"manufacturer_org_id": NONE},
    ),
    "sku": FormSpec(
        "SKU", "catalog.write", ENABLE_CHANNELS, ("product_id", "code", "name", "uom"), _save_sku, _load_sku, {"uom": "each"}
    ),
    "book": FormSpec(
        "price book",
        "pricing.write",
        ENABLE_PRICE_BOOKS,
        ("name", "kind", "currency", "scope_channel_id", "scope_org_id", "description"),
        _save_book,
        None,
        {"kind": "map", "currency": "INR", "scope_channel_id": NONE, "scope_org_id": NONE},
    ),
    "rule": FormSpec(
        "price rule",
        "pricing.write",
        ENABLE_PRICE_BOOKS,
        ("price_book_id", "sku_id", "org_id", "channel_id", "amount", "effective_from", "effective_to", "priority", "note"),
        _save_rule,
        None,
        {"org_id": NONE, "channel_id": NONE, "priority": "0"},
    ),
}
ALL_FIELDS = sorted({name for spec in FORMS.values() for name in spec.fields})


def blank_form(kind: str) -> dict[str, str]:
    """Every field of every form present (controlled inputs never see `undefined`), then the defaults."""
    spec = FORMS[kind]
    return {**dict.fromkeys(ALL_FIELDS, ""), **spec.defaults}


# ---- the state mixin -------------------------------------------------------------------------


class EntityForm(rx.State, mixin=True):
    """One create/edit dialog per page state; see the module docstring."""

    form: dict[str, str] = {}
    errors: dict[str, str] = {}
    form_kind: str = ""
    form_title: str = ""
    form_message: str = ""
    form_open: bool = False
    editing: bool = False
    saving: bool = False
    _edit_id: str = ""
    _form_kinds: ClassVar[tuple[str, ...]] = ()

    async def _after_save(self, ctx: TenantContext, kind: str, result: dict[str, Any]) -> None:
        """Each page: refresh its lists and say what was saved."""

    def _spec(self, kind: Any) -> FormSpec | None:
        return FORMS.get(kind) if isinstance(kind, str) and kind in self._form_kinds else None

    def _close(self) -> None:
        self.form, self.errors, self.form_open, self.editing, self.saving = {}, {}, False, False, False
        self.form_kind = self.form_title = self.form_message = self._edit_id = ""

    @rx.event
    async def open_new(self, kind: str):
        spec = self._spec(kind)
        if spec is None:
            return
        ctx, _ = await page_context(self, spec.permission, spec.flag)
        if ctx is None:
            return
        self._close()
        self.form, self.form_kind, self.form_title = blank_form(kind), kind, f"New {spec.noun}"
        self.form_open = True

    @rx.event
    async def open_edit(self, kind: str, row_id: str):
        spec = self._spec(kind)
        if spec is None or spec.load is None:
            return
        ctx, _ = await page_context(self, spec.permission, spec.flag)
        if ctx is None:
            return
        try:
            values = await asyncio.to_thread(spec.load, ctx, str(row_id or "")[:64])
        except DomainError:
            return  # another tenant's or an unknown id: nothing to edit
        self._close()
        self._edit_id = values.pop("id")  # read back from this tenant's row, never the argument
        self.form = {**blank_form(kind), **values}
        self.form_kind, self.form_title, self.editing = kind, f"Edit {spec.noun}", True
        self.form_open = True

    @rx.event
    def set_value(self, name: str, value: Any):
        spec = self._spec(self.form_kind)
        if spec is None or name not in spec.fields or (self.editing and name == "type"):
            return
        text = ("yes" if value else "") if isinstance(value, bool) else ("" if value is None else str(value))
        self.form = {**self.form, name: text[:MAX_VALUE]}
        if name in self.errors:
            self.errors = {k: v for k, v in self.errors.items() if k != name}

    @rx.event
    def close_form(self):
        if not self.saving:
            self._close()

    @rx.event
    async def save(self):
        kind = self.form_kind
        spec = self._spec(kind)
        if spec is None or not self.form_open or self.saving:
            return
        ctx, _ = await page_context(self, spec.permission, spec.flag)
        if ctx is None:
            self.form_message = f"Your role may not save this {spec.noun}."
            return
        self.saving, self.form_message = True, ""
        yield
        try:
            result = await asyncio.to_thread(spec.save, ctx, self._edit_id or None, dict(self.form))
        except DomainError as exc:
            self.errors = {str(k): str(v) for k, v in exc.fields.items()}
            self.form_message = exc.message
            self.saving = False
            return
        self._close()
        await self._after_save(ctx, kind, result)


# ---- components ---------------------------------------------------------------------------------


def _field_error(state: type[EntityForm], name: str) -> rx.Component:
    return rx.cond(
        state.errors.contains(name),
        rx.text(state.errors[name], color_scheme="red", size="1", role="alert", data_testid=f"error-{name}"),
    )


def _labelled(state: type[EntityForm], name: str, label: str, control: rx.Component, **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(label, size="1", weight="medium", color_scheme="gray"), html_for=f"f-{name}"),
        control,
        _field_error(state, name),
        spacing="1",
        width="100%",
        **props,
    )


def text_field(state: type[EntityForm], name: str, label: str, *, area: bool = False, **props) -> rx.Component:
    """A labelled text input (or a two-row text area) bound to `form[name]`, its error under it."""
    control = rx.text_area if area else rx.input
    return _labelled(
        state,
        name,
        label,
        control(
            id=f"f-{name}",
            value=state.form[name],
            on_change=lambda v: state.set_value(name, v),
            aria_label=label,
            width="100%",
            data_testid=f"field-{name}",
            **({"rows": "2"} if area else {}),
            **props,
        ),
    )


def choice_field(
    state: type[EntityForm],
    name: str,
    label: str,
    options: list[tuple[str, str]] | Var,
    *,
    none_label: str | None = None,
    disabled: Var | bool = False,
) -> rx.Component:
    """A select over fixed (value, label) pairs or a Var list of {id, label} dicts."""
    items = [rx.select.item(none_label, value=NONE)] if none_label else []
    if isinstance(options, list):
        items += [rx.select.item(text, value=value) for value, text in options]
    else:
        items.append(rx.foreach(options, lambda o: rx.select.item(o["label"], value=o["id"])))
    return _labelled(
        state,
        name,
        label,
        rx.select.root(
            rx.select.trigger(placeholder=f"Pick {label.lower()}", aria_label=label, width="100%", id=f"f-{name}"),
            rx.select.content(*items),
            value=state.form[name],
            on_change=lambda v: state.set_value(name, v),
            disabled=disabled,
        ),
    )


def check_field(state: type[EntityForm], name: str, label: str) -> rx.Component:
    return rx.vstack(
        rx.checkbox(
            label,
            checked=state.form[name] == "yes",
            on_change=lambda v: state.set_value(name, v),
            data_testid=f"field-{name}",
        ),
        _field_error(state, name),
        spacing="1",
    )


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
        *[
            (t, rx.grid(*[render(s) for s in profile_fields_of(t)], columns="2", spacing="3", width="100%"))
            for t in ORG_TYPES
        ],
        rx.fragment(),
    )


def new_button(state: type[EntityForm], kind: str, label: str) -> rx.Component:
    return rx.button(rx.icon("plus", size=16), label, on_click=state.open_new(kind), data_testid=f"new-{kind}")


def edit_button(state: type[EntityForm], kind: str, row_id: Var, label: str = "Edit") -> rx.Component:
    return rx.button(
        rx.icon("pencil", size=14),
        label,
        size="1",
        variant="soft",
        on_click=state.open_edit(kind, row_id),
        data_testid=f"edit-{kind}",
    )


def form_dialog(state: type[EntityForm], bodies: dict[str, rx.Component]) -> rx.Component:
    """The page's one create/edit dialog: Enter saves, Escape cancels, Save spins while saving."""
    return mc.dialog(
        state.form_title,
        rx.dialog.description(
            "Enter saves, Escape cancels; a problem is shown under its field.", size="1", color_scheme="gray"
        ),
        rx.form(
            rx.vstack(
                rx.match(state.form_kind, *[(k, body) for k, body in bodies.items()], rx.fragment()),
                mc.messages(state.form_message, rx.Var.create("")),
                rx.hstack(
                    rx.button(
                        "Cancel",
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=state.close_form,
                        disabled=state.saving,
                    ),
                    rx.button(
                        rx.cond(state.saving, rx.spinner(size="2"), rx.icon("check", size=16)),
                        rx.cond(state.saving, "Saving…", "Save"),
                        type="submit",
                        disabled=state.saving,
                        data_testid="form-save",
                    ),
                    justify="end",
                    spacing="3",
                    width="100%",
                ),
                spacing="3",
                width="100%",
                margin_top="0.75rem",
            ),
            on_submit=lambda _form: state.save,
            reset_on_submit=False,
            data_testid="entity-form",
        ),
        open_=state.form_open,
        on_close=state.close_form,
        max_width="40rem",
    )


CHANNEL_KIND_OPTIONS = [(k, k) for k in CHANNEL_KINDS]
ORG_TYPE_OPTIONS = [(t, t.replace("_", " ")) for t in ORG_TYPES]
BOOK_KIND_OPTIONS = [(k, k.upper()) for k in PRICE_BOOK_KINDS]
