"""/service/tickets — service tickets, newest first (breached ones flagged; "breached only" filter),
and "New ticket" for service.tickets.write: the responsible organization, its explanation and the
due times are set when the ticket is opened (the same action as `POST /api/tickets`).

Every handler re-checks service.read / service.tickets.write and the tenant's
ENABLE_SERVICE_POLICIES flag (with the flag off the page shows "not found").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.catalog.widgets import form_body, notice, pair
from app.web.kit.badges import status_badge
from app.web.kit.calls import call
from app.web.kit.feedback import empty, error_box, spinner_block
from app.web.kit.forms import EntityForm, FormSpec, choice_field, form_dialog, form_values, new_button, text_field
from app.web.kit.rows import Option
from app.web.kit.table import table
from app.web.service import views
from app.web.service.views import TicketRow
from app.web.service.widgets import ServicePage, flagged_page, priority_badge, service_page
from app.web.shell.auth import AuthState
from engine.context import TenantContext
from engine.service.flags import ENABLE_SERVICE_POLICIES
from engine.service.permissions import SERVICE_READ, TICKETS_WRITE
from engine.service.types import PRIORITIES
from models.catalog.inputs import parse_input
from models.service import actions
from models.service.inputs import TicketCreate

PRIORITY_OPTIONS = [(p, p) for p in PRIORITIES]


def _save_ticket(ctx: TenantContext, _row_id: str | None, form: dict[str, str]) -> dict[str, Any]:
    data = form_values(form, ("title", "priority"), ("description", "dealer_org_id", "sku_id", "channel_id", "region"))
    data["required_skills"] = [s.strip() for s in (form.get("required_skills") or "").split(",") if s.strip()]
    made = actions.create_ticket(ctx, parse_input(TicketCreate, data))
    return {"id": str(made.id), "label": made.code}


FORMS: dict[str, FormSpec] = {
    "ticket": FormSpec(
        noun="ticket",
        permission=TICKETS_WRITE,
        flag=ENABLE_SERVICE_POLICIES,
        fields=(
            "title",
            "priority",
            "dealer_org_id",
            "sku_id",
            "channel_id",
            "region",
            "required_skills",
            "description",
        ),
        save=_save_ticket,
        defaults={"priority": "normal"},
    )
}


class TicketsState(ServicePage, EntityForm, AuthState):
    _forms: ClassVar[Mapping[str, FormSpec]] = FORMS
    _form_kinds = ("ticket",)
    loading: bool = False
    notice: str = ""
    error: str = ""
    can_write: bool = False
    breached_only: bool = False
    rows: list[TicketRow] = []
    dealers: list[Option] = []
    skus: list[Option] = []
    channels: list[Option] = []
    created_href: str = ""

    async def _refresh(self, ctx: TenantContext) -> None:
        ok, data = await call(self, views.ticket_list, ctx, self.breached_only)
        if ok:
            self.rows, self.dealers, self.skus, self.channels = data.rows, data.dealers, data.skus, data.channels

    @rx.event
    async def load(self):
        self.rows, self.loading, self.notice, self.error, self.created_href = [], True, "", "", ""
        yield
        ctx = await self._page_context(SERVICE_READ, ENABLE_SERVICE_POLICIES)
        if ctx is not None:
            self.can_write = ctx.can(TICKETS_WRITE)
            await self._refresh(ctx)
        self.loading = False

    @rx.event
    async def set_breached_only(self, value: bool):
        ctx = await self._page_context(SERVICE_READ, ENABLE_SERVICE_POLICIES)
        if ctx is None:
            return
        self.breached_only = value is True
        await self._refresh(ctx)

    async def _after_save(self, ctx: TenantContext, kind: str, result: dict[str, Any]) -> None:
        self.breached_only = False
        await self._refresh(ctx)
        self.notice = f"Opened ticket {result['label']}."
        self.created_href = f"/service/tickets/{result['id']}"


def _row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.code, href=row.href, data_testid="ticket-link")),
        rx.table.cell(rx.text(row.title, size="2")),
        rx.table.cell(priority_badge(row.priority)),
        rx.table.cell(status_badge(row.status)),
        rx.table.cell(row.responsible),
        rx.table.cell(row.engineer),
        rx.table.cell(row.region),
        rx.table.cell(rx.text(row.response_due, size="1")),
        rx.table.cell(rx.text(row.resolution_due, size="1")),
        rx.table.cell(rx.cond(row.breached, rx.badge("breached", color_scheme="red", data_testid="breached-badge"))),
        data_testid="ticket-row",
    )


def _form() -> rx.Component:
    s = TicketsState
    return form_dialog(
        s,
        {
            "ticket": form_body(
                text_field(s, "title", "Title"),
                pair(
                    choice_field(s, "priority", "Priority", PRIORITY_OPTIONS),
                    text_field(s, "region", "Region", placeholder="e.g. North"),
                ),
                pair(
                    choice_field(s, "dealer_org_id", "Dealer", s.dealers, none_label="No dealer"),
                    choice_field(s, "sku_id", "SKU", s.skus, none_label="No SKU"),
                ),
                pair(
                    choice_field(s, "channel_id", "Channel", s.channels, none_label="No channel"),
                    text_field(s, "required_skills", "Skills needed", placeholder="install, repair"),
                ),
                text_field(s, "description", "Description", area=True),
            )
        },
    )


@service_page("/service/tickets", "Service tickets", SERVICE_READ, TicketsState, icon="wrench", order=50, nav="Tickets")
def tickets_page() -> rx.Component:
    s = TicketsState
    return flagged_page(
        s,
        rx.hstack(
            rx.cond(s.can_write, new_button(s, "ticket", "New ticket")),
            rx.spacer(),
            rx.checkbox(
                "Breached only", checked=s.breached_only, on_change=s.set_breached_only, data_testid="breached-only"
            ),
            align="center",
            width="100%",
        ),
        _form(),
        notice(s.notice),
        rx.cond(
            s.created_href != "",
            rx.link("Open the new ticket →", href=s.created_href, data_testid="open-created"),
        ),
        error_box(s.error, "tickets-error"),
        rx.cond(
            s.loading,
            spinner_block(),
            rx.cond(
                s.rows.length() > 0,
                table(
                    [
                        "Ticket",
                        "Title",
                        "Priority",
                        "Status",
                        "Responsible",
                        "Engineer",
                        "Region",
                        "Response due",
                        "Resolution due",
                        "",
                    ],
                    rx.foreach(s.rows, _row),
                    "tickets-table",
                ),
                empty("No tickets.", "wrench"),
            ),
        ),
    )
