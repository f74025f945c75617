"""decide(): role → transition → reason → event → status → audit → outbox, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from engine.errors import Forbidden, InvalidTransition, ValidationFailed
from models.core import mutations
from models.core.db import tenant_session
from models.core.decisions import decide
from models.core.tables import AuditEvent, DecisionEvent, OutboxEvent
from models.jobs.tables import Job
from tests.support.sample_machine import SAMPLE


def _counts(session):
    return tuple(
        session.exec(select(func.count()).select_from(model)).one() for model in (DecisionEvent, AuditEvent, OutboxEvent)
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
        events = session.exec(select(DecisionEvent).where(DecisionEvent.entity_id == job.id).order_by(DecisionEvent.at)).all()
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
