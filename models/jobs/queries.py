"""What the job routes read: a job's progress, in its own tenant transaction (no session in routes)."""

from __future__ import annotations

import uuid

from engine.context import TenantContext
from models.core.db import tenant_session
from models.jobs import repo


def progress(ctx: TenantContext, job_id: uuid.UUID | str, *, recent: int = 10) -> repo.JobProgress:
    """The job's counts and its most recent items (404 for another tenant's job)."""
    with tenant_session(ctx) as session:
        return repo.job_progress(session, ctx, job_id, recent=recent)
