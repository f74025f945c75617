"""/comp/inputs — the tenant's input catalog: every per-employee input a plan may read (key, label,
type, required, default, validation rules), and "New input" for comp.plans.write."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import reflex as rx

from app.web.comp import views
from app.web.comp.forms import DTYPE_OPTIONS, FORMS
from app.web.comp.rows import InputDefRow
from app.web.comp.upload_stats import UploadStatsState, upload_stats_section
from app.web.comp.widgets import GROUP, comp_page_context, notice
from app.web.kit import controls
from app.web.kit import table as tables
from app.web.kit.feedback import error_box
from app.web.kit.forms import EntityForm, FormSpec, check_field, choice_field, form_dialog, new_button, text_field
from app.web.kit.lists import KeysetListMixin
from app.web.kit.table import col
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.comp.permissions import PLANS_WRITE, READ
from engine.context import TenantContext


class InputCatalogState(KeysetListMixin, EntityForm, AuthState):
    rows: list[InputDefRow] = []
    query: str = ""
    can_write: bool = False
    notice: str = ""

    _list_permission: ClassVar[str] = READ
    _forms: ClassVar[Mapping[str, FormSpec]] = FORMS
    _form_kinds = ("input",)

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[InputDefRow], str | None]:
        return views.input_page(ctx, self.query.strip(), cursor)

    async def _page_context(self, permission: str, flag: str) -> TenantContext | None:
        return await comp_page_context(self, permission)

    async def _after_save(self, ctx: TenantContext, kind: str, result: dict[str, Any]) -> None:
        async for _ in self._reload_list(ctx):
            pass
        self.notice = f"Added input {result['label']}."

    @rx.event
    async def load(self):
        self.notice = ""
        ctx = await self._require(READ)
        self.can_write = bool(ctx and ctx.can(PLANS_WRITE))
        async for _ in self._reload_list(ctx):
            yield

    @rx.event
    async def set_query(self, value: str):
        self.query = str(value or "")[:100]
        async for _ in self._reload_list(await self._require(READ)):
            yield


COLUMNS = [
    col("Key", lambda r: rx.code(r["key"], variant="ghost")),
    col("Label", "label"),
    col("Type", lambda r: rx.badge(r["dtype"], variant="soft", color_scheme="gray")),
    col("Required", lambda r: rx.cond(r["required"], rx.icon("check", size=16, aria_label="required"), "")),
    col("Default", "default"),
    col("Rules", "rules"),
    col("Description", "description", **controls.WRAP),
]


def _form() -> rx.Component:
    s = InputCatalogState
    return form_dialog(
        s,
        {
            "input": rx.vstack(
                rx.grid(
                    text_field(s, "key", "Key (lowercase, digits, _)", placeholder="employee_score"),
                    text_field(s, "label", "Label", placeholder="Employee score"),
                    choice_field(s, "dtype", "Type", DTYPE_OPTIONS),
                    text_field(s, "default_value", "Default (optional)"),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                check_field(s, "required", "Required (a row without it is refused)"),
                rx.grid(
                    text_field(s, "rule_min", "Minimum (optional)"),
                    text_field(s, "rule_max", "Maximum (optional)"),
                    columns="2",
                    spacing="3",
                    width="100%",
                ),
                text_field(s, "rule_choices", "Allowed values, comma separated (text inputs, optional)"),
                text_field(s, "description", "Description (optional)", area=True),
                spacing="3",
                width="100%",
            )
        },
    )


@app_page(
    "/comp/inputs",
    "Input catalog",
    permission=READ,
    nav="Input catalog",
    icon="list-plus",
    order=62,
    nav_group=GROUP,
    on_load=[InputCatalogState.load, UploadStatsState.load],
)
def inputs_page() -> rx.Component:
    s = InputCatalogState
    return rx.vstack(
        rx.text(
            "The inputs a plan can read for each employee. A plan picks its inputs from this list and may give "
            "each its own default and transform.",
            color_scheme="gray",
            size="2",
        ),
        notice(s.notice),
        error_box(s.error, "inputs-error"),
        rx.hstack(
            controls.search_input(
                "Filter by key or label",
                "Filter inputs",
                value=s.query,
                on_change=s.set_query.debounce(300),
                width="100%",
                max_width="20rem",
            ),
            rx.spacer(),
            rx.cond(s.can_write, new_button(s, "input", "New input")),
            width="100%",
            align="center",
        ),
        _form(),
        tables.paged_table(
            s,
            COLUMNS,
            "inputs-table",
            "No inputs yet. Add the first one (for example employee_score or base_salary).",
            "list-plus",
            row_testid="input-row",
            more_testid="inputs-more",
        ),
        upload_stats_section(),
        spacing="4",
        width="100%",
    )
