"""A batch's lifecycle through the decision path (create, start, cancel, reconcile with its job), and
the worker's one item (the notice text, the follow-up task id)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.jsonable import to_jsonable
from engine.margin import enforcement as engine
from engine.margin.events import NOTICE_TOPIC
from engine.margin.machines import BATCH_MACHINE
from models.catalog.tables import Organization
from models.core import mutations
from models.core.base import utcnow
from models.core.decisions import decide
from models.core.repo import get_in_tenant
from models.jobs.queue import enqueue_after_commit
from models.jobs.repo import create_job, get_job
from models.jobs.tables import Job
from models.margin.enforcement.common import ENFORCE, KIND, TASK_NAMESPACE, BatchFilters, as_filters, system_context
from models.margin.enforcement.selection import latest_prices, plan_for
from models.margin.enforcement.tables import EnforcementBatch, EnforcementItem, EnforcementLog


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
    flt = as_filters(filters)
    result, alerts = plan_for(session, ctx, flt, action)
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
            .order_by(col(EnforcementItem.seq))
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


def move_batch(session: Session, ctx: TenantContext, batch: EnforcementBatch, action: str, **kw: Any) -> None:
    sys_ctx = system_context(ctx)
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
        move_batch(session, ctx, batch, "cancel", reason="job cancelled")
        return batch
    if job.status == "failed":
        move_batch(session, ctx, batch, "fail", reason=(job.error or "job failed")[:1000])
        return batch
    if batch.status == "queued":
        move_batch(session, ctx, batch, "run")
    if job.status == "completed":
        move_batch(session, ctx, batch, "complete")
    return batch


def notice_text(dealer: Organization, action: str, lines: list[str]) -> tuple[str, str]:
    label = engine.ACTIONS[action][0]
    subject = f"{label}: pricing below the agreed floor ({len(lines)} SKU{'s' if len(lines) != 1 else ''})"
    body = (
        f"To {dealer.name} ({dealer.code}),\n\n"
        f"{label}. Our latest observations show these prices below the agreed floor:\n"
        + "\n".join(f"- {line}" for line in lines)
        + "\n\nPlease correct them. This notice was recorded by PharOS Margin Defense."
    )
    return subject[:300], body[:8000]


NOTICE_ENTITY = "margin_notice"


def notice_outbox_row(notice: dict[str, Any], dealer_name: str) -> dict[str, Any]:
    """The outbox row that carries a notice out (`margin.notice.sent`: to the subscribed webhooks,
    and to the dealer by e-mail or on its own endpoint, models/margin/delivery_routes.py). Keyed by
    the notice's own idempotency key, so a notice never goes out twice."""
    return {
        "id": uuid.uuid4(),
        "tenant_id": notice["tenant_id"],
        "topic": NOTICE_TOPIC,
        "entity": NOTICE_ENTITY,
        "entity_id": str(notice["id"]),
        "payload": to_jsonable(
            {
                "notice_id": notice["id"],
                "batch_id": notice["batch_id"],
                "dealer_id": notice["dealer_id"],
                "dealer": dealer_name,
                "action": notice["action"],
                "subject": notice["subject"],
                "body": notice["body"],
                "alert_ids": list(notice["alert_ids"]),
            }
        ),
        "idempotency_key": f"{NOTICE_TOPIC}:{notice['idempotency_key']}"[:200],
        "created_at": notice["created_at"],
        "delivered_at": None,
        "attempts": 0,
    }


def task_id_for(ctx: TenantContext, item_key: str) -> uuid.UUID:
    return uuid.uuid5(TASK_NAMESPACE, f"{ctx.tenant_id}:{engine.effect_key(item_key, 'task')}")
