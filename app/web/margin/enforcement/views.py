"""Bulk enforcement: the page data (read models from models.margin.queries shaped into display
rows) and the widgets the four enforcement pages share."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import Var

from app.web.kit import controls
from app.web.kit import format as fmt
from app.web.kit.badges import status_badge
from app.web.kit.rows import Option
from app.web.margin.components import rule_label
from app.web.margin.enforcement.rows import (
    BatchRow,
    Delta,
    Execution,
    FeedLine,
    Figure,
    Preview,
    PreviewLine,
    Report,
    ReportLine,
    SkippedLine,
    StatusStep,
)
from app.web.margin.rows import Count
from engine.context import TenantContext
from engine.margin.enforcement import ACTIONS, SKIP_REASONS
from engine.margin.frames import PRICE_RULES
from engine.margin.severity import LEVELS
from models.margin import actions
from models.margin.queries import dealers as dealer_queries
from models.margin.queries import enforcement as enforcement_queries

FINISHED = ("completed", "cancelled", "failed")
PAGE_SIZE = 25


def skip_summary(skipped: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for s in skipped:
        reason = SKIP_REASONS.get(s["reason"], s.get("detail") or s["reason"])
        counts[reason] = counts.get(reason, 0) + 1
    return "; ".join(f"{reason} ({n})" for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def fetch_dealer_options(ctx: TenantContext) -> list[Option]:
    return [
        Option(str(r.dealer.id), f"{r.dealer.name} · {r.status} · {r.figures.get('open_alerts', 0)} open")
        for r in dealer_queries.dealer_options(ctx)
    ]


def bulk_filters(rule: str, severity: str, dealer: str) -> dict[str, Any]:
    out: dict[str, Any] = {"rules": [rule] if rule in PRICE_RULES else list(PRICE_RULES)}
    if severity in LEVELS:
        out["severities"] = [severity]
    if fmt.parse_uuid(dealer):
        out["dealer_ids"] = [str(fmt.parse_uuid(dealer))]
    return out


def fetch_preview(ctx: TenantContext, filters: dict[str, Any], action: str) -> Preview:
    found = enforcement_queries.preview(ctx, filters, action)
    data, currency = found.data, found.currency
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
    return Preview(
        recoverable=fmt.money(data["recoverable"]),
        currency=currency,
        lines=[
            PreviewLine(
                dealer=i["dealer_name"],
                alerts=str(i["alert_count"]),
                skus=", ".join(i["sku_codes"]),
                status=StatusStep.of(i["status_before"], i["status_after"]),
                recoverable=fmt.money(i["recoverable"]),
                follow_up=f"{i['follow_up']['title']} (in {i['follow_up']['due_in_days']} days)",
            )
            for i in items
        ],
        skipped=[SkippedLine(s["dealer_name"], rule_label(s["rule"] or ""), s["detail"]) for s in skipped],
        reasons=skip_summary(skipped),
        empty=empty,
        totals=f"{data['totals']['items']} notices · {data['totals']['alerts']} alerts · "
        f"{data['totals']['skipped']} skipped",
    )


def do_create(ctx: TenantContext, filters: dict[str, Any], action: str, name: str) -> str:
    return str(actions.create_batch(ctx, filters, action, name=name or None)["id"])


def do_start(ctx: TenantContext, batch_id: str) -> None:
    actions.start_batch(ctx, batch_id)


def do_cancel(ctx: TenantContext, batch_id: str) -> None:
    actions.cancel_batch(ctx, batch_id, "cancelled from the execution page")


def _counts(counts: dict[str, int]) -> list[Count]:
    return [Count(fmt.label(k), str(v)) for k, v in counts.items()]


def fetch_execution(ctx: TenantContext, batch_id: str) -> Execution:
    d = enforcement_queries.batch_detail(ctx, batch_id, recent=30)
    counts = d["counts"]
    return Execution(
        id=str(d["id"]),
        name=d["name"],
        label=d["label"],
        status=d["status"],
        job_id=str(d["job_id"] or ""),
        percent=int(d["percent"]),
        progress=f"{counts.get('finished', 0)} / {d['item_count']} items",
        counts=_counts({k: v for k, v in sorted(counts.items()) if k not in ("total", "finished") and v}),
        feed=[FeedLine(fmt.stamp(f["at"]), f["message"], f["level"], fmt.label(f["event"])) for f in d["feed"]],
        finished=d["status"] in FINISHED,
    )


def fetch_batches(ctx: TenantContext, cursor: str | None = None) -> tuple[list[BatchRow], str]:
    """One page of batches (newest first, the list API's keyset cursor) and the next cursor ("" at the end)."""
    found = enforcement_queries.batch_page(ctx, limit=PAGE_SIZE, cursor=cursor)
    rows = [
        BatchRow(
            id=str(b["id"]),
            name=b["name"],
            action=ACTIONS[b["action"]][0],
            status=b["status"],
            item_count=str(b["item_count"]),
            done=str(b["counts"].get("finished", 0)),
            recoverable=fmt.money(b["expected_recoverable"]),
            created=fmt.stamp(b["created_at"], seconds=False),
        )
        for b in found.page.items
    ]
    return rows, found.page.next_cursor or ""


def fetch_report(ctx: TenantContext, batch_id: str) -> Report:
    found = enforcement_queries.report(ctx, batch_id)
    r, currency = found.data, found.currency
    deltas, totals = r["deltas"], r["totals"]
    return Report(
        name=r["batch"]["name"],
        status=r["batch"]["status"],
        label=r["batch"]["label"],
        currency=currency,
        totals=[
            Figure("Notices planned", str(totals["items"])),
            Figure("Notices sent", str(totals["notices_sent"])),
            Figure("Alerts covered", str(totals["alerts"])),
            Figure("Skipped at preview", str(totals["skipped_at_preview"])),
            Figure("Expected recoverable", fmt.money(totals["expected_recoverable"])),
        ],
        outcomes=_counts(totals["outcomes"]),
        deltas=[
            Delta(
                "Lost margin",
                fmt.money(deltas["lost_margin_before"]),
                fmt.money(deltas["lost_margin_after"]),
                fmt.money(deltas["lost_margin_delta"]),
            ),
            Delta(
                "Breaches",
                str(deltas["breaches_before"]),
                str(deltas["breaches_after"]),
                str(deltas["breaches_delta"]),
            ),
        ],
        lines=[
            ReportLine(
                dealer=item["dealer_name"],
                outcome=fmt.label(item["outcome"]),
                status=StatusStep.of(item["status_before"], item["status_after"]),
                sku=line["sku_code"],
                rule=rule_label(line["rule"]),
                floor=fmt.money(line["floor"]),
                price_before=fmt.money(line["price_before"]),
                price_after=fmt.money(line["price_after"]),
                complied="still below" if line["breaching_after"] else "at/above floor",
                hours="—" if line["time_to_comply_hours"] is None else f"{line['time_to_comply_hours']} h",
            )
            for item in r["items"]
            for line in item["alerts"]
        ],
        csv=f"/api/reports/enforcement/{batch_id}.csv",
        csv_name=f"enforcement-{batch_id}.csv",
        execution=f"/execution?batchId={batch_id}",
    )


def choice(
    label: str, value: Var, on_change, options: list[tuple[str, str]] | Var, testid: str, **props
) -> rx.Component:
    """A captioned select of the enforcement forms (kit.controls.select props: first, keys, disabled)."""
    return controls.field(
        label,
        controls.select(options, value, on_change, label, trigger={"width": "100%", "data_testid": testid}, **props),
        min_width="11rem",
        flex="1",
    )


def stack(*children: rx.Component, spacing: str = "4") -> rx.Component:
    return rx.vstack(*children, spacing=spacing, width="100%")


def card(*children: rx.Component) -> rx.Component:
    return rx.card(stack(*children, spacing="3"), width="100%")


def batch_header(batch: Var, status: rx.Component, *rest: rx.Component) -> rx.Component:
    """Batch name, action label and status badge, then `rest` (execution and report pages)."""
    return rx.hstack(
        rx.heading(batch["name"], size="4"),
        rx.badge(batch["label"], variant="soft"),
        status,
        *rest,
        width="100%",
        wrap="wrap",
        align="center",
    )


def status_cell(r: Var) -> rx.Component:
    """Dealer status before → after with the alert pages' badges; "no change" when it stays."""
    step = r["status"]
    return rx.hstack(
        status_badge(step["before"]),
        rx.cond(
            step["changed"].to(bool),
            rx.hstack(rx.text("→", size="2"), status_badge(step["after"]), spacing="1", align="center"),
            rx.text("no change", size="1", color_scheme="gray"),
        ),
        spacing="1",
        align="center",
        wrap="nowrap",
        data_testid="status-change",
    )


def count_badges(counts: Var, **props: Any) -> rx.Component:
    """A 'label: count' badge per `Count` (outcomes of a batch), wrapping."""
    return rx.hstack(
        rx.foreach(counts, lambda c: rx.badge(c["label"], ": ", c["count"], size="2", **props)), wrap="wrap"
    )


def in_currency(title: str, currency: Var) -> rx.Component:
    return rx.table.column_header_cell(title, rx.cond(currency != "", " (" + currency + ")", ""))
