"""/comp/plans — bonus plans, newest first (every version is a row), filtered by name and status;
"New plan" (comp.plans.write) creates a draft and opens it in the plan builder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import reflex as rx

from app.web.comp import views
from app.web.comp.forms import FORMS
from app.web.comp.rows import PlanRow
from app.web.comp.widgets import GROUP, comp_page_context, plan_status
from app.web.kit import controls
from app.web.kit import table as tables
from app.web.kit.feedback import error_box
from app.web.kit.forms import EntityForm, FormSpec, form_dialog, new_button, text_field
from app.web.kit.lists import KeysetListMixin
from app.web.kit.table import col, num
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.comp.machines import PLAN_MACHINE
from engine.comp.permissions import PLANS_WRITE, READ
from engine.context import TenantContext

STATUS_OPTIONS = [(s, s) for s in sorted(PLAN_MACHINE.statuses)]


class PlansState(KeysetListMixin, EntityForm, AuthState):
    rows: list[PlanRow] = []
    query: str = ""
    status: str = controls.ANY
    can_write: bool = False
    notice_redirect: str = ""

    _list_permission: ClassVar[str] = READ
    _forms: ClassVar[Mapping[str, FormSpec]] = FORMS
    _form_kinds = ("plan",)

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[PlanRow], str | None]:
        status = "" if self.status == controls.ANY else self.status
        return views.plan_page(ctx, self.query.strip(), status, cursor)

    async def _page_context(self, permission: str, flag: str) -> TenantContext | None:
        return await comp_page_context(self, permission)

    async def _after_save(self, ctx: TenantContext, kind: str, result: dict[str, Any]) -> None:
        # a new plan opens in the builder (open_created, mounted by the page, redirects)
        self.notice_redirect = f"/comp/plans/{result['id']}"

    @rx.event
    async def load(self):
        self.notice_redirect = ""
        ctx = await self._require(READ)
        self.can_write = bool(ctx and ctx.can(PLANS_WRITE))
        async for _ in self._reload_list(ctx):
            yield

    @rx.event
    async def set_query(self, value: str):
        self.query = str(value or "")[:100]
        async for _ in self._reload_list(await self._require(READ)):
            yield

    @rx.event
    async def set_status(self, value: str):
        value = str(value or "")
        self.status = value if value in PLAN_MACHINE.statuses else controls.ANY
        async for _ in self._reload_list(await self._require(READ)):
            yield

    @rx.event
    def open_created(self):
        """Mounted once a plan was created: open it in the builder."""
        target, self.notice_redirect = self.notice_redirect, ""
        if target.startswith("/comp/plans/"):
            return rx.redirect(target)


COLUMNS = [
    col(
        "Plan",
        lambda r: rx.link(r["name"], href="/comp/plans/" + r["id"].to(str), weight="medium", data_testid="plan-link"),
    ),
    num("Version", lambda r: rx.text("v", r["version"])),
    col("Status", lambda r: plan_status(r["status"])),
    col("Effective", "effective", white_space="nowrap"),
    num("Steps", "steps"),
    col("Last change", "updated", white_space="nowrap"),
]


def _form() -> rx.Component:
    s = PlansState
    body = rx.vstack(
        text_field(s, "name", "Name", placeholder="2025 Analyst Bonus Plan"),
        rx.grid(
            text_field(s, "version", "Version", type="number", min="1"),
            text_field(s, "effective_from", "Effective from", type="date"),
            text_field(s, "effective_to", "Effective to (optional)", type="date"),
            columns="3",
            spacing="3",
            width="100%",
        ),
        text_field(s, "notes", "Notes (optional)", area=True),
        spacing="3",
        width="100%",
    )
    return form_dialog(s, {"plan": body})


@app_page(
    "/comp/plans",
    "Bonus plans",
    permission=READ,
    nav="Bonus plans",
    icon="calculator",
    order=60,
    nav_group=GROUP,
    on_load=PlansState.load,
)
def plans_page() -> rx.Component:
    s = PlansState
    return rx.vstack(
        rx.text(
            "A plan is a list of steps, each a formula over the employee's inputs and earlier steps. "
            "Drafts can be edited; a locked version never changes (edit it by making a new version).",
            color_scheme="gray",
            size="2",
        ),
        error_box(s.error, "plans-error"),
        rx.flex(
            controls.search_input(
                "Filter by name",
                "Filter plans",
                value=s.query,
                on_change=s.set_query.debounce(300),
                width="100%",
                max_width="20rem",
            ),
            controls.choice(STATUS_OPTIONS, s.status, s.set_status, "Status", every="All statuses"),
            rx.spacer(),
            rx.cond(s.can_write, new_button(s, "plan", "New plan")),
            width="100%",
            align="center",
            gap="3",
            wrap="wrap",
        ),
        _form(),
        rx.cond(s.notice_redirect != "", rx.box(on_mount=s.open_created)),
        tables.paged_table(
            s,
            COLUMNS,
            "plans-table",
            "No bonus plans yet. Create the first one with New plan.",
            "calculator",
            row_testid="plan-row",
            more_testid="plans-more",
        ),
        spacing="4",
        width="100%",
    )
