"""`row_link`: a whole list row that is a link (search hits, inbox items), highlighted on hover."""

from __future__ import annotations

import reflex as rx


def row_link(*children: rx.Component, href, testid: str, padding: str = "0.5rem 0.75rem", **props) -> rx.Component:
    """`padding`: a denser list (the dashboard's breakdowns) passes its own."""
    return rx.link(
        rx.hstack(
            *children,
            align="center",
            width="100%",
            padding=padding,
            border_radius="var(--radius-2)",
            _hover={"background": rx.color("gray", 3)},
        ),
        href=href,
        underline="none",
        color=rx.color("gray", 12),
        width="100%",
        data_testid=testid,
        **props,
    )
