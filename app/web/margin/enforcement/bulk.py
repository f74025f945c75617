"""/bulk: filter alerts → choose the action → preview (who gets what, recoverable margin, skipped
alerts and why) → create the batch → start it (then /execution?batchId=…). Every handler checks
the permission itself; the filters live in the state, never in event arguments."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import reflex as rx

from app.web.kit import controls
from app.web.kit import format as fmt
from app.web.kit.calls import call
from app.web.kit.controls import ANY, busy_button
from app.web.kit.feedback import error_box
from app.web.kit.rows import Option
from app.web.kit.table import column_table
from app.web.margin.components import rule_label
from app.web.margin.enforcement.rows import Preview
from app.web.margin.enforcement.views import (
    bulk_filters,
    card,
    choice,
    do_create,
    do_start,
    fetch_dealer_options,
    fetch_preview,
    in_currency,
    stack,
    status_cell,
)
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.margin.enforcement import ACTIONS
from engine.margin.frames import PRICE_RULES
from engine.margin.permissions import ENFORCE
from engine.margin.severity import LEVELS


class BulkState(AuthState):
    step: int = 1
    f_rule: str = ANY
    f_severity: str = ANY
    f_dealer: str = ANY
    action: str = "warning_notice"
    batch_name: str = ""
    dealer_options: list[Option] = []
    preview: Preview = Preview()
    created_id: str = ""
    creating: bool = False
    loading: bool = False
    error: str = ""
    _preview_key: str = ""  # one per preview: a preview creates at most one batch
    _created_for: str = ""

    def _reset_preview(self) -> None:
        self.step, self.preview, self._preview_key = min(self.step, 2), Preview(), ""

    @rx.event
    async def load(self):
        ctx = await self._require(ENFORCE)
        self.step, self.preview = 1, Preview()
        self.created_id, self.error, self.creating = "", "", False
        self._preview_key = self._created_for = ""
        if ctx is None:
            self.dealer_options = []
            return
        self.loading = True
        yield
        self.dealer_options = await asyncio.to_thread(fetch_dealer_options, ctx)
        self.loading = False

    # The filters and the action are locked once the preview created a batch (its draft stays
    # startable here); `new_preview` unlocks them explicitly.

    def _choose(self, name: str, value: Any, allowed: Any, fallback: str | None = ANY) -> None:
        """Set a filter (or the action) to an allowed value, else `fallback` (None: keep it); locked
        once a batch is created; a new choice drops the preview."""
        if self.created_id:
            return
        value = value if isinstance(value, str) else ""
        if value in allowed:
            setattr(self, name, value)
        elif fallback is not None:
            setattr(self, name, fallback)
        self._reset_preview()

    @rx.event
    def set_rule(self, value: str):
        self._choose("f_rule", value, PRICE_RULES)

    @rx.event
    def set_severity(self, value: str):
        self._choose("f_severity", value, LEVELS)

    @rx.event
    def set_dealer(self, value: str):
        dealer = fmt.parse_uuid(value)
        self._choose("f_dealer", str(dealer) if dealer else "", {str(dealer)} if dealer else set())

    @rx.event
    def set_action(self, value: str):
        self._choose("action", value, ACTIONS, None)

    @rx.event
    def set_batch_name(self, value: str):
        self.batch_name = value[:200] if isinstance(value, str) else ""

    @rx.event
    def new_preview(self):
        """Leave the created draft as it is (startable from /execution) and unlock the wizard."""
        if self.creating:
            return
        self.created_id, self.batch_name, self.error, self._created_for = "", "", "", ""
        self.step = 2
        self._reset_preview()

    @rx.event
    def go(self, step: int):
        try:
            wanted = int(step)
        except (TypeError, ValueError):
            return
        if 1 <= wanted <= 2 and not self.created_id:
            self.step = wanted

    def _begin(self, ctx: TenantContext | None) -> bool:
        """Refuse a caller without the permission, else turn the spinner on (the handler yields next)."""
        if ctx is None:
            self.error = "Your role may not run enforcement."
            return False
        self.loading, self.error = True, ""
        return True

    @rx.event
    async def run_preview(self):
        ctx = await self._require(ENFORCE)
        if ctx is not None and self.created_id:
            return  # locked: the preview already created a batch
        if not self._begin(ctx):
            return
        yield
        ok, data = await call(
            self, fetch_preview, ctx, bulk_filters(self.f_rule, self.f_severity, self.f_dealer), self.action
        )
        if ok:
            self.preview, self.step = data, 3
            self._preview_key = uuid.uuid4().hex
        self.loading = False

    @rx.event
    async def create(self):
        ctx = await self._require(ENFORCE)
        # a second click (double-click, queued event) or a replay: one batch per preview
        if ctx is not None and (
            self.creating or self.created_id or not self._preview_key or self._created_for == self._preview_key
        ):
            return
        if not self._begin(ctx):
            return
        self.creating, self._created_for = True, self._preview_key
        yield
        try:
            ok, created_id = await call(
                self,
                do_create,
                ctx,
                bulk_filters(self.f_rule, self.f_severity, self.f_dealer),
                self.action,
                self.batch_name,
                writes=True,
            )
        finally:
            self.creating, self.loading = False, False
        if ok:
            self.created_id, self.step = created_id, 4
        else:
            self._created_for = ""

    @rx.event
    async def start(self):
        ctx = await self._require(ENFORCE)
        if ctx is not None and not fmt.parse_uuid(self.created_id):
            self.error = "Nothing to start."
            return
        if not self._begin(ctx):
            return
        yield
        ok, _ = await call(self, do_start, ctx, self.created_id, writes=True)
        self.loading = False
        if ok:
            yield rx.redirect(f"/execution?batchId={self.created_id}")


def _step_badge(n: int, title: str) -> rx.Component:
    return rx.badge(
        f"{n}. {title}",
        color_scheme=rx.cond(BulkState.step >= n, "indigo", "gray"),
        variant=rx.cond(BulkState.step == n, "solid", "soft"),
        size="2",
    )


def _filters() -> rx.Component:
    s = BulkState
    locked = s.created_id != ""
    fields = [
        ("Rule", s.f_rule, s.set_rule, [(r, rule_label(r)) for r in PRICE_RULES], "bulk-rule", "MAP and MRP"),
        ("Severity", s.f_severity, s.set_severity, [(lv, lv) for lv in LEVELS], "bulk-severity", "Any severity"),
        ("Dealer", s.f_dealer, s.set_dealer, s.dealer_options, "bulk-dealer", "All dealers"),
        ("Action", s.action, s.set_action, [(k, v[0]) for k, v in ACTIONS.items()], "bulk-action", ""),
    ]
    return card(
        rx.heading("Alerts to enforce", size="3"),
        rx.flex(
            *[
                choice(label, value, on_change, options, testid, first=(ANY, every) if every else None, disabled=locked)
                for label, value, on_change, options, testid, every in fields
            ],
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        busy_button(
            "Preview",
            "eye",
            s.loading & (s.step < 3),
            s.run_preview,
            "bulk-preview",
            disabled=s.loading | locked,
        ),
    )


PREVIEW_COLUMNS = [
    ("Dealer", "dealer"),
    ("Alerts", "alerts"),
    ("SKUs", "skus"),
    ("Dealer status", status_cell),
    (in_currency("Recoverable", BulkState.preview.currency), "recoverable"),
    ("Follow-up task", "follow_up"),
]


def _nothing_to_send() -> rx.Component:
    p = BulkState.preview
    return rx.callout(
        rx.vstack(
            rx.text(p.empty),
            rx.cond(p.reasons != "", rx.text("Skipped: ", p.reasons, size="2", data_testid="bulk-skip-reasons")),
            spacing="1",
        ),
        icon="info",
        color_scheme="amber",
        data_testid="bulk-empty",
    )


def _create() -> rx.Component:
    s = BulkState
    none = s.preview.lines.length() == 0
    return rx.hstack(
        rx.input(
            placeholder="Batch name (optional)",
            value=s.batch_name,
            on_change=s.set_batch_name,
            aria_label="Batch name",
            max_length=200,
            width="20rem",
        ),
        busy_button(
            "Create batch",
            "package-plus",
            s.loading,
            s.create,
            "bulk-create",
            disabled=s.loading | s.creating | (s.created_id != "") | none,
        ),
        rx.cond(none, rx.text("Nothing to create: no dealer is eligible.", size="2", color_scheme="gray")),
        **controls.ROW,
    )


def _start() -> rx.Component:
    s = BulkState
    return rx.vstack(
        rx.callout(
            "Batch created (draft). Start it to send the notices. The filters and the action are "
            "locked for this batch; “New preview” starts over (the draft stays startable from "
            "Execution).",
            icon="check",
        ),
        rx.hstack(
            busy_button("Start batch", "play", s.loading, s.start, "bulk-start", color_scheme="green", auto_focus=True),
            rx.link("Open in Execution", href="/execution?batchId=" + s.created_id, data_testid="bulk-open-execution"),
            controls.soft_button(
                rx.icon("rotate-ccw", size=16),
                "New preview",
                on_click=s.new_preview,
                testid="bulk-new-preview",
                disabled=s.loading,
            ),
            spacing="3",
            **controls.ROW,
        ),
        width="100%",
    )


def _preview() -> rx.Component:
    s = BulkState
    p = s.preview
    return card(
        rx.hstack(
            rx.heading("Preview", size="3"),
            rx.badge(p.totals, variant="soft"),
            rx.spacer(),
            rx.text(
                "Expected recoverable margin: ",
                rx.text.strong(p.recoverable, rx.cond(p.currency != "", " " + p.currency, "")),
                data_testid="bulk-recoverable",
            ),
            width="100%",
            wrap="wrap",
        ),
        rx.cond(
            p.lines.length() > 0,
            column_table(PREVIEW_COLUMNS, p.lines, "preview-table", "preview-row"),
            _nothing_to_send(),
        ),
        rx.cond(
            p.skipped.length() > 0,
            rx.vstack(
                rx.heading("Skipped", size="2"),
                column_table(
                    [("Dealer", "dealer"), ("Rule", "rule"), ("Why", "reason")],
                    p.skipped,
                    "skipped-table",
                    "skipped-row",
                ),
                width="100%",
            ),
        ),
        rx.cond(s.step == 3, _create()),
        rx.cond(s.step == 4, _start()),
    )


@app_page("/bulk", "Bulk enforcement", permission=ENFORCE, nav="Bulk", icon="send", order=13, on_load=BulkState.load)
def bulk_page() -> rx.Component:
    s = BulkState
    return stack(
        rx.hstack(
            _step_badge(1, "Filter"),
            _step_badge(2, "Action"),
            _step_badge(3, "Preview"),
            _step_badge(4, "Start"),
            spacing="2",
            wrap="wrap",
        ),
        error_box(s.error),
        _filters(),
        rx.cond(s.step >= 3, _preview()),
    )
