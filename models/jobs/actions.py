"""What the job routes change: cancelling a job, each step in its own tenant transaction."""

from __future__ import annotations

import uuid

from engine.context import TenantContext
from models.core.db import tenant_session
from models.jobs import queries, repo


def cancel(ctx: TenantContext, job_id: uuid.UUID | str, reason: str | None = None) -> repo.JobProgress:
    """Request the cancel (committed, audited), then read the progress it left: the second read
    sees the cancel as committed, as any other caller would."""
    with tenant_session(ctx) as session:
        repo.request_cancel(session, ctx, job_id, reason)
    return queries.progress(ctx, job_id)
