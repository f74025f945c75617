"""Bulk enforcement: preview, batches (create / start / cancel), the per-item work the worker does,
the batch report and its CSV, and the sent-notices list.

Flow: `preview` (engine.margin.enforcement.preview over the selected alerts) → `create_batch`
(draft batch + insert-only planned items + a log row) → `start_batch` (BATCH_MACHINE start, the
job of kind "margin.enforce" with one job item per planned item, enqueued after commit) → the
worker calls `process_item` per item inside its chunk transaction → the batch is completed when
its last item finishes (or by `reconcile` when the job ended another way).

Idempotency: the job item's key is `item_key(batch, dealer, action)`; the notice row carries
`effect_key(item, "notice")` under a unique (tenant, key) index, the follow-up task id is derived
from `effect_key(item, "task")` and the dealer status decision carries `effect_key(item, "status")`
in its details, so an item redone after a crash can never send a second notice.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, select

from engine.context import TenantContext
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.margin import enforcement as engine
from engine.margin.csv_safety import to_csv
from engine.margin.machines import ALERT_MACHINE, ALERT_OPEN_STATES, BATCH_MACHINE
from models.catalog.tables import Organization, Sku
from models.core import mutations
from models.core.base import utcnow
from models.core.decisions import decide
from models.core.pagination import Page, keyset_page, parse_instant
from models.core.repo import get_in_tenant
from models.jobs.queue import enqueue_after_commit
from models.jobs.repo import create_job, get_job
from models.jobs.tables import Job, JobItem
from models.margin import dealers as dealer_repo
from models.margin.enforcement.tables import EnforcementBatch, EnforcementItem, EnforcementLog, EnforcementNotice
from models.margin.inputs import Rule, Severity
from models.margin.tables import MarginAlert

ENFORCE = "margin.enforcement.run"
READ = "margin.read"
KIND = "margin.enforce"
MAX_ALERTS = 20000
TASK_NAMESPACE = uuid.UUID("0b7c6b54-5f3e-4d7e-9a61-2b1e7c0d9e41")
# the sale-row column a rule watches
WATCHED = {"map_breach": "advertised_price", "mrp_breach": "transaction_price"}
FINISHED_ITEM = ("done", "skipped", "failed", "cancelled")
ENFORCE_FROM = next(t.sources for t in ALERT_MACHINE.transitions if t.action == "enforce")


class BatchFilters(BaseModel):
    """Which alerts a batch covers. `alert_ids` picks them explicitly (selected alerts that are no
    longer open are reported as skipped); otherwise open alerts matching every given filter."""

    model_config = ConfigDict(extra="forbid")
    alert_ids: list[uuid.UUID] | None = Field(None, max_length=MAX_ALERTS)
    rules: list[Rule] | None = Field(None, max_length=10)
    severities: list[Severity] | None = Field(None, max_length=10)
    dealer_ids: list[uuid.UUID] | None = Field(None, max_length=5000)
    sku_ids: list[uuid.UUID] | None = Field(None, max_length=5000)


def _filters(value: BatchFilters | dict[str, Any] | None) -> BatchFilters:
    if isinstance(value, BatchFilters):
        return value
    return BatchFilters.model_validate(value or {})


def _system(ctx: TenantContext) -> TenantContext:
    return TenantContext.system(ctx.tenant_id, ctx.tenant_slug)


# --- selection and preview ----------------------------------------------------------------------


def select_alerts(session: Session, ctx: TenantContext, filters: BatchFilters) -> list[MarginAlert]:
    query = select(MarginAlert).where(MarginAlert.tenant_id == ctx.tenant_id)
    if filters.alert_ids is not None:
        if not filters.alert_ids:
            return []
        query = query.where(MarginAlert.id.in_(filters.alert_ids))  # type: ignore[attr-defined]
    else:
        query = query.where(MarginAlert.status.in_(ALERT_OPEN_STATES))  # type: ignore[attr-defined]
    for column, values in (
        (MarginAlert.rule, filters.rules),
        (MarginAlert.severity, filters.severities),
        (MarginAlert.dealer_id, filters.dealer_ids),
        (MarginAlert.sku_id, filters.sku_ids),
    ):
        if values:
            query = query.where(column.in_(values))  # type: ignore[attr-defined]
    rows = list(session.exec(query.order_by(MarginAlert.dealer_id, MarginAlert.id).limit(MAX_ALERTS + 1)).all())
    if len(rows) > MAX_ALERTS:
        raise ValidationFailed(
            f"a batch covers at most {MAX_ALERTS} alerts: narrow the filters", fields={"filters": "too many"}
        )
    return rows


def _refs(alerts: list[MarginAlert]) -> list[engine.AlertRef]:
    refs = [
        engine.AlertRef(str(a.id), str(a.dealer_id), str(a.sku_id), a.rule, a.status, a.impact, a.floor) for a in alerts
    ]
    return refs


def _plan(
    session: Session, ctx: TenantContext, filters: BatchFilters, action: str
) -> tuple[engine.Preview, dict[str, MarginAlert]]:
    if action not in engine.ACTIONS:
        raise ValidationFailed(f"unknown enforcement action {action!r}", fields={"action": "unknown"})
    alerts = select_alerts(session, ctx, filters)
    dealer_ids = sorted({a.dealer_id for a in alerts if a.rule in WATCHED})
    statuses = {str(k): v for k, v in dealer_repo.statuses(session, ctx, dealer_ids).items()}
    refs = _refs(alerts)
    if filters.alert_ids is not None:  # a selected id twice is reported, not silently merged
        by_id = {r.id: r for r in refs}
        refs = [by_id[str(i)] for i in filters.alert_ids if str(i) in by_id]
    result = engine.preview(action, refs, statuses, ctx)
    return result, {str(a.id): a for a in alerts}


def latest_prices(
    session: Session, ctx: TenantContext, dealer_id: uuid.UUID, keys: list[tuple[str, uuid.UUID]]
) -> dict[tuple[str, uuid.UUID], tuple[Decimal | None, datetime | None]]:
    """(rule, sku) → the dealer's latest watched price and when it was observed."""
    out: dict[tuple[str, uuid.UUID], tuple[Decimal | None, datetime | None]] = {k: (None, None) for k in keys}
    for rule in sorted({r for r, _ in keys}):
        column = WATCHED.get(rule)
        if column is None:
            continue
        skus = [s for r, s in keys if r == rule]
        rows = session.execute(
            text(
                f"select distinct on (sku_id) sku_id, {column} as price, observed_at from margin_sale_rows "
                f"where tenant_id = :t and dealer_id = :d and sku_id = any(:s) and {column} is not null "
                "order by sku_id, observed_at desc, id desc"
            ),
            {"t": ctx.tenant_id, "d": dealer_id, "s": skus},
        ).all()
        for row in rows:
            out[(rule, row.sku_id)] = (row.price, row.observed_at)
    return out


def _names(session: Session, ctx: TenantContext, org_ids: set, sku_ids: set) -> tuple[dict, dict]:
    orgs = {}
    if org_ids:
        orgs = {
            o.id: o
            for o in session.exec(
                select(Organization).where(Organization.tenant_id == ctx.tenant_id, Organization.id.in_(list(org_ids)))  # type: ignore[attr-defined]
            ).all()
        }
    skus = {}
    if sku_ids:
        skus = {
            s.id: s
            for s in session.exec(select(Sku).where(Sku.tenant_id == ctx.tenant_id, Sku.id.in_(list(sku_ids)))).all()  # type: ignore[attr-defined]
        }
    return orgs, skus


def preview(
    session: Session, ctx: TenantContext, filters: BatchFilters | dict[str, Any] | None, action: str
) -> dict[str, Any]:
    """Who gets what, the expected recoverable margin, and every skipped alert with its reason."""
    ctx.require(ENFORCE)
    result, alerts = _plan(session, ctx, _filters(filters), action)
    orgs, skus = _names(
        session,
        ctx,
        {uuid.UUID(i.dealer_id) for i in result.items} | {uuid.UUID(s.dealer_id) for s in result.skipped},
        {uuid.UUID(s) for i in result.items for s in i.sku_ids},
    )

    def dealer_name(d: str) -> str:
        org = orgs.get(uuid.UUID(d))
        return org.name if org else d

    return {
        "action": result.action,
        "label": result.label,
        "recoverable": result.recoverable,
        "items": [
            {
                "dealer_id": i.dealer_id,
                "dealer_name": dealer_name(i.dealer_id),
                "alert_ids": list(i.alert_ids),
                "alert_count": len(i.alert_ids),
                "sku_ids": list(i.sku_ids),
                "sku_codes": [skus[uuid.UUID(s)].code if uuid.UUID(s) in skus else s for s in i.sku_ids],
                "status_before": i.status_before,
                "status_after": i.status_after,
                "dealer_action": i.dealer_action,
                "recoverable": i.recoverable,
                "follow_up": {"title": i.follow_up[0], "due_in_days": i.follow_up[1]},
            }
            for i in result.items
        ],
        "skipped": [
            {
                "alert_id": s.alert_id,
                "dealer_id": s.dealer_id,
                "dealer_name": dealer_name(s.dealer_id),
                "rule": alerts[s.alert_id].rule if s.alert_id in alerts else None,
                "reason": s.reason,
                "detail": s.detail,
            }
            for s in result.skipped
        ],
        "skipped_by_reason": result.skipped_by_reason,
        "totals": {
            "items": len(result.items),
            "alerts": sum(len(i.alert_ids) for i in result.items),
            "skipped": len(result.skipped),
            "recoverable": result.recoverable,
        },
    }


# --- batches ------------------------------------------------------------------------------------


def get_batch(session: Session, ctx: TenantContext, batch_id: Any) -> EnforcementBatch:
    return get_in_tenant(session, ctx, EnforcementBatch, batch_id, "batch")


def log(
    session: Session,
    ctx: TenantContext,
    batch: EnforcementBatch,
    event: str,
    message: str,
    *,
    dealer_id: uuid.UUID | None = None,
    item_key: str | None = None,
    level: str = "info",
    data: dict[str, Any] | None = None,
) -> EnforcementLog:
    from engine.jsonable import to_jsonable

    row = EnforcementLog(
        tenant_id=ctx.tenant_id,
        batch_id=batch.id,
        dealer_id=dealer_id,
        item_key=item_key,
        level=level,
        event=event,
        message=message[:2000],
        data=to_jsonable(data or {}),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def create_batch(
    session: Session,
    ctx: TenantContext,
    filters: BatchFilters | dict[str, Any] | None,
    action: str,
    *,
    name: str | None = None,
    batch_id: uuid.UUID | None = None,
) -> EnforcementBatch:
    """A draft batch with its planned items (one per dealer), a creation log, the follow-up plan."""
    ctx.require(ENFORCE)
    flt = _filters(filters)
    result, alerts = _plan(session, ctx, flt, action)
    if not result.items:
        raise ValidationFailed(
            "nothing to enforce: every selected alert was skipped", fields={"filters": "no enforceable alert"}
        )
    now = utcnow()
    label = result.label
    batch = EnforcementBatch(
        id=batch_id or uuid.uuid4(),
        tenant_id=ctx.tenant_id,
        name=(name or f"{label} — {now:%Y-%m-%d %H:%M} UTC")[:200],
        action=action,
        filters=flt.model_dump(mode="json", exclude_none=True),
        status=BATCH_MACHINE.initial,
        created_by=ctx.actor_label,
        item_count=len(result.items),
        alert_count=sum(len(i.alert_ids) for i in result.items),
        skipped_count=len(result.skipped),
        expected_recoverable=result.recoverable,
        skipped=[{"alert_id": s.alert_id, "dealer_id": s.dealer_id, "reason": s.reason} for s in result.skipped],
        created_at=now,
    )
    mutations.create(session, ctx, batch, action="margin_batch.create")
    rows = []
    for seq, item in enumerate(result.items, start=1):
        dealer_id = uuid.UUID(item.dealer_id)
        chosen = [alerts[a] for a in item.alert_ids]
        prices = latest_prices(session, ctx, dealer_id, [(a.rule, a.sku_id) for a in chosen])
        rows.append(
            {
                "id": uuid.uuid4(),
                "tenant_id": ctx.tenant_id,
                "batch_id": batch.id,
                "seq": seq,
                "dealer_id": dealer_id,
                "item_key": engine.item_key(str(batch.id), item.dealer_id, action),
                "alerts": [
                    {
                        "alert_id": str(a.id),
                        "sku_id": str(a.sku_id),
                        "rule": a.rule,
                        "floor": None if a.floor is None else str(a.floor),
                        "price_before": None
                        if prices[(a.rule, a.sku_id)][0] is None
                        else str(prices[(a.rule, a.sku_id)][0]),
                        "impact": str(a.impact),
                    }
                    for a in chosen
                ],
                "status_before": item.status_before,
                "status_after": item.status_after,
                "dealer_action": item.dealer_action,
                "recoverable": item.recoverable,
                "task_title": item.follow_up[0],
                "task_due_days": item.follow_up[1],
                "created_at": now,
            }
        )
    for start in range(0, len(rows), 1000):
        session.execute(pg_insert(EnforcementItem.__table__), rows[start : start + 1000])  # type: ignore[attr-defined]
    log(
        session,
        ctx,
        batch,
        "created",
        f"Batch created: {len(rows)} notices planned, {len(result.skipped)} alerts skipped",
        data={
            "items": len(rows),
            "alerts": batch.alert_count,
            "skipped_by_reason": result.skipped_by_reason,
            "expected_recoverable": result.recoverable,
            "follow_up": {"title": engine.FOLLOW_UPS[action][0], "due_in_days": engine.FOLLOW_UPS[action][1]},
        },
    )
    return batch


def items_of(session: Session, ctx: TenantContext, batch: EnforcementBatch) -> list[EnforcementItem]:
    return list(
        session.exec(
            select(EnforcementItem)
            .where(EnforcementItem.tenant_id == ctx.tenant_id, EnforcementItem.batch_id == batch.id)
            .order_by(EnforcementItem.seq)
        ).all()
    )


def start_batch(
    session: Session,
    ctx: TenantContext,
    batch_id: Any,
    *,
    pace_ms: int = 0,
    max_attempts: int | None = None,
    enqueue: bool = True,
) -> EnforcementBatch:
    """draft → queued (decision), the job with one item per planned item, enqueued after commit.
    `pace_ms`: the worker waits this long before each item (the demo's batch, to watch it live)."""
    ctx.require(ENFORCE)
    batch = get_batch(session, ctx, batch_id)
    session.refresh(batch, with_for_update=True)  # the batch row before any audit append (lock order)
    BATCH_MACHINE.check(batch.status, "start", ctx, None)
    items = items_of(session, ctx, batch)
    params: dict[str, Any] = {"batch_id": str(batch.id)}
    if pace_ms:
        params["pace_ms"] = int(pace_ms)
    if max_attempts:
        params["max_attempts"] = int(max_attempts)
    job = create_job(
        session,
        ctx,
        KIND,
        params,
        [(i.item_key, {"batch_id": str(batch.id), "item_id": str(i.id), "dealer_id": str(i.dealer_id)}) for i in items],
    )
    decide(session, ctx, BATCH_MACHINE, batch, "start", details={"job_id": str(job.id)})
    mutations.update(session, ctx, batch, {"job_id": job.id}, action="margin_batch.job")
    log(session, ctx, batch, "queued", f"Batch started: {len(items)} items queued", data={"job_id": job.id})
    if enqueue:
        enqueue_after_commit(session, ctx.tenant_id, job.id)
    return batch


def cancel_batch(session: Session, ctx: TenantContext, batch_id: Any, reason: str | None = None) -> EnforcementBatch:
    """Cancel a draft, queued or running batch, finally: once this commits no item of the batch is
    sent. Its job is cancelled under the job row's lock, which waits for the chunk a worker is
    processing (those items were sent before the cancel; they stay in the report) and makes every
    later chunk cancel its items (models.jobs.request_cancel). Lock order: job → batch → items →
    audit (docs/jobs.md). Concurrent cancels: one succeeds, the others get 409 (already cancelled)."""
    from models.jobs.repo import request_cancel

    ctx.require(ENFORCE)
    batch, job = _lock_batch_and_job(session, ctx, batch_id)
    job_open = job is not None and job.status in ("queued", "running")
    if job is not None and not job_open:
        reconcile(session, ctx, batch)  # the job ended another way: the batch follows it first
    BATCH_MACHINE.check(batch.status, "cancel", ctx, reason)
    if job_open:
        request_cancel(session, ctx, job.id, reason or "batch cancelled")  # type: ignore[union-attr]
    decide(session, ctx, BATCH_MACHINE, batch, "cancel", reason=reason)
    mutations.update(session, ctx, batch, {"finished_at": utcnow()}, action="margin_batch.finish")
    log(session, ctx, batch, "cancelled", "Batch cancelled" + (f": {reason}" if reason else ""), level="warning")
    return batch


def _lock_batch_and_job(session: Session, ctx: TenantContext, batch_id: Any) -> tuple[EnforcementBatch, Job | None]:
    """The batch and its job, both row-locked, in the one lock order: job first, then batch. The
    job id is read before the batch is locked; a start committed in between (the batch now names
    a job we hold no lock on) rolls the batch lock back (savepoint) and takes both again in order."""
    batch = get_batch(session, ctx, batch_id)
    while True:
        job = get_job(session, ctx, batch.job_id, lock=True) if batch.job_id is not None else None
        savepoint = session.begin_nested()
        session.refresh(batch, with_for_update=True)
        if batch.job_id == (job.id if job else None):
            savepoint.commit()
            return batch, job
        savepoint.rollback()  # releases the batch row lock taken in it
        session.refresh(batch)


def _move(session: Session, ctx: TenantContext, batch: EnforcementBatch, action: str, **kw: Any) -> None:
    sys_ctx = _system(ctx)
    decide(session, sys_ctx, BATCH_MACHINE, batch, action, **kw)
    moment = utcnow()
    if action == "run":
        mutations.update(session, sys_ctx, batch, {"started_at": moment}, action="margin_batch.run")
        log(session, sys_ctx, batch, "running", "Worker picked the batch up")
    elif action in ("complete", "fail", "cancel"):
        mutations.update(session, sys_ctx, batch, {"finished_at": moment}, action="margin_batch.finish")
        log(
            session,
            sys_ctx,
            batch,
            {"complete": "completed", "fail": "failed", "cancel": "cancelled"}[action],
            f"Batch {action}{'d' if action.endswith('e') else 'ed'}",
            level="info" if action == "complete" else "warning",
        )


def reconcile(session: Session, ctx: TenantContext, batch: EnforcementBatch) -> EnforcementBatch:
    """Bring the batch's status in line with its job (system decisions): the last item normally
    completes the batch itself; this covers a job cancelled, failed or finished without it."""
    if batch.job_id is None or batch.status not in ("queued", "running"):
        return batch
    job = get_job(session, ctx, batch.job_id)
    if job.status == "queued":
        return batch
    session.refresh(batch, with_for_update=True)
    if batch.status not in ("queued", "running"):
        return batch
    if job.status == "cancelled":
        _move(session, ctx, batch, "cancel", reason="job cancelled")
        return batch
    if job.status == "failed":
        _move(session, ctx, batch, "fail", reason=(job.error or "job failed")[:1000])
        return batch
    if batch.status == "queued":
        _move(session, ctx, batch, "run")
    if job.status == "completed":
        _move(session, ctx, batch, "complete")
    return batch


# --- the worker's item --------------------------------------------------------------------------


def _notice_text(dealer: Organization, action: str, lines: list[str]) -> tuple[str, str]:
    label = engine.ACTIONS[action][0]
    subject = f"{label}: pricing below the agreed floor ({len(lines)} SKU{'s' if len(lines) != 1 else ''})"
    body = (
        f"To {dealer.name} ({dealer.code}),\n\n"
        f"{label}. Our latest observations show these prices below the agreed floor:\n"
        + "\n".join(f"- {line}" for line in lines)
        + "\n\nPlease correct them. This notice was recorded by PharOS Margin Defense."
    )
    return subject[:300], body[:8000]


def task_id_for(ctx: TenantContext, item_key: str) -> uuid.UUID:
    return uuid.uuid5(TASK_NAMESPACE, f"{ctx.tenant_id}:{engine.effect_key(item_key, 'task')}")


def process_item(
    session: Session, ctx: TenantContext, payload: dict[str, Any], item_key: str
) -> tuple[str, dict[str, Any]]:
    """One planned item, in the caller's (worker's) transaction: ("done" | "skipped", result).

    Re-checks the dealer's latest prices (nothing still breaching → skipped "already_compliant",
    the compliant alerts resolved), re-checks the dealer's rung, records the notice in the outbox
    (unique key), moves the dealer through the decision path, moves the breaching alerts to
    in_enforcement, creates the follow-up task, and logs the outcome. A chunk of one of
    `models.margin.enforcement.chunk.EnforceChunk` (what the worker runs per chunk); the caller writes
    the item's done mark after.
    """
    from models.margin.enforcement.chunk import EnforceChunk

    chunk = EnforceChunk(session, ctx, [payload])
    outcome, result = chunk.process(item_key, payload)
    chunk.flush([item_key], unmarked=True)
    return outcome, result


# --- reads: list, progress, report, notices -----------------------------------------------------


def list_batches(
    session: Session,
    ctx: TenantContext,
    *,
    status: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[EnforcementBatch]:
    """Newest first, keyset-paginated on (created_at, id)."""
    query = select(EnforcementBatch).where(EnforcementBatch.tenant_id == ctx.tenant_id)
    if status:
        query = query.where(EnforcementBatch.status == status)
    return keyset_page(
        session, query, EnforcementBatch.created_at, EnforcementBatch.id,
        limit=limit, cursor=cursor, descending=True, parse=parse_instant,
    )


def _job_items(session: Session, ctx: TenantContext, batch: EnforcementBatch) -> dict[str, JobItem]:
    if batch.job_id is None:
        return {}
    return {
        j.idempotency_key: j
        for j in session.exec(
            select(JobItem).where(JobItem.tenant_id == ctx.tenant_id, JobItem.job_id == batch.job_id)
        ).all()
    }


def outcome_of(job_item: JobItem | None) -> str:
    """pending / running / sent / already_compliant / <skip reason> / failed / cancelled."""
    if job_item is None:
        return "planned"
    if job_item.status in ("done", "skipped"):
        result = job_item.result or {}
        return str(result.get("outcome") or result.get("skipped") or job_item.status)
    return job_item.status


def counts(session: Session, ctx: TenantContext, batch: EnforcementBatch) -> dict[str, int]:
    """Items by outcome (SQL, no row loading): for the execution page and the list."""
    out: dict[str, int] = {"total": batch.item_count}
    if batch.job_id is None:
        out["planned"] = batch.item_count
        return out
    rows = session.execute(
        text(
            "select case when status in ('done', 'skipped') "
            "then coalesce(result->>'outcome', result->>'skipped', status) else status end as outcome, count(*) "
            "from job_items where tenant_id = :t and job_id = :j group by 1"
        ),
        {"t": ctx.tenant_id, "j": batch.job_id},
    ).all()
    for outcome, n in rows:
        out[outcome] = int(n)
    out["finished"] = sum(n for k, n in out.items() if k not in ("total", "pending", "running", "planned"))
    return out


def batch_view(session: Session, ctx: TenantContext, batch: EnforcementBatch) -> dict[str, Any]:
    from engine.jsonable import to_jsonable

    data = to_jsonable(batch.model_dump())
    data.pop("tenant_id", None)
    data["label"] = engine.ACTIONS[batch.action][0]
    data["counts"] = counts(session, ctx, batch)
    total = batch.item_count or 1
    data["percent"] = 100 * data["counts"].get("finished", 0) // total
    data["finished"] = batch.status in BATCH_MACHINE.terminal
    return data


def batch_detail(session: Session, ctx: TenantContext, batch_id: Any, *, recent: int = 50) -> dict[str, Any]:
    """Batch, counts by outcome, the newest log rows (the per-item feed)."""
    batch = reconcile(session, ctx, get_batch(session, ctx, batch_id))
    logs = session.exec(
        select(EnforcementLog)
        .where(EnforcementLog.tenant_id == ctx.tenant_id, EnforcementLog.batch_id == batch.id)
        .order_by(EnforcementLog.created_at.desc(), EnforcementLog.id.desc())  # type: ignore[attr-defined]
        .limit(recent)
    ).all()
    return {
        **batch_view(session, ctx, batch),
        "feed": [
            {
                "at": row.created_at.isoformat(),
                "event": row.event,
                "level": row.level,
                "message": row.message,
                "dealer_id": str(row.dealer_id) if row.dealer_id else None,
                "outcome": (row.data or {}).get("outcome"),
            }
            for row in logs
        ],
    }


def report(session: Session, ctx: TenantContext, batch_id: Any) -> dict[str, Any]:
    """Outcomes per item and the deltas: lost margin and breach count before (the plan) vs after
    (alerts whose dealer's latest watched price is still below the floor); per dealer and SKU, the
    price before vs after and the time to comply (first observation at/above the floor after the
    batch started)."""
    batch = reconcile(session, ctx, get_batch(session, ctx, batch_id))
    items = items_of(session, ctx, batch)
    runs = _job_items(session, ctx, batch)
    orgs, skus = _names(
        session, ctx, {i.dealer_id for i in items}, {uuid.UUID(a["sku_id"]) for i in items for a in i.alerts}
    )
    since = batch.started_at or batch.created_at
    lost_before = lost_after = Decimal(0)
    breaches_before = breaches_after = 0
    outcomes: dict[str, int] = defaultdict(int)
    rows_out: list[dict[str, Any]] = []
    dealers_out: list[dict[str, Any]] = []
    for item in items:
        run = runs.get(item.item_key)
        outcome = outcome_of(run)
        outcomes[outcome] += 1
        keys = [(a["rule"], uuid.UUID(a["sku_id"])) for a in item.alerts]
        now_prices = latest_prices(session, ctx, item.dealer_id, keys)
        complied = _complied_at(session, ctx, item.dealer_id, item.alerts, since)
        org = orgs.get(item.dealer_id)
        lines = []
        for a in item.alerts:
            floor = None if a["floor"] is None else Decimal(a["floor"])
            impact = Decimal(a["impact"])
            after = now_prices[(a["rule"], uuid.UUID(a["sku_id"]))][0]
            breaching = not engine.is_compliant(floor, after)
            lost_before += impact
            breaches_before += 1
            if breaching:
                lost_after += impact
                breaches_after += 1
            at = complied.get(a["alert_id"])
            sku = skus.get(uuid.UUID(a["sku_id"]))
            lines.append(
                {
                    "alert_id": a["alert_id"],
                    "sku_id": a["sku_id"],
                    "sku_code": sku.code if sku else a["sku_id"],
                    "rule": a["rule"],
                    "floor": floor,
                    "price_before": None if a["price_before"] is None else Decimal(a["price_before"]),
                    "price_after": after,
                    "breaching_after": breaching,
                    "impact": impact,
                    "complied_at": at,
                    "time_to_comply_hours": None
                    if at is None or breaching
                    else (Decimal(int((at - since).total_seconds())) / Decimal(3600)).quantize(Decimal("0.01")),
                }
            )
        result = (run.result if run else None) or {}
        entry = {
            "seq": item.seq,
            "item_key": item.item_key,
            "dealer_id": str(item.dealer_id),
            "dealer_name": org.name if org else str(item.dealer_id),
            "dealer_code": org.code if org else "",
            "outcome": outcome,
            "error": run.error if run else None,
            "attempts": run.attempts if run else 0,
            "finished_at": run.finished_at.isoformat() if run and run.finished_at else None,
            "status_before": result.get("status_before", item.status_before),
            "status_after": result.get("status_after", item.status_before if outcome != "sent" else item.status_after),
            "planned_status_after": item.status_after,
            "recoverable": item.recoverable,
            "notice_id": result.get("notice_id"),
            "task_id": result.get("task_id"),
            "alerts": lines,
        }
        rows_out.append(entry)
        done_hours = [ln["time_to_comply_hours"] for ln in lines]
        dealers_out.append(
            {
                "dealer_id": entry["dealer_id"],
                "dealer_name": entry["dealer_name"],
                "complied": all(not ln["breaching_after"] for ln in lines),
                "time_to_comply_hours": max(done_hours)
                if done_hours and all(h is not None for h in done_hours)
                else None,
                "prices": [
                    {k: ln[k] for k in ("sku_code", "rule", "floor", "price_before", "price_after", "breaching_after")}
                    for ln in lines
                ],
            }
        )
    notices = session.exec(
        select(func.count()).where(EnforcementNotice.tenant_id == ctx.tenant_id, EnforcementNotice.batch_id == batch.id)
    ).one()
    return {
        "batch": batch_view(session, ctx, batch),
        "totals": {
            "items": len(items),
            "alerts": breaches_before,
            "notices_sent": int(notices),
            "skipped_at_preview": batch.skipped_count,
            "expected_recoverable": batch.expected_recoverable,
            "outcomes": dict(sorted(outcomes.items())),
        },
        "deltas": {
            "lost_margin_before": lost_before,
            "lost_margin_after": lost_after,
            "lost_margin_delta": lost_after - lost_before,
            "breaches_before": breaches_before,
            "breaches_after": breaches_after,
            "breaches_delta": breaches_after - breaches_before,
            "since": since.isoformat(),
        },
        "dealers": dealers_out,
        "items": rows_out,
        "skipped_at_preview": batch.skipped,
    }


def _complied_at(
    session: Session, ctx: TenantContext, dealer_id: uuid.UUID, alerts: list[dict[str, Any]], since: datetime
) -> dict[str, datetime]:
    """alert id → first observation at/above its floor at or after `since`."""
    out: dict[str, datetime] = {}
    for a in alerts:
        column = WATCHED.get(a["rule"])
        if column is None or a["floor"] is None:
            continue
        at = session.execute(
            text(
                f"select min(observed_at) from margin_sale_rows where tenant_id = :t and dealer_id = :d "
                f"and sku_id = :s and {column} >= :f and observed_at >= :since"
            ),
            {"t": ctx.tenant_id, "d": dealer_id, "s": uuid.UUID(a["sku_id"]), "f": Decimal(a["floor"]), "since": since},
        ).scalar()
        if at is not None:
            out[a["alert_id"]] = at
    return out


CSV_HEADER = (
    "batch", "action", "seq", "dealer", "dealer_code", "outcome", "sku", "rule", "floor",
    "price_before", "price_after", "breaching_after", "impact", "time_to_comply_hours", "notice_id",
)  # fmt: skip


def report_csv(session: Session, ctx: TenantContext, batch_id: Any) -> tuple[str, str]:
    """(file name, CSV text): one line per alert of each item; every cell formula-safe; money
    (floor, prices, impact) with exactly two decimals (Decimal quantize, half-even, never float)."""
    import decimal

    cents = Decimal("0.01")
    exact = decimal.Context(prec=80, rounding=decimal.ROUND_HALF_EVEN)

    def money(value: Any) -> Decimal | None:
        if value is None:
            return None
        amount = Decimal(value).quantize(cents, context=exact)
        return amount.copy_abs() if amount == 0 else amount  # no "-0.00"

    data = report(session, ctx, batch_id)
    batch = data["batch"]
    rows = [
        (
            batch["name"],
            batch["action"],
            item["seq"],
            item["dealer_name"],
            item["dealer_code"],
            item["outcome"],
            line["sku_code"],
            line["rule"],
            money(line["floor"]),
            money(line["price_before"]),
            money(line["price_after"]),
            "yes" if line["breaching_after"] else "no",
            money(line["impact"]),
            line["time_to_comply_hours"],
            item["notice_id"],
        )  # fmt: skip
        for item in data["items"]
        for line in item["alerts"]
    ]
    return f"enforcement-{batch['id']}.csv", to_csv(CSV_HEADER, rows)


def list_notices(
    session: Session,
    ctx: TenantContext,
    *,
    batch_id: uuid.UUID | None = None,
    dealer_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[EnforcementNotice]:
    """The sent-notices list, newest first (keyset on created_at, id)."""
    query = select(EnforcementNotice).where(EnforcementNotice.tenant_id == ctx.tenant_id)
    if batch_id:
        query = query.where(EnforcementNotice.batch_id == batch_id)
    if dealer_id:
        query = query.where(EnforcementNotice.dealer_id == dealer_id)
    return keyset_page(
        session, query, EnforcementNotice.created_at, EnforcementNotice.id,
        limit=limit, cursor=cursor, descending=True, parse=parse_instant,
    )


def job_of(session: Session, ctx: TenantContext, batch_id: Any) -> Job:
    """The batch's job (for live progress); Conflict while the batch is a draft."""
    batch = get_batch(session, ctx, batch_id)
    if batch.job_id is None:
        raise Conflict("the batch has not been started")
    return get_job(session, ctx, batch.job_id)


__all__ = [
    "BatchFilters",
    "NotFound",
    "cancel_batch",
    "create_batch",
    "list_batches",
    "list_notices",
    "preview",
    "process_item",
    "report",
    "report_csv",
    "start_batch",
]
