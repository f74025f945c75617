"""Fresh margin tenants (demo catalog + one scan: 12 alerts, Coastal warned, Metro active) for
enforcement tests, plus helpers to run a batch's job in-process through the real runner."""

from __future__ import annotations

import pytest

from tests.integration.margin.conftest import MarginTenant, build, margin_a, margin_b  # noqa: F401


@pytest.fixture
def fresh() -> MarginTenant:
    return build("enf")


def run_batch(tenant: MarginTenant, batch_id) -> dict:
    """Run the batch's job to the end with the real runner (same code path as `python -m workers`)."""
    from models.core.db import tenant_session
    from models.jobs.runner import run_job_sync
    from models.margin import enforcement
    from workers.registry import load_kinds

    load_kinds()  # as the worker does at start-up

    ctx = tenant.ctx()
    with tenant_session(ctx) as s:
        job_id = enforcement.get_batch(s, ctx, batch_id).job_id
    return run_job_sync(ctx.tenant_id, job_id).as_dict()


def make_batch(tenant: MarginTenant, action: str, filters: dict | None = None, *, start: bool = True, **kw):
    from models.core.db import tenant_session
    from models.margin import enforcement

    ctx = tenant.ctx()
    with tenant_session(ctx) as s:
        batch = enforcement.create_batch(s, ctx, filters or {}, action, **kw)
        batch_id = batch.id
    if start:
        with tenant_session(ctx) as s:
            enforcement.start_batch(s, ctx, batch_id, enqueue=False)
    return batch_id
