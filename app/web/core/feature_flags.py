"""/settings/features: the tenant's feature flags — the "settings" a switched-off page points to.

Owners and admins (`core.settings.manage`) turn each flag on or off (audited `tenant.flags.update`,
the same action as `PATCH /api/settings/flags`). Only flags of built features are offered: a
module's `planned_flags` (known to the API, their feature not built yet) are not listed.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from reflex.vars import Var

from app.web.kit import controls, feedback
from app.web.kit.calls import call
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.modules import manifests
from models.core.flags import KNOWN_FLAGS, MANAGE_PERMISSION, OFFERED_FLAGS, tenant_flags, update_flags

ROUTE = "/settings/features"


@dataclass(frozen=True)
class FlagRow:
    name: str = ""
    description: str = ""
    module: str = ""
    enabled: bool = False


def _module_of() -> dict[str, str]:
    """flag → the label of the module that declares it (its first permission label)."""
    found: dict[str, str] = {}
    for m in manifests():
        label = next(iter(m.labels.values()), m.name)
        for name in m.flags:
            found[name] = label
    return found


def flag_rows(flags: dict[str, bool]) -> list[FlagRow]:
    modules = _module_of()
    return [FlagRow(n, KNOWN_FLAGS[n], modules.get(n, ""), bool(flags.get(n))) for n in OFFERED_FLAGS]


class FeatureFlagsState(AuthState):
    rows: list[FlagRow] = []
    error: str = ""
    notice: str = ""
    busy: bool = False

    @rx.event
    async def open_page(self):
        self.error = self.notice = ""
        ctx = await self._require(MANAGE_PERMISSION)
        if ctx is None:
            return
        ok, flags = await call(self, tenant_flags, ctx)
        self.rows = flag_rows(flags) if ok else []

    @rx.event
    async def toggle(self, name: str, on: bool):
        ctx = await self._require(MANAGE_PERMISSION)
        if ctx is None or self.busy or name not in OFFERED_FLAGS or not isinstance(on, bool):
            return
        self.error = self.notice = ""
        self.busy = True
        ok, flags = await call(self, update_flags, ctx, {name: on}, writes=True)
        self.busy = False
        if ok:
            self.rows = flag_rows(flags)
            self.notice = f"{name} is {'on' if on else 'off'}."


def _row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(row.name, variant="ghost")),
        rx.table.cell(row.module),
        rx.table.cell(rx.text(row.description, size="2")),
        rx.table.cell(
            rx.switch(
                checked=row.enabled,
                on_change=lambda on: FeatureFlagsState.toggle(row.name, on),
                disabled=FeatureFlagsState.busy,
                aria_label=row.name,
                data_testid="flag-switch",
            )
        ),
        data_testid="flag-row",
        data_flag=row.name,
    )


@app_page(
    ROUTE,
    "Feature flags",
    permission=MANAGE_PERMISSION,
    nav="Feature flags",
    icon="toggle-right",
    order=95,
    on_load=FeatureFlagsState.open_page,
)
def feature_flags_page() -> rx.Component:
    s = FeatureFlagsState
    return rx.vstack(
        controls.hint(
            "Each feature is off until turned on here; a page or API route of a feature that is off answers "
            "“not found”. Changes apply at once and are recorded in the audit log."
        ),
        feedback.messages(s.error, s.notice),
        rx.table.root(
            rx.table.header(
                rx.table.row(*[rx.table.column_header_cell(h) for h in ("Flag", "Module", "What it turns on", "On")])
            ),
            rx.table.body(rx.foreach(s.rows, _row)),
            variant="surface",
            width="100%",
            data_testid="flags-table",
        ),
        spacing="4",
        width="100%",
    )
