"""`/cases`: the case inbox for staff. Filters (status, vendor, type, assignee, age) live in the URL;
each row shows the case's age against its type's SLA; j / k move the highlight, Enter opens the
case (the list has the keyboard focus); "New case" opens a case with a vendor organization."""

from __future__ import annotations

import asyncio
from typing import ClassVar
from urllib.parse import urlencode

import reflex as rx
from reflex.event import key_event
from reflex.vars import Var

from app.web.cases.rows import CASE_COLORS, CaseRow, case_row
from app.web.kit import badges, controls
from app.web.kit import format as fmt
from app.web.kit import table as tables
from app.web.kit.calls import call
from app.web.kit.controls import ANY
from app.web.kit.lists import KeysetListMixin
from app.web.kit.rows import Option
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.cases.machines import CASE_MACHINE
from engine.cases.permissions import READ, WRITE
from engine.cases.rules import CASE_TYPES
from engine.context import TenantContext
from models.cases import actions, queries
from models.cases.cases import CaseFilters
from models.cases.inputs import CaseCreate

PAGE_SIZE = 25
STATUSES = CASE_MACHINE.statuses
AGES = {"overdue": "Past their SLA", "7": "Older than 7 days", "30": "Older than 30 days"}
MINE, NOBODY = "me", "nobody"


class KeyList(rx.el.Div):
    """A focusable box whose key presses reach the server (Radix boxes take no key events)."""

    on_key_down: rx.EventHandler[key_event]


def fetch_cases(ctx: TenantContext, f: dict[str, str], cursor: str | None) -> tuple[list[CaseRow], str]:
    assignee = f.get("assignee", ANY)
    age = f.get("age", ANY)
    filters = CaseFilters(
        status=f["status"] if f.get("status") in STATUSES else None,
        vendor_id=fmt.parse_uuid(f.get("vendor")),
        case_type=f["type"] if f.get("type") in CASE_TYPES else None,
        assignee_id=ctx.user_id if assignee == MINE else fmt.parse_uuid(assignee),
        unassigned=assignee == NOBODY,
        min_age_days=int(age) if age in ("7", "30") else None,
        overdue=age == "overdue",
    )
    page = queries.case_page(ctx, filters, limit=PAGE_SIZE, cursor=cursor)
    return [case_row(v) for v in page.items], page.next_cursor or ""


class CaseInboxState(KeysetListMixin, AuthState):
    rows: list[CaseRow] = []
    vendor_options: list[Option] = []
    assignee_options: list[Option] = []
    f_status: str = ANY
    f_vendor: str = ANY
    f_type: str = ANY
    f_assignee: str = ANY
    f_age: str = ANY
    selected: int = -1
    can_open: bool = False
    # the "New case" dialog
    form_open: bool = False
    form_vendor: str = ""
    form_subject: str = ""
    form_type: str = "general"
    form_message: str = ""
    form_error: str = ""

    _list_permission: ClassVar[str] = READ

    def _filters(self) -> dict[str, str]:
        return {
            "status": self.f_status,
            "vendor": self.f_vendor,
            "type": self.f_type,
            "assignee": self.f_assignee,
            "age": self.f_age,
        }

    def _url(self) -> str:
        params = {k: v for k, v in self._filters().items() if v and v != ANY}
        return "/cases" + ("?" + urlencode(params) if params else "")

    def _page(self, ctx: TenantContext, cursor: str | None) -> tuple[list[CaseRow], str | None]:
        return fetch_cases(ctx, self._filters(), cursor)

    def _known(self, value: str, options: list[Option]) -> str:
        return value if value in {o.id for o in options} else ANY

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        ctx = await self._require(READ)
        self.selected, self.form_open = -1, False
        if ctx is not None:
            self.vendor_options = await asyncio.to_thread(queries.vendor_options, ctx)
            people = await asyncio.to_thread(queries.assignee_options, ctx)
            self.assignee_options = [Option(MINE, "Assigned to me"), Option(NOBODY, "Unassigned"), *people]
            self.can_open = ctx.can(WRITE)
        self.f_status = params.get("status", ANY) if params.get("status") in STATUSES else ANY
        self.f_type = params.get("type", ANY) if params.get("type") in CASE_TYPES else ANY
        self.f_age = params.get("age", ANY) if params.get("age") in AGES else ANY
        self.f_vendor = self._known(str(params.get("vendor", ANY)), self.vendor_options)
        self.f_assignee = self._known(str(params.get("assignee", ANY)), self.assignee_options)
        async for _ in self._reload_list(ctx):
            yield

    @rx.event
    async def set_filter(self, name: str, value: str):
        if await self._require(READ) is None:
            return
        value = str(value or ANY)[:64]
        if name == "status":
            self.f_status = value if value in STATUSES else ANY
        elif name == "type":
            self.f_type = value if value in CASE_TYPES else ANY
        elif name == "age":
            self.f_age = value if value in AGES else ANY
        elif name == "vendor":
            self.f_vendor = self._known(value, self.vendor_options)
        elif name == "assignee":
            self.f_assignee = self._known(value, self.assignee_options)
        else:
            return
        return rx.redirect(self._url())

    @rx.event
    async def clear_filters(self):
        if await self._require(READ) is None:
            return
        self.f_status = self.f_vendor = self.f_type = self.f_assignee = self.f_age = ANY
        return rx.redirect(self._url())

    @rx.event
    async def key(self, key: str, info: dict | None = None):
        """j / k move the highlight through the listed cases, Enter opens the highlighted one."""
        if not isinstance(key, str) or not self.rows or await self._require(READ) is None:
            return
        if key in ("j", "ArrowDown"):
            self.selected = min(self.selected + 1, len(self.rows) - 1)
        elif key in ("k", "ArrowUp"):
            self.selected = max(self.selected - 1, 0)
        elif key == "Enter" and 0 <= self.selected < len(self.rows):
            return rx.redirect(self.rows[self.selected].href)

    # ---- the "New case" dialog ------------------------------------------------------------

    @rx.event
    async def open_form(self):
        if await self._require(WRITE) is None:
            return
        self.form_open, self.form_error = True, ""
        self.form_vendor = self.vendor_options[0].id if self.vendor_options else ""
        self.form_subject, self.form_type, self.form_message = "", "general", ""

    @rx.event
    def close_form(self):
        self.form_open = False

    @rx.event
    def set_form(self, name: str, value: str):
        value = str(value or "")
        if name == "vendor":
            self.form_vendor = value[:64]
        elif name == "subject":
            self.form_subject = value[:400]
        elif name == "type":
            self.form_type = value if value in CASE_TYPES else "general"
        elif name == "message":
            self.form_message = value[:8000]

    @rx.event
    async def save_form(self):
        ctx = await self._require(WRITE)
        if ctx is None or not self.form_open:
            return
        vendor = fmt.parse_uuid(self.form_vendor)
        if vendor is None:
            self.form_error = "Choose the vendor organization."
            return
        try:
            body = CaseCreate(
                vendor_id=vendor,
                subject=self.form_subject,
                case_type=self.form_type,
                message=self.form_message.strip() or None,
            )
        except ValueError as exc:
            self.form_error = fmt.error_text(exc)
            return
        ok, made = await call(self, actions.create_case, ctx, body, writes=True)
        if not ok:
            self.form_error, self.error = self.error, ""
            return
        self.form_open = False
        return rx.redirect(f"/cases/{made.id}")


def _filter(name: str, caption: str, options, every: str, **props) -> rx.Component:
    s = CaseInboxState
    return controls.field(
        caption,
        controls.choice(
            options, getattr(s, f"f_{name}"), lambda v: s.set_filter(name, v), caption, every=every, **props
        ),
    )


def _subject(r: Var) -> rx.Component:
    return rx.link(r["subject"], href=r["href"], weight="medium", data_testid="case-link", **controls.WRAP)


def _age(r: Var) -> rx.Component:
    return rx.hstack(
        rx.text(r["age"], " / ", r["sla"], size="2"),
        rx.cond(r["overdue"], rx.badge("overdue", color_scheme="red", variant="soft", data_testid="case-overdue")),
        spacing="2",
        align="center",
    )


COLUMNS = [
    tables.col("Case", _subject),
    tables.col("Vendor", "vendor"),
    tables.col("Type", "type_label"),
    tables.col("Status", lambda r: badges.status_badge(r["status"], CASE_COLORS)),
    tables.col("Age / SLA", _age, white_space="nowrap"),
    tables.col("Assignee", "assignee"),
]


def _row(r: Var, i: Var) -> rx.Component:
    s = CaseInboxState
    return rx.table.row(
        *[c.render(r) for c in COLUMNS],
        background=rx.cond(s.selected == i, rx.color("accent", 3), "transparent"),
        data_testid="case-row",
        data_selected=rx.cond(s.selected == i, "yes", "no"),
    )


def _table() -> rx.Component:
    s = CaseInboxState
    grid = KeyList.create(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(c.header) for c in COLUMNS])),
            rx.table.body(rx.foreach(s.rows, _row)),
            variant="surface",
            size="2",
            width="100%",
        ),
        tab_index=0,
        on_key_down=s.key,
        aria_label="Cases: j and k move, Enter opens",
        data_testid="cases-table",
        style={"overflow_x": "auto", "width": "100%", "outline": "none"},
    )
    return rx.cond(
        s.loading & (s.rows.length() == 0),
        rx.center(rx.spinner(), padding="2rem", width="100%"),
        rx.cond(s.rows.length() > 0, grid, rx.text("No cases match.", color_scheme="gray", data_testid="cases-empty")),
    )


def _form() -> rx.Component:
    s = CaseInboxState
    return controls.dialog(
        "New case",
        rx.vstack(
            controls.field(
                "Vendor",
                controls.select(
                    s.vendor_options,
                    s.form_vendor,
                    lambda v: s.set_form("vendor", v),
                    "Vendor",
                    trigger={"width": "100%", "data_testid": "new-case-vendor"},
                ),
                width="100%",
            ),
            controls.field(
                "Subject",
                rx.input(
                    value=s.form_subject, on_change=lambda v: s.set_form("subject", v), data_testid="new-case-subject"
                ),
                width="100%",
            ),
            controls.field(
                "Type",
                controls.select(
                    [(k, v[0]) for k, v in CASE_TYPES.items()],
                    s.form_type,
                    lambda v: s.set_form("type", v),
                    "Type",
                    trigger={"width": "100%"},
                ),
                width="100%",
            ),
            controls.field(
                "First message to the vendor (optional)",
                rx.text_area(
                    value=s.form_message,
                    on_change=lambda v: s.set_form("message", v),
                    rows="3",
                    data_testid="new-case-message",
                ),
                width="100%",
            ),
            rx.cond(s.form_error != "", rx.callout(s.form_error, color_scheme="red", icon="triangle-alert", size="1")),
            controls.dialog_footer(
                rx.button("Open case", on_click=s.save_form, data_testid="new-case-save"), on_cancel=s.close_form
            ),
            spacing="3",
            width="100%",
        ),
        open_=s.form_open,
        on_close=s.close_form,
        max_width="32rem",
    )


@app_page(
    "/cases", "Vendor cases", permission=READ, nav="Cases", icon="briefcase", order=30, on_load=CaseInboxState.load
)
def cases_page() -> rx.Component:
    s = CaseInboxState
    return rx.vstack(
        rx.flex(
            _filter("status", "Status", [(v, fmt.label(v)) for v in STATUSES], "All statuses"),
            _filter("vendor", "Vendor", s.vendor_options, "All vendors"),
            _filter("type", "Type", [(k, v[0]) for k, v in CASE_TYPES.items()], "All types"),
            controls.field(
                "Assignee",
                controls.select(
                    s.assignee_options,
                    s.f_assignee,
                    lambda v: s.set_filter("assignee", v),
                    "Assignee",
                    first=(ANY, "Anyone"),
                    trigger={"min_width": "10rem"},
                ),
            ),
            _filter("age", "Age", list(AGES.items()), "Any age"),
            rx.button(rx.icon("x", size=14), "Clear", variant="soft", color_scheme="gray", on_click=s.clear_filters),
            rx.spacer(),
            rx.cond(
                s.can_open,
                rx.button(rx.icon("plus", size=14), "New case", on_click=s.open_form, data_testid="new-case"),
            ),
            spacing="3",
            wrap="wrap",
            align="end",
            width="100%",
        ),
        controls.hint("Keyboard: click the list, then j / k to move and Enter to open."),
        _table(),
        tables.load_more(s.has_more, s.loading, s.load_more, "load-more"),
        _form(),
        spacing="4",
        width="100%",
    )


from app.web.cases import detail  # noqa: E402, F401  (registers /cases/[id])
