"""Splitting a detection scan into job items, and a job's params into run_detection's arguments.
Split from models.margin.detection: this is what the job path (models.margin.detection_runs and
the "margin.detect" kind) needs before any scan runs.
"""

from __future__ import annotations

import os
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.margin.detection import DetectionConfig

ITEM_ROWS = 50_000  # sale rows per detection item (a dealer with more gets an item of its own)


def item_rows() -> int:
    """Sale rows per detection item: PHAROS_DETECT_ITEM_ROWS, default ITEM_ROWS."""
    try:
        return max(1, int(os.environ.get("PHAROS_DETECT_ITEM_ROWS", ITEM_ROWS)))
    except ValueError:
        return ITEM_ROWS


def detection_items(session: Session, ctx: TenantContext, rows_per_item: int | None = None) -> list[dict[str, Any]]:
    """The payloads of one detection job: the market (competitor snapshots) first, then the
    dealers with sale rows or inventory, in id order, grouped into items of about `item_rows()`
    sale rows. Items share nothing (an alert belongs to one dealer, or for an undercut to a
    competitor), so workers run them in parallel and a failed one loses no other's alerts."""
    counts: dict[str, int] = {}
    for dealer_id, rows in session.execute(
        text("select dealer_id, count(*) from margin_sale_rows where tenant_id = :t group by dealer_id"),
        {"t": ctx.tenant_id},
    ).all():
        counts[str(dealer_id)] = int(rows)
    for (dealer_id,) in session.execute(
        text("select distinct dealer_id from margin_inventory_rows where tenant_id = :t"), {"t": ctx.tenant_id}
    ).all():
        counts.setdefault(str(dealer_id), 1)
    limit = rows_per_item or item_rows()
    items: list[dict[str, Any]] = [{"market": True}]
    group: list[str] = []
    size = 0
    for dealer_id in sorted(counts):
        if group and size + counts[dealer_id] > limit:
            items.append({"dealers": group})
            group, size = [], 0
        group.append(dealer_id)
        size += counts[dealer_id]
    if group:
        items.append({"dealers": group})
    return items


def detection_params(params: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments of run_detection from a job's params (as_of, undercut_pct, dead_stock_days)."""
    kwargs: dict[str, Any] = {}
    if params.get("as_of"):
        try:
            kwargs["as_of"] = datetime.fromisoformat(str(params["as_of"]))
        except ValueError as exc:
            raise ValidationFailed("as_of is not an ISO-8601 instant", fields={"as_of": "invalid"}) from exc
        if kwargs["as_of"].tzinfo is None:
            raise ValidationFailed("as_of must carry a time zone", fields={"as_of": "timezone required"})
    config: dict[str, Any] = {}
    if params.get("undercut_pct") is not None:
        config["undercut_pct"] = Decimal(str(params["undercut_pct"]))
    if params.get("dead_stock_days") is not None:
        config["dead_stock_days"] = int(params["dead_stock_days"])
    if config:
        kwargs["config"] = DetectionConfig(**config)
    if params.get("undercut_window_days") is not None:
        kwargs["undercut_window_days"] = int(params["undercut_window_days"])
    return kwargs
