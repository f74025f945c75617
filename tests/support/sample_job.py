"""The test-only "sample" job kind and its effects table (not part of the production schema).

One JobSampleEffect row per item, keyed by the item's idempotency key: the kill test counts these
rows to prove each item ran exactly once. Params (all optional): `item_delay_ms` slows each item
down; `fail_keys` and `retry_keys` make those items fail or ask for a retry.

The table lives on its own SQLAlchemy registry (so `alembic check` never sees it) and is created by
the `sample_job` fixture as the database owner, under the same RLS recipe as every tenant table
(models.core.rls.tenant_isolation). Importing this module registers the kind; a worker process
loads it with PHAROS_WORKER_KIND_MODULES=tests.support.sample_job.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import Column, Table, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from engine.jobs import Done, Failed, ItemOutcome, Retry
from models.core import mutations
from models.core.base import id_field, tenant_field, ts_field
from models.core.db import owner_engine
from models.core.rls import tenant_isolation
from models.jobs.kinds import ItemContext, JobKind, register

KIND = "sample"


class _TestTables(SQLModel, registry=registry()):
    """Base of test-only tables: their own metadata, outside the product's schema."""


# the product's tenants table, as far as the effects table's foreign key needs to know it
Table("tenants", _TestTables.metadata, Column("id", UUID(as_uuid=True), primary_key=True))


class JobSampleEffect(_TestTables, table=True):
    """Side effects of the sample job, deliberately without a unique key, so that a duplicate
    execution would be counted rather than hidden (the kill test relies on it)."""

    __tablename__ = "job_sample_effects"
    __table_args__ = {"comment": "pharos:test-only: the sample job's effects (tests/support/sample_job.py)"}
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    job_id: uuid.UUID
    idempotency_key: str = Field(max_length=200, index=True)
    created_at: datetime = ts_field()


def sample_item(ic: ItemContext) -> ItemOutcome:
    params = ic.job.params or {}
    key = ic.item.idempotency_key
    if key in (params.get("fail_keys") or ()):
        return Failed(f"sample failure for {key}")
    if key in (params.get("retry_keys") or ()):
        return Retry(f"sample retry for {key}")
    delay_ms = int(params.get("item_delay_ms", 0))
    if delay_ms > 0:
        time.sleep(delay_ms / 1000)
    effect = mutations.create(
        ic.session, ic.ctx, JobSampleEffect(tenant_id=ic.ctx.tenant_id, job_id=ic.job.id, idempotency_key=key)
    )
    return Done({"effect_id": str(effect.id)})


SAMPLE = register(JobKind(KIND, sample_item))


def create_sample_table() -> None:
    """Create the effects table with tenant isolation, as the owner; idempotent per database."""
    table = JobSampleEffect.__table__
    with owner_engine().begin() as conn:
        exists = conn.execute(text("select to_regclass(:t) is not null"), {"t": table.name}).scalar()
        if exists:
            return
        _TestTables.metadata.create_all(conn, tables=[table])
        for statement in tenant_isolation(table.name):
            conn.execute(text(statement))


@pytest.fixture(scope="session")
def sample_job(services) -> Iterator[None]:
    """The sample kind registered (by import) and its table present in the test database."""
    create_sample_table()
    yield
