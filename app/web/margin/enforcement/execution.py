"""/execution: one batch's live progress. A background event follows the batch's job
(`models.jobs.progress.watch_job`: Redis pub/sub, Postgres polling as the fallback); start and
cancel go through models.margin.actions."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import reflex as rx
from reflex.vars import Var

from app.web.kit import controls
from app.web.kit import format as fmt
from app.web.kit.badges import status_badge
from app.web.kit.calls import write
from app.web.kit.controls import busy_button
from app.web.kit.feedback import error_box
from app.web.kit.jobs import JobWatchMixin
from app.web.margin.enforcement.rows import Execution
from app.web.margin.enforcement.views import (
    batch_header,
    count_badges,
    do_cancel,
    do_start,
    fetch_execution,
    stack,
)
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.errors import DomainError
from engine.margin.permissions import ENFORCE, READ
from models.margin.queries.enforcement import pick_batch


class ExecutionState(JobWatchMixin, AuthState):
    _batch_id: str = ""
    _job_id: str = ""
    batch: Execution = Execution()
    can_cancel: bool = False
    can_start: bool = False
    confirm_cancel: bool = False
    busy: bool = False
    report_href: str = ""
    error: str = ""
    empty: bool = False
    empty_message: str = ""

    def _apply_data(self, data: Execution) -> None:
        self.batch, self._job_id, self.report_href = data, data.job_id, f"/reports/{data.id}"

    def _clear(self, message: str = "") -> None:
        """Forget the shown batch entirely (and stop a watcher from writing into the page)."""
        self._batch_id = self._job_id = self.report_href = ""
        self._stop_watch()
        self.batch = Execution()
        self.can_cancel = self.can_start = self.confirm_cancel = self.live = False
        self.empty, self.empty_message = bool(message), message

    _watch_permission: ClassVar[str] = READ

    def _watch_fetch(self, ctx: TenantContext, key: str) -> Execution:
        return fetch_execution(ctx, key)

    def _watch_apply(self, ctx: TenantContext, data: Execution) -> None:
        self._apply_data(data)
        self._permissions(ctx)

    def _watch_failed(self, message: str) -> None:
        self.error = message

    def _permissions(self, ctx: TenantContext) -> None:
        may = ctx.can(ENFORCE)
        self.can_cancel = may and not self.batch.finished
        self.can_start = may and self.batch.status == "draft"

    def _show(self, ctx: TenantContext, data: Execution) -> Any:
        """Show the batch; while it runs, the event that follows its job (else None)."""
        self._apply_data(data)
        self._permissions(ctx)
        if not self.batch.finished and self._job_id:
            return self._start_watch(self._batch_id, self._job_id)
        return None

    async def _enforcer(self, verb: str) -> TenantContext | None:
        """The context of a person who may run enforcement, else None with the refusal shown."""
        ctx = await self._require(ENFORCE)
        if ctx is None:
            self.error = f"Your role may not {verb} batches."
        return ctx

    @rx.event
    async def load(self):
        ctx = await self._require(READ)
        self.error, self.busy = "", False
        self._clear()
        if ctx is None:
            return
        raw = self.router.url.query_parameters.get("batchId", "")
        wanted = (raw if isinstance(raw, str) else str(raw or "")).strip()[:64]
        if wanted and fmt.parse_uuid(wanted) is None:
            self.error = "Batch not found: the link's batch id is not valid."
            self._clear("No batch to show. Open one from Reports.")
            return
        try:
            batch_id = await asyncio.to_thread(pick_batch, ctx, wanted)
            if not batch_id:
                self._clear("No enforcement batch yet. Create one in Bulk.")
                return
            data = await asyncio.to_thread(fetch_execution, ctx, batch_id)
        except DomainError as exc:
            self.error = f"Batch not found: {fmt.error_text(exc)}" if wanted else fmt.error_text(exc)
            self._clear("No batch to show. Open one from Reports.")
            return
        self._batch_id = batch_id
        return self._show(ctx, data)

    @rx.event
    async def start(self):
        """Start the shown draft (the same model function as POST /api/enforcement/batches/{id}/start)."""
        ctx = await self._enforcer("start")
        if ctx is None or self.busy:
            return
        batch_id = self._batch_id
        if not batch_id or self.batch.status != "draft":
            self.error = "Only a draft batch can be started."
            return
        self.busy, self.error = True, ""
        yield
        try:
            await write(do_start, ctx, batch_id)
            data = await asyncio.to_thread(fetch_execution, ctx, batch_id)
        except DomainError as exc:
            self.error = fmt.error_text(exc)
            return
        finally:
            self.busy = False
        watch = self._show(ctx, data)
        if watch is not None:
            yield watch

    @rx.event
    async def ask_cancel(self):
        if await self._enforcer("cancel") is None:
            return
        self.confirm_cancel = bool(self._batch_id) and not self.batch.finished

    @rx.event
    def keep_batch(self):
        self.confirm_cancel = False

    @rx.event
    def set_confirm_cancel(self, value: bool):
        if not value:
            self.confirm_cancel = False

    @rx.event
    async def cancel(self):
        ctx = await self._enforcer("cancel")
        self.confirm_cancel = False
        if ctx is not None and not self._batch_id:
            self.error = "No batch."
        if ctx is None or not self._batch_id:
            return
        if self.busy:
            return
        self.busy = True
        try:
            await write(do_cancel, ctx, self._batch_id)
            self._apply_data(await asyncio.to_thread(fetch_execution, ctx, self._batch_id))
            self._permissions(ctx)
        except DomainError as exc:
            self.error = fmt.error_text(exc)
        finally:
            self.busy = False


def _cancel_dialog(s: Any) -> rx.Component:
    keep = controls.soft_button("Keep running", on_click=s.keep_batch, testid="execution-cancel-keep")
    stop = rx.button(
        "Cancel batch", color_scheme="red", on_click=s.cancel, disabled=s.busy, data_testid="execution-cancel-confirm"
    )
    return controls.confirm_dialog(
        "Cancel this batch?",
        "Pending notices will not be sent. Notices already sent stay sent and remain in the report. "
        "This cannot be undone.",
        keep=keep,
        confirm=stop,
        open_=s.confirm_cancel,
        on_open_change=s.set_confirm_cancel,
    )


BATCH_COLORS = (("completed", "green"), ("running", "blue"), ("cancelled", "amber"), ("failed", "red"))


def _header() -> rx.Component:
    s = ExecutionState
    b = s.batch
    return batch_header(
        b,
        status_badge(b.status, BATCH_COLORS, words=False, data_testid="execution-status"),
        rx.cond(s.live, rx.badge(rx.spinner(size="1"), "live", color_scheme="blue", variant="outline")),
        rx.spacer(),
        rx.cond(
            s.can_start,
            busy_button("Start batch", "play", s.busy, s.start, "execution-start", color_scheme="green"),
        ),
        rx.cond(
            s.can_cancel & ~b.finished,
            controls.soft_button(
                rx.icon("circle-stop", size=16),
                "Cancel batch",
                on_click=s.ask_cancel,
                testid="execution-cancel",
                color="red",
                disabled=s.busy,
            ),
        ),
        rx.link("Report", href=s.report_href, data_testid="execution-report"),
    )


def _feed_line(f: Var) -> rx.Component:
    return rx.hstack(
        rx.code(f["at"], variant="ghost", white_space="nowrap"),
        rx.badge(f["event"], color_scheme=rx.match(f["level"], ("warning", "amber"), ("error", "red"), "gray")),
        rx.text(f["message"], size="2"),
        data_testid="feed-row",
    )


@app_page(
    "/execution", "Execution", permission=READ, nav="Execution", icon="activity", order=14, on_load=ExecutionState.load
)
def execution_page() -> rx.Component:
    s = ExecutionState
    b = s.batch
    return stack(
        error_box(s.error),
        _cancel_dialog(s),
        rx.cond(
            s.empty,
            rx.callout(s.empty_message, icon="info", data_testid="execution-empty"),
            stack(
                _header(),
                rx.cond(
                    b.status == "draft",
                    rx.text(
                        "Draft: not started yet, no notice has been sent.",
                        size="2",
                        color_scheme="gray",
                        data_testid="execution-draft",
                    ),
                ),
                rx.progress(value=b.percent, max=100, width="100%", data_testid="execution-progress"),
                rx.text(b.progress, " · ", b.percent, "%", size="2", data_testid="execution-count"),
                count_badges(b.counts, variant="soft", data_testid="execution-outcome"),
                rx.card(
                    rx.vstack(
                        rx.heading("Feed", size="3"),
                        rx.foreach(b.feed, _feed_line),
                        spacing="2",
                        width="100%",
                        role="log",
                        aria_live="polite",
                    ),
                    width="100%",
                ),
                spacing="3",
            ),
        ),
    )
