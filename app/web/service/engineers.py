"""/service/engineers — engineers with their organizations, skills, coverage and open tickets, and
"Who can do it?": skills and a region in, every engineer ranked with a reason out (the same answer
as `GET /api/engineers/eligible`). Owner, admin and ops (service.engineers.write) create and edit
engineers here: the form (app/web/service/forms.py) calls the same actions as `POST` / `PATCH
/api/engineers`, a problem shown under its field. Behind ENABLE_ENGINEERS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.catalog.widgets import form_body, notice, pair
from app.web.kit import controls
from app.web.kit.buttons import control_row, icon_button
from app.web.kit.calls import call
from app.web.kit.feedback import empty, error_box, spinner_block
from app.web.kit.forms import (
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
from app.web.service.views import EngineerRow, RankLine
from app.web.service.widgets import ServicePage, flagged_page, outcome_badge, panel, service_page
from app.web.shell.auth import AuthState
from engine.context import TenantContext
from engine.service.flags import ENABLE_ENGINEERS
from engine.service.permissions import ENGINEERS_WRITE, SERVICE_READ
from engine.service.types import MEMBERSHIP_ROLES, SKILL_PATTERN


class EngineersState(ServicePage, EntityForm, AuthState):
    _forms: ClassVar[Mapping[str, FormSpec]] = FORMS
    _form_kinds = ("engineer",)
    _fixed_on_edit = ("code",)
    loading: bool = False
    error: str = ""
    notice: str = ""
    can_write: bool = False
    rows: list[EngineerRow] = []
    providers: list[Option] = []
    f_skills: str = ""
    f_region: str = ""
    ranked: list[RankLine] = []
    running: bool = False
    asked: bool = False

    @rx.event
    async def load(self):
        self.rows, self.ranked, self.loading, self.error, self.asked = [], [], True, "", False
        yield
        ctx = await self._page_context(SERVICE_READ, ENABLE_ENGINEERS)
        if ctx is not None:
            self.can_write = ctx.can(ENGINEERS_WRITE)
            await self._refresh(ctx)
            if self.can_write:
                ok, providers = await call(self, views.provider_options, ctx)
                self.providers = providers if ok else []
        self.loading = False

    async def _refresh(self, ctx: TenantContext) -> None:
        ok, rows = await call(self, views.engineer_rows, ctx)
        self.rows = rows if ok else []

    async def _after_save(self, ctx: TenantContext, kind: str, result: dict[str, Any]) -> None:
        await self._refresh(ctx)
        self.notice = f"Saved engineer {result['label']}."

    @rx.event
    def set_skills(self, value: str):
        self.f_skills = str(value or "")[:300]

    @rx.event
    def set_region(self, value: str):
        self.f_region = str(value or "")[:100]

    @rx.event
    async def find(self):
        ctx = await self._page_context(SERVICE_READ, ENABLE_ENGINEERS)
        if ctx is None or self.running:
            return
        skills = [s.strip() for s in self.f_skills.split(",") if s.strip()]
        bad = [s for s in skills if not re.fullmatch(SKILL_PATTERN, s)]
        if bad:
            self.error = f"skills: {', '.join(bad[:3])} is not a skill code (lower-case letters, digits, '-' or '_')"
            return
        self.error, self.running = "", True
        yield
        ok, ranked = await call(self, views.eligible, ctx, skills[:20], self.f_region.strip() or None)
        self.running = False
        if ok:
            self.ranked, self.asked = ranked, True


def _row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.code(row.code, variant="ghost")),
        rx.table.cell(row.name),
        rx.table.cell(row.organizations),
        rx.table.cell(rx.text(row.skills, size="2")),
        rx.table.cell(rx.text(row.coverage, size="2")),
        rx.table.cell(row.open_tickets, text_align="right"),
        rx.table.cell(rx.cond(row.active, rx.badge("active", color_scheme="green"), rx.badge("inactive"))),
        rx.table.cell(rx.cond(EngineersState.can_write, edit_button(EngineersState, "engineer", row.id))),
        opacity=rx.cond(row.active, "1", "0.6"),
        data_testid="engineer-row",
    )


def _finder() -> rx.Component:
    s = EngineersState
    return panel(
        rx.heading("Who can do it?", size="4"),
        control_row(
            controls.field(
                "Skills (comma separated)",
                rx.input(value=s.f_skills, on_change=s.set_skills, aria_label="Skills", placeholder="install, repair"),
            ),
            controls.field("Region", rx.input(value=s.f_region, on_change=s.set_region, aria_label="Region")),
            icon_button("search", "Rank", s.find, "find-engineers", busy=s.running, align_self="end"),
        ),
        rx.cond(
            s.asked,
            compact_table(
                ["#", "Engineer", "", "Why"],
                rx.foreach(
                    s.ranked,
                    lambda r: rx.table.row(
                        rx.table.cell(rx.text(r.rank, weight="bold")),
                        rx.table.cell(r.name),
                        rx.table.cell(outcome_badge(rx.cond(r.eligible, "eligible", r.reason))),
                        rx.table.cell(rx.text(r.summary, size="1"), rx.text(r.detail, size="1", color_scheme="gray")),
                        data_testid="ranked-row",
                    ),
                ),
                "ranked-table",
            ),
        ),
        testid="finder-panel",
    )


def _form() -> rx.Component:
    s = EngineersState
    return form_dialog(
        s,
        {
            "engineer": form_body(
                pair(text_field(s, "code", "Code", disabled=s.editing), text_field(s, "name", "Name")),
                pair(
                    text_field(s, "email", "E-mail (optional)", input_mode="email"),
                    text_field(s, "home_region", "Home region (optional)"),
                ),
                pair(
                    choice_field(s, "org_id", "Organization", s.providers, none_label="None yet"),
                    choice_field(s, "membership_role", "Works as", [(r, r) for r in MEMBERSHIP_ROLES]),
                ),
                text_field(s, "skills", "Skills with level 1–5", placeholder="install:4, repair"),
                pair(
                    text_field(s, "regions", "Regions covered", placeholder="North, West"),
                    text_field(s, "secondary_regions", "Secondary regions (optional)", placeholder="East"),
                ),
                rx.cond(s.editing, check_field(s, "is_active", "Active (eligible for new tickets)")),
            )
        },
    )


@service_page("/service/engineers", "Engineers", SERVICE_READ, EngineersState, icon="hard-hat", order=53)
def engineers_page() -> rx.Component:
    s = EngineersState
    return flagged_page(
        s,
        rx.cond(s.can_write, rx.hstack(new_button(s, "engineer", "New engineer"), width="100%")),
        _form(),
        notice(s.notice),
        error_box(s.error, "engineers-error"),
        _finder(),
        rx.cond(
            s.loading,
            spinner_block(),
            rx.cond(
                s.rows.length() > 0,
                table(
                    ["Code", "Name", "Organizations", "Skills (level 1–5)", "Coverage", "Open tickets", "", ""],
                    rx.foreach(s.rows, _row),
                    "engineers-table",
                ),
                empty("No engineers yet: tickets cannot be assigned until one is added.", "hard-hat"),
            ),
        ),
    )
