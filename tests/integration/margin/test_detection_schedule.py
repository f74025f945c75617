"""Scheduled detection: which tenants are due at a given `now`, one queued run per due tenant and
time slot (never two), the per-tenant interval, and the registration the workers' cron runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from engine.errors import Forbidden, ValidationFailed
from tests.integration.margin.conftest import MarginTenant, build
from tests.support.tenants import make_tenant


def _at():
    """A `now` of our choosing: three days after the real clock, so nothing this session writes is newer."""
    from models.core.base import utcnow

    return utcnow().replace(microsecond=0) + timedelta(days=3)


def _past_run(mt: MarginTenant, at, hours_before: float) -> None:
    from models.core import mutations
    from models.core.db import tenant_session
    from models.margin.tables import MarginDetectionRun

    ctx = mt.ctx()
    with tenant_session(ctx) as session:
        mutations.create(
            session,
            ctx,
            MarginDetectionRun(
                tenant_id=ctx.tenant_id, trigger="manual", created_at=at - timedelta(hours=hours_before)
            ),
        )


@pytest.fixture(scope="module")
def world():
    from models.core.db import tenant_session
    from models.jobs.repo import create_job
    from models.margin.schedule import set_every_hours

    at = _at()
    due, recent, off, busy = (build(label, seed=False) for label in ("schdue", "schrecent", "schoff", "schbusy"))
    _past_run(due, at, 25)  # older than the default 24 h
    _past_run(recent, at, 1.5)
    set_every_hours(off.ctx("ops"), 0)
    with tenant_session(busy.ctx()) as session:  # a detection job still queued: never a second one
        create_job(session, busy.ctx(), "margin.detect", {}, [("margin.detect:busy", {})])
    empty = make_tenant("schempty")  # no observations: nothing to detect
    return {"at": at, "due": due, "recent": recent, "off": off, "busy": busy, "empty": empty.tenant_id}


def _ids(world) -> set:
    return {world[k].tenant.tenant_id for k in ("due", "recent", "off", "busy")} | {world["empty"]}


def test_only_tenants_whose_interval_has_passed_are_due(world):
    from models.margin.schedule import due_tenants

    due = {tenant_id: hours for tenant_id, hours in due_tenants(world["at"]) if tenant_id in _ids(world)}
    assert due == {world["due"].tenant.tenant_id: 24}
    # two hours before, the 25-hour-old run was 23 hours old: nobody due
    earlier = {t for t, _ in due_tenants(world["at"] - timedelta(hours=2))} & _ids(world)
    assert earlier == set()


def test_the_cron_queues_one_run_per_due_tenant_and_never_a_second(world):
    from models.core.db import tenant_session
    from models.jobs.tables import Job, JobItem
    from models.margin.schedule import enqueue_due, slot_key
    from models.margin.tables import MarginDetectionRun

    (job_id,) = enqueue_due(world["at"], tenant_ids=_ids(world))
    assert enqueue_due(world["at"], tenant_ids=_ids(world)) == []  # the queued run makes it not due
    due = world["due"]
    with tenant_session(due.ctx()) as session:
        run = session.exec(select(MarginDetectionRun).where(MarginDetectionRun.job_id == job_id)).one()
        items = session.exec(select(JobItem).where(JobItem.job_id == job_id).order_by(col(JobItem.seq))).all()
        job = session.get(Job, job_id)
    assert (run.trigger, run.upload_id, job.kind) == ("schedule", None, "margin.detect")
    # the first item (the market's) carries the slot's key: a second tick of the slot cannot queue a run
    assert items[0].idempotency_key == slot_key(world["at"], 24)
    assert [i.idempotency_key for i in items[1:]] == [f"{slot_key(world['at'], 24)}:{n}" for n in range(1, len(items))]


def test_a_run_of_the_scheduled_job_fills_the_run(world):
    from models.core.db import tenant_session
    from models.jobs.runner import run_job_sync
    from models.margin.tables import MarginDetectionRun
    from workers.registry import load_kinds

    load_kinds()
    due = world["due"]
    with tenant_session(due.ctx()) as session:
        run = session.exec(select(MarginDetectionRun).where(MarginDetectionRun.trigger == "schedule")).one()
    run_job_sync(due.tenant.tenant_id, run.job_id)
    with tenant_session(due.ctx()) as session:
        run = session.exec(select(MarginDetectionRun).where(MarginDetectionRun.trigger == "schedule")).one()
    assert run.finished_at is not None and run.new_breaches == 12  # the demo observations' breaches


def test_a_shorter_interval_makes_a_tenant_due_sooner(world):
    from models.margin.schedule import due_tenants, every_hours, set_every_hours

    recent = world["recent"]
    assert every_hours(recent.ctx("ops")) == 24
    assert set_every_hours(recent.ctx("ops"), 1) == 1
    assert every_hours(recent.ctx("admin")) == 1
    assert (recent.tenant.tenant_id, 1) in due_tenants(world["at"])


def test_the_interval_is_checked_and_is_ops_or_admin_only(world):
    from models.margin.schedule import set_every_hours

    ops = world["recent"].ctx("ops")
    for bad in (-1, 721, True):
        with pytest.raises(ValidationFailed):
            set_every_hours(ops, bad)
    with pytest.raises(Forbidden):
        set_every_hours(world["recent"].ctx("sales"), 6)


def test_margin_registers_its_schedule_for_the_workers_cron():
    from models.jobs.schedules import schedules
    from workers.main import WorkerSettings
    from workers.registry import load_kinds

    load_kinds()
    assert "margin.detect" in [s.name for s in schedules()]
    assert [c.name for c in WorkerSettings.cron_jobs] == ["pharos:schedules"]


def test_the_cron_runs_no_schedule_when_turned_off(monkeypatch):
    import asyncio

    from workers.main import run_schedules

    monkeypatch.setenv("PHAROS_JOB_SCHEDULES", "off")
    assert asyncio.run(run_schedules({})) == {}
