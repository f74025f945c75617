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
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, cast

import polars as pl
from sqlalchemy import and_, false, or_
from sqlalchemy.orm import QueryableAttribute, defer
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.margin.dedupe import Attach, Candidate, Key, OpenAlert, candidates_from_frames, plan
from engine.margin.detection import DetectionConfig, detect
from engine.margin.frames import INVENTORY_SCHEMA, PRICE_RULES, SALES_SCHEMA, SNAPSHOT_SCHEMA, UNDERCUT
from engine.margin.impact import exact_sum
from engine.margin.machines import ALERT_OPEN_STATES
from models.core.base import utcnow
from models.margin.detection_figures import KEY, price_figures, row_figures
from models.margin.detection_load import (
    SALES_RULES,
    Scope,
    load_inventory,
    load_sales,
    load_snapshots,
    our_prices,
    price_sales,
    sku_units,
)
from models.margin.detection_writes import Writes, stored_evidence
from models.margin.tables import MarginAlert, MarginAlertEvidence

KIND = "margin.detect"
PERMISSION = "margin.detect.run"
UNDERCUT_WINDOW_DAYS = 30


def _in_scope(query: Any, rule: Any, dealer: Any, scope: Scope) -> Any:
    """Alerts a scan of `scope` can touch: its dealers' sales rules, and undercuts for the market."""
    if scope.dealers is None:
        return query.where(rule.in_(scope.rules))
    dealers = [uuid.UUID(d) for d in scope.dealers]
    own = and_(rule.in_(SALES_RULES), dealer.in_(dealers)) if dealers else false()
    return query.where(or_(own, rule == UNDERCUT) if scope.market else own)


def _open_alerts(session: Session, ctx: TenantContext, scope: Scope) -> tuple[dict[str, MarginAlert], list[OpenAlert]]:
    """The scope's open alerts (its rules, its dealers) with their evidence ids. Without their
    explanations (the largest column): only an alert the scan attaches to needs its own, and the
    row lock `run_detection` takes on those alerts loads it."""
    query = (
        select(MarginAlert)
        .where(MarginAlert.tenant_id == ctx.tenant_id, col(MarginAlert.status).in_(ALERT_OPEN_STATES))
        .options(defer(cast(QueryableAttribute[Any], MarginAlert.explanation)))  # SQLModel types it as its value
    )
    alerts = session.exec(_in_scope(query, col(MarginAlert.rule), col(MarginAlert.dealer_id), scope)).all()
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


def _judged(session: Session, ctx: TenantContext, scope: Scope) -> set[tuple[str, str, str, str]]:
    """(dealer, sku, rule, evidence id) already attached to a closed alert: not raised again."""
    query = select(MarginAlert.dealer_id, MarginAlert.sku_id, MarginAlert.rule, MarginAlertEvidence.evidence_id).where(
        MarginAlert.tenant_id == ctx.tenant_id,
        MarginAlertEvidence.tenant_id == ctx.tenant_id,
        MarginAlertEvidence.alert_id == MarginAlert.id,
        col(MarginAlert.status).not_in(ALERT_OPEN_STATES),
    )
    rows = session.exec(_in_scope(query, col(MarginAlert.rule), col(MarginAlert.dealer_id), scope)).all()
    return {(str(d), str(s), r, str(e)) for d, s, r, e in rows}


def _unjudged(candidates: Iterable[Candidate], judged: set[tuple[str, str, str, str]]) -> list[Candidate]:
    if not judged:
        return list(candidates)
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


def _rows_by_key(evidence: pl.DataFrame, keys: list[Key], attaches: Iterable[Attach]) -> dict[Key, list[dict]]:
    """The evidence frame's rows (as dicts) of these keys and the attached alerts' keys, per key."""
    wanted = {*keys, *(step.candidate.key for step in attaches)}
    by_key: dict[Key, list[dict[str, Any]]] = {key: [] for key in wanted}
    if not wanted:
        return by_key
    picked = evidence.join(
        pl.DataFrame(list(wanted), schema=KEY, orient="row"), on=KEY, how="semi", maintain_order="left"
    )
    for row in picked.iter_rows(named=True):
        by_key[(row["dealer_id"], row["sku_id"], row["rule"])].append(row)
    return by_key


def run_detection(
    session: Session,
    ctx: TenantContext,
    *,
    as_of: datetime | None = None,
    job_id: uuid.UUID | None = None,
    config: DetectionConfig | None = None,
    undercut_window_days: int = UNDERCUT_WINDOW_DAYS,
    scope: Scope | None = None,
    before_audit: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Scan the tenant (or `scope` of it) and store the outcome; returns counts and the touched
    alert ids. `before_audit` runs after the rows are written and before the audit append (a
    caller's row locks go there: the audit lock is always taken last)."""
    ctx.require(PERMISSION)
    scope = scope or Scope()
    as_of = as_of or utcnow()
    if as_of.tzinfo is None:
        raise ValidationFailed("as_of must carry a time zone", fields={"as_of": "timezone required"})
    empty_sales = pl.DataFrame(schema=SALES_SCHEMA)
    sales = load_sales(session, ctx, scope.dealers) if scope.sales else empty_sales
    priced = price_sales(session, ctx, sales) if sales.height else None
    inventory = load_inventory(session, ctx, scope.dealers) if scope.sales else pl.DataFrame(schema=INVENTORY_SCHEMA)
    snapshots = pl.DataFrame(schema=SNAPSHOT_SCHEMA)
    units = None
    if scope.market:
        snapshots = load_snapshots(session, ctx, as_of - timedelta(days=undercut_window_days), as_of)
        if snapshots.height and (scope.dealers is not None or not sales.height):
            units = sku_units(session, ctx)  # the sale rows are not all loaded here: count in SQL
    ours = our_prices(session, ctx, snapshots, as_of) if snapshots.height else None
    result = detect(
        priced,
        snapshots=snapshots if snapshots.height else None,
        our_prices=ours,
        inventory=inventory if inventory.height else None,
        as_of=as_of,
        config=config,
        units=units,
    )
    by_id, opens = _open_alerts(session, ctx, scope)
    candidates = _unjudged(candidates_from_frames(result.alerts, result.evidence), _judged(session, ctx, scope))
    steps = plan(opens, candidates)
    attach_ids = sorted({by_id[step.alert_id].id for step in steps.attaches})
    if attach_ids:  # row locks (id order) before the first audit append: docs/jobs.md, "Lock order";
        # the same rows fill in the deferred explanations of these alerts (the audit's `before`)
        session.exec(
            select(MarginAlert)
            .where(MarginAlert.tenant_id == ctx.tenant_id, col(MarginAlert.id).in_(attach_ids))
            .order_by(col(MarginAlert.id))
            .with_for_update()
        ).all()
    new = [c.candidate for c in steps.creates]
    by_key = _rows_by_key(result.evidence, [c.key for c in new if c.rule not in PRICE_RULES], steps.attaches)
    figures = price_figures(new, result.evidence)  # MAP/MRP all at once; the others from their rows
    writes = Writes(session, ctx, job_id)
    created = [writes.create(c, figures[c.key] if c.key in figures else row_figures(c, by_key[c.key])) for c in new]
    stored = stored_evidence(session, ctx, attach_ids)
    for step in steps.attaches:
        writes.attach(by_id[step.alert_id], step, by_key[step.candidate.key], stored[step.alert_id])
    writes.write(result.evidence)
    summary = {
        "as_of": as_of.isoformat(),
        "sale_rows": sales.height,
        "snapshots": snapshots.height,
        "inventory_rows": inventory.height,
        "evidence_rows": result.evidence.height,
        "created": len(created),
        "attached": len(steps.attaches),
        "unchanged": len(steps.unchanged),
        "created_ids": [str(a) for a in created],
        "attached_ids": [a.alert_id for a in steps.attaches],
    }
    if scope.dealers is not None or not scope.market:
        summary["dealers"] = len(scope.dealers or ())
    if before_audit is not None:
        before_audit()
    writes.audit(
        {"action": "margin.detect", "entity": "margin_alerts", "entity_id": job_id or "scan", "after": summary}
    )
    return summary
