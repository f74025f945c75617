"""What margin adds to the shell: its dashboard on the home page (for roles with margin.read) and
nav links to the generic import page for its three targets (roles with margin.imports.write). Its
search is a provider of the one search (models/margin/search_providers.py)."""

import reflex as rx

from app.web.margin.alerts import MarginDashboardState, dashboard_view
from app.web.shell.registry import HomeWidget, NavLink, register_home_widget, register_nav_link
from engine.margin.import_targets import INVENTORY, SALES, SNAPSHOTS
from engine.margin.permissions import IMPORTS

register_home_widget(
    HomeWidget(
        name="margin.dashboard",
        render=lambda: rx.cond(MarginDashboardState.enabled, dashboard_view()),
        on_load=(MarginDashboardState.load,),
        order=10,
    )
)
for order, (label, target, icon) in enumerate(
    (
        ("Import sales", SALES, "file-up"),
        ("Import prices", SNAPSHOTS, "tag"),
        ("Import inventory", INVENTORY, "package"),
    ),
    start=20,
):
    register_nav_link(NavLink(label, f"/imports/new?target={target}", IMPORTS, icon, order))
