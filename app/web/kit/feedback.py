"""Blocks that tell the person what is (not) there: empty lists, loading, errors and notices,
a switched-off feature. Pure components, no state."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var


def empty(message: str, icon: str = "inbox", testid: str = "empty-state") -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=28, color=rx.color("gray", 9)),
            rx.text(message, color_scheme="gray", size="2", align="center"),
            align="center",
            spacing="2",
        ),
        padding="2rem",
        width="100%",
        data_testid=testid,
    )


def spinner_block() -> rx.Component:
    return rx.center(rx.spinner(size="3"), padding="3rem", width="100%", aria_label="Loading")


def messages(error: Var, notice: Var) -> rx.Component:
    """The page's error (red, role=alert) and notice (green) callouts, each shown when set."""
    return rx.fragment(
        rx.cond(error != "", rx.callout(error, icon="triangle-alert", color_scheme="red", role="alert", width="100%")),
        rx.cond(notice != "", rx.callout(notice, icon="check", color_scheme="green", width="100%")),
    )


def error_box(text: Var, testid: str = "page-error") -> rx.Component:
    """One error callout, shown while `text` is set."""
    return rx.cond(
        text != "",
        rx.callout(text, icon="triangle-alert", color_scheme="red", role="alert", width="100%", data_testid=testid),
    )


def feature_off() -> rx.Component:
    """The 404 a page shows while its feature flag is off for the tenant."""
    return rx.center(
        rx.vstack(
            rx.text("404", size="9", weight="bold", color=rx.color("accent", 9)),
            rx.heading("This page does not exist for your tenant", size="5"),
            rx.text(
                "The feature is switched off. An owner or admin can turn it on in the settings.", color_scheme="gray"
            ),
            align="center",
            spacing="2",
        ),
        padding="3rem",
        width="100%",
        data_testid="feature-off",
    )
