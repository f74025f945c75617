"""Bulk enforcement pages: /bulk (wizard), /execution (live progress), /reports and /reports/[batch_id].

/bulk: filter alerts → choose the action → preview (who gets what, recoverable margin, skipped
alerts and why) → create the batch → start it (then /execution?batchId=…). /execution follows the
batch's job live through a background event (`models.progress.watch_job`: Redis pub/sub, Postgres
polling as the fallback). Every handler checks its own permission (`await self._require(...)`);
ids come from the server-side session, never from arguments.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import reflex as rx
from reflex.vars import Var

from app.web.auth import AuthState
from app.web.layout import app_page
from engine.context import TenantContext
from engine.errors import DomainError
from engine.margin.enforcement import ACTIONS, SKIP_REASONS
from engine.margin.frames import PRICE_RULES
from engine.margin.severity import LEVELS
from models.db import tenant_session
from models.margin import enforcement
from models.margin.dealers import list_dealers
from models.progress import watch_job

READ = "margin.read"
ENFORCE = "margin.enforcement.run"
ALL = "__all__"
FINISHED = ("completed", "cancelled", "failed")


def _money(value: Any) -> str:
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    return f"{amount:,.2f}"


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def _error(exc: DomainError) -> str:
    return exc.message + (f" ({', '.join(exc.fields)})" if exc.fields else "")


# --- data access (worker threads; one transaction each; plain dicts out) ------------------------


def fetch_dealer_options(ctx: TenantContext) -> list[dict[str, str]]:
    with tenant_session(ctx) as session:
        page, statuses, figures = list_dealers(session, ctx, limit=200)
        return [
            {
                "id": str(d.id),
                "label": f"{d.name} · {statuses.get(d.id, 'active')} · {figures.get(d.id, {}).get('open_alerts', 0)} open",
            }
            for d in page.items
        ]


def _filters(rule: str, severity: str, dealer: str) -> dict[str, Any]:
    out: dict[str, Any] = {"rules": [rule] if rule in PRICE_RULES else list(PRICE_RULES)}
    if severity in LEVELS:
        out["severities"] = [severity]
    if _uuid(dealer):
        out["dealer_ids"] = [str(_uuid(dealer))]
    return out


def fetch_preview(ctx: TenantContext, filters: dict[str, Any], action: str) -> dict[str, Any]:
    with tenant_session(ctx) as session:
        data = enforcement.preview(session, ctx, filters, action)
    return {
        "recoverable": _money(data["recoverable"]),
        "items": [
            {
                "dealer": i["dealer_name"],
                "alerts": str(i["alert_count"]),
                "skus": ", ".join(i["sku_codes"]),
                "status": f"{i['status_before']} → {i['status_after']}",
                "recoverable": _money(i["recoverable"]),
                "follow_up": f"{i['follow_up']['title']} (in {i['follow_up']['due_in_days']} days)",
            }
            for i in data["items"]
        ],
        "skipped": [
            {"dealer": s["dealer_name"], "rule": (s["rule"] or "").replace("_", " "), "reason": s["detail"]}
            for s in data["skipped"]
        ],
        "totals": f"{data['totals']['items']} notices · {data['totals']['alerts']} alerts · {data['totals']['skipped']} skipped",
    }


def do_create(ctx: TenantContext, filters: dict[str, Any], action: str, name: str) -> str:
    with tenant_session(ctx) as session:
        batch = enforcement.create_batch(session, ctx, filters, action, name=name or None)
        return str(batch.id)


def do_start(ctx: TenantContext, batch_id: str) -> None:
    with tenant_session(ctx) as session:
        enforcement.start_batch(session, ctx, batch_id)


def do_cancel(ctx: TenantContext, batch_id: str) -> None:
    with tenant_session(ctx) as session:
        enforcement.cancel_batch(session, ctx, batch_id, "cancelled from the execution page")


def pick_batch(ctx: TenantContext, wanted: str) -> str:
    """The batch asked for, else the newest running/queued one, else the newest."""
    if _uuid(wanted):
        return str(_uuid(wanted))
    with tenant_session(ctx) as session:
        for status in ("running", "queued", None):
            page = enforcement.list_batches(session, ctx, status=status, limit=1)
            if page.items:
                return str(page.items[0].id)
    return ""


def fetch_execution(ctx: TenantContext, batch_id: str) -> dict[str, Any]:
    with tenant_session(ctx) as session:
        d = enforcement.batch_detail(session, ctx, batch_id, recent=30)
    counts = d["counts"]
    return {
        "id": str(d["id"]),
        "name": d["name"],
        "label": d["label"],
        "status": d["status"],
        "job_id": str(d["job_id"] or ""),
        "percent": int(d["percent"]),
        "progress": f"{counts.get('finished', 0)} / {d['item_count']} items",
        "counts": [
            {"outcome": k.replace("_", " "), "count": str(v)}
            for k, v in sorted(counts.items())
            if k not in ("total", "finished") and v
        ],
        "feed": [
            {"at": f["at"][11:19], "message": f["message"], "level": f["level"], "event": f["event"].replace("_", " ")}
            for f in d["feed"]
        ],
        "finished": d["status"] in FINISHED,
    }


def fetch_batches(ctx: TenantContext) -> list[dict[str, str]]:
    with tenant_session(ctx) as session:
        page = enforcement.list_batches(session, ctx, limit=100)
        rows = []
        for b in page.items:
            view = enforcement.batch_view(session, ctx, b)
            rows.append(
                {
                    "id": str(b.id),
                    "name": b.name,
                    "action": ACTIONS[b.action][0],
                    "status": b.status,
                    "items": str(b.item_count),
                    "done": str(view["counts"].get("finished", 0)),
                    "recoverable": _money(b.expected_recoverable),
                    "created": b.created_at.strftime("%Y-%m-%d %H:%M"),
                }
            )
        return rows


def fetch_report(ctx: TenantContext, batch_id: str) -> dict[str, Any]:
    with tenant_session(ctx) as session:
        r = enforcement.report(session, ctx, batch_id)
    d, t = r["deltas"], r["totals"]
    return {
        "name": r["batch"]["name"],
        "status": r["batch"]["status"],
        "label": r["batch"]["label"],
        "totals": [
            {"label": "Notices planned", "value": str(t["items"])},
            {"label": "Notices sent", "value": str(t["notices_sent"])},
            {"label": "Alerts covered", "value": str(t["alerts"])},
            {"label": "Skipped at preview", "value": str(t["skipped_at_preview"])},
            {"label": "Expected recoverable", "value": _money(t["expected_recoverable"])},
        ],
        "outcomes": [{"outcome": k.replace("_", " "), "count": str(v)} for k, v in t["outcomes"].items()],
        "deltas": [
            {
                "label": "Lost margin",
                "before": _money(d["lost_margin_before"]),
                "after": _money(d["lost_margin_after"]),
                "delta": _money(d["lost_margin_delta"]),
            },
            {
                "label": "Breaches",
                "before": str(d["breaches_before"]),
                "after": str(d["breaches_after"]),
                "delta": str(d["breaches_delta"]),
            },
        ],
        "lines": [
            {
                "dealer": item["dealer_name"],
                "outcome": item["outcome"].replace("_", " "),
                "status": f"{item['status_before']} → {item['status_after']}",
                "sku": line["sku_code"],
                "rule": line["rule"].replace("_", " "),
                "floor": _money(line["floor"]),
                "before": _money(line["price_before"]),
                "after": _money(line["price_after"]),
                "complied": "still below" if line["breaching_after"] else "at/above floor",
                "hours": "—" if line["time_to_comply_hours"] is None else f"{line['time_to_comply_hours']} h",
            }
            for item in r["items"]
            for line in item["alerts"]
        ],
        "csv": f"/api/reports/enforcement/{batch_id}.csv",
    }


# --- /bulk ---------------------------------------------------------------------------------------


class BulkState(AuthState):
    step: int = 1
    f_rule: str = ALL
    f_severity: str = ALL
    f_dealer: str = ALL
    action: str = "warning_notice"
    batch_name: str = ""
    dealer_options: list[dict[str, str]] = []
    items: list[dict[str, str]] = []
    skipped: list[dict[str, str]] = []
    recoverable: str = ""
    totals: str = ""
    created_id: str = ""
    loading: bool = False
    error: str = ""

    @rx.event
    async def load(self):
        ctx = await self._require(ENFORCE)
        self.step, self.items, self.skipped, self.created_id, self.error = 1, [], [], "", ""
        if ctx is None:
            self.dealer_options = []
            return
        self.loading = True
        yield
        self.dealer_options = await asyncio.to_thread(fetch_dealer_options, ctx)
        self.loading = False

    @rx.event
    def set_rule(self, value: str):
        value = value if isinstance(value, str) else ""
        self.f_rule = value if value in PRICE_RULES else ALL
        self.step, self.items = min(self.step, 2), []

    @rx.event
    def set_severity(self, value: str):
        value = value if isinstance(value, str) else ""
        self.f_severity = value if value in LEVELS else ALL
        self.step, self.items = min(self.step, 2), []

    @rx.event
    def set_dealer(self, value: str):
        self.f_dealer = str(_uuid(value)) if _uuid(value) else ALL
        self.step, self.items = min(self.step, 2), []

    @rx.event
    def set_action(self, value: str):
        if isinstance(value, str) and value in ACTIONS:
            self.action = value
        self.step, self.items = min(self.step, 2), []

    @rx.event
    def set_batch_name(self, value: str):
        self.batch_name = value[:200] if isinstance(value, str) else ""

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

    async def _call(self, fn: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
        """(True, fn(*args)) run in a worker thread; a DomainError becomes the page's error: (False, None)."""
        try:
            return True, await asyncio.to_thread(fn, *args)
        except DomainError as exc:
            self.error = _error(exc)
            return False, None

    @rx.event
    async def run_preview(self):
        ctx = await self._require(ENFORCE)
        if not self._begin(ctx):
            return
        yield
        ok, data = await self._call(fetch_preview, ctx, _filters(self.f_rule, self.f_severity, self.f_dealer),
                                    self.action)
        if ok:
            self.items, self.skipped = data["items"], data["skipped"]
            self.recoverable, self.totals = data["recoverable"], data["totals"]
            self.step = 3
        self.loading = False

    @rx.event
    async def create(self):
        ctx = await self._require(ENFORCE)
        if not self._begin(ctx):
            return
        yield
        ok, created_id = await self._call(
            do_create, ctx, _filters(self.f_rule, self.f_severity, self.f_dealer), self.action, self.batch_name
        )
        if ok:
            self.created_id, self.step = created_id, 4
        self.loading = False

    @rx.event
    async def start(self):
        ctx = await self._require(ENFORCE)
        if ctx is not None and not _uuid(self.created_id):
            self.error = "Nothing to start."
            return
        if not self._begin(ctx):
            return
        yield
        ok, _ = await self._call(do_start, ctx, self.created_id)
        self.loading = False
        if ok:
            yield rx.redirect(f"/execution?batchId={self.created_id}")


def _label(text: str) -> rx.Component:
    return rx.text(text, size="1", weight="medium", color_scheme="gray")


def _choice(label: str, value: Var, on_change, options: list[tuple[str, str]], testid: str, extra=None) -> rx.Component:
    return rx.vstack(
        _label(label),
        rx.select.root(
            rx.select.trigger(aria_label=label, width="100%", data_testid=testid),
            rx.select.content(*[rx.select.item(text, value=v) for v, text in options], *([extra] if extra else [])),
            value=value,
            on_change=on_change,
        ),
        spacing="1",
        min_width="11rem",
        flex="1",
    )


def _error_box(text: Var) -> rx.Component:
    return rx.cond(
        text != "",
        rx.callout(text, icon="triangle_alert", color_scheme="red", role="alert", data_testid="page-error"),
    )


def _step_badge(n: int, title: str) -> rx.Component:
    return rx.badge(
        f"{n}. {title}",
        color_scheme=rx.cond(BulkState.step >= n, "indigo", "gray"),
        variant=rx.cond(BulkState.step == n, "solid", "soft"),
        size="2",
    )


Cell = str | Callable[[Var], rx.Component]


def _table(columns: list[tuple[str, Cell]], rows: Var, testid: str, row_testid: str) -> rx.Component:
    """A table a row of `rows`; each column is (header, the row's key or a function of the row)."""
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h, _ in columns])),
            rx.table.body(
                rx.foreach(
                    rows,
                    lambda r: rx.table.row(
                        *[rx.table.cell(c(r) if callable(c) else r[c]) for _, c in columns], data_testid=row_testid
                    ),
                )
            ),
            size="1",
            variant="surface",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        data_testid=testid,
    )


def _page(*children: rx.Component, spacing: str = "4") -> rx.Component:
    return rx.vstack(*children, spacing=spacing, width="100%")


def _card(*children: rx.Component) -> rx.Component:
    return rx.card(_page(*children, spacing="3"), width="100%")


def _batch_header(s: Any, status: rx.Component, *rest: rx.Component) -> rx.Component:
    """Batch name, action label and status badge, then `rest` (execution and report pages)."""
    return rx.hstack(
        rx.heading(s.name, size="4"),
        rx.badge(s.label, variant="soft"),
        status,
        *rest,
        width="100%",
        wrap="wrap",
        align="center",
    )


@app_page("/bulk", "Bulk enforcement", permission=ENFORCE, nav="Bulk", icon="send", order=13, on_load=BulkState.load)
def bulk_page() -> rx.Component:
    s = BulkState
    return _page(
        rx.hstack(
            _step_badge(1, "Filter"),
            _step_badge(2, "Action"),
            _step_badge(3, "Preview"),
            _step_badge(4, "Start"),
            spacing="2",
            wrap="wrap",
        ),
        _error_box(s.error),
        _card(
            rx.heading("Alerts to enforce", size="3"),
            rx.flex(
                _choice(
                    "Rule",
                    s.f_rule,
                    s.set_rule,
                    [(ALL, "MAP and MRP"), *[(r, r.replace("_", " ")) for r in PRICE_RULES]],
                    "bulk-rule",
                ),
                _choice(
                    "Severity",
                    s.f_severity,
                    s.set_severity,
                    [(ALL, "Any severity"), *[(lv, lv) for lv in LEVELS]],
                    "bulk-severity",
                ),
                _choice(
                    "Dealer",
                    s.f_dealer,
                    s.set_dealer,
                    [(ALL, "All dealers")],
                    "bulk-dealer",
                    rx.foreach(s.dealer_options, lambda o: rx.select.item(o["label"], value=o["id"])),
                ),
                _choice("Action", s.action, s.set_action, [(k, v[0]) for k, v in ACTIONS.items()], "bulk-action"),
                spacing="3",
                wrap="wrap",
                width="100%",
            ),
            rx.button(
                rx.cond(s.loading & (s.step < 3), rx.spinner(size="1"), rx.icon("eye", size=16)),
                "Preview",
                on_click=s.run_preview,
                disabled=s.loading,
                data_testid="bulk-preview",
            ),
        ),
        rx.cond(
            s.step >= 3,
            _card(
                rx.hstack(
                    rx.heading("Preview", size="3"),
                    rx.badge(s.totals, variant="soft"),
                    rx.spacer(),
                    rx.text(
                        "Expected recoverable margin: ",
                        rx.text.strong(s.recoverable),
                        data_testid="bulk-recoverable",
                    ),
                    width="100%",
                    wrap="wrap",
                ),
                _table(
                    [("Dealer", "dealer"), ("Alerts", "alerts"), ("SKUs", "skus"), ("Status", "status"),
                     ("Recoverable", "recoverable"), ("Follow-up task", "follow_up")],
                    s.items,
                    "preview-table",
                    "preview-row",
                ),
                rx.cond(
                    s.skipped.length() > 0,
                    rx.vstack(
                        rx.heading("Skipped", size="2"),
                        _table([("Dealer", "dealer"), ("Rule", "rule"), ("Why", "reason")], s.skipped, "skipped-table",
                               "skipped-row"),
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
                            disabled=s.loading | (s.items.length() == 0),
                            data_testid="bulk-create",
                        ),
                        wrap="wrap",
                    ),
                ),
                rx.cond(
                    s.step == 4,
                    rx.hstack(
                        rx.callout("Batch created (draft). Start it to send the notices.", icon="check"),
                        rx.button(
                            rx.cond(s.loading, rx.spinner(size="1"), rx.icon("play", size=16)),
                            "Start batch",
                            on_click=s.start,
                            disabled=s.loading,
                            color_scheme="green",
                            data_testid="bulk-start",
                            auto_focus=True,
                        ),
                        wrap="wrap",
                    ),
                ),
            ),
        ),
    )


# --- /execution ----------------------------------------------------------------------------------


class ExecutionState(AuthState):
    _batch_id: str = ""
    _job_id: str = ""
    _watch_token: str = ""
    name: str = ""
    label: str = ""
    status: str = ""
    percent: int = 0
    progress: str = ""
    counts: list[dict[str, str]] = []
    feed: list[dict[str, str]] = []
    finished: bool = True
    can_cancel: bool = False
    live: bool = False
    report_href: str = ""
    error: str = ""
    empty: bool = False

    def _apply_data(self, data: dict[str, Any]) -> None:
        self.name, self.label, self.status = data["name"], data["label"], data["status"]
        self.percent, self.progress = data["percent"], data["progress"]
        self.counts, self.feed, self.finished = data["counts"], data["feed"], data["finished"]
        self._job_id = data["job_id"]
        self.report_href = f"/reports/{data['id']}"

    @rx.event
    async def load(self):
        ctx = await self._require(READ)
        self.error, self.live = "", False
        if ctx is None:
            return
        wanted = str(self.router.url.query_parameters.get("batchId", ""))[:64]
        try:
            self._batch_id = await asyncio.to_thread(pick_batch, ctx, wanted)
            if not self._batch_id:
                self.empty = True
                return
            self.empty = False
            self._apply_data(await asyncio.to_thread(fetch_execution, ctx, self._batch_id))
        except DomainError as exc:
            self.error, self._batch_id = _error(exc), ""
            return
        self.can_cancel = ctx.can(ENFORCE)
        if not self.finished and self._job_id:
            self._watch_token = uuid.uuid4().hex
            return ExecutionState.watch

    @rx.event(background=True)
    async def watch(self):
        """Follow the batch's job (pub/sub, DB polling fallback) until it ends or the page moves on."""
        async with self:
            ctx = await self._require(READ)
            batch_id, job_id, token = self._batch_id, self._job_id, self._watch_token
            if ctx is None or not batch_id or not job_id or not token:
                return
            self.live = True
        try:
            async for _snap in watch_job(ctx, job_id):
                data = await asyncio.to_thread(fetch_execution, ctx, batch_id)
                async with self:
                    if self._watch_token != token:  # another load took over
                        return
                    self._apply_data(data)
            data = await asyncio.to_thread(fetch_execution, ctx, batch_id)
            async with self:
                if self._watch_token == token:
                    self._apply_data(data)
        except DomainError as exc:
            async with self:
                self.error = _error(exc)
        finally:
            async with self:
                if self._watch_token == token:
                    self.live = False

    @rx.event
    async def cancel(self):
        ctx = await self._require(ENFORCE)
        if ctx is None or not self._batch_id:
            self.error = "Your role may not cancel batches." if ctx is None else "No batch."
            return
        try:
            await asyncio.to_thread(do_cancel, ctx, self._batch_id)
            self._apply_data(await asyncio.to_thread(fetch_execution, ctx, self._batch_id))
        except DomainError as exc:
            self.error = _error(exc)


@app_page(
    "/execution", "Execution", permission=READ, nav="Execution", icon="activity", order=14, on_load=ExecutionState.load
)
def execution_page() -> rx.Component:
    s = ExecutionState
    return _page(
        _error_box(s.error),
        rx.cond(
            s.empty,
            rx.callout("No enforcement batch yet. Create one in Bulk.", icon="info"),
            _page(
                _batch_header(
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
                        s.can_cancel & ~s.finished,
                        rx.button(
                            rx.icon("circle-stop", size=16),
                            "Cancel batch",
                            color_scheme="red",
                            variant="soft",
                            on_click=s.cancel,
                            data_testid="execution-cancel",
                        ),
                    ),
                    rx.link("Report", href=s.report_href, data_testid="execution-report"),
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
                                rx.code(f["at"], variant="ghost"),
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


# --- /reports -------------------------------------------------------------------------------------


class ReportsState(AuthState):
    rows: list[dict[str, str]] = []
    loading: bool = False
    error: str = ""

    @rx.event
    async def load(self):
        ctx = await self._require(READ)
        if ctx is None:
            self.rows = []
            return
        self.loading = True
        yield
        self.rows = await asyncio.to_thread(fetch_batches, ctx)
        self.loading = False


@app_page(
    "/reports", "Reports", permission=READ, nav="Reports", icon="file-chart-column", order=15, on_load=ReportsState.load
)
def reports_page() -> rx.Component:
    s = ReportsState
    return _page(
        rx.cond(s.loading, rx.spinner()),
        rx.cond(
            (s.rows.length() == 0) & ~s.loading,
            rx.callout("No enforcement batch yet.", icon="info"),
            _table(
                [
                    ("Batch", lambda r: rx.link(r["name"], href="/reports/" + r["id"])),
                    ("Action", "action"),
                    ("Status", lambda r: rx.badge(r["status"], variant="soft")),
                    ("Items", "items"),
                    ("Finished", "done"),
                    ("Expected recoverable", "recoverable"),
                    ("Created", "created"),
                ],
                s.rows,
                "reports-table",
                "report-row",
            ),
        ),
    )


class ReportState(AuthState):
    name: str = ""
    label: str = ""
    status: str = ""
    totals: list[dict[str, str]] = []
    outcomes: list[dict[str, str]] = []
    deltas: list[dict[str, str]] = []
    lines: list[dict[str, str]] = []
    csv_href: str = ""
    loading: bool = False
    error: str = ""

    @rx.event
    async def load(self):
        ctx = await self._require(READ)
        self.error = ""
        if ctx is None:
            return
        batch_id = _uuid(self.router.url.path.rstrip("/").rsplit("/", 1)[-1])
        if batch_id is None:
            self.error, self.name = "Report not found.", ""
            return
        self.loading = True
        yield
        try:
            data = await asyncio.to_thread(fetch_report, ctx, str(batch_id))
        except DomainError as exc:
            self.error, self.name, self.lines, self.totals, self.deltas = _error(exc), "", [], [], []
        else:
            self.name, self.label, self.status = data["name"], data["label"], data["status"]
            self.totals, self.outcomes, self.deltas = data["totals"], data["outcomes"], data["deltas"]
            self.lines, self.csv_href = data["lines"], data["csv"]
        self.loading = False


@app_page("/reports/[batch_id]", "Batch report", permission=READ, on_load=ReportState.load)
def report_page() -> rx.Component:
    s = ReportState
    return _page(
        _error_box(s.error),
        rx.cond(s.loading, rx.spinner()),
        rx.cond(
            s.name != "",
            _page(
                _batch_header(
                    s,
                    rx.badge(s.status),
                    rx.spacer(),
                    rx.link(
                        rx.button(rx.icon("download", size=16), "CSV", variant="soft"),
                        href=s.csv_href,
                        is_external=False,
                        data_testid="report-csv",
                    ),
                ),
                rx.flex(
                    rx.foreach(
                        s.totals,
                        lambda t: rx.card(
                            rx.vstack(_label(t["label"]), rx.heading(t["value"], size="5"), spacing="1"),
                            data_testid="report-total",
                        ),
                    ),
                    rx.foreach(s.outcomes, lambda o: rx.badge(o["outcome"], ": ", o["count"], size="2")),
                    spacing="3",
                    wrap="wrap",
                    align="center",
                ),
                _table(
                    [("", "label"), ("Before", "before"), ("After", "after"),
                     ("Δ", lambda d: rx.text.strong(d["delta"]))],
                    s.deltas,
                    "report-deltas",
                    "report-delta",
                ),
                _table(
                    [
                        ("Dealer", "dealer"),
                        ("Outcome", lambda r: rx.badge(r["outcome"], variant="soft")),
                        ("Status", "status"),
                        ("SKU", "sku"),
                        ("Rule", "rule"),
                        ("Floor", "floor"),
                        ("Price before", "before"),
                        ("Price after", "after"),
                        ("Now", "complied"),
                        ("Time to comply", "hours"),
                    ],
                    s.lines,
                    "report-lines",
                    "report-line",
                ),
            ),
        ),
    )


__all__ = ["BulkState", "ExecutionState", "ReportState", "ReportsState", "SKIP_REASONS"]
