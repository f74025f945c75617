"""/service/agreements — agreements between organizations (provider, customer, window) and their SLA
policies, whose rules are formula-language expressions; "Try the rules": pick an SLA policy (or edit
its rules), a priority, a channel and a region, and read the hours each rule gives and what it read
(the formula engine's evaluation; nothing is stored — `POST /api/sla-policies/try`). Owner and admin
(service.agreements.write) create agreements and SLA policies here: the forms
(app/web/service/forms.py) call the same actions as `POST /api/agreements` and `POST
/api/sla-policies`; a rule the formula engine refuses shows its error, with line and column, under
that rule. Behind ENABLE_SERVICE_POLICIES.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.catalog.widgets import form_body, notice, pair
from app.web.kit import controls
from app.web.kit.buttons import control_row, icon_button
from app.web.kit.calls import call
from app.web.kit.feedback import empty, error_box, spinner_block
from app.web.kit.forms import EntityForm, FormSpec, choice_field, form_dialog, new_button, text_field
from app.web.kit.rows import Option
from app.web.kit.table import compact_table, table
from app.web.service import views
from app.web.service.forms import FORMS
from app.web.service.views import AgreementRow, RuleLine, SlaLine
from app.web.service.widgets import ServicePage, flagged_page, panel, service_page
from app.web.shell.auth import AuthState
from engine.context import TenantContext
from engine.service.flags import ENABLE_SERVICE_POLICIES
from engine.service.permissions import AGREEMENTS_WRITE, SERVICE_READ
from engine.service.types import PRIORITIES


class AgreementsState(ServicePage, EntityForm, AuthState):
    _forms: ClassVar[Mapping[str, FormSpec]] = FORMS
    _form_kinds = ("agreement", "sla")
    loading: bool = False
    error: str = ""
    notice: str = ""
    can_write: bool = False
    rows: list[AgreementRow] = []
    providers: list[Option] = []
    agreement_options: list[Option] = []
    slas: list[SlaLine] = []
    t_response: str = ""
    t_resolution: str = ""
    t_priority: str = "normal"
    t_channel: str = ""
    t_region: str = ""
    t_running: bool = False
    t_rules: list[RuleLine] = []

    @rx.event
    async def load(self):
        self.rows, self.slas, self.t_rules, self.loading, self.error = [], [], [], True, ""
        yield
        ctx = await self._page_context(SERVICE_READ, ENABLE_SERVICE_POLICIES)
        if ctx is not None:
            self.can_write = ctx.can(AGREEMENTS_WRITE)
            await self._refresh(ctx)
            if self.slas:
                self.t_response, self.t_resolution = self.slas[0].response, self.slas[0].resolution
            if self.can_write:
                ok, providers = await call(self, views.provider_options, ctx)
                self.providers = providers if ok else []
        self.loading = False

    async def _refresh(self, ctx: TenantContext) -> None:
        ok, found = await call(self, views.agreements, ctx)
        if ok:
            self.rows, self.slas = found
            self.agreement_options = [Option(r.id, f"{r.code} — {r.name}") for r in self.rows]

    async def _after_save(self, ctx: TenantContext, kind: str, result: dict[str, Any]) -> None:
        await self._refresh(ctx)
        self.notice = f"Saved {'SLA policy' if kind == 'sla' else 'agreement'} {result['label']}."

    @rx.event
    def pick(self, code: str):
        chosen = next((p for p in self.slas if p.code == code), None)
        if chosen is not None:
            self.t_response, self.t_resolution, self.t_rules = chosen.response, chosen.resolution, []

    @rx.event
    def set_field(self, name: str, value: str):
        if name in ("t_response", "t_resolution"):
            setattr(self, name, str(value or "")[:4000])
        elif name in ("t_channel", "t_region"):
            setattr(self, name, str(value or "")[:60])
        elif name == "t_priority" and value in PRIORITIES:
            self.t_priority = value

    @rx.event
    async def run(self):
        ctx = await self._page_context(SERVICE_READ, ENABLE_SERVICE_POLICIES)
        if ctx is None or self.t_running:
            return
        self.error, self.t_running, self.t_rules = "", True, []
        yield
        ok, rules = await call(
            self,
            views.try_rules,
            ctx,
            self.t_response,
            self.t_resolution,
            self.t_priority,
            self.t_channel.strip() or None,
            self.t_region.strip() or None,
        )
        self.t_running = False
        if ok:
            self.t_rules = rules


def _agreement_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(row.code, variant="ghost")),
        rx.table.cell(row.name),
        rx.table.cell(row.provider),
        rx.table.cell(row.customer),
        rx.table.cell(rx.text(row.window, size="1")),
        rx.table.cell(row.policies),
        data_testid="agreement-row",
    )


def _sla_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(row.code, variant="ghost"), rx.text(row.name, size="1")),
        rx.table.cell(row.agreement),
        rx.table.cell(row.priority),
        rx.table.cell(rx.text(row.window, size="1")),
        rx.table.cell(rx.code(row.response, white_space="pre-wrap", size="1")),
        rx.table.cell(rx.code(row.resolution, white_space="pre-wrap", size="1")),
        rx.table.cell(
            rx.button("Try", size="1", variant="soft", on_click=AgreementsState.pick(row.code), data_testid="try-sla")
        ),
        data_testid="sla-row",
    )


def _try_panel() -> rx.Component:
    s = AgreementsState
    return panel(
        rx.heading("Try the rules", size="4"),
        controls.hint(
            "Each rule is one expression of the formula language giving hours; it may read priority, channel "
            "(the channel's code) and region, and the resolution rule may use response_hours."
        ),
        controls.field(
            "response_hours",
            rx.text_area(
                value=s.t_response,
                on_change=lambda v: s.set_field("t_response", v),
                rows="3",
                aria_label="response_hours",
                font_family="monospace",
                width="100%",
            ),
            width="100%",
        ),
        controls.field(
            "resolution_hours",
            rx.text_area(
                value=s.t_resolution,
                on_change=lambda v: s.set_field("t_resolution", v),
                rows="2",
                aria_label="resolution_hours",
                font_family="monospace",
                width="100%",
            ),
            width="100%",
        ),
        control_row(
            controls.field(
                "Priority",
                controls.select(
                    [(p, p) for p in PRIORITIES], s.t_priority, lambda v: s.set_field("t_priority", v), "Priority"
                ),
            ),
            controls.field(
                "Channel code",
                rx.input(value=s.t_channel, on_change=lambda v: s.set_field("t_channel", v), aria_label="Channel"),
            ),
            controls.field(
                "Region",
                rx.input(value=s.t_region, on_change=lambda v: s.set_field("t_region", v), aria_label="Region"),
            ),
            icon_button("play", "Evaluate", s.run, "try-run", busy=s.t_running, align_self="end"),
        ),
        rx.cond(
            s.t_rules.length() > 0,
            compact_table(
                ["Rule", "Read", "Hours"],
                rx.foreach(
                    s.t_rules,
                    lambda r: rx.table.row(
                        rx.table.cell(r.rule),
                        rx.table.cell(rx.text(r.read, size="1")),
                        rx.table.cell(rx.cond(r.error != "", rx.text(r.error, color_scheme="red", size="1"), r.hours)),
                        data_testid="try-row",
                    ),
                ),
                "try-table",
            ),
        ),
        testid="try-panel",
    )


def _rule_field(name: str, label: str) -> rx.Component:
    return text_field(AgreementsState, name, label, area=True, font_family="monospace", spell_check=False)


def _forms() -> rx.Component:
    s = AgreementsState
    window = pair(
        text_field(s, "effective_from", "Effective from (UTC)", type="datetime-local"),
        text_field(s, "effective_to", "Effective to (UTC, optional)", type="datetime-local"),
    )
    return form_dialog(
        s,
        {
            "agreement": form_body(
                pair(text_field(s, "code", "Code"), text_field(s, "name", "Name")),
                pair(
                    choice_field(s, "provider_org_id", "Provider", s.providers),
                    choice_field(s, "customer_org_id", "Customer", s.providers, none_label="Any customer"),
                ),
                window,
                text_field(s, "notes", "Notes (optional)", area=True),
            ),
            "sla": form_body(
                choice_field(s, "agreement_id", "Agreement", s.agreement_options),
                pair(text_field(s, "code", "Code"), text_field(s, "name", "Name")),
                text_field(s, "priority", "Priority (-1000 to 1000; the higher wins)", input_mode="numeric"),
                window,
                controls.hint(
                    "Each rule is one formula-language expression giving hours; it may read priority, channel "
                    'and region (text, e.g. priority == "urgent"); resolution_hours may use response_hours.'
                ),
                _rule_field("response_hours_expr", "response_hours"),
                _rule_field("resolution_hours_expr", "resolution_hours"),
            ),
        },
    )


@service_page("/service/agreements", "Agreements and SLAs", SERVICE_READ, AgreementsState, icon="handshake", order=54)
def agreements_page() -> rx.Component:
    s = AgreementsState
    return flagged_page(
        s,
        rx.cond(
            s.can_write,
            rx.hstack(
                new_button(s, "agreement", "New agreement"),
                rx.cond(s.rows.length() > 0, new_button(s, "sla", "New SLA policy")),
                width="100%",
            ),
        ),
        _forms(),
        notice(s.notice),
        error_box(s.error, "agreements-error"),
        rx.cond(
            s.loading,
            spinner_block(),
            rx.vstack(
                rx.cond(
                    s.rows.length() > 0,
                    table(
                        ["Code", "Name", "Provider", "Customer", "Effective (UTC)", "SLA policies"],
                        rx.foreach(s.rows, _agreement_row),
                        "agreements-table",
                    ),
                    empty("No agreements yet: tickets get no due times until one applies.", "handshake"),
                ),
                rx.heading("SLA policies", size="4"),
                table(
                    [
                        "SLA policy",
                        "Agreement",
                        "Priority",
                        "Effective (UTC)",
                        "response_hours",
                        "resolution_hours",
                        "",
                    ],
                    rx.foreach(s.slas, _sla_row),
                    "slas-table",
                ),
                _try_panel(),
                spacing="4",
                width="100%",
            ),
        ),
    )
