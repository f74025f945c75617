"""What margin adds to the shell: its dashboard on the home page (for roles with margin.read) and
its search box in the top bar."""

import reflex as rx

from app.web.margin.alerts import MarginDashboardState, dashboard_view
from app.web.margin.components import search_box
from app.web.shell.registry import HomeWidget, register_home_widget, register_top_bar_item

register_home_widget(
    HomeWidget(
        name="margin.dashboard",
        render=lambda: rx.cond(MarginDashboardState.enabled, dashboard_view()),
        on_load=(MarginDashboardState.load,),
        order=10,
    )
)
register_top_bar_item("margin.search", search_box)
