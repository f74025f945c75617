"""`@app_page`: one decorator that registers a page, wraps it in the shell and guards it.

    @app_page("/audit", "Audit log", permission="core.audit.read", nav="Audit log", icon="scroll-text",
              on_load=AuditState.load)
    def audit_page() -> rx.Component: ...

On load, `AuthState.guard(route)` runs first: signed out → /login?next=…; no tenant chosen →
/select-tenant; role without the page's permission → the 403 page is rendered in the shell.
The page's own `on_load` handlers run after it and must check the permission again themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx

from app.web.shell import nav as c
from app.web.shell.auth import LOGIN_ROUTE, AuthState
from app.web.shell.registry import PageSpec, register


def session_watch() -> rx.Component:
    """Mounted only once the tab's session ended under it: sends the browser to /login."""
    return rx.cond(
        AuthState.session_ended, rx.box(on_mount=rx.redirect(LOGIN_ROUTE, replace=True), data_testid="session-ended")
    )


def shell(title: str, content: rx.Component) -> rx.Component:
    return rx.hstack(
        session_watch(),
        c.sidebar(),
        rx.vstack(
            c.top_bar(title),
            rx.box(
                rx.match(
                    AuthState.access,
                    ("ok", content),
                    ("denied", c.forbidden()),
                    c.loading_block(),
                ),
                padding=["1rem", "1.5rem", "2rem"],
                width="100%",
                max_width="80rem",
            ),
            spacing="0",
            width="100%",
            min_width="0",
        ),
        spacing="0",
        width="100%",
        min_height="100vh",
        align="start",
        background=rx.color("gray", 2),
    )


def app_page(
    route: str,
    title: str,
    *,
    permission: str | None,
    nav: str | None = None,
    icon: str = "circle",
    order: int = 100,
    nav_group: str = "",
    on_load: Any | Sequence[Any] | None = None,
) -> Callable[[Callable[[], rx.Component]], Callable[[], rx.Component]]:
    """Register a guarded page in the app shell (see the module docstring)."""

    extra = [] if on_load is None else list(on_load) if isinstance(on_load, list | tuple) else [on_load]

    def decorator(fn: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def component() -> rx.Component:
            return shell(title, fn())

        register(
            PageSpec(
                route=route,
                title=title,
                permission=permission,
                nav_label=nav,
                icon=icon,
                order=order,
                nav_group=nav_group,
                component=component,
                on_load=(AuthState.guard(route), *extra),
            )
        )
        return fn

    return decorator


def add_pages(app: rx.App) -> None:
    """Add every registered guarded page to the Reflex app."""
    from app.web.shell.registry import PAGES

    for spec in PAGES.values():
        if spec.component is None:
            continue
        app.add_page(spec.component, route=spec.route, title=f"{spec.title} · PharOS", on_load=list(spec.on_load))
