"""Buttons and button rows every page draws the same way: an icon before the label (a spinner in
its place while `busy`, when the button is also disabled), and a wrapping row of controls."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var


def icon_button(
    icon: str, label: str | Var, on_click, testid: str, *, busy: Var | None = None, **props
) -> rx.Component:
    """`icon` (a lucide name) then `label`; with `busy`, a spinner instead of the icon and disabled
    while it is true (so a double click runs the handler once)."""
    glyph = rx.icon(icon, size=16)
    if busy is not None:
        glyph = rx.cond(busy, rx.spinner(size="2"), glyph)
        props.setdefault("disabled", busy)
    return rx.button(glyph, label, on_click=on_click, data_testid=testid, **props)


def control_row(*children: rx.Component, **props) -> rx.Component:
    """Filters or form fields with their buttons, bottom-aligned, wrapping on narrow screens."""
    return rx.flex(*children, spacing=props.pop("spacing", "3"), wrap="wrap", align="end", width="100%", **props)


def dismiss_button(on_click, testid: str) -> rx.Component:
    """The quiet "x" that closes a notice or panel."""
    return rx.icon_button(
        rx.icon("x", size=16),
        on_click=on_click,
        variant="ghost",
        color_scheme="gray",
        aria_label="Dismiss",
        data_testid=testid,
    )
