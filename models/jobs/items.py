"""Job items: claimed by workers under a lease (`FOR UPDATE SKIP LOCKED`, so concurrent claimers never
get the same item), renewed while a chunk runs, and finished only by the worker holding the
unexpired lease, inside the transaction that also holds the item's side effects (a crash rolls
both back; the lease expires and another worker redoes the item, once). A chunk's outcomes are
audited as one event (`record_chunk`); a lease alone is coordination, not business state.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from engine.context import TenantContext
from engine.jobs import ClaimedItem
from engine.jsonable import to_jsonable
from models.core import audit
from models.jobs.repo import get_job, max_attempts_of

_CLAIM = text(
    """
    with candidates as (
      select id from job_items
      where job_id = :job and tenant_id = :tenant
        and (status = 'pending' or (status = 'running' and lease_expires_at < clock_timestamp()))
      order by seq
      limit :limit
      for update skip locked
    )
    update job_items i set
      attempts = i.attempts + 1,
      status = case when i.attempts + 1 > :max_attempts then 'failed' else 'running' end,
      lease_owner = case when i.attempts + 1 > :max_attempts then null else :worker end,
      lease_expires_at = case when i.attempts + 1 > :max_attempts then null
                              else clock_timestamp() + make_interval(secs => :lease) end,
      error = case when i.attempts + 1 > :max_attempts then :gave_up else i.error end,
      finished_at = case when i.attempts + 1 > :max_attempts then clock_timestamp() else null end
    from candidates c
    where i.id = c.id
    returning i.id, i.seq, i.status, i.attempts, i.idempotency_key, i.payload
    """
)


def claim_items(
    session: Session,
    ctx: TenantContext,
    job_id: uuid.UUID | str,
    worker_id: str,
    limit: int,
    lease_seconds: float,
) -> list[ClaimedItem]:
    """Lease up to `limit` pending (or lease-expired) items to `worker_id`, in seq order.

    Each claim counts an attempt; an item claimed more than max_attempts times is failed
    instead of leased. Commit the claim before working on the items so the lease is visible.
    """
    job = get_job(session, ctx, job_id)
    if job.status != "running":
        return []
    max_attempts = max_attempts_of(job)
    rows = session.execute(
        _CLAIM,
        {
            "job": job.id,
            "tenant": ctx.tenant_id,
            "limit": int(limit),
            "worker": worker_id[:100],
            "lease": float(lease_seconds),
            "max_attempts": max_attempts,
            "gave_up": f"gave up after {max_attempts} attempts (lease expired each time)",
        },
    ).all()
    claimed = sorted((r for r in rows if r.status == "running"), key=lambda r: r.seq)
    gave_up = sorted(r.seq for r in rows if r.status == "failed")
    if gave_up:  # a status change: audited. Plain leases are not (see the module docstring).
        audit.record(
            session,
            ctx,
            action="job.items.give_up",
            entity="job",
            entity_id=job.id,
            after={"worker": worker_id, "failed_seqs": gave_up, "max_attempts": max_attempts},
        )
    return [ClaimedItem(r.id, r.seq, r.idempotency_key, r.payload or {}, r.attempts) for r in claimed]


def renew_leases(
    session: Session,
    ctx: TenantContext,
    item_ids: Iterable[uuid.UUID],
    worker_id: str,
    lease_seconds: float,
) -> set[uuid.UUID]:
    """Extend and row-lock the leases `worker_id` still holds; returns the ids it holds.

    Run at the start of the processing transaction: the row locks keep claimers away until
    commit, so the items' side effects and their done marks land together or not at all.
    """
    ids = list(item_ids)
    if not ids:
        return set()
    rows = session.execute(
        text(
            "update job_items set lease_expires_at = clock_timestamp() + make_interval(secs => :lease) "
            "where id = any(:ids) and tenant_id = :t and status = 'running' and lease_owner = :w "
            "and lease_expires_at > clock_timestamp() returning id"
        ),
        {"ids": ids, "t": ctx.tenant_id, "w": worker_id, "lease": float(lease_seconds)},
    ).all()
    return {r.id for r in rows}


def _finish_item(
    session: Session,
    ctx: TenantContext,
    item_id: uuid.UUID,
    worker_id: str,
    status: str,
    *,
    result: dict[str, Any] | None = None,
    error: str | None = None,
) -> bool:
    row = session.execute(
        text(
            "update job_items set status = :s, result = cast(:r as jsonb), error = :e, "
            "lease_owner = null, lease_expires_at = null, finished_at = clock_timestamp() "
            "where id = :id and tenant_id = :t and status = 'running' and lease_owner = :w "
            "and lease_expires_at > clock_timestamp() returning id"
        ),
        {
            "s": status,
            "r": None if result is None else _json(result),
            "e": None if error is None else error[:4000],
            "id": item_id,
            "t": ctx.tenant_id,
            "w": worker_id,
        },
    ).first()
    return row is not None


def complete_item(
    session: Session, ctx: TenantContext, item_id: uuid.UUID, worker_id: str, result: dict[str, Any] | None = None
) -> bool:
    """Mark done; False (nothing written) when `worker_id` no longer holds a live lease."""
    return _finish_item(session, ctx, item_id, worker_id, "done", result=result)


def fail_item(session: Session, ctx: TenantContext, item_id: uuid.UUID, worker_id: str, error: str) -> bool:
    return _finish_item(session, ctx, item_id, worker_id, "failed", error=error)


def skip_item(session: Session, ctx: TenantContext, item_id: uuid.UUID, worker_id: str, reason: str) -> bool:
    return _finish_item(session, ctx, item_id, worker_id, "skipped", result={"skipped": reason})


def cancel_item(session: Session, ctx: TenantContext, item_id: uuid.UUID, worker_id: str) -> bool:
    return _finish_item(session, ctx, item_id, worker_id, "cancelled")


def finish_items(
    session: Session,
    ctx: TenantContext,
    worker_id: str,
    marks: Sequence[tuple[uuid.UUID, str, dict[str, Any] | None]],
) -> set[uuid.UUID]:
    """Mark several held items done or skipped in one statement: (item id, "done" | "skipped",
    result). Returns the ids marked; an item whose lease `worker_id` no longer holds is left as
    it is (the caller drops that item's effects, as for complete_item returning False)."""
    if not marks:
        return set()
    for _, status, _ in marks:
        if status not in ("done", "skipped"):
            raise ValueError(f"finish_items marks done or skipped items, not {status!r}")
    rows = session.execute(
        text(
            "update job_items i set status = v.status, result = v.result, error = null, "
            "lease_owner = null, lease_expires_at = null, finished_at = clock_timestamp() "
            "from jsonb_to_recordset(cast(:marks as jsonb)) as v(id uuid, status text, result jsonb) "
            "where i.id = v.id and i.tenant_id = :t and i.status = 'running' and i.lease_owner = :w "
            "and i.lease_expires_at > clock_timestamp() returning i.id"
        ),
        {
            # one JSON document for the whole chunk: one parameter to encode, not three arrays
            "marks": _json([{"id": item_id, "status": status, "result": result} for item_id, status, result in marks]),
            "t": ctx.tenant_id,
            "w": worker_id,
        },
    ).all()
    return {r.id for r in rows}


def release_item(
    session: Session,
    ctx: TenantContext,
    item_id: uuid.UUID,
    worker_id: str,
    error: str | None = None,
    *,
    refund_attempt: bool = False,
) -> bool:
    """Give a held item back (pending) for a later claim. `refund_attempt` un-counts the
    attempt, for items a stopping worker never started."""
    row = session.execute(
        text(
            "update job_items set status = 'pending', error = coalesce(:e, error), attempts = attempts - :refund, "
            "lease_owner = null, lease_expires_at = null "
            "where id = :id and tenant_id = :t and status = 'running' and lease_owner = :w "
            "and lease_expires_at > clock_timestamp() returning id"
        ),
        {
            "e": None if error is None else error[:4000],
            "refund": int(refund_attempt),
            "id": item_id,
            "t": ctx.tenant_id,
            "w": worker_id,
        },
    ).first()
    return row is not None


def record_chunk(
    session: Session, ctx: TenantContext, job_id: uuid.UUID, worker_id: str, outcomes: dict[str, list[int]]
) -> None:
    """One audit event for the outcomes of a processed chunk (seqs by outcome)."""
    if any(outcomes.values()):
        audit.record(
            session,
            ctx,
            action="job.items.process",
            entity="job",
            entity_id=job_id,
            after={"worker": worker_id, **{k: v for k, v in outcomes.items() if v}},
        )


def _json(value: Any) -> str:
    return json.dumps(to_jsonable(value), separators=(",", ":"))
