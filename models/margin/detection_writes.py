"""Detection's writes: everything one scan stores (alerts, evidence rows, the attached alerts' new
figures, the audit events), collected first and written in bulk. Split from
models.margin.detection (which loads, detects and plans) so each file keeps one purpose.

Alert ids are deterministic: uuid5 of (tenant, rule, dealer, sku, lowest new evidence id).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import select as sa_select
from sqlalchemy import text
from sqlmodel import Session, col

from engine.audit_chain import Encoded
from engine.context import TenantContext
from engine.ids import uuid5_text
from engine.jsonable import format_instant, to_jsonable
from engine.margin.dedupe import Attach, Candidate, Key
from engine.margin.frames import DEAD_STOCK, INSTANT, MAP_BREACH, MRP_BREACH, PRICE_RULES, UNDERCUT
from engine.margin.impact import EvidenceRow, explain
from engine.margin.severity import severity_of
from models.core import audit
from models.core.base import utcnow
from models.core.bulk import insert_encoded, insert_frame, table_of
from models.margin.detection_figures import Figures
from models.margin.tables import MarginAlert, MarginAlertEvidence

ALERT_NAMESPACE = uuid.UUID("8d0b7a52-3c1e-4f0a-b9f4-6a1d2e5c7b30")

EVIDENCE_KIND = {MAP_BREACH: "sale_row", MRP_BREACH: "sale_row", UNDERCUT: "snapshot", DEAD_STOCK: "inventory"}
EVIDENCE_COLUMN = {"sale_row": "sale_row_id", "snapshot": "snapshot_id", "inventory": "inventory_row_id"}
FLOOR_KIND = {MAP_BREACH: "map", MRP_BREACH: "mrp", UNDERCUT: "our_price"}


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def _uuid(value: Any) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


def _instant(value: datetime | None) -> str | None:
    return None if value is None else format_instant(value)


def _floor_source(rule: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": FLOOR_KIND.get(rule),
        "price_rule_id": _s(data.get("floor_rule_id")),
        "floor": _s(data.get("floor")),
    }


def _explanation(rule: str, rows: list[EvidenceRow], data: dict[str, Any]) -> dict[str, Any]:
    return {**explain(rule, rows).as_dict(), "floor_source": _floor_source(rule, data)}


class Writes:
    """Everything one scan writes, collected first and written in bulk: alerts and evidence rows
    (one JSON statement per table and chunk), the attached alerts' new figures (one UPDATE), and
    every audit event in one append at the very end (the tenant's audit lock is then held only
    from there to commit, so detection items of one tenant overlap: docs/jobs.md, "Lock order")."""

    def __init__(self, session: Session, ctx: TenantContext, job_id: uuid.UUID | None):
        self.session, self.ctx, self.job_id = session, ctx, job_id
        self.now = utcnow()
        self.alerts: list[Encoded] = []  # JSON-ready rows, encoded once: the insert's and the audit's
        # per alert: its id, the evidence frame's key and the evidence ids it gets (one row each)
        self.evidence: list[tuple[str, str, str, str, list[str]]] = []
        self.updates: list[str] = []  # the attached alerts' new figures, JSON objects with their id
        self.events: list[dict[str, Any]] = []

    def evidence_rows(self, alert_id: uuid.UUID, key: Key, evidence_ids: list[str]) -> None:
        """Attach the rows of the scan's evidence frame with these ids (of `key`) to the alert:
        noted now, written in bulk."""
        if not evidence_ids:
            return
        alert = str(alert_id)
        dealer, sku, rule = key
        self.evidence.append((alert, rule, dealer, sku, evidence_ids))
        self.events.append(
            {
                "action": "margin_alert.evidence.attach",
                "entity": "margin_alerts",
                "entity_id": alert_id,
                "after": Encoded.of(
                    {"evidence_ids": sorted(evidence_ids), "kind": EVIDENCE_KIND[rule], "job_id": _s(self.job_id)}
                ),
            }
        )

    def evidence_frame(self, found: pl.DataFrame) -> pl.DataFrame:
        """The evidence rows to insert, built from the scan's evidence frame in Polars (no Python
        object per cell): ids are uuid5 of (alert, evidence), as before."""
        keys = ["rule", "dealer_id", "sku_id", "evidence_id"]
        schema = {"alert_id": pl.String, "rule": pl.String, "dealer_id": pl.String, "sku_id": pl.String}
        picked = pl.DataFrame(self.evidence, schema={**schema, "evidence_id": pl.List(pl.String)}, orient="row")
        picked = picked.explode("evidence_id")
        rows = picked.join(found, on=keys, how="left", maintain_order="left")
        ids = [
            uuid5_text(ALERT_NAMESPACE, f"evidence:{a}:{e}")
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

    def create(self, cand: Candidate, figures: Figures) -> uuid.UUID:
        """A new alert from its candidate and the figures of its chosen rows (detection_figures)."""
        data: dict[str, Any] = dict(cand.data)  # the candidate row's columns: mixed types
        first_id = min(cand.evidence)
        alert_id = uuid.uuid5(
            ALERT_NAMESPACE, f"{self.ctx.tenant_id}:{cand.rule}:{cand.dealer_id}:{cand.sku_id}:{first_id}"
        )
        now = format_instant(self.now)
        # the table's columns made JSON-ready as to_jsonable would, encoded once: the insert's row and the audit's
        alert = Encoded.of(
            {
                "id": str(alert_id),
                "tenant_id": str(self.ctx.tenant_id),
                "rule": cand.rule,
                "dealer_id": str(uuid.UUID(cand.dealer_id)),
                "sku_id": str(uuid.UUID(cand.sku_id)),
                "status": "open",
                "severity": severity_of(cand.impact, figures.depth),
                "floor": _s(data.get("floor")),
                "floor_rule_id": _s(_uuid(data.get("floor_rule_id"))),
                "worst_price": _s(figures.worst),
                "max_depth_pct": _s(figures.depth),
                "impact": str(cand.impact),
                "evidence_count": len(figures.evidence_ids),
                "units": figures.units,
                "explanation": {**figures.math, "floor_source": _floor_source(cand.rule, data)},
                "first_seen": _instant(figures.first_seen),
                "last_seen": _instant(figures.last_seen),
                "opened_at": now,
                "updated_at": now,
                "notes": None,
            }
        )
        self.alerts.append(alert)
        event = {"action": "margin_alert.create", "entity": "margin_alerts", "entity_id": alert_id}
        self.events.append({**event, "after": alert})
        self.evidence_rows(alert_id, cand.key, figures.evidence_ids)
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
        self.evidence_rows(alert.id, cand.key, [r["evidence_id"] for r in new_rows])
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
        old = to_jsonable({k: getattr(alert, k) for k in changes})  # the snapshot's values of these columns
        explanation = changes.pop("explanation")  # JSON-ready already (as_dict): not walked again
        after = Encoded.of({**to_jsonable(changes), "explanation": explanation})
        self.updates.append(f'{{"id":"{alert.id}",{after.text[1:]}')  # the update's row: the audit's text
        self.events.append(
            {
                "action": "margin_alert.attach",
                "entity": "margin_alerts",
                "entity_id": alert.id,
                "before": Encoded.of({k: old[k] for k in after.value}),
                "after": after,
            }
        )

    def write(self, found: pl.DataFrame) -> None:
        """The rows (`found`: the scan's evidence frame), then the updates; the ORM copies of updated
        alerts are expired. The audit events come last (`audit`)."""
        session = self.session
        for start in range(0, len(self.alerts), WRITE_CHUNK):
            chunk = [a.text for a in self.alerts[start : start + WRITE_CHUNK]]
            insert_encoded(session, table_of(MarginAlert), tuple(self.alerts[0].value), chunk)
        if self.evidence:
            insert_frame(session, table_of(MarginAlertEvidence), self.evidence_frame(found), chunk_rows=WRITE_CHUNK)
        if self.updates:
            session.execute(_UPDATE_ALERTS, {"t": self.ctx.tenant_id, "rows": f"[{','.join(self.updates)}]"})
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


def stored_evidence(session: Session, ctx: TenantContext, alert_ids: list[uuid.UUID]) -> dict[str, list[dict]]:
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
