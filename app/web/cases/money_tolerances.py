"""`/match-tolerances`: the tolerances of the 3-way match's exception types, the tenant's and each
vendor's (a vendor's own overrides the tenant's, which overrides the default); reviewers edit them."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx
from reflex.vars import Var

from app.web.cases.money_rows import ToleranceRow, tolerance_rows
from app.web.kit import badges, controls
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.calls import call
from app.web.kit.controls import ANY
from app.web.kit.rows import Option
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.cases.matching import EXCEPTION_TYPES
from engine.cases.permissions import APPROVE, READ
from engine.context import TenantContext
from models.cases import ledger_actions as actions
from models.cases import ledger_queries, queries
from models.cases.ledger_inputs import ToleranceSet


class TolerancesState(AuthState):
    rows: list[ToleranceRow] = []
    vendor_options: list[Option] = []
    f_vendor: str = ANY
    can_edit: bool = False
    error: str = ""
    notice: str = ""
    form_open: bool = False
    form_code: str = ""
    form_label: str = ""
    form_enabled: bool = True
    form_absolute: str = "0"
    form_percent: str = "0"

    async def _fill(self, ctx: TenantContext) -> None:
        ok, found = await call(self, ledger_queries.tolerances, ctx, fmt.parse_uuid(self.f_vendor))
        self.rows = tolerance_rows(found) if ok else []

    @rx.event
    async def load(self):
        ctx = await self._require(READ)
        self.f_vendor, self.form_open, self.error, self.notice = ANY, False, "", ""
        if ctx is None:
            return
        self.can_edit = ctx.can(APPROVE)
        self.vendor_options = await asyncio.to_thread(queries.vendor_options, ctx)
        await self._fill(ctx)

    @rx.event
    async def set_vendor(self, value: str):
        ctx = await self._require(READ)
        if ctx is None:
            return
        value = str(value or ANY)[:64]
        self.f_vendor = value if value in {o.id for o in self.vendor_options} else ANY
        await self._fill(ctx)

    @rx.event
    async def edit(self, code: str):
        if await self._require(APPROVE) is None:
            return
        row = next((r for r in self.rows if r.code == str(code)), None)
        if row is None:
            return
        self.form_code, self.form_label, self.form_enabled = row.code, row.label, row.enabled
        self.form_absolute, self.form_percent, self.form_open, self.error = row.absolute, row.percent, True, ""

    @rx.event
    def close(self):
        self.form_open = False

    @rx.event
    def set_form(self, name: str, value: Any):
        if name == "enabled":
            self.form_enabled = bool(value)
        elif name == "absolute":
            self.form_absolute = str(value or "")[:40]
        elif name == "percent":
            self.form_percent = str(value or "")[:40]

    @rx.event
    async def save(self):
        ctx = await self._require(APPROVE)
        if ctx is None or self.form_code not in EXCEPTION_TYPES:
            return
        try:
            body = ToleranceSet(
                vendor_id=fmt.parse_uuid(self.f_vendor),
                exception_type=self.form_code,
                enabled=self.form_enabled,
                absolute=self.form_absolute.strip() or "0",
                percent=self.form_percent.strip() or "0",
            )
        except ValueError as exc:
            self.error = fmt.error_text(exc)
            return
        ok, _ = await call(self, actions.set_tolerance, ctx, body, writes=True)
        if ok:
            self.form_open, self.notice = False, "Tolerance saved: new match packs use it."
            await self._fill(ctx)


def _tolerance_row(r: Var) -> rx.Component:
    s = TolerancesState
    return rx.table.row(
        rx.table.cell(rx.text(r["label"], weight="medium"), controls.hint(r["rule"])),
        rx.table.cell(rx.text(r["words"], size="2", data_testid="tolerance-words")),
        rx.table.cell(
            badges.status_badge(r["source"], (("vendor", "violet"), ("tenant", "blue"), ("default", "gray")))
        ),
        rx.table.cell(
            rx.cond(
                s.can_edit,
                rx.button("Edit", size="1", variant="soft", on_click=s.edit(r["code"]), data_testid="tolerance-edit"),
            )
        ),
        data_testid="tolerance-row",
    )


@app_page("/match-tolerances", "Match tolerances", permission=READ, on_load=TolerancesState.load)
def tolerances_page() -> rx.Component:
    s = TolerancesState
    return rx.vstack(
        rx.link("← Match packs", href="/match-packs", size="2"),
        controls.field(
            "For",
            controls.select(
                s.vendor_options,
                s.f_vendor,
                s.set_vendor,
                "For",
                first=(ANY, "The whole tenant"),
                trigger={"min_width": "14rem"},
            ),
        ),
        controls.hint(
            "A vendor's own setting overrides the tenant's, which overrides the default. "
            "Packs keep the tolerances they were matched with."
        ),
        rx.cond(s.error != "", rx.callout(s.error, color_scheme="red", size="1")),
        rx.cond(s.notice != "", rx.callout(s.notice, color_scheme="green", size="1")),
        tables.compact_table(
            ["Exception type", "Tolerance", "Set by", ""], rx.foreach(s.rows, _tolerance_row), "tolerances"
        ),
        controls.dialog(
            s.form_label,
            rx.vstack(
                rx.checkbox(
                    "Raise this exception", checked=s.form_enabled, on_change=lambda v: s.set_form("enabled", v)
                ),
                controls.field(
                    "Absolute allowance",
                    rx.input(
                        value=s.form_absolute,
                        on_change=lambda v: s.set_form("absolute", v),
                        data_testid="tolerance-absolute",
                    ),
                ),
                controls.field(
                    "Percent of the base",
                    rx.input(
                        value=s.form_percent,
                        on_change=lambda v: s.set_form("percent", v),
                        data_testid="tolerance-percent",
                    ),
                ),
                rx.cond(s.error != "", rx.callout(s.error, color_scheme="red", size="1")),
                controls.dialog_footer(
                    rx.button("Save", on_click=s.save, data_testid="tolerance-save"), on_cancel=s.close
                ),
                spacing="3",
                width="100%",
            ),
            open_=s.form_open,
            on_close=s.close,
            max_width="28rem",
        ),
        spacing="4",
        width="100%",
    )
