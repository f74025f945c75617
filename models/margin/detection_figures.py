"""What each new alert of a scan takes from its evidence rows: the ids, units, deepest breach, worst
price, first and last seen and the explanation. For MAP/MRP (thousands of new alerts per scan,
tens of rows each) all at once in Polars, explanations by engine.margin.explanations; for undercuts
and dead stock (the candidate row carries the figures) from the rows, as before. Split from
models.margin.detection_writes, which turns these figures into rows and audit events.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import polars as pl

from engine.margin.dedupe import Candidate, Key
from engine.margin.explanations import lost_margin_explanations
from engine.margin.frames import PRICE_RULES
from engine.margin.impact import EvidenceRow, explain

KEY = ["dealer_id", "sku_id", "rule"]  # a candidate's key, in Candidate.key order


@dataclass(frozen=True, slots=True)
class Figures:
    """A new alert's figures from its chosen evidence rows (`evidence_ids`: theirs, in the frame's order)."""

    evidence_ids: list[str]
    units: int
    depth: Decimal | None
    worst: Decimal | None
    first_seen: datetime | None
    last_seen: datetime | None
    math: dict[str, Any]  # the explanation's as_dict()


def row_figures(cand: Candidate, rows: Sequence[dict[str, Any]]) -> Figures:
    """One new alert's figures from its rows (rows of the scan's evidence frame, of its key)."""
    chosen = [r for r in rows if r["evidence_id"] in cand.evidence]
    data = cand.data
    if cand.rule in PRICE_RULES:
        units: Any = sum(r["qty"] for r in chosen)
        depth: Any = max((r["depth_pct"] for r in chosen if r["depth_pct"] is not None), default=None)
        worst: Any = min(r["price"] for r in chosen)
    else:
        units, depth, worst = data.get("units") or 0, data.get("max_depth_pct"), data.get("worst_price")
    math = explain(cand.rule, [EvidenceRow(r["evidence_id"], r["qty"], r["price"], r["floor"]) for r in chosen])
    return Figures(
        [r["evidence_id"] for r in chosen],
        units,
        depth,
        worst,
        min(r["observed_at"] for r in chosen),
        max(r["observed_at"] for r in chosen),
        math.as_dict(),
    )


def price_figures(cands: Sequence[Candidate], found: pl.DataFrame) -> dict[Key, Figures]:
    """`row_figures` of many MAP/MRP candidates at once (`found`: the scan's evidence frame)."""
    picked = [(*c.key, e) for c in cands if c.rule in PRICE_RULES for e in c.evidence]
    if not picked:
        return {}
    chosen = pl.DataFrame(picked, schema=[*KEY, "evidence_id"], orient="row").join(
        found, on=[*KEY, "evidence_id"], how="inner", maintain_order="left"
    )
    math = lost_margin_explanations(chosen, KEY)
    figures = chosen.group_by(KEY).agg(
        "evidence_id",
        pl.col("qty").sum(),
        pl.col("depth_pct").max(),
        pl.col("price").min(),
        pl.col("observed_at").min().alias("first_seen"),
        pl.col("observed_at").max().alias("last_seen"),
    )
    out: dict[Key, Figures] = {}
    for dealer, sku, rule, ids, units, depth, worst, first, last in figures.iter_rows():
        key = (dealer, sku, rule)
        out[key] = Figures(ids, units, depth, worst, first, last, math[key])
    return out
