"""A kind's `min_lease_seconds`: an item that may run longer than the default lease (a whole
tenant's detection) is claimed with the kind's longer lease, so a live worker never loses it
mid-item; kinds without one keep the default."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from engine.jobs import Done
from models.core.db import tenant_session
from models.jobs import repo
from models.jobs.kinds import ItemContext, JobKind, register
from models.jobs.runner import run_job_sync

pytestmark = pytest.mark.usefixtures("sample_job")


def _lease_left(ic: ItemContext) -> Done:
    """Reports how many seconds of lease the item had while it ran."""
    left = ic.session.execute(
        text("select extract(epoch from lease_expires_at - clock_timestamp()) from job_items where id = :i"),
        {"i": ic.item.id},
    ).scalar_one()
    return Done({"lease_left": float(left)})


LONG = register(JobKind("test.long_lease", _lease_left, min_lease_seconds=600.0))
PLAIN = register(JobKind("test.plain_lease", _lease_left))


def _lease_left_of_one_item(ctx, kind: str, **run) -> float:
    with tenant_session(ctx) as s:
        job = repo.create_job(s, ctx, kind, {}, [(uuid.uuid4().hex, {})])
        job_id = job.id
    report = run_job_sync(ctx.tenant_id, job_id, **run)
    assert report.status == "completed"
    with tenant_session(ctx) as s:
        result = s.execute(text("select result from job_items where job_id = :j"), {"j": job_id}).scalar_one()
    return float(result["lease_left"])  # results are stored as JSON text values


def test_a_kind_with_a_minimum_lease_is_claimed_with_it(tenant_a):
    default = repo.lease_seconds()
    assert default < 600
    left = _lease_left_of_one_item(tenant_a.ctx("ops"), LONG.name)
    assert default < left <= 600


def test_other_kinds_keep_the_default_lease(tenant_a):
    left = _lease_left_of_one_item(tenant_a.ctx("ops"), PLAIN.name)
    assert 0 < left <= repo.lease_seconds()


def test_an_explicit_lease_wins_over_the_kinds_minimum(tenant_a):
    left = _lease_left_of_one_item(tenant_a.ctx("ops"), LONG.name, lease_seconds=5)
    assert 0 < left <= 5
