"""What margin adds to the shell: its dashboard on the home page (for roles with margin.read).
Its search is a provider of the one search (models/margin/search_providers.py)."""

import reflex as rx

from app.web.margin.alerts import MarginDashboardState, dashboard_view
from app.web.shell.registry import HomeWidget, register_home_widget

register_home_widget(
    HomeWidget(
        name="margin.dashboard",
        render=lambda: rx.cond(MarginDashboardState.enabled, dashboard_view()),
        on_load=(MarginDashboardState.load,),
        order=10,
    )
)
