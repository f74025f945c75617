"""Interventions: applying then reversing restores every row exactly; a later change blocks a
reversal (409, nothing written); the time to live reverses through the schedule and the job path;
the graph as of a past time shows what was true then."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from engine.errors import Conflict, ValidationFailed
from tests.integration.graph.conftest import Org
from tests.support.effects import unchanged


def _rows(org: Org) -> dict[str, list[tuple]]:
    """Every participant and relationship column of the organization, as the database holds them."""
    from models.core.db import tenant_session

    with tenant_session(org.ctx()) as session:
        people = session.execute(
            text(
                "select id, email, display_name, role, origin, lifecycle_stage, last_activity_at, created_at "
                "from graph_participants order by id"
            )
        ).all()
        links = session.execute(
            text(
                "select id, from_participant_id, to_participant_id, type, source, confidence_score, created_at "
                "from graph_relationships order by id"
            )
        ).all()
    return {"participants": [tuple(r) for r in people], "relationships": [tuple(r) for r in links]}


def _propose(org: Org, kind: str, names: list[str], params: dict | None = None, *, rels: bool = False):
    from models.graph import actions

    targets = [str(org.links[tuple(n.split("-"))]) if rels else str(org.people[n]) for n in names]  # type: ignore[index]
    return actions.propose_intervention(org.ctx(), kind, targets, params or {}, "test")


def test_merge_then_reverse_restores_the_previous_state_exactly(org_a: Org):
    from models.graph import actions, queries

    ctx = org_a.ctx()
    before = _rows(org_a)
    detail = _propose(org_a, "merge_duplicate", ["Kim", "Ari"])
    assert _rows(org_a) == before  # a proposal changes nothing
    radius = detail.blast_radius
    assert radius.participants_changed == (str(org_a.people["Kim"]),)
    assert radius.relationships_changed == (str(org_a.links[("Kim", "Bo")]),)
    applied = actions.decide_intervention(ctx, detail.intervention.id, "apply", "same person, two sign-ups")
    after = _rows(org_a)
    assert after != before
    kim = queries.participant_detail(ctx, org_a.people["Kim"])
    assert kim.participant.lifecycle_stage == "closed" and kim.relationships == ()
    ari = queries.participant_detail(ctx, org_a.people["Ari"])
    assert sorted(r.other_label for r in ari.relationships) == ["Bo", "Gus", "Hana"]
    assert applied.intervention.previous_state == {
        "participants": {str(org_a.people["Kim"]): {"lifecycle_stage": "active"}},
        "relationships": {str(org_a.links[("Kim", "Bo")]): {"from_participant_id": str(org_a.people["Kim"])}},
    }
    actions.decide_intervention(ctx, detail.intervention.id, "reverse", "two people after all")
    assert _rows(org_a) == before


def test_a_later_change_blocks_the_reversal_and_nothing_is_written(org_a: Org):
    from models.graph import actions, queries

    ctx = org_a.ctx()
    first = _propose(org_a, "set_stage", ["Iva"], {"stage": "paused"})
    actions.decide_intervention(ctx, first.intervention.id, "apply", "on leave")
    second = _propose(org_a, "set_stage", ["Iva"], {"stage": "closed"})
    actions.decide_intervention(ctx, second.intervention.id, "apply", "left")
    with unchanged(
        lambda: _rows(org_a), lambda: queries.intervention_detail(ctx, first.intervention.id).intervention.status
    ):
        with pytest.raises(Conflict, match="lifecycle_stage changed since"):
            actions.decide_intervention(ctx, first.intervention.id, "reverse", "back")
    actions.decide_intervention(ctx, second.intervention.id, "reverse", "did not leave")
    actions.decide_intervention(ctx, first.intervention.id, "reverse", "back")
    assert queries.participant_detail(ctx, org_a.people["Iva"]).participant.lifecycle_stage == "active"


def test_a_proposal_that_changes_nothing_is_refused(org_a: Org):
    with pytest.raises(ValidationFailed, match="nothing would change"):
        _propose(org_a, "set_stage", ["Ari"], {"stage": "active"})
    with pytest.raises(ValidationFailed, match="params.stage"):
        _propose(org_a, "set_stage", ["Ari"], {"stage": "gold"})


def test_time_to_live_reverses_through_the_schedule_and_the_job_path(org_a: Org):
    from models.core.base import utcnow
    from models.graph import actions, graph_queries, kinds, queries, schedule  # noqa: F401 - kinds registers the job kinds
    from models.jobs.runner import run_job_sync

    ctx = org_a.ctx()
    before = _rows(org_a)
    detail = _propose(org_a, "confirm_relationship", ["Bo-Cy"], rels=True)
    applied = actions.decide_intervention(ctx, detail.intervention.id, "apply", "confirmed by phone", ttl_seconds=600)
    assert applied.intervention.expires_at is not None and applied.intervention.applied_at is not None
    assert applied.intervention.expires_at - applied.intervention.applied_at == timedelta(seconds=600)
    assert org_a.tenant.tenant_id not in schedule.expiry_due(utcnow())
    at = applied.intervention.expires_at + timedelta(seconds=1)
    assert org_a.tenant.tenant_id in schedule.expiry_due(at)
    jobs = [j for j in schedule.queue_expiry(at) if _tenant_of(j) == org_a.tenant.tenant_id]
    assert len(jobs) == 1
    assert [j for j in schedule.queue_expiry(at) if _tenant_of(j) == org_a.tenant.tenant_id] == []  # one per slot
    report = run_job_sync(ctx.tenant_id, jobs[0])
    assert report.status == "completed"
    done = queries.intervention_detail(ctx, detail.intervention.id).intervention
    assert (done.status, done.reversed_by_user_id) == ("reversed", None)
    assert done.reversal_reason is not None and done.reversal_reason.startswith("time to live ended")
    assert _rows(org_a) == before
    assert org_a.tenant.tenant_id not in schedule.expiry_due(at)


def _tenant_of(job_id):
    from models.core.db import owner_session

    with owner_session() as session:
        return session.execute(text("select tenant_id from jobs where id = :j"), {"j": job_id}).scalar()


def test_the_graph_as_of_a_past_time(org_a: Org):
    from models.core.base import utcnow
    from models.graph import actions, graph_queries

    ctx = org_a.ctx()
    detail = _propose(org_a, "merge_duplicate", ["Kim", "Ari"])
    before_apply = utcnow()
    actions.decide_intervention(ctx, detail.intervention.id, "apply", "same person")
    then = graph_queries.graph_view(ctx, graph_queries.GraphFilters(at=before_apply))
    now = graph_queries.graph_view(ctx, graph_queries.GraphFilters())
    kim, kim_bo = str(org_a.people["Kim"]), str(org_a.links[("Kim", "Bo")])
    assert next(n for n in then.nodes if n.id == kim).lifecycle_stage == "active"
    assert next(n for n in now.nodes if n.id == kim).lifecycle_stage == "closed"
    assert next(e for e in then.edges if e[0] == kim_bo)[1] == kim  # (id, from, to, …)
    assert next(e for e in now.edges if e[0] == kim_bo)[1] == str(org_a.people["Ari"])
    before_build = org_a.built_at - timedelta(days=60)  # relationships were made 40 days back
    early = graph_queries.graph_view(ctx, graph_queries.GraphFilters(at=before_build))
    assert early.edges == () and {n.label for n in early.nodes} == {
        "Hana",
        "Ari",
        "Bo",
        "Cy",
        "Di",
        "Ed",
        "Flo",
        "Gus",
        "Iva",
        "Sys",
    }
    assert "hub" not in next(n for n in early.nodes if n.label == "Hana").segments
