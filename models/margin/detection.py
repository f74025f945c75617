"""Breach detection against the database: load → resolve floors in bulk → detect → dedupe → store.

`run_detection` runs inside one unit of work (the worker's item transaction for the "margin.detect"
job kind, or a seeder's session). It reads the tenant's sale rows, competitor snapshots and
inventory into Polars (Decimal money, UTC instants), asks the catalog's vectorized resolver for the
MAP and MRP floor of every sale row (engine.margin.floors), runs engine.margin.detection.detect and
applies engine.margin.dedupe.plan: new evidence attaches to the open alert of its
(rule, dealer, sku); nothing is ever duplicated. Evidence already judged on a closed alert
(resolved/dismissed) is not raised again. Alerts, evidence links and explanations are audited.

Alert ids are deterministic: uuid5 of (tenant, rule, dealer, sku, lowest new evidence id).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import insert
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.margin.dedupe import Attach, Candidate, OpenAlert, candidates_from_frames, plan
from engine.margin.detection import DetectionConfig, detect
from engine.margin.floors import attach_floors, floor_queries
from engine.margin.frames import (
    DEAD_STOCK,
    INSTANT,
    INVENTORY_SCHEMA,
    MAP_BREACH,
    MONEY,
    MRP_BREACH,
    OUR_PRICE_SCHEMA,
    PRICE_RULES,
    SALES_SCHEMA,
    SNAPSHOT_SCHEMA,
    UNDERCUT,
)
from engine.margin.impact import EvidenceRow, exact_sum, explain
from engine.margin.machines import ALERT_OPEN_STATES
from engine.margin.severity import severity_of
from models.catalog.pricing import resolve_many
from models.core import audit, mutations
from models.core.base import utcnow
from models.core.bulk import table_of
from models.margin.tables import (
    MarginAlert,
    MarginAlertEvidence,
    MarginCompetitorSnapshot,
    MarginInventoryRow,
    MarginSaleRow,
)

KIND = "margin.detect"
PERMISSION = "margin.detect.run"
DEFAULT_CURRENCY = "INR"
UNDERCUT_WINDOW_DAYS = 30
ALERT_NAMESPACE = uuid.UUID("8d0b7a52-3c1e-4f0a-b9f4-6a1d2e5c7b30")

EVIDENCE_KIND = {MAP_BREACH: "sale_row", MRP_BREACH: "sale_row", UNDERCUT: "snapshot", DEAD_STOCK: "inventory"}
EVIDENCE_COLUMN = {"sale_row": "sale_row_id", "snapshot": "snapshot_id", "inventory": "inventory_row_id"}
FLOOR_KIND = {MAP_BREACH: "map", MRP_BREACH: "mrp", UNDERCUT: "our_price"}


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def _uuid(value: Any) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


# --- loading ----------------------------------------------------------------------------------


def _columns(session: Session, query: Any, names: list[str]) -> dict[str, list[Any]]:
    """Rows of a column query, transposed to one list per column (no ORM objects: cheap at scale)."""
    rows = session.execute(query).all()
    if not rows:
        return {name: [] for name in names}
    return {name: list(values) for name, values in zip(names, zip(*rows, strict=True), strict=True)}


def load_sales(session: Session, ctx: TenantContext) -> pl.DataFrame:
    t = MarginSaleRow
    cols = _columns(
        session,
        sa_select(  # nine columns: more than sqlmodel's typed select takes
            col(t.id),
            col(t.dealer_id),
            col(t.sku_id),
            col(t.channel_id),
            col(t.advertised_price),
            col(t.transaction_price),
            col(t.qty),
            col(t.observed_at),
            col(t.currency),
        ).where(col(t.tenant_id) == ctx.tenant_id),
        [
            "row_id",
            "dealer_id",
            "sku_id",
            "channel_id",
            "advertised_price",
            "transaction_price",
            "qty",
            "observed_at",
            "currency",
        ],
    )
    for name in ("row_id", "dealer_id", "sku_id", "channel_id"):
        cols[name] = [_s(v) for v in cols[name]]
    return pl.DataFrame(cols, schema={**SALES_SCHEMA, "currency": pl.String()})


def load_snapshots(session: Session, ctx: TenantContext, since: datetime, until: datetime) -> pl.DataFrame:
    rows = session.exec(
        select(MarginCompetitorSnapshot).where(
            MarginCompetitorSnapshot.tenant_id == ctx.tenant_id,
            MarginCompetitorSnapshot.observed_at > since,
            MarginCompetitorSnapshot.observed_at <= until,
        )
    ).all()
    return pl.DataFrame(
        {
            "snapshot_id": [str(r.id) for r in rows],
            "competitor_id": [str(r.competitor_id) for r in rows],
            "sku_id": [str(r.sku_id) for r in rows],
            "price": [r.price for r in rows],
            "observed_at": [r.observed_at for r in rows],
            "currency": [r.currency for r in rows],
        },
        schema={**SNAPSHOT_SCHEMA, "currency": pl.String()},
    )


def load_inventory(session: Session, ctx: TenantContext) -> pl.DataFrame:
    rows = session.exec(select(MarginInventoryRow).where(MarginInventoryRow.tenant_id == ctx.tenant_id)).all()
    return pl.DataFrame(
        {
            "row_id": [str(r.id) for r in rows],
            "dealer_id": [str(r.dealer_id) for r in rows],
            "sku_id": [str(r.sku_id) for r in rows],
            "qty": [r.qty for r in rows],
            "unit_cost": [r.unit_cost for r in rows],
            "received_at": [r.received_at for r in rows],
        },
        schema=INVENTORY_SCHEMA,
    )


def price_sales(session: Session, ctx: TenantContext, sales: pl.DataFrame) -> pl.DataFrame:
    """Sale rows + MAP/MRP floors from the catalog's vectorized resolver (two bulk resolutions)."""
    map_resolved = resolve_many(session, ctx, floor_queries(sales, "map", DEFAULT_CURRENCY))
    mrp_resolved = resolve_many(session, ctx, floor_queries(sales, "mrp", DEFAULT_CURRENCY))
    return attach_floors(sales, map_resolved, mrp_resolved)


def our_prices(session: Session, ctx: TenantContext, snapshots: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """Our reference price per snapshot SKU at `as_of`: the list price, else the MAP floor (rule id kept)."""
    per_sku = snapshots.group_by("sku_id").agg(pl.col("currency").first()).sort("sku_id")
    if per_sku.height == 0:
        return pl.DataFrame(schema=OUR_PRICE_SCHEMA)
    base = per_sku.select(
        "sku_id",
        pl.lit(None, dtype=pl.String).alias("org_id"),
        pl.lit(None, dtype=pl.String).alias("channel_id"),
        pl.lit(as_of).cast(INSTANT).alias("at"),
        "currency",
    )
    found = []
    for kind in ("list", "map"):
        resolved = resolve_many(session, ctx, base.with_columns(pl.lit(kind).alias("kind")))
        found.append(resolved.select("sku_id", pl.col("price").cast(MONEY), pl.col("rule_id").cast(pl.String)))
    merged = found[0].join(found[1], on="sku_id", suffix="_map")
    out = merged.select(
        "sku_id",
        pl.coalesce("price", "price_map").alias("our_price"),
        pl.when(pl.col("price").is_not_null()).then("rule_id").otherwise("rule_id_map").alias("our_price_rule_id"),
    ).filter(pl.col("our_price").is_not_null())
    return out.cast(OUR_PRICE_SCHEMA)


# --- storing ----------------------------------------------------------------------------------


def _open_alerts(session: Session, ctx: TenantContext) -> tuple[dict[str, MarginAlert], list[OpenAlert]]:
    alerts = session.exec(
        select(MarginAlert).where(
            MarginAlert.tenant_id == ctx.tenant_id, col(MarginAlert.status).in_(ALERT_OPEN_STATES)
        )
    ).all()
    by_id = {str(a.id): a for a in alerts}
    evidence: dict[str, set[str]] = {k: set() for k in by_id}
    if by_id:
        for alert_id, evidence_id in session.exec(
            select(MarginAlertEvidence.alert_id, MarginAlertEvidence.evidence_id).where(
                MarginAlertEvidence.tenant_id == ctx.tenant_id,
                col(MarginAlertEvidence.alert_id).in_([a.id for a in alerts]),
            )
        ).all():
            evidence[str(alert_id)].add(str(evidence_id))
    opens = [
        OpenAlert(str(a.id), str(a.dealer_id), str(a.sku_id), a.rule, a.impact, frozenset(evidence[str(a.id)]))
        for a in alerts
    ]
    return by_id, opens


def _judged(session: Session, ctx: TenantContext) -> set[tuple[str, str, str, str]]:
    """(dealer, sku, rule, evidence id) already attached to a closed alert: not raised again."""
    rows = session.exec(
        select(MarginAlert.dealer_id, MarginAlert.sku_id, MarginAlert.rule, MarginAlertEvidence.evidence_id).where(
            MarginAlert.tenant_id == ctx.tenant_id,
            MarginAlertEvidence.tenant_id == ctx.tenant_id,
            MarginAlertEvidence.alert_id == MarginAlert.id,
            col(MarginAlert.status).not_in(ALERT_OPEN_STATES),
        )
    ).all()
    return {(str(d), str(s), r, str(e)) for d, s, r, e in rows}


def _unjudged(candidates: Iterable[Candidate], judged: set[tuple[str, str, str, str]]) -> list[Candidate]:
    out = []
    for c in candidates:
        fresh = {k: v for k, v in c.evidence.items() if (c.dealer_id, c.sku_id, c.rule, k) not in judged}
        if not fresh:
            continue
        if len(fresh) == len(c.evidence):
            out.append(c)
            continue
        impact = exact_sum(fresh.values()) if c.rule in PRICE_RULES else c.impact
        out.append(Candidate(c.dealer_id, c.sku_id, c.rule, impact, fresh, c.data))
    return out


def _evidence_rows(session: Session, ctx: TenantContext, alert_id: uuid.UUID) -> list[MarginAlertEvidence]:
    return list(
        session.exec(
            select(MarginAlertEvidence).where(
                MarginAlertEvidence.tenant_id == ctx.tenant_id, MarginAlertEvidence.alert_id == alert_id
            )
        ).all()
    )


def _explanation(rule: str, rows: list[EvidenceRow], data: dict[str, Any]) -> dict[str, Any]:
    math = explain(rule, rows).as_dict()
    math["floor_source"] = {
        "kind": FLOOR_KIND.get(rule),
        "price_rule_id": _s(data.get("floor_rule_id")),
        "floor": _s(data.get("floor")),
    }
    return math


def _insert_evidence(
    session: Session,
    ctx: TenantContext,
    alert_id: uuid.UUID,
    rule: str,
    rows: list[dict[str, Any]],
    job_id: uuid.UUID | None,
) -> None:
    if not rows:
        return
    kind = EVIDENCE_KIND[rule]
    now = utcnow()
    values = []
    for r in rows:
        evidence_id = uuid.UUID(r["evidence_id"])
        values.append(
            {
                "id": uuid.uuid5(ALERT_NAMESPACE, f"evidence:{alert_id}:{evidence_id}"),
                "tenant_id": ctx.tenant_id,
                "alert_id": alert_id,
                "kind": kind,
                "evidence_id": evidence_id,
                "sale_row_id": evidence_id if kind == "sale_row" else None,
                "snapshot_id": evidence_id if kind == "snapshot" else None,
                "inventory_row_id": evidence_id if kind == "inventory" else None,
                "observed_at": r["observed_at"],
                "qty": r["qty"],
                "floor": r["floor"],
                "floor_rule_id": _uuid(r["floor_rule_id"]),
                "price": r["price"],
                "impact": r["impact"],
                "depth_pct": r["depth_pct"],
                "age_days": r["age_days"],
                "job_id": job_id,
                "created_at": now,
            }
        )
    session.execute(insert(table_of(MarginAlertEvidence)), values)
    audit.record(
        session,
        ctx,
        action="margin_alert.evidence.attach",
        entity="margin_alerts",
        entity_id=alert_id,
        after={"evidence_ids": sorted(r["evidence_id"] for r in rows), "kind": kind, "job_id": _s(job_id)},
    )


def _create(
    session: Session, ctx: TenantContext, cand: Candidate, rows: list[dict[str, Any]], job_id: uuid.UUID | None
) -> MarginAlert:
    data: dict[str, Any] = dict(cand.data)  # the candidate row's columns: mixed types
    first_id = min(cand.evidence)
    alert_id = uuid.uuid5(ALERT_NAMESPACE, f"{ctx.tenant_id}:{cand.rule}:{cand.dealer_id}:{cand.sku_id}:{first_id}")
    chosen = [r for r in rows if r["evidence_id"] in cand.evidence]
    if cand.rule in PRICE_RULES:
        units = sum(r["qty"] for r in chosen)
        depth = max((r["depth_pct"] for r in chosen if r["depth_pct"] is not None), default=None)
        worst = min(r["price"] for r in chosen)
    else:
        units, depth, worst = data.get("units") or 0, data.get("max_depth_pct"), data.get("worst_price")
    explanation = _explanation(
        cand.rule, [EvidenceRow(r["evidence_id"], r["qty"], r["price"], r["floor"]) for r in chosen], data
    )
    now = utcnow()
    alert = MarginAlert(
        id=alert_id,
        tenant_id=ctx.tenant_id,
        rule=cand.rule,
        dealer_id=uuid.UUID(cand.dealer_id),
        sku_id=uuid.UUID(cand.sku_id),
        status="open",
        severity=severity_of(cand.impact, depth),
        floor=data.get("floor"),
        floor_rule_id=_uuid(data.get("floor_rule_id")),
        worst_price=worst,
        max_depth_pct=depth,
        impact=cand.impact,
        evidence_count=len(chosen),
        units=units,
        explanation=explanation,
        first_seen=min(r["observed_at"] for r in chosen),
        last_seen=max(r["observed_at"] for r in chosen),
        opened_at=now,
        updated_at=now,
    )
    mutations.create(session, ctx, alert, action="margin_alert.create")
    _insert_evidence(session, ctx, alert.id, cand.rule, chosen, job_id)
    return alert


def _attach(
    session: Session,
    ctx: TenantContext,
    alert: MarginAlert,
    step: Attach,
    rows: list[dict[str, Any]],
    job_id: uuid.UUID | None,
) -> None:
    cand = step.candidate
    data: dict[str, Any] = dict(cand.data)  # the candidate row's columns: mixed types
    new_rows = [r for r in rows if r["evidence_id"] in set(step.new_evidence_ids)]
    _insert_evidence(session, ctx, alert.id, alert.rule, new_rows, job_id)
    stored = _evidence_rows(session, ctx, alert.id)
    if alert.rule in PRICE_RULES:
        math_rows = [EvidenceRow(str(e.evidence_id), e.qty, e.price, e.floor) for e in stored]  # type: ignore[arg-type]
        depth = max((e.depth_pct for e in stored if e.depth_pct is not None), default=None)
        worst = min(e.price for e in stored if e.price is not None)
        units = sum(e.qty for e in stored)
    else:
        math_rows = [EvidenceRow(r["evidence_id"], r["qty"], r["price"], r["floor"]) for r in rows]
        depth, worst, units = data.get("max_depth_pct"), data.get("worst_price"), data.get("units") or 0
    seen = [e.observed_at for e in stored if e.observed_at is not None]
    latest = _latest(rows) if alert.rule in PRICE_RULES else data
    changes: dict[str, Any] = {
        "impact": step.impact,
        "severity": severity_of(step.impact, depth),
        "floor": latest.get("floor"),
        "floor_rule_id": _uuid(latest.get("floor_rule_id")),
        "worst_price": worst,
        "max_depth_pct": depth,
        "evidence_count": len(stored),
        "units": units,
        "explanation": _explanation(alert.rule, math_rows, latest),
        "first_seen": min(seen) if seen else alert.first_seen,
        "last_seen": max(seen) if seen else alert.last_seen,
        "updated_at": utcnow(),
    }
    mutations.update(session, ctx, alert, changes, action="margin_alert.attach")


def _latest(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return max(rows, key=lambda r: (r["observed_at"], r["evidence_id"])) if rows else {}


def run_detection(
    session: Session,
    ctx: TenantContext,
    *,
    as_of: datetime | None = None,
    job_id: uuid.UUID | None = None,
    config: DetectionConfig | None = None,
    undercut_window_days: int = UNDERCUT_WINDOW_DAYS,
) -> dict[str, Any]:
    """Scan the tenant and store the outcome; returns counts and the touched alert ids."""
    ctx.require(PERMISSION)
    as_of = as_of or utcnow()
    if as_of.tzinfo is None:
        raise ValidationFailed("as_of must carry a time zone", fields={"as_of": "timezone required"})
    sales = load_sales(session, ctx)
    priced = price_sales(session, ctx, sales) if sales.height else None
    snapshots = load_snapshots(session, ctx, as_of - timedelta(days=undercut_window_days), as_of)
    inventory = load_inventory(session, ctx)
    ours = our_prices(session, ctx, snapshots, as_of) if snapshots.height else None
    result = detect(
        priced,
        snapshots=snapshots if snapshots.height else None,
        our_prices=ours,
        inventory=inventory if inventory.height else None,
        as_of=as_of,
        config=config,
    )
    by_key: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in result.evidence.iter_rows(named=True):
        by_key.setdefault((row["dealer_id"], row["sku_id"], row["rule"]), []).append(row)
    by_id, opens = _open_alerts(session, ctx)
    candidates = _unjudged(candidates_from_frames(result.alerts, result.evidence), _judged(session, ctx))
    steps = plan(opens, candidates)
    attach_ids = sorted({by_id[step.alert_id].id for step in steps.attaches})
    if attach_ids:  # row locks (id order) before the first audit append: docs/jobs.md, "Lock order"
        session.exec(
            select(MarginAlert)
            .where(MarginAlert.tenant_id == ctx.tenant_id, col(MarginAlert.id).in_(attach_ids))
            .order_by(col(MarginAlert.id))
            .with_for_update()
        ).all()
    created = [_create(session, ctx, c.candidate, by_key[c.candidate.key], job_id) for c in steps.creates]
    for step in steps.attaches:
        _attach(session, ctx, by_id[step.alert_id], step, by_key[step.candidate.key], job_id)
    summary = {
        "as_of": as_of.isoformat(),
        "sale_rows": sales.height,
        "snapshots": snapshots.height,
        "inventory_rows": inventory.height,
        "evidence_rows": result.evidence.height,
        "created": len(created),
        "attached": len(steps.attaches),
        "unchanged": len(steps.unchanged),
        "created_ids": [str(a.id) for a in created],
        "attached_ids": [a.alert_id for a in steps.attaches],
    }
    audit.record(
        session, ctx, action="margin.detect", entity="margin_alerts", entity_id=job_id or "scan", after=summary
    )
    return summary


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
