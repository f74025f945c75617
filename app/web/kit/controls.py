"""Form pieces: a captioned field, a select over fixed or computed options, a controlled dialog and
the character counter under a text field."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import Var

# a filter select's "every value" item (Radix selects refuse ""); no status, rule, severity, type or
# id is "any" (tests/unit/web/test_kit_any.py)
ANY = "any"

# a row of controls that wraps on narrow screens, its items centred on one line
ROW = {"wrap": "wrap", "align": "center"}

# user text (notes, reasons, titles, names) wraps instead of overflowing its card
WRAP = {"overflow_wrap": "anywhere", "word_break": "break-word", "min_width": "0"}


def hint(*parts: Any, **props: Any) -> rx.Component:
    """Small gray text beside or under a figure ("Opened …", "Amounts in INR")."""
    return rx.text(*parts, size="1", color_scheme="gray", **props)


def caption(*parts: Any, **props: Any) -> rx.Component:
    """A field's or a group's small caption."""
    return hint(*parts, weight="medium", **props)


def field(caption_text: str, *controls: rx.Component, **props) -> rx.Component:
    return rx.vstack(caption(caption_text), *controls, spacing="1", **props)


def select(
    options: list[tuple[str, str]] | Var,
    value: Var,
    on_change,
    aria: str,
    *,
    first: tuple[str, str] | None = None,
    keys: tuple[str, str] = ("id", "label"),
    trigger: dict | None = None,
    **props,
) -> rx.Component:
    """A select over fixed (value, label) pairs or a Var list of dicts (`keys`: their value and
    label fields), after an optional `first` (value, label) item such as (ANY, "All dealers");
    `trigger` props (placeholder, width, data_testid…) go on the trigger."""
    items = [rx.select.item(first[1], value=first[0])] if first else []
    if isinstance(options, list):
        items += [rx.select.item(text, value=val) for val, text in options]
    else:
        key, text = keys
        items.append(rx.foreach(options, lambda o: rx.select.item(o[text], value=o[key])))
    return rx.select.root(
        rx.select.trigger(aria_label=aria, **(trigger or {})),
        rx.select.content(*items),
        value=value,
        on_change=on_change,
        **props,
    )


def choice(
    options: list[tuple[str, str]] | Var, value: Var, on_change, aria: str, *, every: str | None = None, **props
) -> rx.Component:
    """A filter select at least 10rem wide; `every` labels its ANY item ("All statuses")."""
    return select(
        options,
        value,
        on_change,
        aria,
        first=(ANY, every) if every else None,
        trigger={"min_width": props.pop("min_width", "10rem")},
        **props,
    )


def dialog(title: Var | str, *children: rx.Component, open_: Var, on_close, max_width: str) -> rx.Component:
    """A controlled dialog: shown while `open_`; closing it (Esc, overlay) calls `on_close`."""
    return rx.dialog.root(
        rx.dialog.content(rx.dialog.title(title), *children, max_width=max_width),
        open=open_,
        on_open_change=lambda _: on_close,
    )


def confirm_dialog(
    title: str, description: str, *, keep: rx.Component, confirm: rx.Component, open_: Var, on_open_change
) -> rx.Component:
    """An alert dialog before an irreversible step: `keep` backs out, `confirm` goes ahead."""
    footer = rx.hstack(rx.alert_dialog.cancel(keep), rx.alert_dialog.action(confirm), spacing="3", justify="end")
    text = rx.alert_dialog.description(description, size="2")
    content = rx.alert_dialog.content(rx.alert_dialog.title(title), text, footer, max_width="28rem")
    return rx.alert_dialog.root(content, open=open_, on_open_change=on_open_change)


def char_counter(value: Var, limit: int, testid: str = "char-counter") -> rx.Component:
    """'n / limit' under a text field; past the limit, red with a message (the text is never cut)."""
    length = value.to(str).length()
    return rx.text(
        length.to_string(),
        f" / {limit:,}",
        rx.cond(length > limit, rx.text.span(f" — too long: at most {limit:,} characters can be saved")),
        size="1",
        color_scheme=rx.cond(length > limit, "red", "gray"),
        data_testid=testid,
    )


def section(title: str, *children: rx.Component, action: rx.Component | None = None, **props) -> rx.Component:
    """A titled card, with an optional control at the right of the title."""
    header = [rx.heading(title, size="4", weight="medium"), rx.spacer()]
    if action is not None:
        header.append(action)
    return rx.card(
        rx.vstack(rx.hstack(*header, align="center", width="100%"), *children, spacing="3", width="100%"),
        width="100%",
        **props,
    )


def message_box(
    value: Var, on_change, testid: str, limit: int, *buttons: rx.Component, placeholder: str, rows: str
) -> rx.Component:
    """A message to write: the text area, its 'n / limit' counter and the send buttons (test ids
    `testid` and `testid-counter`); shared by staff's reply and the vendor's answer on a case."""
    return rx.vstack(
        note_input(value, on_change, testid, placeholder=placeholder, rows=rows),
        rx.hstack(
            char_counter(value, limit, f"{testid.removesuffix('-input')}-counter"),
            rx.spacer(),
            *buttons,
            width="100%",
            align="center",
        ),
        width="100%",
        spacing="2",
    )


def send_disabled(busy: Var, value: Var) -> Var:
    """A send button waits while busy and while there is nothing to send."""
    return busy | (value.to(str).strip() == "")


def note_input(value: Var, on_change, testid: str, *, placeholder: str, rows: str, **props: Any) -> rx.Component:
    """The text area a note or reason is typed in (full width, labelled "Note")."""
    return rx.text_area(
        value=value,
        on_change=on_change,
        placeholder=placeholder,
        rows=rows,
        width="100%",
        aria_label=props.pop("aria_label", "Note"),
        data_testid=testid,
        **props,
    )


def dialog_footer(*buttons: rx.Component, on_cancel, cancel: str = "Cancel", **props: Any) -> rx.Component:
    """A dialog's buttons at its right: the gray dismiss button, then `buttons`; `cancel_props` go
    on the dismiss button (type, disabled)."""
    cancel_props = props.pop("cancel_props", {})
    return rx.hstack(
        rx.button(cancel, variant="soft", color_scheme="gray", on_click=on_cancel, **cancel_props),
        *buttons,
        justify="end",
        **props,
    )


def busy_button(label: str, icon: str, busy: Var, on_click, testid: str, **props: Any) -> rx.Component:
    """A button with its icon, replaced by a small spinner while `busy`; disabled while busy unless
    `disabled` says otherwise."""
    props.setdefault("disabled", busy)
    spin = rx.cond(busy, rx.spinner(size="1"), rx.icon(icon, size=16))
    return rx.button(spin, label, on_click=on_click, data_testid=testid, **props)


def soft_button(*children: Any, on_click, testid: str, color: str = "gray", **props: Any) -> rx.Component:
    """A soft (secondary) button in `color`."""
    return rx.button(*children, variant="soft", color_scheme=color, on_click=on_click, data_testid=testid, **props)


def search_input(placeholder: str, aria: str, **props: Any) -> rx.Component:
    """A text input with the search icon in front."""
    return rx.input(
        rx.input.slot(rx.icon("search", size=16)), placeholder=placeholder, max_length=100, aria_label=aria, **props
    )
