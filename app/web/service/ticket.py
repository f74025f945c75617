"""/service/tickets/[id] — one ticket: its status and the decisions this role may take (the ticket
machine, through the decision path), the due times and breach flags with the SLA rules' values,
"Why this organization?" (the policies and steps as they were when it was opened), and — with
ENABLE_ENGINEERS — the eligible engineers ranked with a reason each and "Assign" (audited).

The shown ticket's id lives in the backend var `_record_id` (from the URL, read back from this
tenant's row); "Assign" accepts only an engineer the server listed as eligible, and the action checks
eligibility again.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import Var

from app.web.kit import format as fmt
from app.web.kit.badges import status_badge
from app.web.kit.calls import call
from app.web.kit.decisions import Action, Decision, DecisionDialogMixin, action_buttons, decision_page, record_header
from app.web.kit.table import compact_table
from app.web.service import views
from app.web.service.views import PolicyLine, RankLine, RuleLine, StepLine, TicketHeader
from app.web.service.widgets import ServicePage, fact, flagged_page, outcome_badge, panel, priority_badge, service_page
from app.web.shell.auth import AuthState
from engine.context import TenantContext
from engine.service.flags import ENABLE_SERVICE_POLICIES
from engine.service.permissions import SERVICE_READ, TICKETS_ASSIGN, TICKETS_WRITE
from models.service import actions


class TicketState(ServicePage, DecisionDialogMixin, AuthState):
    _read_permission = SERVICE_READ
    _action_permission = TICKETS_WRITE
    _missing_text = "Ticket not found."
    _denied_text = "Your role may not change this ticket."
    _keep_dialog_on_error = True
    ticket: TicketHeader = TicketHeader()
    policies: list[PolicyLine] = []
    steps: list[StepLine] = []
    rules: list[RuleLine] = []
    engineers: list[RankLine] = []
    engineers_on: bool = False
    can_assign: bool = False
    assigning: bool = False

    def _fetch_record(self, ctx: TenantContext, record_id: str) -> dict[str, Any]:
        return views.ticket_view(ctx, record_id)

    def _fill_record(self, ctx: TenantContext, data: dict[str, Any]) -> str:
        self.ticket, self.policies, self.steps = data["ticket"], data["policies"], data["steps"]
        self.rules, self.engineers = data["rules"], data["engineers"]
        self.engineers_on, self.can_assign = data["engineers_on"], data["can_assign"]
        return data["ticket"].id

    def _blank_record(self) -> None:
        self.ticket, self.policies, self.steps, self.rules, self.engineers = TicketHeader(), [], [], [], []
        self.engineers_on = self.can_assign = False

    def _status_of(self, data: dict[str, Any]) -> str:
        return data["ticket"].status

    def _needs_reason(self, chosen: Action) -> bool:
        return chosen.reason

    def _done_notice(self, action: str | None) -> str:
        return f"Done: {fmt.label(action)}."

    def _apply_decision(self, ctx: TenantContext, record_id: str, decision: Decision) -> None:
        actions.decide_ticket(
            ctx, record_id, str(decision.action or "")[:30], decision.reason, decision.expected_status
        )

    @rx.event
    async def load(self):
        self._blank()
        self.error = self.notice = ""
        self.loading = True
        yield
        ctx = await self._page_context(SERVICE_READ, ENABLE_SERVICE_POLICIES)
        record_id = fmt.parse_uuid(fmt.last_segment(self.router.url.path))
        if ctx is not None and record_id is not None:
            await self._show(ctx, str(record_id))
        elif ctx is not None:
            self.error = self._missing_text
        self.loading = False

    @rx.event
    async def assign(self, engineer_id: str):
        """Assign an engineer the server listed as eligible (service.tickets.assign, both flags)."""
        ctx = await self._page_context(TICKETS_ASSIGN, ENABLE_SERVICE_POLICIES)
        chosen = next((e for e in self.engineers if e.id == str(engineer_id) and e.eligible), None)
        if ctx is None or chosen is None or not self._record_id or self.assigning:
            return
        self.error = self.notice = ""
        self.assigning = True
        yield
        ok, _ = await call(
            self, actions.assign_engineer, ctx, self._record_id, fmt.parse_uuid(chosen.id), None, writes=True
        )
        self.assigning = False
        if ok:
            await self._show(ctx, self._record_id)
            self.notice = f"Assigned to {chosen.name}."


def _breach(flag: Var, testid: str) -> rx.Component:
    return rx.cond(
        flag,
        rx.badge("breached", color_scheme="red", data_testid=testid),
        rx.badge("on time", color_scheme="green", variant="soft", data_testid=testid),
    )


def _due_panel() -> rx.Component:
    t = TicketState.ticket
    return panel(
        rx.heading("Due times", size="4"),
        rx.flex(
            rx.vstack(
                fact("Response due", t.response_due, "response-due"), _breach(t.response_breached, "response-breach")
            ),
            rx.vstack(
                fact("Resolution due", t.resolution_due, "resolution-due"),
                _breach(t.resolution_breached, "resolution-breach"),
            ),
            fact("Opened", t.opened),
            fact("First response", t.first_response),
            fact("Resolved", t.resolved),
            gap="1.5rem",
            wrap="wrap",
        ),
        rx.text(t.sla_summary, size="2", data_testid="sla-summary"),
        rx.cond(
            TicketState.rules.length() > 0,
            compact_table(
                ["Rule", "Expression (formula language)", "Read", "Hours"],
                rx.foreach(
                    TicketState.rules,
                    lambda r: rx.table.row(
                        rx.table.cell(r.rule),
                        rx.table.cell(rx.code(r.expr, white_space="pre-wrap", size="1")),
                        rx.table.cell(rx.text(r.read, size="1")),
                        rx.table.cell(rx.cond(r.error != "", rx.text(r.error, color_scheme="red", size="1"), r.hours)),
                        data_testid="rule-row",
                    ),
                ),
                "rules-table",
            ),
        ),
        testid="due-panel",
    )


def _why_panel() -> rx.Component:
    s = TicketState
    return panel(
        rx.heading("Why this organization?", size="4"),
        rx.text(s.ticket.why_summary, weight="medium", data_testid="why-summary"),
        rx.cond(
            s.ticket.assigned_by_policy,
            rx.vstack(
                compact_table(
                    ["Step", "Role", "Organization", "Outcome", "Why"],
                    rx.foreach(
                        s.steps,
                        lambda r: rx.table.row(
                            rx.table.cell(r.step),
                            rx.table.cell(r.role),
                            rx.table.cell(r.org),
                            rx.table.cell(outcome_badge(r.outcome)),
                            rx.table.cell(rx.text(r.detail, size="1")),
                            data_testid="step-row",
                        ),
                    ),
                    "steps-table",
                ),
                compact_table(
                    ["Policy", "Name", "Precedence", "Outcome", "Why"],
                    rx.foreach(
                        s.policies,
                        lambda r: rx.table.row(
                            rx.table.cell(rx.code(r.code, variant="ghost")),
                            rx.table.cell(r.name),
                            rx.table.cell(r.level),
                            rx.table.cell(outcome_badge(r.outcome)),
                            rx.table.cell(rx.text(r.detail, size="1")),
                            data_testid="policy-row",
                        ),
                    ),
                    "policies-table",
                ),
                spacing="3",
                width="100%",
            ),
        ),
        testid="why-panel",
    )


def _engineer_row(row: Var) -> rx.Component:
    s = TicketState
    return rx.table.row(
        rx.table.cell(rx.text(row.rank, weight="bold")),
        rx.table.cell(rx.text(row.name, weight="medium"), rx.text(row.code, size="1", color_scheme="gray")),
        rx.table.cell(outcome_badge(rx.cond(row.eligible, "eligible", row.reason))),
        rx.table.cell(rx.text(row.summary, size="1"), rx.text(row.detail, size="1", color_scheme="gray")),
        rx.table.cell(
            rx.cond(
                s.can_assign & row.eligible,
                rx.button(
                    "Assign",
                    size="1",
                    variant="soft",
                    on_click=s.assign(row.id),
                    disabled=s.assigning,
                    data_testid="assign-engineer",
                ),
            )
        ),
        opacity=rx.cond(row.eligible, "1", "0.6"),
        data_testid="engineer-row",
        data_eligible=rx.cond(row.eligible, "true", "false"),
    )


def _engineers_panel() -> rx.Component:
    s = TicketState
    t = s.ticket
    return panel(
        rx.heading("Engineers", size="4"),
        rx.text(
            "Assigned: ",
            rx.cond(t.engineer != "", rx.text.strong(t.engineer, data_testid="assigned-engineer"), "nobody yet"),
            rx.cond(t.engineer != "", rx.text(" (", t.assigned_at, ")", size="1", color_scheme="gray")),
        ),
        rx.text(
            "Eligible engineers are members of the responsible organization who cover the ticket's region and hold "
            "its skills; ranked by primary coverage, skill level, open tickets, then name.",
            size="1",
            color_scheme="gray",
        ),
        compact_table(["#", "Engineer", "", "Why", ""], rx.foreach(s.engineers, _engineer_row), "engineers-table"),
        testid="engineers-panel",
    )


@service_page("/service/tickets/[id]", "Service ticket", SERVICE_READ, TicketState, icon="wrench", order=51, nav="")
def ticket_page() -> rx.Component:
    s = TicketState
    t = s.ticket
    header = record_header(
        rx.heading(t.code, " · ", t.title, size="5", data_testid="ticket-heading"),
        status_badge(t.status, data_testid="ticket-status"),
        priority_badge(t.priority),
        sub=rx.text(
            "Dealer ",
            t.dealer,
            " · SKU ",
            t.sku,
            " · channel ",
            t.channel,
            " · region ",
            t.region,
            " · skills ",
            t.skills,
            size="2",
            color_scheme="gray",
        ),
        aside=action_buttons(s, "ticket-action", disable_while_busy=True),
        footer=(
            rx.text("Responsible: ", rx.text.strong(t.responsible, data_testid="responsible-org"), margin_top="0.5rem"),
        ),
    )
    return flagged_page(
        s,
        decision_page(
            s,
            header,
            rx.cond(t.description != "", rx.text(t.description, size="2")),
            _due_panel(),
            _why_panel(),
            rx.cond(s.engineers_on, _engineers_panel()),
            href="/service/tickets",
            back="tickets",
            missing="Ticket not found.",
            missing_testid="ticket-missing",
        ),
    )
