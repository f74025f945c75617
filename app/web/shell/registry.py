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
    component: Callable[[], Any] | None = field(default=None, compare=False)
    on_load: tuple[Any, ...] = field(default=(), compare=False)


PAGES: dict[str, PageSpec] = {}


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


def nav_for(role: str) -> list[NavItem]:
    """Nav entries the role may use, in display order."""
    items = [p for p in PAGES.values() if p.nav_label and (p.permission is None or has_permission(role, p.permission))]
    items.sort(key=lambda p: (p.order, p.nav_label or ""))
    return [NavItem(p.nav_label or p.title, p.route, p.icon) for p in items]


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
