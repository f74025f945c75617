"""Bulk enforcement pages: /bulk (wizard), /execution (live progress), /reports and /reports/[batch_id].

/bulk: filter alerts → choose the action → preview (who gets what, recoverable margin, skipped
alerts and why) → create the batch → start it (then /execution?batchId=…). /execution follows the
batch's job live through a background event (`models.jobs.progress.watch_job`: Redis pub/sub, Postgres
polling as the fallback). Every handler checks its own permission (`await self._require(...)`);
ids come from the server-side session, never from arguments.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import reflex as rx
from reflex.vars import Var
from sqlalchemy import text
from sqlmodel import select

from app.web.margin.components import rule_label, status_badge
from app.web.shell.auth import AuthState
from app.web.shell.layout import app_page
from engine.context import TenantContext
from engine.errors import DomainError
from engine.margin.enforcement import ACTIONS, SKIP_REASONS
from engine.margin.frames import PRICE_RULES
from engine.margin.severity import LEVELS
from models.core.db import tenant_session
from models.jobs.progress import watch_job
from models.margin import enforcement
from models.margin.dealers import list_dealers
from models.margin.enforcement.tables import EnforcementBatch

READ = "margin.read"
ENFORCE = "margin.enforcement.run"
ALL = "__all__"
FINISHED = ("completed", "cancelled", "failed")
PAGE_SIZE = 25


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


def _stamp(value: Any) -> str:
    """An instant (datetime or ISO text) as 'YYYY-MM-DD HH:MM:SS UTC'."""
    try:
        at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return str(value or "")
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _currency(session: Any, ctx: TenantContext) -> str:
    """The tenant's money currency: the one its sales data is in (most rows), else its price books'."""
    for sql in (
        "select currency from margin_sale_rows where tenant_id = :t group by currency order by count(*) desc, currency limit 1",
        "select currency from price_books where tenant_id = :t group by currency order by count(*) desc, currency limit 1",
    ):
        found = session.execute(text(sql), {"t": ctx.tenant_id}).scalar()
        if found:
            return str(found)
    return ""


def _status_change(before: str | None, after: str | None) -> dict[str, str]:
    """Dealer status before/after for a row; `changed` is "" when the step leaves it as it was."""
    before, after = before or "", after or before or ""
    return {"before": before, "after": after, "changed": "yes" if after != before else ""}


def _skip_summary(skipped: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for s in skipped:
        reason = SKIP_REASONS.get(s["reason"], s.get("detail") or s["reason"])
        counts[reason] = counts.get(reason, 0) + 1
    return "; ".join(f"{reason} ({n})" for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


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
        currency = _currency(session, ctx)
    items, skipped = data["items"], data["skipped"]
    if items:
        empty = ""
    elif skipped:
        empty = (
            f"No dealer is eligible for “{ACTIONS[action][0]}”: every selected alert was skipped "
            "(see why below). Try another action or other filters."
        )
    else:
        empty = "No open MAP or MRP breach matches these filters, so there is nothing to send."
    return {
        "recoverable": _money(data["recoverable"]),
        "currency": currency,
        "items": [
            {
                "dealer": i["dealer_name"],
                "alerts": str(i["alert_count"]),
                "skus": ", ".join(i["sku_codes"]),
                **_status_change(i["status_before"], i["status_after"]),
                "recoverable": _money(i["recoverable"]),
                "follow_up": f"{i['follow_up']['title']} (in {i['follow_up']['due_in_days']} days)",
            }
            for i in items
        ],
        "skipped": [
            {"dealer": s["dealer_name"], "rule": rule_label(s["rule"] or ""), "reason": s["detail"]} for s in skipped
        ],
        "reasons": _skip_summary(skipped),
        "empty": empty,
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
    """The batch asked for (a valid id; unknown ids fail later with "not found"), else the newest
    running one, else the newest queued one, else the newest ever started; a never-started draft
    only when no batch was ever started."""
    if wanted:
        return str(uuid.UUID(wanted))
    with tenant_session(ctx) as session:
        for status in ("running", "queued"):
            page = enforcement.list_batches(session, ctx, status=status, limit=1)
            if page.items:
                return str(page.items[0].id)
        started = session.exec(
            select(EnforcementBatch.id)
            .where(EnforcementBatch.tenant_id == ctx.tenant_id, EnforcementBatch.job_id.is_not(None))  # type: ignore[union-attr]
            .order_by(EnforcementBatch.created_at.desc(), EnforcementBatch.id.desc())  # type: ignore[attr-defined]
            .limit(1)
        ).first()
        if started is not None:
            return str(started)
        page = enforcement.list_batches(session, ctx, limit=1)
        return str(page.items[0].id) if page.items else ""


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
            {"at": _stamp(f["at"]), "message": f["message"], "level": f["level"], "event": f["event"].replace("_", " ")}
            for f in d["feed"]
        ],
        "finished": d["status"] in FINISHED,
    }


def fetch_batches(ctx: TenantContext, cursor: str | None = None) -> dict[str, Any]:
    """One page of batches (newest first, the list API's keyset cursor) and the next cursor ("" at the end)."""
    with tenant_session(ctx) as session:
        page = enforcement.list_batches(session, ctx, limit=PAGE_SIZE, cursor=cursor)
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
                    "created": b.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                }
            )
        return {"items": rows, "next": page.next_cursor or "", "currency": _currency(session, ctx)}


def fetch_report(ctx: TenantContext, batch_id: str) -> dict[str, Any]:
    with tenant_session(ctx) as session:
        r = enforcement.report(session, ctx, batch_id)
        currency = _currency(session, ctx)
    d, t = r["deltas"], r["totals"]
    return {
        "name": r["batch"]["name"],
        "status": r["batch"]["status"],
        "label": r["batch"]["label"],
        "currency": currency,
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
                **_status_change(item["status_before"], item["status_after"]),
                "sku": line["sku_code"],
                "rule": rule_label(line["rule"]),
                "floor": _money(line["floor"]),
                "price_before": _money(line["price_before"]),
                "price_after": _money(line["price_after"]),
                "complied": "still below" if line["breaching_after"] else "at/above floor",
                "hours": "—" if line["time_to_comply_hours"] is None else f"{line['time_to_comply_hours']} h",
            }
            for item in r["items"]
            for line in item["alerts"]
        ],
        "csv": f"/api/reports/enforcement/{batch_id}.csv",
        "csv_name": f"enforcement-{batch_id}.csv",
        "execution": f"/execution?batchId={batch_id}",
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
        self.f_rule = value if value in PRICE_RULES else ALL
        self._reset_preview()

    @rx.event
    def set_severity(self, value: str):
        if self.created_id:
            return
        value = value if isinstance(value, str) else ""
        self.f_severity = value if value in LEVELS else ALL
        self._reset_preview()

    @rx.event
    def set_dealer(self, value: str):
        if self.created_id:
            return
        self.f_dealer = str(_uuid(value)) if _uuid(value) else ALL
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
        if ctx is not None and self.created_id:
            return  # locked: the preview already created a batch
        if not self._begin(ctx):
            return
        yield
        ok, data = await self._call(fetch_preview, ctx, _filters(self.f_rule, self.f_severity, self.f_dealer),
                                    self.action)
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
            ok, created_id = await self._call(
                do_create, ctx, _filters(self.f_rule, self.f_severity, self.f_dealer), self.action, self.batch_name
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


def _choice(
    label: str, value: Var, on_change, options: list[tuple[str, str]], testid: str, extra=None, disabled: Any = False
) -> rx.Component:
    return rx.vstack(
        _label(label),
        rx.select.root(
            rx.select.trigger(aria_label=label, width="100%", data_testid=testid),
            rx.select.content(*[rx.select.item(text, value=v) for v, text in options], *([extra] if extra else [])),
            value=value,
            on_change=on_change,
            disabled=disabled,
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


def _status_cell(r: Var) -> rx.Component:
    """Dealer status before → after with the alert pages' badges; "no change" when it stays."""
    return rx.hstack(
        status_badge(r["before"]),
        rx.cond(
            r["changed"] == "yes",
            rx.hstack(rx.text("→", size="2"), status_badge(r["after"]), spacing="1", align="center"),
            rx.text("no change", size="1", color_scheme="gray"),
        ),
        spacing="1",
        align="center",
        wrap="nowrap",
        data_testid="status-change",
    )


def _in_currency(title: str, currency: Var) -> rx.Component:
    return rx.table.column_header_cell(title, rx.cond(currency != "", " (" + currency + ")", ""))


@app_page("/bulk", "Bulk enforcement", permission=ENFORCE, nav="Bulk", icon="send", order=13, on_load=BulkState.load)
def bulk_page() -> rx.Component:
    s = BulkState
    locked = s.created_id != ""
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
                    [(ALL, "MAP and MRP"), *[(r, rule_label(r)) for r in PRICE_RULES]],
                    "bulk-rule",
                    disabled=locked,
                ),
                _choice(
                    "Severity",
                    s.f_severity,
                    s.set_severity,
                    [(ALL, "Any severity"), *[(lv, lv) for lv in LEVELS]],
                    "bulk-severity",
                    disabled=locked,
                ),
                _choice(
                    "Dealer",
                    s.f_dealer,
                    s.set_dealer,
                    [(ALL, "All dealers")],
                    "bulk-dealer",
                    rx.foreach(s.dealer_options, lambda o: rx.select.item(o["label"], value=o["id"])),
                    disabled=locked,
                ),
                _choice(
                    "Action", s.action, s.set_action, [(k, v[0]) for k, v in ACTIONS.items()], "bulk-action",
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
            _card(
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
                    rx.box(
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    *[rx.table.column_header_cell(h) for h in ("Dealer", "Alerts", "SKUs", "Dealer status")],
                                    _in_currency("Recoverable", s.currency),
                                    rx.table.column_header_cell("Follow-up task"),
                                )
                            ),
                            rx.table.body(
                                rx.foreach(
                                    s.items,
                                    lambda r: rx.table.row(
                                        rx.table.cell(r["dealer"]),
                                        rx.table.cell(r["alerts"]),
                                        rx.table.cell(r["skus"]),
                                        rx.table.cell(_status_cell(r)),
                                        rx.table.cell(r["recoverable"]),
                                        rx.table.cell(r["follow_up"]),
                                        data_testid="preview-row",
                                    ),
                                )
                            ),
                            size="1",
                            variant="surface",
                            width="100%",
                        ),
                        overflow_x="auto",
                        width="100%",
                        data_testid="preview-table",
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
    can_start: bool = False
    confirm_cancel: bool = False
    busy: bool = False
    live: bool = False
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
        self._batch_id = self._job_id = self._watch_token = ""
        self.name = self.label = self.status = self.progress = self.report_href = ""
        self.percent, self.counts, self.feed = 0, [], []
        self.finished, self.can_cancel, self.can_start, self.confirm_cancel, self.live = True, False, False, False, False
        self.empty, self.empty_message = bool(message), message

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
        if wanted and _uuid(wanted) is None:
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
            self.error = f"Batch not found: {_error(exc)}" if wanted else _error(exc)
            self._clear("No batch to show. Open one from Reports.")
            return
        self._batch_id = batch_id
        self._apply_data(data)
        self._permissions(ctx)
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
                    self._permissions(ctx)
            data = await asyncio.to_thread(fetch_execution, ctx, batch_id)
            async with self:
                if self._watch_token == token:
                    self._apply_data(data)
                    self._permissions(ctx)
        except DomainError as exc:
            async with self:
                if self._watch_token == token:
                    self.error = _error(exc)
        finally:
            async with self:
                if self._watch_token == token:
                    self.live = False

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
            await asyncio.to_thread(do_start, ctx, batch_id)
            data = await asyncio.to_thread(fetch_execution, ctx, batch_id)
        except DomainError as exc:
            self.error = _error(exc)
            return
        finally:
            self.busy = False
        self._apply_data(data)
        self._permissions(ctx)
        if not self.finished and self._job_id:
            self._watch_token = uuid.uuid4().hex
            yield ExecutionState.watch

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
            await asyncio.to_thread(do_cancel, ctx, self._batch_id)
            self._apply_data(await asyncio.to_thread(fetch_execution, ctx, self._batch_id))
            self._permissions(ctx)
        except DomainError as exc:
            self.error = _error(exc)
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
                    rx.button("Keep running", variant="soft", color_scheme="gray", on_click=s.keep_batch,
                              data_testid="execution-cancel-keep"),
                ),
                rx.alert_dialog.action(
                    rx.button("Cancel batch", color_scheme="red", on_click=s.cancel, disabled=s.busy,
                              data_testid="execution-cancel-confirm"),
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
    return _page(
        _error_box(s.error),
        _cancel_dialog(s),
        rx.cond(
            s.empty,
            rx.callout(s.empty_message, icon="info", data_testid="execution-empty"),
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


# --- /reports -------------------------------------------------------------------------------------


class ReportsState(AuthState):
    rows: list[dict[str, str]] = []
    currency: str = ""
    has_more: bool = False
    can_run: bool = False
    loading: bool = False
    error: str = ""
    _cursor: str = ""

    async def _fetch(self, ctx: TenantContext, *, append: bool) -> None:
        try:
            data = await asyncio.to_thread(fetch_batches, ctx, (self._cursor or None) if append else None)
        except DomainError as exc:
            self.error = _error(exc)
            return
        self.rows = [*self.rows, *data["items"]] if append else data["items"]
        self._cursor, self.has_more, self.currency, self.error = data["next"], bool(data["next"]), data["currency"], ""

    @rx.event
    async def load(self):
        ctx = await self._require(READ)
        self.rows, self._cursor, self.has_more, self.error = [], "", False, ""
        if ctx is None:
            self.can_run = False
            return
        self.can_run = ctx.can(ENFORCE)
        self.loading = True
        yield
        await self._fetch(ctx, append=False)
        self.loading = False

    @rx.event
    async def load_more(self):
        """The next page after the cursor kept server-side (the list API's keyset cursor)."""
        ctx = await self._require(READ)
        if ctx is None or not self._cursor or self.loading:
            return
        self.loading = True
        yield
        await self._fetch(ctx, append=True)
        self.loading = False


@app_page(
    "/reports", "Reports", permission=READ, nav="Reports", icon="file-chart-column", order=15, on_load=ReportsState.load
)
def reports_page() -> rx.Component:
    s = ReportsState
    return _page(
        _error_box(s.error),
        rx.cond(s.loading & (s.rows.length() == 0), rx.spinner()),
        rx.cond(
            (s.rows.length() == 0) & ~s.loading,
            rx.callout("No enforcement batch yet.", icon="info"),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[rx.table.column_header_cell(h) for h in ("Batch", "Action", "Status", "Items", "Finished")],
                            _in_currency("Expected recoverable", s.currency),
                            rx.table.column_header_cell("Created"),
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            s.rows,
                            lambda r: rx.table.row(
                                rx.table.cell(rx.link(r["name"], href="/reports/" + r["id"])),
                                rx.table.cell(r["action"]),
                                rx.table.cell(
                                    rx.hstack(
                                        rx.badge(r["status"], variant="soft"),
                                        rx.cond(
                                            s.can_run & (r["status"] == "draft"),
                                            rx.link(
                                                "Start…",
                                                href="/execution?batchId=" + r["id"],
                                                size="1",
                                                data_testid="report-start-draft",
                                            ),
                                        ),
                                        spacing="2",
                                        align="center",
                                    )
                                ),
                                rx.table.cell(r["items"]),
                                rx.table.cell(r["done"]),
                                rx.table.cell(r["recoverable"]),
                                rx.table.cell(r["created"], white_space="nowrap"),
                                data_testid="report-row",
                            ),
                        )
                    ),
                    size="1",
                    variant="surface",
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
                data_testid="reports-table",
            ),
        ),
        rx.cond(
            s.has_more,
            rx.button(
                rx.cond(s.loading, rx.spinner(size="1")),
                "Load more",
                on_click=s.load_more,
                disabled=s.loading,
                variant="soft",
                data_testid="reports-more",
            ),
        ),
    )


class ReportState(AuthState):
    name: str = ""
    label: str = ""
    status: str = ""
    currency: str = ""
    totals: list[dict[str, str]] = []
    outcomes: list[dict[str, str]] = []
    deltas: list[dict[str, str]] = []
    lines: list[dict[str, str]] = []
    csv_href: str = ""
    csv_name: str = ""
    execution_href: str = ""
    loading: bool = False
    error: str = ""

    def _clear(self) -> None:
        self.name = self.label = self.status = self.currency = ""
        self.csv_href = self.csv_name = self.execution_href = ""
        self.totals, self.outcomes, self.deltas, self.lines = [], [], [], []

    @rx.event
    async def load(self):
        ctx = await self._require(READ)
        self.error = ""
        if ctx is None:
            self._clear()
            return
        batch_id = _uuid(self.router.url.path.rstrip("/").rsplit("/", 1)[-1])
        if batch_id is None:
            self._clear()
            self.error = "Report not found."
            return
        self.loading = True
        yield
        try:
            data = await asyncio.to_thread(fetch_report, ctx, str(batch_id))
        except DomainError as exc:
            self._clear()
            self.error = _error(exc)
        else:
            self.name, self.label, self.status = data["name"], data["label"], data["status"]
            self.totals, self.outcomes, self.deltas = data["totals"], data["outcomes"], data["deltas"]
            self.lines, self.csv_href, self.csv_name = data["lines"], data["csv"], data["csv_name"]
            self.currency, self.execution_href = data["currency"], data["execution"]
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
                    rx.cond(s.currency != "", rx.badge("Amounts in ", s.currency, variant="outline",
                                                       data_testid="report-currency")),
                    rx.spacer(),
                    rx.link("Execution", href=s.execution_href, data_testid="report-execution"),
                    # a real download: `rx.el.a` is react-router's Link, so `reload_document` hands the
                    # click back to the browser, which fetches the CSV (session cookie) and saves it
                    # (`download`) instead of routing to /api/... as a page (client-side 404)
                    rx.button(
                        rx.el.a(
                            rx.icon("download", size=16),
                            "CSV",
                            href=s.csv_href,
                            download=s.csv_name,
                            reload_document=True,
                            data_testid="report-csv",
                        ),
                        as_child=True,
                        variant="soft",
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
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                *[rx.table.column_header_cell(h)
                                  for h in ("Dealer", "Outcome", "Dealer status", "SKU", "Rule")],
                                _in_currency("Floor", s.currency),
                                _in_currency("Price before", s.currency),
                                _in_currency("Price after", s.currency),
                                rx.table.column_header_cell("Now"),
                                rx.table.column_header_cell("Time to comply"),
                            )
                        ),
                        rx.table.body(
                            rx.foreach(
                                s.lines,
                                lambda r: rx.table.row(
                                    rx.table.cell(r["dealer"]),
                                    rx.table.cell(rx.badge(r["outcome"], variant="soft")),
                                    rx.table.cell(_status_cell(r)),
                                    rx.table.cell(r["sku"]),
                                    rx.table.cell(r["rule"]),
                                    rx.table.cell(r["floor"]),
                                    rx.table.cell(r["price_before"]),
                                    rx.table.cell(r["price_after"]),
                                    rx.table.cell(r["complied"]),
                                    rx.table.cell(r["hours"]),
                                    data_testid="report-line",
                                ),
                            )
                        ),
                        size="1",
                        variant="surface",
                        width="100%",
                    ),
                    overflow_x="auto",
                    width="100%",
                    data_testid="report-lines",
                ),
            ),
        ),
    )


__all__ = ["BulkState", "ExecutionState", "ReportState", "ReportsState", "SKIP_REASONS"]
