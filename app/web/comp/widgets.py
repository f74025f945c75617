"""Shared pieces of the compensation pages: the nav group, the permission check the forms use,
the notice, and small formatting widgets (status badge colours, word diff, the problem list)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import Var

from app.web.kit import badges
from engine.context import TenantContext

GROUP = "Compensation"

# bonus plan statuses (engine/comp/machines.py) on top of the shared colours
PLAN_STATUS_COLORS = (("draft", "blue"), ("approved", "amber"), ("locked", "green"), ("archived", "gray"))


async def comp_page_context(state: Any, permission: str) -> TenantContext | None:
    """The context when the role holds `permission` (compensation has no feature flag)."""
    return await state._require(permission)


def figures(items: list[tuple[str, Any, str]], size: str = "3") -> rx.Component:
    """A wrapping row of labelled figures: (label, value, test id) each, the value in bold."""
    return rx.flex(
        *[
            rx.vstack(
                rx.text(label, size="1", color_scheme="gray"),
                rx.text(value, size=size, weight="bold", data_testid=testid),
                spacing="0",
            )
            for label, value, testid in items
        ],
        gap="2rem",
        wrap="wrap",
    )


def notice(text: Any) -> rx.Component:
    """The green "done" callout, shown while `text` is set."""
    return rx.cond(text != "", rx.callout(text, icon="check", color_scheme="green", width="100%", data_testid="notice"))


def plan_status(status: Var, **props: Any) -> rx.Component:
    return badges.status_badge(status, PLAN_STATUS_COLORS, data_testid="plan-status", **props)


def word_diff(segments: Var, testid: str) -> rx.Component:
    """A word diff: removed words struck through in red, added ones in green, the rest plain."""
    return rx.el.pre(
        rx.foreach(
            segments,
            lambda seg: rx.match(
                seg.op,
                (
                    "delete",
                    rx.el.del_(
                        seg.text,
                        background=rx.color("red", 4),
                        color=rx.color("red", 11),
                        data_testid=f"{testid}-del",
                    ),
                ),
                (
                    "insert",
                    rx.el.ins(
                        seg.text,
                        background=rx.color("green", 4),
                        color=rx.color("green", 11),
                        text_decoration="none",
                        data_testid=f"{testid}-ins",
                    ),
                ),
                rx.el.span(seg.text),
            ),
        ),
        class_name="pharos-mono",
        white_space="pre-wrap",
        margin="0",
        font_size="13px",
        data_testid=testid,
    )
