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

import io
import json
import os
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
from psycopg import sql
from sqlalchemy import and_, false, or_, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.jsonable import to_jsonable
from engine.margin.dedupe import Attach, Candidate, OpenAlert, candidates_from_frames, plan
from engine.margin.detection import UNITS_SCHEMA, DetectionConfig, detect
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
from models.core import audit
from models.core.base import utcnow
from models.core.bulk import insert_frame, insert_rows, table_of
from models.core.mutations import snapshot
from models.margin.tables import (
    MarginAlert,
    MarginAlertEvidence,
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


SALES_RULES = (MAP_BREACH, MRP_BREACH, DEAD_STOCK)


@dataclass(frozen=True)
class Scope:
    """What one detection item scans. `dealers`: the sale rows and inventory of these dealers (MAP,
    MRP, dead stock); None = every dealer. `market`: the competitor snapshots (undercuts).
    The whole tenant is `Scope()`; a detection job splits it (`detection_items`)."""

    dealers: tuple[str, ...] | None = None
    market: bool = True

    @property
    def sales(self) -> bool:
        return self.dealers is None or bool(self.dealers)

    @property
    def rules(self) -> tuple[str, ...]:
        return (*(SALES_RULES if self.sales else ()), *((UNDERCUT,) if self.market else ()))

    @classmethod
    def of_payload(cls, payload: dict[str, Any]) -> Scope:
        if "dealers" not in payload and "market" not in payload:
            return cls()  # a job queued before items were split: the whole tenant
        dealers = payload.get("dealers")
        return cls(tuple(str(d) for d in dealers) if dealers is not None else (), bool(payload.get("market")))


def _copy_frame(session: Session, query: sql.Composable, schema: dict[str, Any]) -> pl.DataFrame:
    """A query's rows straight into Polars through COPY … TO STDOUT (CSV), in the session's own
    transaction (its tenant setting, so RLS applies): no Python object per cell. Instants come
    as epoch microseconds (columns of `schema` typed INSTANT)."""
    raw: Any = session.connection().connection.driver_connection
    buffer = io.BytesIO()
    with raw.cursor() as cursor, cursor.copy(sql.SQL("copy ({}) to stdout (format csv)").format(query)) as copy:
        for block in copy:
            buffer.write(block)
    read = {name: (pl.Int64() if dtype == INSTANT else dtype) for name, dtype in schema.items()}
    if buffer.tell() == 0:
        return pl.DataFrame(schema=schema)
    frame = pl.read_csv(buffer.getvalue(), has_header=False, new_columns=list(schema), schema=read)
    return frame.with_columns(
        pl.col(name).cast(pl.Datetime("us")).dt.replace_time_zone("UTC") for name, d in schema.items() if d == INSTANT
    )


def _epoch(column: str) -> sql.Composable:
    return sql.SQL("(extract(epoch from {c}) * 1000000)::bigint").format(c=sql.Identifier(column))


def _where(ctx: TenantContext, dealers: tuple[str, ...] | None, column: str = "dealer_id") -> sql.Composable:
    """The tenant (in code as well as by RLS) and, for a dealer scope, its dealers."""
    tenant = sql.SQL("tenant_id = {t}::uuid").format(t=sql.Literal(str(ctx.tenant_id)))
    if dealers is None:
        return tenant
    ids = sql.SQL(", ").join(sql.Literal(str(uuid.UUID(d))) for d in dealers) if dealers else sql.SQL("null")
    return sql.SQL("{t} and {c} in ({ids})").format(t=tenant, c=sql.Identifier(column), ids=ids)


def load_sales(session: Session, ctx: TenantContext, dealers: tuple[str, ...] | None = None) -> pl.DataFrame:
    query = sql.SQL(
        "select id, dealer_id, sku_id, channel_id, advertised_price, transaction_price, qty, {at}, currency "
        "from margin_sale_rows where {where}"
    ).format(at=_epoch("observed_at"), where=_where(ctx, dealers))
    return _copy_frame(session, query, {**SALES_SCHEMA, "currency": pl.String()})


def sku_units(session: Session, ctx: TenantContext) -> pl.DataFrame:
    """Units per SKU over every sale row of the tenant (what undercuts are valued on)."""
    query = sql.SQL("select sku_id, sum(qty)::bigint from margin_sale_rows where {where} group by sku_id").format(
        where=_where(ctx, None)
    )
    return _copy_frame(session, query, UNITS_SCHEMA)


def load_snapshots(session: Session, ctx: TenantContext, since: datetime, until: datetime) -> pl.DataFrame:
    query = sql.SQL(
        "select id, competitor_id, sku_id, price, {at}, currency from margin_competitor_snapshots "
        "where {where} and observed_at > {since} and observed_at <= {until}"
    ).format(at=_epoch("observed_at"), where=_where(ctx, None), since=sql.Literal(since), until=sql.Literal(until))
    return _copy_frame(session, query, {**SNAPSHOT_SCHEMA, "currency": pl.String()})


def load_inventory(session: Session, ctx: TenantContext, dealers: tuple[str, ...] | None = None) -> pl.DataFrame:
    query = sql.SQL(
        "select id, dealer_id, sku_id, qty, unit_cost, {at} from margin_inventory_rows where {where}"
    ).format(at=_epoch("received_at"), where=_where(ctx, dealers))
    return _copy_frame(session, query, INVENTORY_SCHEMA)


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


def _in_scope(query: Any, rule: Any, dealer: Any, scope: Scope) -> Any:
    """Alerts a scan of `scope` can touch: its dealers' sales rules, and undercuts for the market."""
    if scope.dealers is None:
        return query.where(rule.in_(scope.rules))
    dealers = [uuid.UUID(d) for d in scope.dealers]
    own = and_(rule.in_(SALES_RULES), dealer.in_(dealers)) if dealers else false()
    return query.where(or_(own, rule == UNDERCUT) if scope.market else own)


def _open_alerts(session: Session, ctx: TenantContext, scope: Scope) -> tuple[dict[str, MarginAlert], list[OpenAlert]]:
    """The scope's open alerts (its rules, its dealers) with their evidence ids."""
    query = select(MarginAlert).where(
        MarginAlert.tenant_id == ctx.tenant_id, col(MarginAlert.status).in_(ALERT_OPEN_STATES)
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


def _explanation(rule: str, rows: list[EvidenceRow], data: dict[str, Any]) -> dict[str, Any]:
    math = explain(rule, rows).as_dict()
    math["floor_source"] = {
        "kind": FLOOR_KIND.get(rule),
        "price_rule_id": _s(data.get("floor_rule_id")),
        "floor": _s(data.get("floor")),
    }
    return math


class _Writes:
    """Everything one scan writes, collected first and written in bulk: alerts and evidence rows
    (one JSON statement per table and chunk), the attached alerts' new figures (one UPDATE), and
    every audit event in one append at the very end (the tenant's audit lock is then held only
    from there to commit, so detection items of one tenant overlap: docs/jobs.md, "Lock order")."""

    def __init__(self, session: Session, ctx: TenantContext, job_id: uuid.UUID | None):
        self.session, self.ctx, self.job_id = session, ctx, job_id
        self.now = utcnow()
        self.alerts: list[dict[str, Any]] = []
        self.evidence: list[tuple[str, str, str, str, str]] = []  # alert id + the evidence frame's key
        self.updates: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    def evidence_rows(self, alert_id: uuid.UUID, rule: str, rows: list[dict[str, Any]]) -> None:
        """Attach `rows` (rows of the scan's evidence frame) to the alert: noted now, written in bulk."""
        if not rows:
            return
        alert = str(alert_id)
        self.evidence.extend((alert, rule, r["dealer_id"], r["sku_id"], r["evidence_id"]) for r in rows)
        self.events.append(
            {
                "action": "margin_alert.evidence.attach",
                "entity": "margin_alerts",
                "entity_id": alert_id,
                "after": {
                    "evidence_ids": sorted(r["evidence_id"] for r in rows),
                    "kind": EVIDENCE_KIND[rule],
                    "job_id": _s(self.job_id),
                },
            }
        )

    def evidence_frame(self, found: pl.DataFrame) -> pl.DataFrame:
        """The evidence rows to insert, built from the scan's evidence frame in Polars (no Python
        object per cell): ids are uuid5 of (alert, evidence), as before."""
        keys = ["rule", "dealer_id", "sku_id", "evidence_id"]
        picked = pl.DataFrame(self.evidence, schema=["alert_id", *keys], orient="row")
        rows = picked.join(found, on=keys, how="left", maintain_order="left")
        ids = [
            str(uuid.uuid5(ALERT_NAMESPACE, f"evidence:{a}:{e}"))
            for a, e in zip(rows["alert_id"].to_list(), rows["evidence_id"].to_list(), strict=True)
        ]
        kind = pl.col("rule").replace_strict(EVIDENCE_KIND, return_dtype=pl.String())
        own = {
            name: pl.when(kind == name).then(pl.col("evidence_id")).otherwise(None).alias(column)
            for name, column in EVIDENCE_COLUMN.items()
        }
        return rows.select(
            pl.Series("id", ids, dtype=pl.String()),
            pl.lit(str(self.ctx.tenant_id)).alias("tenant_id"),
            "alert_id",
            kind.alias("kind"),
            "evidence_id",
            own["sale_row"],
            own["snapshot"],
            own["inventory"],
            "observed_at",
            "qty",
            "floor",
            "floor_rule_id",
            "price",
            "impact",
            "depth_pct",
            "age_days",
            pl.lit(_s(self.job_id), dtype=pl.String()).alias("job_id"),
            pl.lit(self.now).cast(INSTANT).alias("created_at"),
        )

    def create(self, cand: Candidate, rows: list[dict[str, Any]]) -> uuid.UUID:
        data: dict[str, Any] = dict(cand.data)  # the candidate row's columns: mixed types
        first_id = min(cand.evidence)
        alert_id = uuid.uuid5(
            ALERT_NAMESPACE, f"{self.ctx.tenant_id}:{cand.rule}:{cand.dealer_id}:{cand.sku_id}:{first_id}"
        )
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
        alert = to_jsonable(  # the table's columns in order: the insert's row and the audit's snapshot
            {
                "id": alert_id,
                "tenant_id": self.ctx.tenant_id,
                "rule": cand.rule,
                "dealer_id": uuid.UUID(cand.dealer_id),
                "sku_id": uuid.UUID(cand.sku_id),
                "status": "open",
                "severity": severity_of(cand.impact, depth),
                "floor": data.get("floor"),
                "floor_rule_id": _uuid(data.get("floor_rule_id")),
                "worst_price": worst,
                "max_depth_pct": depth,
                "impact": cand.impact,
                "evidence_count": len(chosen),
                "units": units,
                "explanation": explanation,
                "first_seen": min(r["observed_at"] for r in chosen),
                "last_seen": max(r["observed_at"] for r in chosen),
                "opened_at": self.now,
                "updated_at": self.now,
                "notes": None,
            }
        )
        self.alerts.append(alert)
        event = {"action": "margin_alert.create", "entity": "margin_alerts", "entity_id": alert_id}
        self.events.append({**event, "after": alert})
        self.evidence_rows(alert_id, cand.rule, chosen)
        return alert_id

    def attach(
        self,
        alert: MarginAlert,
        step: Attach,
        rows: list[dict[str, Any]],
        stored: list[dict[str, Any]],
    ) -> None:
        """`stored`: the alert's evidence already in the table (this step's new rows are added here)."""
        cand = step.candidate
        data: dict[str, Any] = dict(cand.data)  # the candidate row's columns: mixed types
        new_ids = set(step.new_evidence_ids)
        new_rows = [r for r in rows if r["evidence_id"] in new_ids]
        self.evidence_rows(alert.id, alert.rule, new_rows)
        every = stored + new_rows
        if alert.rule in PRICE_RULES:
            math_rows = [EvidenceRow(str(e["evidence_id"]), e["qty"], e["price"], e["floor"]) for e in every]
            depth = max((e["depth_pct"] for e in every if e["depth_pct"] is not None), default=None)
            worst = min(e["price"] for e in every if e["price"] is not None)
            units = sum(e["qty"] for e in every)
        else:
            math_rows = [EvidenceRow(r["evidence_id"], r["qty"], r["price"], r["floor"]) for r in rows]
            depth, worst, units = data.get("max_depth_pct"), data.get("worst_price"), data.get("units") or 0
        seen = [e["observed_at"] for e in every if e["observed_at"] is not None]
        latest = _latest(rows) if alert.rule in PRICE_RULES else data
        changes: dict[str, Any] = {
            "impact": step.impact,
            "severity": severity_of(step.impact, depth),
            "floor": latest.get("floor"),
            "floor_rule_id": _uuid(latest.get("floor_rule_id")),
            "worst_price": worst,
            "max_depth_pct": depth,
            "evidence_count": len(every),
            "units": units,
            "explanation": _explanation(alert.rule, math_rows, latest),
            "first_seen": min(seen) if seen else alert.first_seen,
            "last_seen": max(seen) if seen else alert.last_seen,
            "updated_at": self.now,
        }
        before = snapshot(alert)
        after = to_jsonable(changes)
        self.updates.append({"id": alert.id, **changes})
        self.events.append(
            {
                "action": "margin_alert.attach",
                "entity": "margin_alerts",
                "entity_id": alert.id,
                "before": {k: before.get(k) for k in changes},
                "after": after,
            }
        )

    def write(self, found: pl.DataFrame) -> None:
        """The rows (`found`: the scan's evidence frame), then the updates; the ORM copies of updated
        alerts are expired. The audit events come last (`audit`)."""
        session = self.session
        for start in range(0, len(self.alerts), WRITE_CHUNK):
            insert_rows(session, table_of(MarginAlert), self.alerts[start : start + WRITE_CHUNK])
        if self.evidence:
            insert_frame(session, table_of(MarginAlertEvidence), self.evidence_frame(found), chunk_rows=WRITE_CHUNK)
        if self.updates:
            session.execute(_UPDATE_ALERTS, {"t": self.ctx.tenant_id, "rows": _json(self.updates)})
            session.expire_all()

    def audit(self, summary_event: dict[str, Any]) -> None:
        audit.record_many(self.session, self.ctx, [*self.events, summary_event])


WRITE_CHUNK = 10_000
_UPDATE_COLUMNS = {
    "impact": "numeric(38,10)",
    "severity": "varchar(20)",
    "floor": "numeric(38,10)",
    "floor_rule_id": "uuid",
    "worst_price": "numeric(38,10)",
    "max_depth_pct": "numeric(38,10)",
    "evidence_count": "integer",
    "units": "integer",
    "explanation": "jsonb",
    "first_seen": "timestamptz",
    "last_seen": "timestamptz",
    "updated_at": "timestamptz",
}
_UPDATE_ALERTS = text(
    "update margin_alerts a set "
    + ", ".join(f"{c} = r.{c}" for c in _UPDATE_COLUMNS)
    + " from jsonb_to_recordset(cast(:rows as jsonb)) as r(id uuid, "
    + ", ".join(f"{c} {t}" for c, t in _UPDATE_COLUMNS.items())
    + ") where a.tenant_id = :t and a.id = r.id"
)


def _json(rows: list[dict[str, Any]]) -> str:
    return json.dumps(to_jsonable(rows), ensure_ascii=False, separators=(",", ":"))


def _stored_evidence(session: Session, ctx: TenantContext, alert_ids: list[uuid.UUID]) -> dict[str, list[dict]]:
    """The evidence already attached to these alerts, per alert id (one query)."""
    found: dict[str, list[dict]] = {str(a): [] for a in alert_ids}
    if not alert_ids:
        return found
    e = MarginAlertEvidence
    rows = session.execute(  # seven columns: more than sqlmodel's typed select takes
        sa_select(
            col(e.alert_id),
            col(e.evidence_id),
            col(e.qty),
            col(e.price),
            col(e.floor),
            col(e.depth_pct),
            col(e.observed_at),
        ).where(col(e.tenant_id) == ctx.tenant_id, col(e.alert_id).in_(alert_ids))
    ).all()
    for alert_id, evidence_id, qty, price, floor, depth, observed in rows:
        found[str(alert_id)].append(
            {
                "evidence_id": str(evidence_id),
                "qty": qty,
                "price": price,
                "floor": floor,
                "depth_pct": depth,
                "observed_at": observed,
            }
        )
    return found


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
    by_key: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in result.evidence.iter_rows(named=True):
        by_key.setdefault((row["dealer_id"], row["sku_id"], row["rule"]), []).append(row)
    by_id, opens = _open_alerts(session, ctx, scope)
    candidates = _unjudged(candidates_from_frames(result.alerts, result.evidence), _judged(session, ctx, scope))
    steps = plan(opens, candidates)
    attach_ids = sorted({by_id[step.alert_id].id for step in steps.attaches})
    if attach_ids:  # row locks (id order) before the first audit append: docs/jobs.md, "Lock order"
        session.exec(
            select(MarginAlert)
            .where(MarginAlert.tenant_id == ctx.tenant_id, col(MarginAlert.id).in_(attach_ids))
            .order_by(col(MarginAlert.id))
            .with_for_update()
        ).all()
    writes = _Writes(session, ctx, job_id)
    created = [writes.create(c.candidate, by_key[c.candidate.key]) for c in steps.creates]
    stored = _stored_evidence(session, ctx, attach_ids)
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


# --- splitting a scan into job items ------------------------------------------------------------

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
