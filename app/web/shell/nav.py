"""Shared pieces of the shell: sidebar nav, top bar with the user menu, status pages."""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var
from reflex_base.utils import format as rx_format

from app.web.shell.auth import AuthState
from app.web.shell.registry import TOP_BAR_ITEMS, nav_icons

# Runs in the browser, compiled into the page bundle (no eval, so a strict CSP holds): ends the
# server session (the HttpOnly cookie is cleared by the response) and reloads on the login page,
# which also opens a fresh websocket without the old cookie.
LOGOUT_JS = (
    "(async () => { try { await fetch('/api/auth/logout', {method: 'POST', credentials: 'same-origin'}); }"
    " catch (e) {} window.location.assign('/login'); })"
)


def browser_call(js_function: str, callback=None) -> rx.event.EventSpec:
    """Run an (async) JS function compiled into the page, then send its result to `callback`.

    Unlike `rx.call_function(..., callback=...)`, whose callback is shipped as a string and
    `eval`ed, the callback here is compiled code too, so the CSP needs no 'unsafe-eval'.
    """
    if callback is None:
        return rx.call_function(Var(_js_expr=js_function))
    queue = rx_format.format_queue_events(callback, args_spec=lambda result: [result])
    fn = Var(
        # a null result means "nothing to report" (e.g. the page is navigating away): no event
        _js_expr=f"(() => Promise.resolve(({js_function})()).then((r) => r == null ? null : ({queue!s})(r)))",
        _var_data=queue._get_all_var_data(),
    )
    return rx.call_function(fn)


def brand() -> rx.Component:
    return rx.hstack(
        rx.icon("radar", size=22, color=rx.color("accent", 10)),
        rx.heading("PharOS", size="5", weight="bold"),
        align="center",
        spacing="2",
    )


def _nav_icon(name: Var) -> rx.Component:
    return rx.match(name, *[(n, rx.icon(n, size=18)) for n in nav_icons()], rx.icon("circle", size=18))


def nav_link(item: Var) -> rx.Component:
    active = AuthState.router.url.path == item.href
    return rx.link(
        rx.hstack(
            _nav_icon(item.icon),
            rx.text(item.label, size="3", weight=rx.cond(active, "bold", "regular")),
            align="center",
            spacing="3",
            padding_x="0.75rem",
            padding_y="0.5rem",
            border_radius="var(--radius-3)",
            background=rx.cond(active, rx.color("accent", 3), "transparent"),
            color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 12)),
            _hover={"background": rx.color("gray", 3)},
            width="100%",
        ),
        href=item.href,
        underline="none",
        width="100%",
        data_testid="nav-link",
    )


def _nav_entry(item: Var) -> rx.Component:
    """The link, under its group's heading when it is the group's first entry."""
    return rx.fragment(
        rx.cond(
            item.heading != "",
            rx.text(
                item.heading,
                size="1",
                weight="bold",
                color_scheme="gray",
                padding_x="0.75rem",
                padding_top="0.75rem",
                text_transform="uppercase",
                letter_spacing="0.04em",
                data_testid="nav-group",
            ),
        ),
        nav_link(item),
    )


def nav_links() -> rx.Component:
    items = rx.foreach(AuthState.nav_items, _nav_entry)
    return rx.vstack(items, spacing="1", width="100%", role="navigation", aria_label="Main")


def sidebar() -> rx.Component:
    return rx.box(
        rx.vstack(
            brand(),
            rx.divider(),
            nav_links(),
            spacing="4",
            padding="1rem",
            width="100%",
        ),
        display=["none", "none", "block"],
        width="15rem",
        min_width="15rem",
        height="100vh",
        overflow_y="auto",  # every module's entries: the nav scrolls on its own when taller than the window
        position="sticky",
        top="0",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
    )


def mobile_nav() -> rx.Component:
    return rx.box(
        rx.drawer.root(
            rx.drawer.trigger(rx.icon_button(rx.icon("menu"), variant="ghost", aria_label="Open navigation")),
            rx.drawer.overlay(z_index="5"),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.vstack(
                        rx.hstack(
                            brand(),
                            rx.spacer(),
                            rx.drawer.close(rx.icon_button(rx.icon("x"), variant="ghost", aria_label="Close")),
                            width="100%",
                        ),
                        nav_links(),
                        spacing="4",
                        padding="1rem",
                    ),
                    width="16rem",
                    height="100%",
                    background=rx.color("gray", 1),
                )
            ),
            direction="left",
        ),
        display=["block", "block", "none"],
    )


def _tenant_item(item: Var) -> rx.Component:
    return rx.menu.item(
        rx.hstack(
            rx.text(item.name),
            rx.spacer(),
            rx.badge(item.role, variant="soft", size="1"),
            width="100%",
            spacing="3",
        ),
        on_select=AuthState.choose_tenant(item.id),
        data_testid="tenant-option",
    )


def user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=AuthState.display_name[:1], size="1", radius="full"),
                rx.text(AuthState.display_name, display=["none", "inline"]),
                rx.icon("chevron-down", size=16),
                variant="ghost",
                color_scheme="gray",
                data_testid="user-menu",
                aria_label="User menu",
            )
        ),
        rx.menu.content(
            rx.box(
                rx.text(AuthState.email, size="2", weight="medium"),
                rx.text(AuthState.tenant_name, " · ", AuthState.role, size="1", color_scheme="gray"),
                padding_x="0.75rem",
                padding_y="0.5rem",
            ),
            rx.cond(
                AuthState.tenants.length() > 1,
                rx.fragment(
                    rx.menu.separator(),
                    rx.text("Switch tenant", size="1", color_scheme="gray", padding_x="0.75rem"),
                    rx.foreach(AuthState.tenants, _tenant_item),
                ),
            ),
            rx.menu.separator(),
            rx.menu.item(
                rx.icon("log-out", size=16),
                "Sign out",
                on_select=browser_call(LOGOUT_JS),
                color="red",
                data_testid="logout",
            ),
            min_width="14rem",
        ),
    )


def top_bar(title: str) -> rx.Component:
    return rx.hstack(
        mobile_nav(),
        # on a phone the title shrinks (ellipsis) and the tenant/role badges step aside (the user
        # menu shows both), so the page never scrolls sideways
        rx.heading(
            title,
            size="5",
            weight="medium",
            min_width="0",
            overflow="hidden",
            text_overflow="ellipsis",
            white_space="nowrap",
        ),
        rx.spacer(),
        *[render() for render in TOP_BAR_ITEMS.values()],
        rx.badge(
            rx.icon("building-2", size=14),
            AuthState.tenant_name,
            variant="surface",
            size="2",
            data_testid="tenant-name",
            display=["none", "none", "flex"],
        ),
        rx.badge(
            AuthState.role,
            variant="soft",
            color_scheme="gray",
            size="2",
            data_testid="role-badge",
            display=["none", "none", "flex"],
        ),
        user_menu(),
        align="center",
        spacing="3",
        padding_x=["1rem", "1.5rem"],
        padding_y="0.75rem",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1),
        position="sticky",
        top="0",
        z_index="2",
        width="100%",
    )


def centered_card(*children: rx.Component, **props) -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(*children, spacing="4", width="100%"),
            size="4",
            width="100%",
            max_width=props.pop("max_width", "26rem"),
        ),
        min_height="100vh",
        padding="1rem",
        background=rx.color("gray", 2),
        **props,
    )


def submit_button(label: str, busy_label: str, busy: Var, testid: str, icon: str | None = None) -> rx.Component:
    """The full-width submit button of a sign-in style form: disabled and relabelled while `busy`."""
    lead = [rx.cond(busy, rx.spinner(size="2"), rx.icon(icon, size=18))] if icon else []
    return rx.button(
        *lead,
        rx.cond(busy, busy_label, label),
        type="submit",
        size="3",
        width="100%",
        disabled=busy,
        data_testid=testid,
    )


def status_page(code: str, title: str, message: str, testid: str) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.text(code, size="9", weight="bold", color=rx.color("accent", 9)),
            rx.heading(title, size="6"),
            rx.text(message, color_scheme="gray", align="center"),
            rx.link(rx.button("Back to the dashboard", variant="soft"), href="/"),
            align="center",
            spacing="3",
            max_width="28rem",
            data_testid=testid,
        ),
        padding="3rem 1rem",
        width="100%",
    )


def forbidden() -> rx.Component:
    return status_page(
        "403",
        "You don't have access to this page",
        "Your role in this tenant does not include this page. Ask an owner or admin if you need it.",
        "page-403",
    )


def loading_block() -> rx.Component:
    return rx.center(rx.spinner(size="3"), padding="4rem", width="100%", aria_label="Loading")
