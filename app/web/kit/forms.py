"""A small create / edit form framework for page states.

`FormSpec` names one form (noun, permission, feature flag, fields, load for edit, save); a module
keeps its specs in one dict (catalog: app/web/catalog/forms.py `FORMS`). Load and save run in a
worker thread and call the module's queries and actions (which own the transaction), so the API's
rules hold in the UI too: a refusal comes back as a DomainError naming its fields.

`EntityForm` is a state mixin with the handlers every form needs (open new / open edit / set a
value / save / close); each page state sets `_forms` (the specs) and `_form_kinds` (the kinds it
serves), checks permission and flag in `_page_context`, and refreshes itself in `_after_save`. The
form's values stay in the state on error, so nothing typed is lost; an edited row's id lives in
the backend var `_edit_id`, read back from the tenant's row, never taken from the browser.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.kit import controls, feedback
from app.web.kit.calls import write
from engine.context import TenantContext
from engine.errors import DomainError, ValidationFailed

NONE = "__none__"  # the "no value" item of an optional select (Radix selects refuse "")
MAX_VALUE = 4000


@dataclass(frozen=True)
class FormSpec:
    noun: str
    permission: str
    flag: str
    fields: tuple[str, ...]
    save: Callable[[TenantContext, str | None, dict[str, str]], dict[str, Any]]
    load: Callable[[TenantContext, str], dict[str, str]] | None = None  # None: create only
    defaults: dict[str, str] = field(default_factory=dict)


def blank_form(forms: Mapping[str, FormSpec], kind: str) -> dict[str, str]:
    """Every field of every form present (controlled inputs never see `undefined`), then the defaults."""
    names = {name for spec in forms.values() for name in spec.fields}
    return {**dict.fromkeys(sorted(names), ""), **forms[kind].defaults}


def optional(form: Mapping[str, str], key: str) -> str | None:
    """An optional value: empty text and the select's "none" item both mean None."""
    value = (form.get(key) or "").strip()
    return None if value in ("", NONE) else value


def form_values(
    form: Mapping[str, str], required: tuple[str, ...], optional_keys: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The form's text for an input model: required keys stripped, optional ones None when empty."""
    data: dict[str, Any] = {k: (form.get(k) or "").strip() for k in required}
    data.update({k: optional(form, k) for k in optional_keys})
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


def instant_text(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M") if value else ""


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
    _forms: ClassVar[Mapping[str, FormSpec]] = {}
    _form_kinds: ClassVar[tuple[str, ...]] = ()
    # page: fields an edit may not change (e.g. an organization's type)
    _fixed_on_edit: ClassVar[tuple[str, ...]] = ()

    async def _page_context(self, permission: str, flag: str) -> TenantContext | None:
        """page: the context when the role holds `permission` and the tenant has `flag` on, else None"""
        raise NotImplementedError

    async def _after_save(self, ctx: TenantContext, kind: str, result: dict[str, Any]) -> None:
        """page: refresh its lists and say what was saved."""

    def _spec(self, kind: Any) -> FormSpec | None:
        return self._forms.get(kind) if isinstance(kind, str) and kind in self._form_kinds else None

    def _close(self) -> None:
        self.form, self.errors, self.form_open, self.editing, self.saving = {}, {}, False, False, False
        self.form_kind = self.form_title = self.form_message = self._edit_id = ""

    @rx.event
    async def open_new(self, kind: str):
        spec = self._spec(kind)
        if spec is None or await self._page_context(spec.permission, spec.flag) is None:
            return
        self._close()
        self.form, self.form_kind, self.form_title = blank_form(self._forms, kind), kind, f"New {spec.noun}"
        self.form_open = True

    @rx.event
    async def open_edit(self, kind: str, row_id: str):
        spec = self._spec(kind)
        if spec is None or spec.load is None:
            return
        ctx = await self._page_context(spec.permission, spec.flag)
        if ctx is None:
            return
        try:
            values = await asyncio.to_thread(spec.load, ctx, str(row_id or "")[:64])
        except DomainError:
            return  # another tenant's or an unknown id: nothing to edit
        self._close()
        self._edit_id = values.pop("id")  # read back from this tenant's row, never the argument
        self.form = {**blank_form(self._forms, kind), **values}
        self.form_kind, self.form_title, self.editing = kind, f"Edit {spec.noun}", True
        self.form_open = True

    @rx.event
    def set_value(self, name: str, value: Any):
        spec = self._spec(self.form_kind)
        if spec is None or name not in spec.fields or (self.editing and name in self._fixed_on_edit):
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
        ctx = await self._page_context(spec.permission, spec.flag)
        if ctx is None:
            self.form_message = f"Your role may not save this {spec.noun}."
            return
        self.saving, self.form_message = True, ""
        yield
        try:
            result = await write(spec.save, ctx, self._edit_id or None, dict(self.form))
        except DomainError as exc:
            self.errors = {str(k): str(v) for k, v in exc.fields.items()}
            self.form_message = exc.message
            self.saving = False
            return
        self._close()
        await self._after_save(ctx, kind, result)


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


def save_button(saving: Var, testid: str = "form-save") -> rx.Component:
    """The form's submit button: "Save", a spinner and "Saving…" (disabled) while `saving`."""
    return rx.button(
        rx.cond(saving, rx.spinner(size="2"), rx.icon("check", size=16)),
        rx.cond(saving, "Saving…", "Save"),
        type="submit",
        disabled=saving,
        data_testid=testid,
    )


def form_dialog(state: type[EntityForm], bodies: dict[str, rx.Component]) -> rx.Component:
    """The page's one create/edit dialog: Enter saves, Escape cancels, Save spins while saving."""
    return controls.dialog(
        state.form_title,
        rx.dialog.description(
            "Enter saves, Escape cancels; a problem is shown under its field.", size="1", color_scheme="gray"
        ),
        rx.form(
            rx.vstack(
                rx.match(state.form_kind, *[(k, body) for k, body in bodies.items()], rx.fragment()),
                feedback.messages(state.form_message, rx.Var.create("")),
                controls.dialog_footer(
                    save_button(state.saving),
                    on_cancel=state.close_form,
                    cancel_props={"type": "button", "disabled": state.saving},
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
