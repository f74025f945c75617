"""Pages known to the shell: route, title, required permission, and their nav entry.

Filled by the `@app_page` decorator (app/web/shell/layout.py) when page modules are imported. The guard
and the nav read it on the server, so what a role may open and what it sees in the nav come from
one table (and the permission names from engine.rbac).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.rbac import PERMISSIONS, has_permission


@dataclass(frozen=True)
class PageSpec:
    route: str
    title: str
    permission: str | None
    nav_label: str | None = None
    icon: str = "circle"
    order: int = 100
    nav_group: str = ""  # a heading the nav shows above the group's first entry ("Compensation")
    component: Callable[[], Any] | None = field(default=None, compare=False)
    on_load: tuple[Any, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class NavLink:
    """A nav entry to a page the module does not own (e.g. the generic import page for one target)."""

    label: str
    href: str
    permission: str | None
    icon: str = "circle"
    order: int = 100
    group: str = ""


PAGES: dict[str, PageSpec] = {}
NAV_LINKS: dict[str, NavLink] = {}


def register(spec: PageSpec) -> None:
    if spec.permission is not None and spec.permission not in PERMISSIONS:
        raise KeyError(f"page {spec.route}: unknown permission {spec.permission!r}")
    if spec.route in PAGES:
        raise ValueError(f"page {spec.route} registered twice")
    PAGES[spec.route] = spec


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    icon: str  # a lucide icon name
    heading: str = ""  # set on the first entry of a group: the group's name, shown above it


def register_nav_link(link: NavLink) -> None:
    if link.permission is not None and link.permission not in PERMISSIONS:
        raise KeyError(f"nav link {link.href}: unknown permission {link.permission!r}")
    if link.href in NAV_LINKS:
        raise ValueError(f"nav link {link.href} registered twice")
    NAV_LINKS[link.href] = link


def nav_for(role: str) -> list[NavItem]:
    """Nav entries the role may use (pages and links), in display order; a group's entries follow
    each other (by `order`) and its first one carries the group's heading."""
    entries = [
        NavLink(p.nav_label, p.route, p.permission, p.icon, p.order, p.nav_group) for p in PAGES.values() if p.nav_label
    ]
    entries += NAV_LINKS.values()
    items = [e for e in entries if e.permission is None or has_permission(role, e.permission)]
    first: dict[str, int] = {}  # a group sits where its first entry would: its entries are never split by others
    for e in items:
        if e.group:
            first[e.group] = min(first.get(e.group, e.order), e.order)
    items.sort(key=lambda e: (first.get(e.group, e.order) if e.group else e.order, e.group, e.order, e.label))
    out: list[NavItem] = []
    previous = ""
    for e in items:
        out.append(NavItem(e.label, e.href, e.icon, e.group if e.group and e.group != previous else ""))
        previous = e.group
    return out


def nav_icons() -> list[str]:
    return sorted({p.icon for p in PAGES.values()} | {link.icon for link in NAV_LINKS.values()} | {"circle"})


@dataclass(frozen=True)
class HomeWidget:
    """A module's block on the home page: shown when `render()`'s own condition holds, loaded by
    `on_load` (each loader checks the role itself)."""

    name: str
    render: Callable[[], Any]
    on_load: tuple[Any, ...] = ()
    order: int = 100


HOME_WIDGETS: dict[str, HomeWidget] = {}
# Top-bar items (a module's search box): rendered left of the tenant badge, in registration order.
TOP_BAR_ITEMS: dict[str, Callable[[], Any]] = {}


def register_home_widget(widget: HomeWidget) -> None:
    if widget.name in HOME_WIDGETS:
        raise ValueError(f"home widget {widget.name} registered twice")
    HOME_WIDGETS[widget.name] = widget


def register_top_bar_item(name: str, render: Callable[[], Any]) -> None:
    if name in TOP_BAR_ITEMS:
        raise ValueError(f"top-bar item {name} registered twice")
    TOP_BAR_ITEMS[name] = render


def home_widgets() -> list[HomeWidget]:
    return sorted(HOME_WIDGETS.values(), key=lambda w: (w.order, w.name))
