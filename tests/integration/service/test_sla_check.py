"""The SLA check on the job path: the cron's schedule queues one job per due tenant and slot, the
job's item marks the tickets past their due times (audited, one event per target), and nothing is
queued or marked twice. The clock is moved by passing `at`, never by sleeping."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from models.jobs.runner import run_job_sync
from models.service import kinds, queries, sla_check, tickets
from tests.integration.service.conftest import build
from tests.support.effects import rows


def test_the_schedule_queues_a_check_that_marks_breaches_once(services):
    built = build("svcheck")
    ctx = built.ctx()
    ids = built.ids.tickets
    # display: opened 2 h before the build, high → response due at +6 h; monitor: opened 1 h before,
    # Swift's urgent 8 h → due at +7 h; the shelf sensor's overdue response was flagged by the seed
    at = built.built_at + timedelta(hours=5)
    assert built.tenant.tenant_id not in sla_check.due_tenants(at)
    later = built.built_at + timedelta(hours=9)
    assert built.tenant.tenant_id in sla_check.due_tenants(later)
    [job_id] = [j for j in sla_check.enqueue_due(later) if _tenant_of(j, ctx)]
    assert built.tenant.tenant_id not in sla_check.due_tenants(later)  # a check is queued: not due again
    events_before = rows(ctx, "outbox_events", "topic = 'ticket.sla_breached'")
    assert kinds.SLA_CHECK.name == sla_check.KIND  # the kind is registered, as every worker loads it
    report = run_job_sync(ctx.tenant_id, job_id).as_dict()
    assert report["status"] == "completed", report
    display = queries.ticket(ctx, ids["display"])
    assert display.response_breached is True and display.resolution_breached is False
    monitor = queries.ticket(ctx, ids["monitor"])
    assert monitor.response_breached is True
    assert rows(ctx, "outbox_events", "topic = 'ticket.sla_breached'") == events_before + 2
    assert rows(ctx, "audit_events", "action = 'ticket.sla_breach'") == 3  # the seed's one, then these two
    # the same slot again: the item key is taken, nothing queued
    assert not any(_tenant_of(j, ctx) for j in sla_check.enqueue_due(later))


def _tenant_of(job_id, ctx) -> bool:
    return rows(ctx, "jobs", "id = :j", j=job_id) == 1


def test_the_due_function_uses_the_machines_active_statuses():
    text = (Path(__file__).resolve().parents[3] / "alembic/versions/0020_service.py").read_text()
    listed = ", ".join(f"'{s}'" for s in tickets.ACTIVE_STATUSES)
    assert f"k.status IN ({listed})" in text
