"""`/comp/runs`: every run of the tenant, newest first, and (for HR and admins) starting a run of a
locked plan over imported employee data. Data comes from models.comp.runs (queries, actions)."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from app.web.comp.run_rows import RunRow, run_row
from app.web.comp.widgets import GROUP
from app.web.kit import format as fmt
from app.web.kit.badges import status_badge
from app.web.kit.calls import write
from app.web.kit.controls import field, section, select
from app.web.kit.feedback import messages
from app.web.kit.rows import Option
from app.web.kit.table import col, table_or_empty
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.comp.permissions import READ
from engine.comp.run_machine import RUNS_EXECUTE
from engine.context import TenantContext
from engine.errors import DomainError
from models.comp import queries as plan_queries
from models.comp.runs import actions, queries
from models.comp.runs.actions import RunStart


def _fetch(ctx: TenantContext) -> tuple[list[RunRow], list[Option], list[Option]]:
    runs = [run_row(v) for v in queries.run_page(ctx, limit=100).items]
    plans = [
        Option(str(p.plan.id), f"{p.plan.name} v{p.plan.version}")
        for p in plan_queries.plan_page(ctx, status="locked", limit=100).items
    ]
    uploads = [
        Option(str(u.upload_id), f"{u.filename} ({u.rows:,} employees, {fmt.when(u.imported_at)})")
        for u in queries.employee_uploads(ctx)
    ]
    return runs, plans, uploads


class CompRunsState(AuthState):
    runs: list[RunRow] = []
    plans: list[Option] = []
    uploads: list[Option] = []
    plan_id: str = ""
    upload_id: str = ""
    scenario: str = "Base"
    can_start: bool = False
    busy: bool = False
    error: str = ""
    notice: str = ""

    @rx.event
    async def load(self):
        ctx = await self._require(READ)
        self.error = self.notice = ""
        if ctx is None:
            return
        try:
            self.runs, self.plans, self.uploads = await asyncio.to_thread(_fetch, ctx)
        except DomainError as exc:
            self.error = fmt.error_text(exc)
            return
        self.can_start = ctx.can(RUNS_EXECUTE)
        self.plan_id = self.plan_id or (self.plans[0].id if self.plans else "")
        self.upload_id = self.upload_id or (self.uploads[0].id if self.uploads else "")

    @rx.event
    def set_plan(self, value: str):
        self.plan_id = str(value or "")

    @rx.event
    def set_upload(self, value: str):
        self.upload_id = str(value or "")

    @rx.event
    def set_scenario(self, value: str):
        self.scenario = str(value or "")[:200]

    @rx.event
    async def start(self) -> Any:
        ctx = await self._require(RUNS_EXECUTE)
        if ctx is None:
            self.error = "Your role may not start runs."
            return None
        plan = fmt.parse_uuid(self.plan_id)
        upload = fmt.parse_uuid(self.upload_id)
        if plan is None or upload is None:
            self.error = "Choose a locked plan and imported employee data."
            return None
        self.busy, self.error = True, ""
        try:
            view = await write(
                actions.start_run, ctx, RunStart(plan_id=plan, upload_id=upload, scenario_name=self.scenario)
            )
        except DomainError as exc:
            self.error = fmt.error_text(exc)
            return None
        finally:
            self.busy = False
        return rx.redirect(f"/comp/runs/{view.id}")


COLUMNS = [
    col("Run", lambda r: rx.link(r["scenario"], href=r["href"], data_testid="run-link")),
    col("Plan", "plan"),
    col("Status", lambda r: status_badge(r["status"])),
    col("Computation", "phase"),
    col("Employees", "employees"),
    col("Row errors", "errors"),
    col("Payout total", "payout_total"),
    col("Started", "created"),
]


def _start_form() -> rx.Component:
    s = CompRunsState
    return section(
        "Start a run",
        rx.flex(
            field("Locked plan", select(s.plans, s.plan_id, s.set_plan, "Plan", trigger={"data_testid": "run-plan"})),
            field(
                "Employee data",
                select(s.uploads, s.upload_id, s.set_upload, "Employee data", trigger={"data_testid": "run-upload"}),
            ),
            field("Scenario", rx.input(value=s.scenario, on_change=s.set_scenario, data_testid="run-scenario")),
            rx.button(
                "Start run",
                on_click=s.start,
                loading=s.busy,
                disabled=s.busy,
                data_testid="run-start",
                align_self="end",
            ),
            gap="1rem",
            wrap="wrap",
            align="end",
        ),
        rx.text(
            "Employee data comes in as an import for a plan (target comp.employees): ",
            rx.link("import a file", href="/imports/new?target=comp.employees"),
            ".",
            size="2",
            color_scheme="gray",
        ),
    )


@app_page(
    "/comp/runs",
    "Compensation runs",
    permission=READ,
    nav="Runs",
    icon="calculator",
    order=61,
    nav_group=GROUP,
    on_load=CompRunsState.load,
)
def runs_page() -> rx.Component:
    s = CompRunsState
    return rx.vstack(
        rx.heading("Compensation runs", size="6"),
        messages(s.error, s.notice),
        rx.cond(s.can_start, _start_form()),
        table_or_empty(s.runs, COLUMNS, "runs-table", "No run yet.", "calculator", row_testid="run-row"),
        spacing="4",
        width="100%",
    )
