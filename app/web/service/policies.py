"""/service/policies — the service policies (scope, steps in order, default, priority, window) and the
"Why this organization?" panel: pick a dealer, a SKU, a region and a date and read which policy wins
and which step names the responsible organization, every policy and step with its reason — the same
answer as `GET /api/service-policies/resolve`. Owner and admin (service.policies.write) create and
edit policies here: the form (app/web/service/forms.py) calls the same actions as `POST` / `PUT
/api/service-policies`, its steps one row each, a problem shown under its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.catalog.widgets import form_body, notice, pair
from app.web.kit import controls
from app.web.kit.buttons import control_row, icon_button
from app.web.kit.calls import call
from app.web.kit.feedback import empty, error_box, spinner_block
from app.web.kit.forms import (
    NONE,
    EntityForm,
    FormSpec,
    check_field,
    choice_field,
    edit_button,
    form_dialog,
    new_button,
    text_field,
)
from app.web.kit.rows import Option
from app.web.kit.table import compact_table, table
from app.web.service import views
from app.web.service.forms import FORMS
from app.web.service.views import PolicyLine, PolicyRow, StepLine
from app.web.service.widgets import ServicePage, flagged_page, outcome_badge, panel, service_page
from app.web.shell.auth import AuthState
from engine.context import TenantContext
from engine.service.flags import ENABLE_SERVICE_POLICIES
from engine.service.permissions import POLICIES_WRITE, SERVICE_READ
from engine.service.types import MAX_STEPS, STEP_ROLES

STEP_ROLE_OPTIONS = [(r, r) for r in STEP_ROLES]


class PoliciesState(ServicePage, EntityForm, AuthState):
    _forms: ClassVar[Mapping[str, FormSpec]] = FORMS
    _form_kinds = ("policy",)
    _fixed_on_edit = ("code",)
    loading: bool = False
    error: str = ""
    notice: str = ""
    can_write: bool = False
    rows: list[PolicyRow] = []
    dealers: list[Option] = []
    skus: list[Option] = []
    providers: list[Option] = []
    manufacturers: list[Option] = []
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
        self.rows, self.loading, self.error, self.notice, self.w_summary = [], True, "", "", ""
        yield
        ctx = await self._page_context(SERVICE_READ, ENABLE_SERVICE_POLICIES)
        if ctx is not None:
            self.can_write = ctx.can(POLICIES_WRITE)
            await self._refresh(ctx)
        self.loading = False

    async def _refresh(self, ctx: TenantContext) -> None:
        ok, data = await call(self, views.policy_page, ctx)
        if ok:
            self.rows, self.dealers, self.skus = data.rows, data.dealers, data.skus
            self.providers, self.manufacturers = data.providers, data.manufacturers

    async def _after_save(self, ctx: TenantContext, kind: str, result: dict[str, Any]) -> None:
        await self._refresh(ctx)
        self.notice = f"Saved policy {result['label']}."

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
        rx.table.cell(rx.cond(PoliciesState.can_write, edit_button(PoliciesState, "policy", row.id))),
        data_testid="policy-row",
    )


def _step_row(i: int) -> rx.Component:
    """Step i+1: its role (none: unused), the organization of an `organization` step, territories,
    certification. Shown when it or the step before it is used."""
    s, key = PoliciesState, f"steps.{i}."
    row = rx.vstack(
        rx.text(f"Step {i + 1}", size="1", weight="bold"),
        pair(
            choice_field(s, key + "role", f"Step {i + 1} role", STEP_ROLE_OPTIONS, none_label="— unused —"),
            choice_field(
                s,
                key + "org_id",
                f"Step {i + 1} organization",
                s.providers,
                none_label="— from the ticket —",
                disabled=s.form[key + "role"] != "organization",
            ),
        ),
        pair(
            text_field(s, key + "territories", f"Step {i + 1} territories", placeholder="North, West"),
            text_field(s, key + "certification", f"Step {i + 1} certification", placeholder="field-service"),
        ),
        spacing="2",
        width="100%",
        data_testid="step-fields",
    )
    if i == 0:
        return row
    return rx.cond((s.form[key + "role"] != NONE) | (s.form[f"steps.{i - 1}.role"] != NONE), row)


def _form() -> rx.Component:
    s = PoliciesState
    return form_dialog(
        s,
        {
            "policy": form_body(
                pair(
                    text_field(s, "code", "Code", disabled=s.editing),
                    text_field(s, "name", "Name"),
                ),
                pair(
                    choice_field(s, "manufacturer_org_id", "Manufacturer", s.manufacturers, none_label="Any"),
                    text_field(s, "category", "Product category", placeholder="any"),
                ),
                pair(
                    choice_field(s, "default_org_id", "Default organization", s.providers, none_label="None"),
                    text_field(s, "priority", "Priority (-1000 to 1000)", input_mode="numeric"),
                ),
                pair(
                    text_field(s, "effective_from", "Effective from (UTC)", type="datetime-local"),
                    text_field(s, "effective_to", "Effective to (UTC, optional)", type="datetime-local"),
                ),
                check_field(s, "enabled", "Enabled"),
                rx.text("Steps, in order: the first that finds an organization names it.", size="1"),
                *[_step_row(i) for i in range(MAX_STEPS)],
            )
        },
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
        rx.cond(s.can_write, rx.hstack(new_button(s, "policy", "New policy"), width="100%")),
        _form(),
        notice(s.notice),
        error_box(s.error, "policies-error"),
        _why_panel(),
        rx.cond(
            s.loading,
            spinner_block(),
            rx.cond(
                s.rows.length() > 0,
                table(
                    [
                        "Code",
                        "Name",
                        "Applies to",
                        "Steps (in order)",
                        "Default",
                        "Priority",
                        "",
                        "Effective (UTC)",
                        "",
                    ],
                    rx.foreach(s.rows, _row),
                    "policies-table",
                ),
                empty("No service policies yet: every ticket waits for an organization to be named.", "route"),
            ),
        ),
    )
