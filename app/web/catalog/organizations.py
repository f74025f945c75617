"""/catalog/organizations — organizations by type, one organization's profile and relationships,
create / edit (catalog.write), and status decisions (hold / suspend / reinstate / archive) through
the generic decision dialog (app/web/kit/decisions.py).

Every handler takes the tenant and role from AuthState's backend-only vars and re-checks the
permission and the tenant's ENABLE_ORG flag itself (with the flag off the page shows "not found").
The shown organization's id lives in the backend var `_record_id`, read back from this tenant's row:
a decision never takes an id from the browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.catalog import views
from app.web.catalog.forms import FORMS, ORG_TYPE_OPTIONS, profile_fields
from app.web.catalog.views import NO_ORG, OrgRow, ProfileLine, RelationshipLine
from app.web.catalog.widgets import CatalogPage, catalog_page, code_and_name, flagged_page, form_body, panel, two_panes
from app.web.kit import controls
from app.web.kit.badges import status_badge
from app.web.kit.calls import call
from app.web.kit.controls import ANY
from app.web.kit.decisions import DecisionDialogMixin, action_buttons, decision_dialog
from app.web.kit.feedback import messages, spinner_block
from app.web.kit.forms import EntityForm, FormSpec, choice_field, edit_button, form_dialog, new_button
from app.web.kit.table import table
from app.web.shell.auth import AuthState
from engine.catalog.permissions import CATALOG_READ, CATALOG_WRITE
from engine.catalog.types import ORG_TYPES
from engine.context import TenantContext
from engine.errors import NotFound
from models.catalog import actions
from models.catalog.queries import feature_enabled
from models.core.flags import ENABLE_ORG


class OrgsState(CatalogPage, EntityForm, DecisionDialogMixin, AuthState):
    _forms: ClassVar[Mapping[str, FormSpec]] = FORMS
    _form_kinds = ("org",)
    _fixed_on_edit: ClassVar[tuple[str, ...]] = ("type",)
    _read_permission = CATALOG_READ
    _action_permission = CATALOG_WRITE
    _missing_text = "organization not found"
    _denied_text = "Your role may not change an organization's status."
    _keep_dialog_on_error = True
    f_type: str = ANY
    rows: list[OrgRow] = []
    selected: OrgRow = NO_ORG
    profile: list[ProfileLine] = []
    relationships: list[RelationshipLine] = []

    async def _list(self, ctx: TenantContext) -> None:
        ok, rows = await call(self, views.org_rows, ctx, None if self.f_type == ANY else self.f_type)
        self.rows = rows if ok else []

    # decision dialog hooks (DecisionDialogMixin)

    def _fetch_record(self, ctx: TenantContext, record_id: str) -> dict[str, Any]:
        return views.org_detail(ctx, record_id)

    def _fill_record(self, ctx: TenantContext, data: dict[str, Any]) -> str:
        self.selected, self.profile, self.relationships = data["org"], data["profile"], data["relationships"]
        return data["org"].id

    def _blank_record(self) -> None:
        self.selected, self.profile, self.relationships = NO_ORG, [], []

    def _record_decision(self, ctx: TenantContext, record_id: str, action, reason, note, expected_status) -> None:
        """The decision through catalog's action, while the organizations flag is on."""
        if not feature_enabled(ctx, ENABLE_ORG):
            raise NotFound("organization not found")
        actions.decide_org(ctx, record_id, str(action or "")[:30], reason, expected_status)

    def _status_of(self, data: dict[str, Any]) -> str:
        return data["org"].status

    def _done_notice(self, action: str | None) -> str:
        return f"Done: {action}."

    async def _load(self):
        self._blank()
        self.rows, self.error, self.notice = [], "", ""
        self.loading = True
        yield
        ctx = await self._page_context(CATALOG_READ, ENABLE_ORG)
        if ctx is not None:
            self.can_write = ctx.can(CATALOG_WRITE)
            await self._list(ctx)
        self.loading = False

    async def _after_save(self, ctx: TenantContext, kind: str, result: dict[str, Any]) -> None:
        await self._list(ctx)
        self.error, self.notice = "", f"Saved {result['label']}."
        await self._show(ctx, result["id"])

    @rx.event
    async def load(self):
        async for _ in self._load():
            yield

    @rx.event
    async def set_type(self, value: str):
        self.f_type = str(value or ANY)[:30]
        async for _ in self._load():
            yield

    @rx.event
    async def select(self, org_id: str):
        ctx = await self._page_context(CATALOG_READ, ENABLE_ORG)
        if ctx is None:
            return
        self.error = self.notice = ""
        await self._show(ctx, str(org_id)[:64])

    async def _confirm(self) -> None:
        """Confirm the dialog's decision (DecisionDialogMixin), then list the new status too."""
        await DecisionDialogMixin._confirm(self)
        ctx = await self._page_context(CATALOG_READ, ENABLE_ORG)
        if ctx is not None and not self.error:
            await self._list(ctx)


def _org_row(row: Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.button(row.name, variant="ghost", size="2", on_click=OrgsState.select(row.id), data_testid="org-open")
        ),
        rx.table.cell(rx.code(row.code, variant="ghost")),
        rx.table.cell(row.type),
        rx.table.cell(status_badge(row.status, words=False)),
        data_testid="org-row",
    )


def org_detail() -> rx.Component:
    s = OrgsState
    return panel(
        rx.hstack(
            rx.heading(s.selected.name, size="4"),
            status_badge(s.selected.status, words=False),
            rx.badge(s.selected.type, variant="soft"),
            rx.spacer(),
            rx.cond(s.can_write, edit_button(s, "org", s.selected.id)),
            align="center",
            wrap="wrap",
            width="100%",
        ),
        rx.text("Profile", weight="bold", size="2"),
        rx.cond(
            s.profile.length() > 0,
            rx.data_list.root(
                rx.foreach(
                    s.profile,
                    lambda p: rx.data_list.item(rx.data_list.label(p.key), rx.data_list.value(p.value)),
                )
            ),
            rx.text("No profile details.", color_scheme="gray", size="2"),
        ),
        rx.text("Relationships", weight="bold", size="2"),
        rx.cond(
            s.relationships.length() > 0,
            rx.vstack(
                rx.foreach(
                    s.relationships,
                    lambda r: rx.text(r.text, " (", r.since, " – ", r.until, ")", size="2"),
                ),
                spacing="1",
            ),
            rx.text("No relationships.", color_scheme="gray", size="2"),
        ),
        rx.cond(
            s.actions.length() > 0,
            rx.vstack(
                rx.text("Change status", weight="bold", size="2"),
                action_buttons(s, "org-action", disable_while_busy=True),
                width="100%",
            ),
        ),
        testid="org-detail",
    )


def _org_form() -> rx.Component:
    s = OrgsState
    return form_dialog(
        s,
        {
            "org": form_body(
                choice_field(s, "type", "Type", ORG_TYPE_OPTIONS, disabled=s.editing),
                code_and_name(s),
                rx.text("Profile", weight="bold", size="2"),
                profile_fields(s),
            )
        },
    )


@catalog_page("/catalog/organizations", "Organizations", CATALOG_READ, OrgsState, icon="building-2", order=40)
def organizations_page() -> rx.Component:
    s = OrgsState
    return flagged_page(
        s,
        rx.hstack(
            controls.select(
                [(t, t.replace("_", " ")) for t in ORG_TYPES],
                s.f_type,
                s.set_type,
                "Organization type",
                first=(ANY, "All types"),
                trigger={"placeholder": "Type"},
            ),
            rx.spacer(),
            rx.cond(s.can_write, new_button(s, "org", "New organization")),
            width="100%",
        ),
        _org_form(),
        messages(s.error, s.notice),
        decision_dialog(s),
        rx.cond(
            s.loading,
            spinner_block(),
            two_panes(
                table(["Name", "Code", "Type", "Status"], rx.foreach(s.rows, _org_row), "orgs-table"),
                rx.cond(
                    s.found,
                    org_detail(),
                    rx.text("Pick an organization to see its profile and relationships.", color_scheme="gray"),
                ),
            ),
        ),
    )
