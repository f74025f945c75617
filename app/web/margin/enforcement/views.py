"""Bulk enforcement: the page data (read models from models.margin.queries shaped into display
rows) and the widgets the four enforcement pages share."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import Var

from app.web.kit import controls
from app.web.kit import format as fmt
from app.web.kit.badges import status_badge
from app.web.margin.components import rule_label
from engine.context import TenantContext
from engine.margin.enforcement import ACTIONS, SKIP_REASONS
from engine.margin.frames import PRICE_RULES
from engine.margin.severity import LEVELS
from models.margin import actions
from models.margin.queries import dealers as dealer_queries
from models.margin.queries import enforcement as enforcement_queries

FINISHED = ("completed", "cancelled", "failed")
PAGE_SIZE = 25


def status_change(before: str | None, after: str | None) -> dict[str, str]:
    """Dealer status before/after for a row; `changed` is "" when the step leaves it as it was."""
    before, after = before or "", after or before or ""
    return {"before": before, "after": after, "changed": "yes" if after != before else ""}


def skip_summary(skipped: list[dict[str, Any]]) -> str:
    counts: dict[str, int] = {}
    for s in skipped:
        reason = SKIP_REASONS.get(s["reason"], s.get("detail") or s["reason"])
        counts[reason] = counts.get(reason, 0) + 1
    return "; ".join(f"{reason} ({n})" for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def fetch_dealer_options(ctx: TenantContext) -> list[dict[str, str]]:
    return [
        {"id": str(r.dealer.id), "label": f"{r.dealer.name} · {r.status} · {r.figures.get('open_alerts', 0)} open"}
        for r in dealer_queries.dealer_options(ctx)
    ]


def bulk_filters(rule: str, severity: str, dealer: str) -> dict[str, Any]:
    out: dict[str, Any] = {"rules": [rule] if rule in PRICE_RULES else list(PRICE_RULES)}
    if severity in LEVELS:
        out["severities"] = [severity]
    if fmt.parse_uuid(dealer):
        out["dealer_ids"] = [str(fmt.parse_uuid(dealer))]
    return out


def fetch_preview(ctx: TenantContext, filters: dict[str, Any], action: str) -> dict[str, Any]:
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
    return {
        "recoverable": fmt.money(data["recoverable"]),
        "currency": currency,
        "items": [
            {
                "dealer": i["dealer_name"],
                "alerts": str(i["alert_count"]),
                "skus": ", ".join(i["sku_codes"]),
                **status_change(i["status_before"], i["status_after"]),
                "recoverable": fmt.money(i["recoverable"]),
                "follow_up": f"{i['follow_up']['title']} (in {i['follow_up']['due_in_days']} days)",
            }
            for i in items
        ],
        "skipped": [
            {"dealer": s["dealer_name"], "rule": rule_label(s["rule"] or ""), "reason": s["detail"]} for s in skipped
        ],
        "reasons": skip_summary(skipped),
        "empty": empty,
        "totals": f"{data['totals']['items']} notices · {data['totals']['alerts']} alerts · "
        "{data['totals']['skipped']} skipped",
    }


def do_create(ctx: TenantContext, filters: dict[str, Any], action: str, name: str) -> str:
    return str(actions.create_batch(ctx, filters, action, name=name or None)["id"])


def do_start(ctx: TenantContext, batch_id: str) -> None:
    actions.start_batch(ctx, batch_id)


def do_cancel(ctx: TenantContext, batch_id: str) -> None:
    actions.cancel_batch(ctx, batch_id, "cancelled from the execution page")


def fetch_execution(ctx: TenantContext, batch_id: str) -> dict[str, Any]:
    d = enforcement_queries.batch_detail(ctx, batch_id, recent=30)
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
            {
                "at": fmt.stamp(f["at"]),
                "message": f["message"],
                "level": f["level"],
                "event": f["event"].replace("_", " "),
            }
            for f in d["feed"]
        ],
        "finished": d["status"] in FINISHED,
    }


def fetch_batches(ctx: TenantContext, cursor: str | None = None) -> dict[str, Any]:
    """One page of batches (newest first, the list API's keyset cursor) and the next cursor ("" at the end)."""
    found = enforcement_queries.batch_page(ctx, limit=PAGE_SIZE, cursor=cursor)
    rows = [
        {
            "id": str(b["id"]),
            "name": b["name"],
            "action": ACTIONS[b["action"]][0],
            "status": b["status"],
            "items": str(b["item_count"]),
            "done": str(b["counts"].get("finished", 0)),
            "recoverable": fmt.money(b["expected_recoverable"]),
            "created": fmt.stamp(b["created_at"], seconds=False),
        }
        for b in found.page.items
    ]
    return {"items": rows, "next": found.page.next_cursor or "", "currency": found.currency}


def fetch_report(ctx: TenantContext, batch_id: str) -> dict[str, Any]:
    found = enforcement_queries.report(ctx, batch_id)
    r, currency = found.data, found.currency
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
            {"label": "Expected recoverable", "value": fmt.money(t["expected_recoverable"])},
        ],
        "outcomes": [{"outcome": k.replace("_", " "), "count": str(v)} for k, v in t["outcomes"].items()],
        "deltas": [
            {
                "label": "Lost margin",
                "before": fmt.money(d["lost_margin_before"]),
                "after": fmt.money(d["lost_margin_after"]),
                "delta": fmt.money(d["lost_margin_delta"]),
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
                **status_change(item["status_before"], item["status_after"]),
                "sku": line["sku_code"],
                "rule": rule_label(line["rule"]),
                "floor": fmt.money(line["floor"]),
                "price_before": fmt.money(line["price_before"]),
                "price_after": fmt.money(line["price_after"]),
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


def caption(text: str) -> rx.Component:
    return rx.text(text, size="1", weight="medium", color_scheme="gray")


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


def batch_header(s: Any, status: rx.Component, *rest: rx.Component) -> rx.Component:
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


def status_cell(r: Var) -> rx.Component:
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


def in_currency(title: str, currency: Var) -> rx.Component:
    return rx.table.column_header_cell(title, rx.cond(currency != "", " (" + currency + ")", ""))
