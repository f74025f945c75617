"""Row-by-row Decimal twin of detection.py: slow, obvious, and the oracle for the property tests.

It takes plain dicts (one per frame row, same column names) and returns alert dicts shaped like
ALERT_SCHEMA rows, in the same order, using only the scalar formulas of impact.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from engine.margin.frames import DEAD_STOCK, MAP_BREACH, MRP_BREACH, UNDERCUT
from engine.margin.impact import carrying_value, depth_pct, exact_sum, is_undercut, row_loss
from engine.margin.severity import SeverityPolicy, severity_of

Row = Mapping[str, Any]

_WATCHED = {
    MAP_BREACH: ("advertised_price", "map_floor", "map_rule_id"),
    MRP_BREACH: ("transaction_price", "mrp_floor", "mrp_rule_id"),
}


def _evidence_row(rule, dealer, sku, eid, at, qty, floor, floor_rule, price, impact, depth, age) -> dict:
    return {
        "rule": rule,
        "dealer_id": dealer,
        "sku_id": sku,
        "evidence_id": eid,
        "observed_at": at,
        "qty": qty,
        "floor": floor,
        "floor_rule_id": floor_rule,
        "price": price,
        "impact": impact,
        "depth_pct": depth,
        "age_days": age,
    }


def reference_evidence(
    sales: Iterable[Row] = (),
    snapshots: Iterable[Row] = (),
    our_prices: Iterable[Row] = (),
    inventory: Iterable[Row] = (),
    *,
    as_of: datetime,
    undercut_pct: Decimal,
    dead_stock_days: int = 90,
) -> list[dict]:
    sales = list(sales)
    out: list[dict] = []
    for rule, (price_col, floor_col, rule_col) in _WATCHED.items():
        for s in sales:
            price, floor = s[price_col], s[floor_col]
            if price is None or floor is None or not price < floor:
                continue
            out.append(
                _evidence_row(
                    rule,
                    s["dealer_id"],
                    s["sku_id"],
                    s["row_id"],
                    s["observed_at"],
                    s["qty"],
                    floor,
                    s[rule_col],
                    price,
                    row_loss(s["qty"], floor, price),
                    depth_pct(floor, price),
                    None,
                )
            )
    ours = {p["sku_id"]: p for p in our_prices}
    units: dict[str, int] = defaultdict(int)
    for s in sales:
        units[s["sku_id"]] += s["qty"]
    for snap in snapshots:
        our = ours.get(snap["sku_id"])
        if our is None or snap["price"] is None or our["our_price"] is None:
            continue
        if not is_undercut(our["our_price"], snap["price"], undercut_pct):
            continue
        n = units.get(snap["sku_id"], 0)
        out.append(
            _evidence_row(
                UNDERCUT,
                snap["competitor_id"],
                snap["sku_id"],
                snap["snapshot_id"],
                snap["observed_at"],
                n,
                our["our_price"],
                our["our_price_rule_id"],
                snap["price"],
                row_loss(n, our["our_price"], snap["price"]),
                depth_pct(our["our_price"], snap["price"]),
                None,
            )
        )
    for inv in inventory:
        if inv["received_at"] > as_of - timedelta(days=dead_stock_days):
            continue
        age = (as_of - inv["received_at"]) // timedelta(days=1)
        out.append(
            _evidence_row(
                DEAD_STOCK,
                inv["dealer_id"],
                inv["sku_id"],
                inv["row_id"],
                inv["received_at"],
                inv["qty"],
                None,
                None,
                inv["unit_cost"],
                carrying_value([(inv["qty"], inv["unit_cost"])]),
                None,
                age,
            )
        )
    out.sort(key=lambda r: (r["rule"], r["dealer_id"], r["sku_id"], r["observed_at"], r["evidence_id"]))
    return out


def reference_alerts(evidence: Iterable[dict], policy: SeverityPolicy | None = None) -> list[dict]:
    policy = policy or SeverityPolicy()
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in evidence:
        groups[(row["rule"], row["dealer_id"], row["sku_id"])].append(row)
    alerts = []
    for (rule, dealer, sku), rows in sorted(groups.items()):
        latest = max(rows, key=lambda r: (r["observed_at"], r["evidence_id"]))
        impacts = [r["impact"] for r in rows]
        depths = [r["depth_pct"] for r in rows if r["depth_pct"] is not None]
        impact = max(impacts) if rule == UNDERCUT else exact_sum(impacts)
        depth = max(depths) if depths else None
        alerts.append(
            {
                "rule": rule,
                "dealer_id": dealer,
                "sku_id": sku,
                "evidence_ids": sorted(r["evidence_id"] for r in rows),
                "rows": len(rows),
                "units": max(r["qty"] for r in rows) if rule == UNDERCUT else sum(r["qty"] for r in rows),
                "floor": latest["floor"],
                "floor_rule_id": latest["floor_rule_id"],
                "worst_price": min(r["price"] for r in rows),
                "impact": impact,
                "max_depth_pct": depth,
                "severity": severity_of(impact, depth, policy),
                "first_seen": min(r["observed_at"] for r in rows),
                "last_seen": max(r["observed_at"] for r in rows),
            }
        )
    return alerts
