"""/bulk: filter alerts → choose the action → preview (who gets what, recoverable margin, skipped
alerts and why) → create the batch → start it (then /execution?batchId=…). Every handler checks
the permission itself; the filters live in the state, never in event arguments."""

from __future__ import annotations

import asyncio
import uuid

import reflex as rx

from app.web.kit import format as fmt
from app.web.kit.calls import call
from app.web.kit.controls import ANY
from app.web.kit.feedback import error_box
from app.web.kit.table import column_table
from app.web.margin.components import rule_label
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
    dealer_options: list[dict[str, str]] = []
    items: list[dict[str, str]] = []
    skipped: list[dict[str, str]] = []
    reasons: str = ""
    empty: str = ""
    recoverable: str = ""
    currency: str = ""
    totals: str = ""
    created_id: str = ""
    creating: bool = False
    loading: bool = False
    error: str = ""
    _preview_key: str = ""  # one per preview: a preview creates at most one batch
    _created_for: str = ""

    def _reset_preview(self) -> None:
        self.step, self.items, self.skipped, self.reasons, self.empty = min(self.step, 2), [], [], "", ""
        self._preview_key = ""

    @rx.event
    async def load(self):
        ctx = await self._require(ENFORCE)
        self.step, self.items, self.skipped, self.reasons, self.empty = 1, [], [], "", ""
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

    @rx.event
    def set_rule(self, value: str):
        if self.created_id:
            return
        value = value if isinstance(value, str) else ""
        self.f_rule = value if value in PRICE_RULES else ANY
        self._reset_preview()

    @rx.event
    def set_severity(self, value: str):
        if self.created_id:
            return
        value = value if isinstance(value, str) else ""
        self.f_severity = value if value in LEVELS else ANY
        self._reset_preview()

    @rx.event
    def set_dealer(self, value: str):
        if self.created_id:
            return
        self.f_dealer = str(fmt.parse_uuid(value)) if fmt.parse_uuid(value) else ANY
        self._reset_preview()

    @rx.event
    def set_action(self, value: str):
        if self.created_id:
            return
        if isinstance(value, str) and value in ACTIONS:
            self.action = value
        self._reset_preview()

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
            self.items, self.skipped, self.reasons = data["items"], data["skipped"], data["reasons"]
            self.recoverable, self.totals, self.currency = data["recoverable"], data["totals"], data["currency"]
            self.empty = data["empty"]
            self.step = 3
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


@app_page("/bulk", "Bulk enforcement", permission=ENFORCE, nav="Bulk", icon="send", order=13, on_load=BulkState.load)
def bulk_page() -> rx.Component:
    s = BulkState
    locked = s.created_id != ""
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
        card(
            rx.heading("Alerts to enforce", size="3"),
            rx.flex(
                choice(
                    "Rule",
                    s.f_rule,
                    s.set_rule,
                    [(r, rule_label(r)) for r in PRICE_RULES],
                    "bulk-rule",
                    first=(ANY, "MAP and MRP"),
                    disabled=locked,
                ),
                choice(
                    "Severity",
                    s.f_severity,
                    s.set_severity,
                    [(lv, lv) for lv in LEVELS],
                    "bulk-severity",
                    first=(ANY, "Any severity"),
                    disabled=locked,
                ),
                choice(
                    "Dealer",
                    s.f_dealer,
                    s.set_dealer,
                    s.dealer_options,
                    "bulk-dealer",
                    first=(ANY, "All dealers"),
                    keys=("id", "label"),
                    disabled=locked,
                ),
                choice(
                    "Action",
                    s.action,
                    s.set_action,
                    [(k, v[0]) for k, v in ACTIONS.items()],
                    "bulk-action",
                    disabled=locked,
                ),
                spacing="3",
                wrap="wrap",
                width="100%",
            ),
            rx.button(
                rx.cond(s.loading & (s.step < 3), rx.spinner(size="1"), rx.icon("eye", size=16)),
                "Preview",
                on_click=s.run_preview,
                disabled=s.loading | locked,
                data_testid="bulk-preview",
            ),
        ),
        rx.cond(
            s.step >= 3,
            card(
                rx.hstack(
                    rx.heading("Preview", size="3"),
                    rx.badge(s.totals, variant="soft"),
                    rx.spacer(),
                    rx.text(
                        "Expected recoverable margin: ",
                        rx.text.strong(s.recoverable, rx.cond(s.currency != "", " " + s.currency, "")),
                        data_testid="bulk-recoverable",
                    ),
                    width="100%",
                    wrap="wrap",
                ),
                rx.cond(
                    s.items.length() > 0,
                    column_table(
                        [
                            ("Dealer", "dealer"),
                            ("Alerts", "alerts"),
                            ("SKUs", "skus"),
                            ("Dealer status", status_cell),
                            (in_currency("Recoverable", s.currency), "recoverable"),
                            ("Follow-up task", "follow_up"),
                        ],
                        s.items,
                        "preview-table",
                        "preview-row",
                    ),
                    rx.callout(
                        rx.vstack(
                            rx.text(s.empty),
                            rx.cond(
                                s.reasons != "",
                                rx.text("Skipped: ", s.reasons, size="2", data_testid="bulk-skip-reasons"),
                            ),
                            spacing="1",
                        ),
                        icon="info",
                        color_scheme="amber",
                        data_testid="bulk-empty",
                    ),
                ),
                rx.cond(
                    s.skipped.length() > 0,
                    rx.vstack(
                        rx.heading("Skipped", size="2"),
                        column_table(
                            [("Dealer", "dealer"), ("Rule", "rule"), ("Why", "reason")],
                            s.skipped,
                            "skipped-table",
                            "skipped-row",
                        ),
                        width="100%",
                    ),
                ),
                rx.cond(
                    s.step == 3,
                    rx.hstack(
                        rx.input(
                            placeholder="Batch name (optional)",
                            value=s.batch_name,
                            on_change=s.set_batch_name,
                            aria_label="Batch name",
                            max_length=200,
                            width="20rem",
                        ),
                        rx.button(
                            rx.cond(s.loading, rx.spinner(size="1"), rx.icon("package-plus", size=16)),
                            "Create batch",
                            on_click=s.create,
                            disabled=s.loading | s.creating | locked | (s.items.length() == 0),
                            data_testid="bulk-create",
                        ),
                        rx.cond(
                            s.items.length() == 0,
                            rx.text("Nothing to create: no dealer is eligible.", size="2", color_scheme="gray"),
                        ),
                        wrap="wrap",
                        align="center",
                    ),
                ),
                rx.cond(
                    s.step == 4,
                    rx.vstack(
                        rx.callout(
                            "Batch created (draft). Start it to send the notices. The filters and the action are "
                            "locked for this batch; “New preview” starts over (the draft stays startable from "
                            "Execution).",
                            icon="check",
                        ),
                        rx.hstack(
                            rx.button(
                                rx.cond(s.loading, rx.spinner(size="1"), rx.icon("play", size=16)),
                                "Start batch",
                                on_click=s.start,
                                disabled=s.loading,
                                color_scheme="green",
                                data_testid="bulk-start",
                                auto_focus=True,
                            ),
                            rx.link(
                                "Open in Execution",
                                href="/execution?batchId=" + s.created_id,
                                data_testid="bulk-open-execution",
                            ),
                            rx.button(
                                rx.icon("rotate-ccw", size=16),
                                "New preview",
                                on_click=s.new_preview,
                                disabled=s.loading,
                                variant="soft",
                                color_scheme="gray",
                                data_testid="bulk-new-preview",
                            ),
                            wrap="wrap",
                            align="center",
                            spacing="3",
                        ),
                        width="100%",
                    ),
                ),
            ),
        ),
    )
