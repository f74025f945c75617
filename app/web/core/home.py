"""/ — the dashboard: tenant and role, the modules' home widgets (registered in
app/web/shell/registry.py; margin's dashboard for roles with margin.read), and what the role may do
(engine.rbac, grouped under the modules' labels from their manifests).
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from reflex.vars import Var

from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from app.web.shell.registry import home_widgets
from engine.modules import manifests
from engine.rbac import permissions_of

# Only built modules surface: each registered module's permission groups (its manifest's labels) and
# the audit trail. Compensation, vendor cases, the operator console and the platform's admin
# permissions are not built yet and are not listed.
CORE_LABELS = {"core": "Audit"}
CORE_PERMISSIONS = ("core.audit.read",)


def module_labels() -> dict[str, str]:
    """Permission prefix → label, registered modules first, core last."""
    ordered = sorted(manifests(), key=lambda m: m.home_order)
    labels = {prefix: label for m in ordered for prefix, label in m.labels.items()}
    return {**labels, **CORE_LABELS}


def shown_permissions() -> tuple[str, ...]:
    return (*(f"{prefix}." for m in manifests() for prefix in m.labels), *CORE_PERMISSIONS)


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


@dataclass(frozen=True)
class Ability:
    """One module's card: its label, a sentence of what the role may do there, and how many."""

    module: str
    abilities: str
    count: str


def capabilities(role: str) -> list[Ability]:
    """One entry per shown module the role touches: module label and a sentence of abilities."""
    grouped: dict[str, list[str]] = {}
    for perm in sorted(permissions_of(role)):
        if not perm.startswith(shown_permissions()):
            continue
        module = perm.split(".", 1)[0]
        grouped.setdefault(module, []).append(describe(perm))
    labels = module_labels()
    order = list(labels)
    return [
        Ability(labels[m], ", ".join(sorted(set(a))), str(len(a)))
        for m, a in sorted(grouped.items(), key=lambda kv: order.index(kv[0]))
    ]


class HomeState(AuthState):
    abilities: list[Ability] = []

    @rx.event
    async def load(self):
        ctx = await self._require("core.dashboard.read")
        self.abilities = capabilities(ctx.role.value) if ctx else []


def _ability_card(item: Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(item.module, weight="bold"),
                rx.spacer(),
                rx.badge(item.count, variant="soft", color_scheme="gray"),
                width="100%",
            ),
            rx.text(item.abilities, size="2", color_scheme="gray"),
            spacing="2",
        ),
        data_testid="ability-card",
    )


@app_page(
    "/",
    "Dashboard",
    permission="core.dashboard.read",
    nav="Dashboard",
    icon="layout-dashboard",
    order=0,
    on_load=[HomeState.load, *(load for w in home_widgets() for load in w.on_load)],
)
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
        *[widget.render() for widget in home_widgets()],
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
