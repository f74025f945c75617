"""/ — the dashboard: tenant and role, the Margin Defense dashboard for roles with margin.read
(app/web/margin/alerts.py, every figure from the database), and what the role may do (engine.rbac).
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import Var

from app.web.margin.alerts import MarginDashboardState, dashboard_view
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.rbac import permissions_of

# V1 is Margin Defense (docs: the V1 lock): only these modules surface. Compensation, vendor cases,
# the operator console and the platform's admin permissions are V2+ and are not listed.
MODULES = {
    "margin": "Margin defense",
    "catalog": "Catalog",
    "pricing": "Pricing",
    "core": "Audit",
}
V1_PERMISSIONS = ("margin.", "catalog.", "pricing.", "core.audit.read")

VERBS = {
    "read": "view",
    "write": "edit",
    "update": "update",
    "manage": "manage",
    "run": "run",
    "execute": "run",
    "export": "export",
    "approve": "approve",
    "reject": "reject",
    "withdraw": "withdraw",
    "cancel": "cancel",
    "finalize": "finalize",
    "status": "change status of",
    "intervene": "intervene in",
}


def describe(permission: str) -> str:
    """'margin.enforcement.run' → 'run enforcement'; 'comp.runs.approve_hr' → 'approve (hr) runs'."""
    parts = permission.split(".")[1:]
    if not parts:
        return permission
    verb_raw = parts[-1]
    subject = " ".join(p.replace("_", " ") for p in parts[:-1])
    verb, _, qualifier = verb_raw.partition("_")
    words = VERBS.get(verb, verb.replace("_", " "))
    if qualifier:
        words += f" ({qualifier.replace('_', ' ')})"
    if verb == "status":
        return f"{words} {subject}".strip()
    return f"{words} {subject}".strip() if subject else words


def capabilities(role: str) -> list[dict[str, str]]:
    """One entry per V1 module the role touches: module label and a sentence of abilities."""
    grouped: dict[str, list[str]] = {}
    for perm in sorted(permissions_of(role)):
        if not perm.startswith(V1_PERMISSIONS):
            continue
        module = perm.split(".", 1)[0]
        grouped.setdefault(module, []).append(describe(perm))
    order = list(MODULES)
    return [
        {"module": MODULES[m], "abilities": ", ".join(sorted(set(a))), "count": str(len(a))}
        for m, a in sorted(grouped.items(), key=lambda kv: order.index(kv[0]))
    ]


class HomeState(AuthState):
    abilities: list[dict[str, str]] = []

    @rx.event
    async def load(self):
        ctx = await self._require("core.dashboard.read")
        self.abilities = capabilities(ctx.role.value) if ctx else []


def _ability_card(item: Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(item["module"], weight="bold"),
                rx.spacer(),
                rx.badge(item["count"], variant="soft", color_scheme="gray"),
                width="100%",
            ),
            rx.text(item["abilities"], size="2", color_scheme="gray"),
            spacing="2",
        ),
        data_testid="ability-card",
    )


@app_page("/", "Dashboard", permission="core.dashboard.read", nav="Dashboard", icon="layout-dashboard", order=0,
          on_load=[HomeState.load, MarginDashboardState.load])
def home_page() -> rx.Component:
    return rx.vstack(
        rx.card(
            rx.hstack(
                rx.icon("building-2", size=32, color=rx.color("accent", 9)),
                rx.vstack(
                    rx.heading(AuthState.tenant_name, size="6", data_testid="home-tenant"),
                    rx.text(
                        "Signed in as ",
                        rx.text.strong(AuthState.display_name),
                        " with the role ",
                        rx.badge(AuthState.role, variant="soft", data_testid="home-role"),
                        size="3",
                    ),
                    spacing="1",
                ),
                align="center",
                spacing="4",
            ),
            width="100%",
        ),
        rx.cond(MarginDashboardState.enabled, dashboard_view()),
        rx.heading("What your role can do", size="4"),
        rx.cond(
            HomeState.abilities.length() > 0,
            rx.grid(
                rx.foreach(HomeState.abilities, _ability_card),
                columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                spacing="4",
                width="100%",
            ),
            rx.text("Your role has no permissions in this tenant yet.", color_scheme="gray"),
        ),
        spacing="5",
        width="100%",
    )
