"""Discovery for workers: which jobs of any tenant are unfinished, and whether one seems to have no
live worker (the periodic sweep re-enqueues those; a false positive only costs a duplicate run)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

from engine.context import TenantContext


@dataclass(frozen=True)
class UnfinishedJob:
    tenant_id: uuid.UUID
    job_id: uuid.UUID
    kind: str


def unfinished_jobs(session: Session) -> list[UnfinishedJob]:
    """Queued/running jobs of every tenant (ids only), via the SECURITY DEFINER function."""
    rows = session.execute(text("select tenant_id, job_id, kind from pharos_unfinished_jobs()")).all()
    return [UnfinishedJob(r.tenant_id, r.job_id, r.kind) for r in rows]


def needs_worker(session: Session, ctx: TenantContext, job_id: uuid.UUID, grace_seconds: float) -> bool:
    """True when no live worker seems to be on this unfinished job (the periodic sweep re-enqueues it).

    Signs: queued for longer than the grace; an expired lease; or open items, no live lease and
    no item finished within the grace (plus a paced job's pace). A false positive only costs a
    duplicate run, which is safe.
    """
    row = session.execute(
        text(
            """
            select j.status, j.created_at < clock_timestamp() - make_interval(secs => :g) as old,
              exists(select 1 from job_items i where i.job_id = j.id and i.status = 'running'
                     and i.lease_expires_at < clock_timestamp()) as expired,
              exists(select 1 from job_items i where i.job_id = j.id and i.status = 'running'
                     and i.lease_expires_at >= clock_timestamp()) as live,
              coalesce((select max(i.finished_at) from job_items i where i.job_id = j.id), j.started_at, j.created_at)
                < clock_timestamp() - make_interval(secs => :g + coalesce((j.params->>'pace_ms')::float / 1000, 0))
                as quiet
            from jobs j where j.id = :j and j.tenant_id = :t
            """
        ),
        {"j": job_id, "t": ctx.tenant_id, "g": float(grace_seconds)},
    ).first()
    if row is None:
        return False
    if row.status == "queued":
        return bool(row.old)
    if row.status != "running":
        return False
    return bool(row.expired or (not row.live and row.quiet))
