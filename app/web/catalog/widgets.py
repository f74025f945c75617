"""The catalog pages' small shared pieces: the permission + feature-flag check every handler makes,
and the "feature off" block, status badge, messages and table (private to catalog until the kit
has them: app/web/kit/{feedback,badges,table}.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx
from reflex.vars import Var

from engine.context import TenantContext
from models.catalog.queries import feature_enabled

ALL = "__all__"  # the "every value" item of a filter select


async def page_context(state: Any, permission: str, flag: str) -> tuple[TenantContext | None, bool]:
    """(ctx, feature_off): ctx is None when the role lacks `permission` or the flag is off."""
    ctx = await state._require(permission)
    if ctx is None:
        return None, False
    if not await asyncio.to_thread(feature_enabled, ctx, flag):
        return None, True
    return ctx, False


def not_found_block() -> rx.Component:
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


def status_badge(status: Var) -> rx.Component:
    return rx.badge(
        status,
        color_scheme=rx.match(
            status, ("active", "green"), ("published", "green"), ("on_hold", "amber"), ("suspended", "red"), "gray"
        ),
    )


def alerts(error: Var, notice: Var) -> rx.Component:
    return rx.fragment(
        rx.cond(error != "", rx.callout(error, icon="triangle-alert", color_scheme="red", role="alert", width="100%")),
        rx.cond(notice != "", rx.callout(notice, icon="check", color_scheme="green", width="100%")),
    )


def table(headers: list[str], body: rx.Component, testid: str) -> rx.Component:
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
            rx.table.body(body),
            variant="surface",
            size="2",
            width="100%",
            data_testid=testid,
        ),
        overflow_x="auto",
        width="100%",
    )


def spinner() -> rx.Component:
    return rx.center(rx.spinner(size="3"), padding="3rem", width="100%")
