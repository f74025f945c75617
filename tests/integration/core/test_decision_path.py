"""decide(): role → transition → reason → event → status → audit → outbox, all or nothing."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from engine.context import TenantContext
from engine.errors import Forbidden, InvalidTransition, ValidationFailed
from engine.rbac import Role
from engine.state_machine import StateMachine, Transition
from models.catalog.tables import Organization
from models.core import mutations
from models.core.db import tenant_session
from models.core.decisions import DecisionRequest, decide, decide_many
from models.core.tables import AuditEvent, DecisionEvent, OutboxEvent
from models.jobs.tables import Job
from tests.support.sample_events import SAMPLE_WITH_OWN_EVENTS
from tests.support.sample_machine import SAMPLE


def _counts(session):
    return tuple(
        session.exec(select(func.count()).select_from(model)).one()
        for model in (DecisionEvent, AuditEvent, OutboxEvent)
    )


@pytest.fixture
def job(tenant_a):
    ctx = tenant_a.ctx()
    with tenant_session(ctx) as session:
        return mutations.create(session, ctx, Job(tenant_id=ctx.tenant_id, kind="sample"))


def test_decision_writes_event_status_audit_and_outbox_together(tenant_a, job):
    ctx = tenant_a.ctx("ops")
    with tenant_session(ctx) as session:
        before = _counts(session)
        row = session.get(Job, job.id)
        event = decide(session, ctx, SAMPLE, row, "start")
        decide(session, ctx, SAMPLE, row, "cancel", reason="  dealer complied  ")
    with tenant_session(ctx) as session:
        assert session.get(Job, job.id).status == "cancelled"
        assert _counts(session) == tuple(n + 2 for n in before)
        events = session.exec(
            select(DecisionEvent).where(DecisionEvent.entity_id == job.id).order_by(DecisionEvent.at)
        ).all()
        assert [(e.action, e.from_status, e.to_status, e.reason, e.actor_role) for e in events] == [
            ("start", "queued", "running", None, "ops"),
            ("cancel", "running", "cancelled", "dealer complied", "ops"),
        ]
        audit_row = session.exec(select(AuditEvent).where(AuditEvent.action == "sample.cancel")).one()
        assert audit_row.before == {"status": "running"}
        assert audit_row.after == {"status": "cancelled", "reason": "dealer complied"}
        outbox = session.exec(select(OutboxEvent).where(OutboxEvent.idempotency_key == f"decision:{event.id}")).one()
        assert outbox.topic == "sample.start" and outbox.payload["to"] == "running"


@pytest.mark.parametrize(
    ("role", "action", "reason", "error"),
    [
        ("sales", "start", None, Forbidden),
        ("ops", "complete", None, InvalidTransition),
        ("ops", "cancel", "", ValidationFailed),
    ],
)
def test_refused_decisions_change_nothing(tenant_a, job, role, action, reason, error):
    ctx = tenant_a.ctx(role)
    with tenant_session(ctx) as session:
        before = _counts(session)
    with pytest.raises(error), tenant_session(ctx) as session:
        decide(session, ctx, SAMPLE, session.get(Job, job.id), action, reason=reason)
    with tenant_session(ctx) as session:
        assert session.get(Job, job.id).status == "queued"
        assert _counts(session) == before


def test_status_cannot_change_outside_the_decision_path(tenant_a, job):
    ctx = tenant_a.ctx()
    with pytest.raises(ValueError, match="decision path"), tenant_session(ctx) as session:
        mutations.update(session, ctx, session.get(Job, job.id), {"status": "completed"})


def test_ownership_is_worked_out_from_the_owner_field_and_the_acting_organization(tenant_a):
    """An owner-only action: the vendor whose organization owns the row may take it, another
    organization's vendor may not; the caller passes no ownership flag."""
    own_org = StateMachine(
        "vendor_self",
        frozenset({"active", "on_hold"}),
        "active",
        (Transition("withdraw", frozenset({"active"}), "on_hold", "cases.withdraw", owner_only=True),),
        owner_field="id",
    )
    owner = tenant_a.ctx()
    with tenant_session(owner) as session:
        orgs = [
            mutations.create(
                session,
                owner,
                Organization(
                    tenant_id=owner.tenant_id, type="supplier", code=f"v{i}-{uuid.uuid4().hex[:6]}", name=f"Vendor {i}"
                ),
            )
            for i in range(2)
        ]
    mine, other = orgs
    as_other = TenantContext(tenant_id=owner.tenant_id, user_id=None, role=Role.VENDOR, organization_id=other.id)
    with pytest.raises(Forbidden, match="only the owner"), tenant_session(as_other) as session:
        decide(session, as_other, own_org, session.get(Organization, mine.id), "withdraw")
    as_mine = replace(as_other, organization_id=mine.id)
    with tenant_session(as_mine) as session:
        event = decide(session, as_mine, own_org, session.get(Organization, mine.id), "withdraw")
    with tenant_session(owner) as session:
        assert session.get(Organization, mine.id).status == "on_hold"
        assert session.get(Organization, other.id).status == "active"
        row = session.exec(select(DecisionEvent).where(DecisionEvent.id == event.id)).one()
        assert (row.machine, row.action, row.actor_role) == ("vendor_self", "withdraw", "vendor")


def test_a_machine_with_its_own_event_table_writes_its_events_there(tenant_a, job, sample_events):
    """docs/adr/0001: the machine names its event table; decide and decide_many write there (and
    nowhere else), with the same audit and outbox rows; the table's CHECK comes from the machine."""
    ctx = tenant_a.ctx("ops")
    with tenant_session(ctx) as session:
        before = _counts(session)
        decide(session, ctx, SAMPLE_WITH_OWN_EVENTS, session.get(Job, job.id), "start")
        decide_many(session, ctx, SAMPLE_WITH_OWN_EVENTS, [DecisionRequest(session.get(Job, job.id), "complete")])
    with tenant_session(ctx) as session:
        assert _counts(session) == (before[0], before[1] + 2, before[2] + 2)  # no row in decision_events
        rows = session.execute(
            text(f"select action, from_status, to_status from {sample_events.name} where entity_id = :j order by at"),
            {"j": job.id},
        ).all()
        assert [tuple(r) for r in rows] == [("start", "queued", "running"), ("complete", "running", "completed")]
        assert session.get(Job, job.id).status == "completed"
    with pytest.raises(IntegrityError, match="ck_sample_decision_events_action"), tenant_session(ctx) as session:
        session.execute(
            text(
                f"insert into {sample_events.name} (id, tenant_id, machine, entity_id, action, from_status, to_status, "
                "actor, actor_role, at) values (gen_random_uuid(), :t, 'sample', :j, 'APPROVE', 'a', "
                "'completed', 'x', 'ops', now())"
            ),
            {"t": ctx.tenant_id, "j": job.id},
        )
