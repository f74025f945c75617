"""decide_many(): the same rows as one decide() per request, set-based; all or nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func
from sqlmodel import select

from engine.errors import InvalidTransition, NotFound, ValidationFailed
from models.core import audit, mutations
from models.core.audit_buffer import AuditBuffer, UnflushedAudit
from models.core.db import tenant_session
from models.core.decisions import DecisionRequest, decide, decide_many
from models.core.tables import AuditEvent, DecisionEvent, OutboxEvent
from models.jobs.tables import Job
from tests.support.sample_machine import SAMPLE


def _counts(session):
    return tuple(
        session.exec(select(func.count()).select_from(model)).one()
        for model in (DecisionEvent, AuditEvent, OutboxEvent)
    )


def _jobs(tenant, n):
    ctx = tenant.ctx()
    with tenant_session(ctx) as session:
        return [mutations.create(session, ctx, Job(tenant_id=ctx.tenant_id, kind="sample")).id for _ in range(n)]


PLAN = [
    (0, "start", None, {"batch": "b1"}),
    (1, "cancel", "  dealer complied  ", None),
    (0, "complete", None, None),  # the same entity again: applies after its first request
    (2, "start", None, None),
]


def _shape(session, ids):
    """What the decisions wrote for these entities, without ids and instants."""
    key = {job_id: i for i, job_id in enumerate(ids)}
    events = session.exec(
        select(DecisionEvent).where(DecisionEvent.entity_id.in_(ids)).order_by(DecisionEvent.at, DecisionEvent.id)  # type: ignore[attr-defined]
    ).all()
    decisions = sorted(
        (key[e.entity_id], e.action, e.from_status, e.to_status, e.reason, e.actor, e.actor_role) for e in events
    )
    audits = session.exec(
        select(AuditEvent).where(AuditEvent.entity == "sample", AuditEvent.entity_id.in_([str(i) for i in ids]))  # type: ignore[attr-defined]
    ).all()
    audit_rows = sorted(
        (
            key[next(j for j in ids if str(j) == a.entity_id)],
            a.action,
            a.entity,
            repr(a.before),
            repr(sorted(a.after.items())),
        )
        for a in audits
    )
    by_event = {e.id: e for e in events}
    outbox = session.exec(
        select(OutboxEvent).where(OutboxEvent.entity == "sample", OutboxEvent.entity_id.in_([str(i) for i in ids]))  # type: ignore[attr-defined]
    ).all()
    outbox_rows = []
    for o in outbox:
        payload = dict(o.payload)
        event_id = payload.pop("event_id")
        assert o.idempotency_key == f"decision:{event_id}"
        assert by_event[uuid.UUID(event_id)].entity_id == ids[key[next(j for j in ids if str(j) == o.entity_id)]]
        outbox_rows.append((key[next(j for j in ids if str(j) == o.entity_id)], o.topic, repr(sorted(payload.items()))))
    statuses = [session.get(Job, i).status for i in ids]
    return decisions, audit_rows, sorted(outbox_rows), statuses


def test_equal_outcome_to_sequential_decide(tenant_a):
    ctx = tenant_a.ctx("ops")
    one, many = _jobs(tenant_a, 3), _jobs(tenant_a, 3)
    with tenant_session(ctx) as session:
        for i, action, reason, details in PLAN:
            decide(session, ctx, SAMPLE, session.get(Job, one[i]), action, reason=reason, details=details)
    with tenant_session(ctx) as session:
        before = _counts(session)
        events = decide_many(
            session,
            ctx,
            SAMPLE,
            [
                DecisionRequest(session.get(Job, many[i]), action, reason, details)
                for i, action, reason, details in PLAN
            ],
        )
        assert [(e.action, e.from_status, e.to_status) for e in events] == [
            ("start", "queued", "running"),
            ("cancel", "queued", "cancelled"),
            ("complete", "running", "completed"),
            ("start", "queued", "running"),
        ]
    with tenant_session(ctx) as session:
        assert _counts(session) == tuple(n + len(PLAN) for n in before)
        assert _shape(session, many) == _shape(session, one)
        assert [session.get(Job, i).status for i in many] == ["completed", "cancelled", "running"]
        assert audit.verify_tenant_chain(session, ctx.tenant_id) is None


@pytest.mark.parametrize(
    ("action", "reason", "error"),
    [("complete", None, InvalidTransition), ("cancel", "  ", ValidationFailed)],
)
def test_one_refusal_writes_nothing(tenant_a, action, reason, error):
    ctx = tenant_a.ctx("ops")
    ids = _jobs(tenant_a, 3)
    with tenant_session(ctx) as session:
        before = _counts(session)
    with pytest.raises(error), tenant_session(ctx) as session:
        decide_many(
            session,
            ctx,
            SAMPLE,
            [
                DecisionRequest(session.get(Job, ids[0]), "start"),
                DecisionRequest(session.get(Job, ids[1]), action, reason),
                DecisionRequest(session.get(Job, ids[2]), "start"),
            ],
        )
    with tenant_session(ctx) as session:
        assert [session.get(Job, i).status for i in ids] == ["queued"] * 3
        assert _counts(session) == before


def test_audit_chain_verifies_across_single_and_many(tenant_a):
    ctx = tenant_a.ctx("ops")
    ids = _jobs(tenant_a, 4)
    with tenant_session(ctx) as session:
        decide(session, ctx, SAMPLE, session.get(Job, ids[0]), "start")
        decide_many(session, ctx, SAMPLE, [DecisionRequest(session.get(Job, i), "start") for i in ids[1:]])
        decide(session, ctx, SAMPLE, session.get(Job, ids[0]), "complete")
    with tenant_session(ctx) as session:
        assert audit.verify_tenant_chain(session, ctx.tenant_id) is None
        seqs = session.exec(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
        assert seqs == list(range(1, len(seqs) + 1))


def test_cross_tenant_entity_is_not_found(tenant_a, tenant_b):
    ctx_a, ctx_b = tenant_a.ctx("ops"), tenant_b.ctx("ops")
    mine, theirs = _jobs(tenant_a, 1)[0], _jobs(tenant_b, 1)[0]
    with tenant_session(ctx_b) as session:
        foreign = session.get(Job, theirs)
    with tenant_session(ctx_a) as session:
        before = _counts(session)
    with pytest.raises(NotFound), tenant_session(ctx_a) as session:
        decide_many(
            session,
            ctx_a,
            SAMPLE,
            [DecisionRequest(session.get(Job, mine), "start"), DecisionRequest(foreign, "start")],
        )
    with tenant_session(ctx_a) as session:
        assert session.get(Job, mine).status == "queued"
        assert _counts(session) == before
    with tenant_session(ctx_b) as session:
        assert session.get(Job, theirs).status == "queued"


def test_buffered_audit_entries_are_appended_by_the_callers_flush(tenant_a):
    ctx = tenant_a.ctx("ops")
    ids = _jobs(tenant_a, 2)
    with tenant_session(ctx) as session:
        before = _counts(session)
        buffer = AuditBuffer(session, ctx)
        decide_many(
            session, ctx, SAMPLE, [DecisionRequest(session.get(Job, i), "start") for i in ids], audit_buffer=buffer
        )
        assert len(buffer) == 2
        buffer.append({"action": "sample.batch_note", "entity": "sample", "entity_id": ids[0], "after": {"n": 2}})
        rows = buffer.flush()
        assert [r["action"] for r in rows] == ["sample.start", "sample.start", "sample.batch_note"]
    with tenant_session(ctx) as session:
        decisions, audits, outbox = _counts(session)
        assert (decisions, audits, outbox) == (before[0] + 2, before[1] + 3, before[2] + 2)
        assert audit.verify_tenant_chain(session, ctx.tenant_id) is None


def test_an_unflushed_audit_buffer_refuses_the_commit_and_nothing_is_written(tenant_a):
    ctx = tenant_a.ctx("ops")
    ids = _jobs(tenant_a, 2)
    with tenant_session(ctx) as session:
        before = _counts(session)
    with pytest.raises(UnflushedAudit, match="2 audit entries were never appended to the chain: sample.start"):
        with tenant_session(ctx) as session:
            buffer = AuditBuffer(session, ctx)
            decide_many(
                session, ctx, SAMPLE, [DecisionRequest(session.get(Job, i), "start") for i in ids], audit_buffer=buffer
            )
    with tenant_session(ctx) as session:
        assert [session.get(Job, i).status for i in ids] == ["queued", "queued"]
        assert _counts(session) == before


def test_savepoints_neither_trip_nor_clear_the_buffer(tenant_a):
    ctx = tenant_a.ctx("ops")
    job_id = _jobs(tenant_a, 1)[0]
    with tenant_session(ctx) as session:
        buffer = AuditBuffer(session, ctx)
        buffer.append({"action": "sample.note", "entity": "sample", "entity_id": job_id})
        with session.begin_nested():  # a savepoint's commit is not the unit of work's commit
            session.get(Job, job_id)
        savepoint = session.begin_nested()
        savepoint.rollback()
        assert len(buffer) == 1
        buffer.flush()
    with tenant_session(ctx) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "sample.note")).one().entity_id == str(job_id)
