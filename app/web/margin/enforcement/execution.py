"""/execution: one batch's live progress. A background event follows the batch's job
(`models.jobs.progress.watch_job`: Redis pub/sub, Postgres polling as the fallback); start and
cancel go through models.margin.actions."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import reflex as rx

from app.web.kit import format as fmt
from app.web.kit.calls import write
from app.web.kit.feedback import error_box
from app.web.kit.jobs import JobWatchMixin
from app.web.margin.enforcement.views import (
    batch_header,
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
    name: str = ""
    label: str = ""
    status: str = ""
    percent: int = 0
    progress: str = ""
    counts: list[dict[str, str]] = []
    feed: list[dict[str, str]] = []
    finished: bool = True
    can_cancel: bool = False
    can_start: bool = False
    confirm_cancel: bool = False
    busy: bool = False
    report_href: str = ""
    error: str = ""
    empty: bool = False
    empty_message: str = ""

    def _apply_data(self, data: dict[str, Any]) -> None:
        self.name, self.label, self.status = data["name"], data["label"], data["status"]
        self.percent, self.progress = data["percent"], data["progress"]
        self.counts, self.feed, self.finished = data["counts"], data["feed"], data["finished"]
        self._job_id = data["job_id"]
        self.report_href = f"/reports/{data['id']}"

    def _clear(self, message: str = "") -> None:
        """Forget the shown batch entirely (and stop a watcher from writing into the page)."""
        self._batch_id = self._job_id = ""
        self._stop_watch()
        self.name = self.label = self.status = self.progress = self.report_href = ""
        self.percent, self.counts, self.feed = 0, [], []
        self.finished, self.can_cancel, self.can_start, self.confirm_cancel, self.live = (
            True,
            False,
            False,
            False,
            False,
        )
        self.empty, self.empty_message = bool(message), message

    _watch_permission: ClassVar[str] = READ

    def _watch_fetch(self, ctx: TenantContext, key: str) -> dict[str, Any]:
        return fetch_execution(ctx, key)

    def _watch_apply(self, ctx: TenantContext, data: dict[str, Any]) -> None:
        self._apply_data(data)
        self._permissions(ctx)

    def _watch_failed(self, message: str) -> None:
        self.error = message

    def _permissions(self, ctx: TenantContext) -> None:
        may = ctx.can(ENFORCE)
        self.can_cancel = may and not self.finished
        self.can_start = may and self.status == "draft"

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
        self._apply_data(data)
        self._permissions(ctx)
        if not self.finished and self._job_id:
            return self._start_watch(batch_id, self._job_id)

    @rx.event
    async def start(self):
        """Start the shown draft (the same model function as POST /api/enforcement/batches/{id}/start)."""
        ctx = await self._require(ENFORCE)
        if ctx is None:
            self.error = "Your role may not start batches."
            return
        if self.busy:
            return
        if not self._batch_id or self.status != "draft":
            self.error = "Only a draft batch can be started."
            return
        self.busy, self.error = True, ""
        yield
        batch_id = self._batch_id
        try:
            await write(do_start, ctx, batch_id)
            data = await asyncio.to_thread(fetch_execution, ctx, batch_id)
        except DomainError as exc:
            self.error = fmt.error_text(exc)
            return
        finally:
            self.busy = False
        self._apply_data(data)
        self._permissions(ctx)
        if not self.finished and self._job_id:
            yield self._start_watch(batch_id, self._job_id)

    @rx.event
    async def ask_cancel(self):
        ctx = await self._require(ENFORCE)
        if ctx is None:
            self.error = "Your role may not cancel batches."
            return
        self.confirm_cancel = bool(self._batch_id) and not self.finished

    @rx.event
    def keep_batch(self):
        self.confirm_cancel = False

    @rx.event
    def set_confirm_cancel(self, value: bool):
        if not value:
            self.confirm_cancel = False

    @rx.event
    async def cancel(self):
        ctx = await self._require(ENFORCE)
        self.confirm_cancel = False
        if ctx is None or not self._batch_id:
            self.error = "Your role may not cancel batches." if ctx is None else "No batch."
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
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Cancel this batch?"),
            rx.alert_dialog.description(
                "Pending notices will not be sent. Notices already sent stay sent and remain in the report. "
                "This cannot be undone.",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(
                    rx.button(
                        "Keep running",
                        variant="soft",
                        color_scheme="gray",
                        on_click=s.keep_batch,
                        data_testid="execution-cancel-keep",
                    ),
                ),
                rx.alert_dialog.action(
                    rx.button(
                        "Cancel batch",
                        color_scheme="red",
                        on_click=s.cancel,
                        disabled=s.busy,
                        data_testid="execution-cancel-confirm",
                    ),
                ),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
            max_width="28rem",
        ),
        open=s.confirm_cancel,
        on_open_change=s.set_confirm_cancel,
    )


@app_page(
    "/execution", "Execution", permission=READ, nav="Execution", icon="activity", order=14, on_load=ExecutionState.load
)
def execution_page() -> rx.Component:
    s = ExecutionState
    return stack(
        error_box(s.error),
        _cancel_dialog(s),
        rx.cond(
            s.empty,
            rx.callout(s.empty_message, icon="info", data_testid="execution-empty"),
            stack(
                batch_header(
                    s,
                    rx.badge(
                        s.status,
                        color_scheme=rx.match(
                            s.status,
                            ("completed", "green"),
                            ("running", "blue"),
                            ("cancelled", "amber"),
                            ("failed", "red"),
                            "gray",
                        ),
                        data_testid="execution-status",
                    ),
                    rx.cond(s.live, rx.badge(rx.spinner(size="1"), "live", color_scheme="blue", variant="outline")),
                    rx.spacer(),
                    rx.cond(
                        s.can_start,
                        rx.button(
                            rx.cond(s.busy, rx.spinner(size="1"), rx.icon("play", size=16)),
                            "Start batch",
                            color_scheme="green",
                            on_click=s.start,
                            disabled=s.busy,
                            data_testid="execution-start",
                        ),
                    ),
                    rx.cond(
                        s.can_cancel & ~s.finished,
                        rx.button(
                            rx.icon("circle-stop", size=16),
                            "Cancel batch",
                            color_scheme="red",
                            variant="soft",
                            on_click=s.ask_cancel,
                            disabled=s.busy,
                            data_testid="execution-cancel",
                        ),
                    ),
                    rx.link("Report", href=s.report_href, data_testid="execution-report"),
                ),
                rx.cond(
                    s.status == "draft",
                    rx.text(
                        "Draft: not started yet, no notice has been sent.",
                        size="2",
                        color_scheme="gray",
                        data_testid="execution-draft",
                    ),
                ),
                rx.progress(value=s.percent, max=100, width="100%", data_testid="execution-progress"),
                rx.text(s.progress, " · ", s.percent, "%", size="2", data_testid="execution-count"),
                rx.hstack(
                    rx.foreach(
                        s.counts,
                        lambda c: rx.badge(
                            c["outcome"], ": ", c["count"], variant="soft", size="2", data_testid="execution-outcome"
                        ),
                    ),
                    wrap="wrap",
                ),
                rx.card(
                    rx.vstack(
                        rx.heading("Feed", size="3"),
                        rx.foreach(
                            s.feed,
                            lambda f: rx.hstack(
                                rx.code(f["at"], variant="ghost", white_space="nowrap"),
                                rx.badge(
                                    f["event"],
                                    color_scheme=rx.match(f["level"], ("warning", "amber"), ("error", "red"), "gray"),
                                ),
                                rx.text(f["message"], size="2"),
                                data_testid="feed-row",
                            ),
                        ),
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
