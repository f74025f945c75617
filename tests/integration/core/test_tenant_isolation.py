"""Tenant isolation, enforced by Postgres RLS underneath the repositories' own filters."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, ProgrammingError
from sqlmodel import select

from engine.errors import NotFound
from models.core import mutations
from models.core.audit_log import AuditFilter, list_events
from models.core.db import app_engine, identity_session, owner_engine, tenant_session
from models.core.decisions import decide
from models.core.tables import AuditEvent, DecisionEvent, Membership, OutboxEvent, Tenant, User
from models.jobs.tables import Job, JobItem
from tests.support.sample_job import JobSampleEffect
from tests.support.sample_machine import SAMPLE
from tests.support.schema import tenant_tables

APPEND_ONLY = {"audit_events", "decision_events"}


@pytest.fixture
def populated_a(tenant_a, sample_job):
    """Tenant A with a row in every core tenant table."""
    ctx = tenant_a.ctx()
    with tenant_session(ctx) as session:
        job = mutations.create(session, ctx, Job(tenant_id=ctx.tenant_id, kind="sample", total_items=1))
        mutations.create(
            session, ctx, JobItem(tenant_id=ctx.tenant_id, job_id=job.id, seq=1, idempotency_key=f"a-{job.id}")
        )
        mutations.create(
            session, ctx, JobSampleEffect(tenant_id=ctx.tenant_id, job_id=job.id, idempotency_key="a-effect")
        )
        decide(session, ctx, SAMPLE, job, "start")
    return tenant_a, job.id


def test_every_tenant_table_hides_tenant_a_rows_from_tenant_b(populated_a, tenant_b):
    tenant_a, _ = populated_a
    ctx_b = tenant_b.ctx()
    covered = []
    for table in tenant_tables():
        with owner_engine().connect() as conn:
            conn.execute(text("select set_config('app.tenant_id', :t, false)"), {"t": str(tenant_a.tenant_id)})
            a_rows = conn.execute(
                text(f"select count(*) from {table} where tenant_id = :a"), {"a": str(tenant_a.tenant_id)}
            ).scalar()
            conn.rollback()
        if not a_rows:
            continue
        covered.append(table)
        with tenant_session(ctx_b) as session:
            seen = session.execute(
                text(f"select count(*) from {table} where tenant_id = :a"), {"a": str(tenant_a.tenant_id)}
            ).scalar()
            assert seen == 0, f"tenant B sees {seen} rows of tenant A in {table}"
            if table in APPEND_ONLY:
                continue
            updated = session.execute(
                text(f"update {table} set tenant_id = tenant_id where tenant_id = :a"), {"a": str(tenant_a.tenant_id)}
            )
            assert updated.rowcount == 0, table
            deleted = session.execute(text(f"delete from {table} where tenant_id = :a"), {"a": str(tenant_a.tenant_id)})
            assert deleted.rowcount == 0, table
    assert {
        "memberships",
        "audit_events",
        "decision_events",
        "outbox_events",
        "jobs",
        "job_items",
        "job_sample_effects",
    } <= set(covered)


@pytest.mark.parametrize("table", ["audit_events", "decision_events"])
def test_history_tables_refuse_update_and_delete_by_the_app_role(populated_a, table):
    tenant_a, _ = populated_a
    for statement in (f"update {table} set actor = 'x'", f"delete from {table}", f"truncate {table}"):
        with pytest.raises(ProgrammingError, match="permission denied"), tenant_session(tenant_a.ctx()) as session:
            session.execute(text(statement))


def test_tenant_b_cannot_write_rows_into_tenant_a(tenant_a, tenant_b):
    with pytest.raises(DBAPIError, match="row-level security"), tenant_session(tenant_b.ctx()) as session:
        session.add(OutboxEvent(tenant_id=tenant_a.tenant_id, topic="x", entity="x", entity_id="1"))
        session.flush()


def test_mutations_take_the_tenant_from_context_not_input(tenant_a, tenant_b):
    ctx_b = tenant_b.ctx()
    with tenant_session(ctx_b) as session:
        row = mutations.create(
            session, ctx_b, OutboxEvent(tenant_id=tenant_a.tenant_id, topic="t", entity="e", entity_id="1")
        )
    assert row.tenant_id == tenant_b.tenant_id


def test_tenant_b_cannot_reference_tenant_a_rows_and_learns_nothing(populated_a, tenant_b):
    _, job_a = populated_a
    ctx_b = tenant_b.ctx()
    messages = []
    for job_id in (job_a, uuid.uuid4()):
        with pytest.raises(IntegrityError) as caught, tenant_session(ctx_b) as session:
            session.add(JobItem(tenant_id=ctx_b.tenant_id, job_id=job_id, seq=1, idempotency_key=str(uuid.uuid4())))
            session.flush()
        messages.append(str(caught.value.orig).replace(str(job_id), "<id>").split("DETAIL")[0])
    assert messages[0] == messages[1], "a reference to tenant A's job must fail exactly like one to a missing job"


def test_unique_keys_do_not_leak_across_tenants(tenant_a, tenant_b):
    """The same idempotency key in two tenants: both rows are written, and each tenant sees only its own."""
    key = f"shared-{uuid.uuid4()}"
    created = {}
    for fixture in (tenant_a, tenant_b):
        ctx = fixture.ctx()
        with tenant_session(ctx) as session:
            row = mutations.create(
                session,
                ctx,
                OutboxEvent(tenant_id=ctx.tenant_id, topic="t", entity="e", entity_id="1", idempotency_key=key),
            )
            created[fixture.tenant_id] = row.id
    assert len(set(created.values())) == 2
    for fixture in (tenant_a, tenant_b):
        with tenant_session(fixture.ctx()) as session:
            seen = session.exec(select(OutboxEvent).where(OutboxEvent.idempotency_key == key)).all()
        assert [(r.id, r.tenant_id) for r in seen] == [(created[fixture.tenant_id], fixture.tenant_id)]


def test_every_unique_constraint_on_a_tenant_table_includes_tenant_id():
    with owner_engine().connect() as conn:
        rows = conn.execute(
            text(
                "select t.relname, i.relname, ix.indisprimary, "
                "array(select a.attname from pg_attribute a where a.attrelid = t.oid and a.attnum = any(ix.indkey)) "
                "from pg_index ix join pg_class t on t.oid = ix.indrelid join pg_class i on i.oid = ix.indexrelid "
                "where ix.indisunique and t.relnamespace = 'public'::regnamespace "
                "and exists (select 1 from pg_attribute a where a.attrelid = t.oid and a.attname = 'tenant_id')"
            )
        ).all()
    leaks = [f"{table}.{index}" for table, index, primary, cols in rows if not primary and "tenant_id" not in cols]
    assert leaks == []


def test_decisions_on_another_tenants_entity_look_absent(populated_a, tenant_b):
    tenant_a, job_id = populated_a
    with tenant_session(tenant_a.ctx()) as session:
        job = session.get(Job, job_id)
    with pytest.raises(NotFound), tenant_session(tenant_b.ctx()) as session:
        decide(session, tenant_b.ctx(), SAMPLE, job, "complete")
    with tenant_session(tenant_a.ctx()) as session:
        assert session.get(Job, job_id).status == "running"
        events = session.exec(select(DecisionEvent).where(DecisionEvent.entity_id == job_id)).all()
        assert [e.action for e in events] == ["start"]


def test_repository_reads_are_scoped(populated_a, tenant_b):
    tenant_a, _ = populated_a
    with tenant_session(tenant_b.ctx()) as session:
        page = list_events(session, tenant_b.ctx(), AuditFilter())
        assert {e.tenant_id for e in page.items} == {tenant_b.tenant_id}
        assert session.exec(select(Tenant)).all() == [session.get(Tenant, tenant_b.tenant_id)]
        emails = {u.email for u in session.exec(select(User)).all()}
        assert tenant_a.owner_email not in emails and tenant_b.owner_email in emails
        assert all(m.tenant_id == tenant_b.tenant_id for m in session.exec(select(Membership)).all())


def test_fail_closed_without_a_tenant(populated_a):
    tenant_a, _ = populated_a
    with identity_session() as session:
        for table in tenant_tables():
            assert session.execute(text(f"select count(*) from {table}")).scalar() == 0, table
        assert session.exec(select(Tenant)).all() == []
    with pytest.raises(DBAPIError, match="row-level security"), identity_session() as session:
        session.add(OutboxEvent(tenant_id=tenant_a.tenant_id, topic="x", entity="x", entity_id="1"))
        session.flush()
    # a raw connection of the app role that never sets a tenant sees nothing either
    with app_engine().connect() as conn:
        assert conn.execute(text("select current_setting('app.tenant_id', true)")).scalar() in (None, "")
        assert conn.execute(text("select count(*) from audit_events")).scalar() == 0


def test_pool_never_leaks_a_tenant_between_transactions(tenant_a, tenant_b):
    """Many interleaved transactions of two tenants over the shared pool never see each other."""
    ctxs = {tenant_a.tenant_id: tenant_a.ctx(), tenant_b.tenant_id: tenant_b.ctx()}
    failures: list[str] = []
    barrier = threading.Barrier(8)

    def work(tenant_id: uuid.UUID, rounds: int) -> None:
        ctx = ctxs[tenant_id]
        barrier.wait()
        for _ in range(rounds):
            with tenant_session(ctx) as session:
                setting = session.execute(text("select current_setting('app.tenant_id', true)")).scalar()
                tenants = set(session.exec(select(AuditEvent.tenant_id).distinct()).all())
                if setting != str(tenant_id) or tenants - {tenant_id}:
                    failures.append(f"{tenant_id}: setting={setting} saw={tenants}")
        # and straight after, on whatever connection the pool hands out, no tenant is set
        with identity_session() as session:
            leftover = session.execute(text("select count(*) from audit_events")).scalar()
            if leftover:
                failures.append(f"connection kept a tenant: saw {leftover} audit rows")

    threads = [threading.Thread(target=work, args=(tid, 60)) for tid in list(ctxs) * 4]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
