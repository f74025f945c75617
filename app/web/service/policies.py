"""/service/policies — the service policies (scope, steps in order, default, priority, window) and the
"Why this organization?" panel: pick a dealer, a SKU, a region and a date and read which policy wins
and which step names the responsible organization, every policy and step with its reason — the same
answer as `GET /api/service-policies/resolve`. Policies are created and replaced through the API
(`POST` / `PUT /api/service-policies`, owner/admin).
"""

from __future__ import annotations

from datetime import UTC, datetime

import reflex as rx
from reflex.vars import Var

from app.web.kit import controls
from app.web.kit.buttons import control_row, icon_button
from app.web.kit.calls import call
from app.web.kit.feedback import error_box, spinner_block
from app.web.kit.forms import NONE
from app.web.kit.rows import Option
from app.web.kit.table import compact_table, table
from app.web.service import views
from app.web.service.views import PolicyLine, PolicyRow, StepLine
from app.web.service.widgets import ServicePage, flagged_page, outcome_badge, panel, service_page
from app.web.shell.auth import AuthState
from engine.service.flags import ENABLE_SERVICE_POLICIES
from engine.service.permissions import SERVICE_READ


class PoliciesState(ServicePage, AuthState):
    loading: bool = False
    error: str = ""
    rows: list[PolicyRow] = []
    dealers: list[Option] = []
    skus: list[Option] = []
    w_dealer: str = NONE
    w_sku: str = NONE
    w_region: str = ""
    w_date: str = ""
    w_running: bool = False
    w_summary: str = ""
    w_policies: list[PolicyLine] = []
    w_steps: list[StepLine] = []

    @rx.event
    async def load(self):
        self.rows, self.loading, self.error, self.w_summary = [], True, "", ""
        yield
        ctx = await self._page_context(SERVICE_READ, ENABLE_SERVICE_POLICIES)
        if ctx is not None:
            ok, data = await call(self, views.policy_page, ctx)
            if ok:
                self.rows, self.dealers, self.skus = data.rows, data.dealers, data.skus
        self.loading = False

    @rx.event
    def set_field(self, name: str, value: str):
        if name in ("w_dealer", "w_sku", "w_region", "w_date"):
            setattr(self, name, str(value or "")[:100])

    @rx.event
    async def why(self):
        ctx = await self._page_context(SERVICE_READ, ENABLE_SERVICE_POLICIES)
        if ctx is None or self.w_running:
            return
        at = None
        if self.w_date:
            try:
                at = datetime.fromisoformat(self.w_date).replace(tzinfo=UTC)
            except ValueError:
                self.error = "date: pick a day"
                return
        self.error, self.w_running = "", True
        yield
        dealer = None if self.w_dealer == NONE else self.w_dealer
        sku = None if self.w_sku == NONE else self.w_sku
        ok, found = await call(self, views.explain, ctx, dealer, sku, self.w_region.strip() or None, at)
        self.w_running = False
        if ok:
            self.w_summary, self.w_policies, self.w_steps = found.summary, found.policies, found.steps


def _row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(row.code, variant="ghost")),
        rx.table.cell(row.name),
        rx.table.cell(row.scope),
        rx.table.cell(rx.text(row.steps, size="2")),
        rx.table.cell(row.default),
        rx.table.cell(row.priority),
        rx.table.cell(rx.cond(row.enabled, rx.badge("enabled", color_scheme="green"), rx.badge("disabled"))),
        rx.table.cell(rx.text(row.window, size="1")),
        data_testid="policy-row",
    )


def _picker(label: str, field: str, value: Var, options: Var, none_label: str) -> rx.Component:
    return controls.field(
        label,
        controls.select(
            options,
            value,
            lambda v: PoliciesState.set_field(field, v),
            label,
            first=(NONE, none_label),
            trigger={"placeholder": label, "width": "100%"},
        ),
        min_width="12rem",
        flex="1",
    )


def _why_panel() -> rx.Component:
    s = PoliciesState
    return panel(
        rx.heading("Why this organization?", size="4"),
        control_row(
            _picker("Dealer", "w_dealer", s.w_dealer, s.dealers, "No dealer"),
            _picker("SKU", "w_sku", s.w_sku, s.skus, "No SKU"),
            controls.field(
                "Region",
                rx.input(value=s.w_region, on_change=lambda v: s.set_field("w_region", v), aria_label="Region"),
            ),
            controls.field(
                "Date",
                rx.input(
                    value=s.w_date,
                    on_change=lambda v: s.set_field("w_date", v),
                    type="date",
                    aria_label="Date",
                    data_testid="why-date",
                ),
            ),
            icon_button("search", "Explain", s.why, "why-run", busy=s.w_running, align_self="end"),
        ),
        rx.cond(
            s.w_summary != "",
            rx.vstack(
                rx.text(s.w_summary, weight="medium", data_testid="why-summary"),
                compact_table(
                    ["Step", "Role", "Organization", "Outcome", "Why"],
                    rx.foreach(
                        s.w_steps,
                        lambda r: rx.table.row(
                            rx.table.cell(r.step),
                            rx.table.cell(r.role),
                            rx.table.cell(r.org),
                            rx.table.cell(outcome_badge(r.outcome)),
                            rx.table.cell(rx.text(r.detail, size="1")),
                            data_testid="why-step",
                        ),
                    ),
                    "why-steps",
                ),
                compact_table(
                    ["Policy", "Precedence", "Outcome", "Why"],
                    rx.foreach(
                        s.w_policies,
                        lambda r: rx.table.row(
                            rx.table.cell(rx.code(r.code, variant="ghost")),
                            rx.table.cell(r.level),
                            rx.table.cell(outcome_badge(r.outcome)),
                            rx.table.cell(rx.text(r.detail, size="1")),
                            data_testid="why-policy",
                        ),
                    ),
                    "why-policies",
                ),
                spacing="3",
                width="100%",
            ),
        ),
        testid="why-panel",
    )


@service_page(
    "/service/policies", "Service policies", SERVICE_READ, PoliciesState, icon="route", order=52, nav="Policies"
)
def policies_page() -> rx.Component:
    s = PoliciesState
    return flagged_page(
        s,
        error_box(s.error, "policies-error"),
        _why_panel(),
        rx.cond(
            s.loading,
            spinner_block(),
            table(
                ["Code", "Name", "Applies to", "Steps (in order)", "Default", "Priority", "", "Effective (UTC)"],
                rx.foreach(s.rows, _row),
                "policies-table",
            ),
        ),
    )
