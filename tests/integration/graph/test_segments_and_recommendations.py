"""Segments and recommendations on the hand-made graph of conftest.py: the known answers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.graph.conftest import Org


def _names(org: Org, ids) -> set[str]:
    return {org.name_of(i) for i in ids}


def test_segments_have_the_known_members(org_a: Org):
    from models.graph import graph_queries, queries

    ctx = org_a.ctx()
    found = graph_queries.segments_view(ctx)
    assert found.hub_min == 6
    assert found.participants == 12
    counts = {s.key: s.count for s in found.segments}
    assert counts == {"new": 1, "active": 7, "at_risk": 1, "dormant": 2, "isolated": 2, "hub": 1}
    expected = {
        "new": {"Jo"},
        "active": {"Ari", "Bo", "Cy", "Di", "Ed", "Flo", "Kim"},
        "at_risk": {"Gus"},
        "dormant": {"Hana", "Iva"},
        "isolated": {"Iva", "Jo"},
        "hub": {"Hana"},
    }
    for key, names in expected.items():
        graph = graph_queries.graph_view(ctx, graph_queries.GraphFilters(segment=key))
        assert {n.label for n in graph.nodes} == names, key
    system = queries.participant_detail(ctx, org_a.people["Sys"])
    assert system.participant.segments == ()


def test_the_generator_finds_exactly_the_four_patterns_and_a_second_run_adds_nothing(org_a: Org):
    from models.core.db import tenant_session
    from models.graph import queries, recommendations

    ctx = org_a.ctx()
    with tenant_session(ctx) as session:
        assert recommendations.refresh(session, ctx) == {"created": 4, "retired": 0, "open": 4}
    page = queries.recommendation_page(ctx)
    found = {(r.pattern, r.target_label, r.suggested_action, r.confidence) for r in page.items}
    assert found == {
        ("dormant_hub", "Hana", "set_stage", Decimal("0.72")),  # 0.6 + 0.35 × (60 − 45) / 45
        ("duplicate_email", "Kim", "merge_duplicate", Decimal("0.80")),
        ("isolated_participant", "Iva", "set_stage", Decimal("0.90")),
        ("low_confidence_relationship", "Bo – Cy", "confirm_relationship", Decimal("0.70")),
    }
    merge = next(r for r in page.items if r.pattern == "duplicate_email")
    assert merge.params == {"primary_id": str(org_a.people["Ari"])}
    assert "share the e-mail ari@org.test" in merge.reason
    with tenant_session(ctx) as session:
        assert recommendations.refresh(session, ctx) == {"created": 0, "retired": 0, "open": 4}


def test_a_pattern_that_no_longer_holds_is_retired_and_a_rejected_one_is_not_suggested_again(org_a: Org):
    from models.core.db import tenant_session
    from models.graph import actions, queries, recommendations

    ctx = org_a.ctx()
    with tenant_session(ctx) as session:
        recommendations.refresh(session, ctx)
    items = {r.pattern: r for r in queries.recommendation_page(ctx).items}
    actions.decide_recommendation(ctx, items["isolated_participant"].id, "reject", "Iva is on leave")
    # confirm Bo – Cy outside the recommendation: its pattern no longer holds
    detail = actions.propose_intervention(
        ctx, "confirm_relationship", [str(org_a.links[("Bo", "Cy")])], {}, "checked with both"
    )
    actions.decide_intervention(ctx, detail.intervention.id, "apply", "checked with both")
    with tenant_session(ctx) as session:
        assert recommendations.refresh(session, ctx) == {"created": 0, "retired": 1, "open": 2}
    statuses = {r.pattern: r.status for r in queries.recommendation_page(ctx, status=None).items}
    assert statuses == {
        "dormant_hub": "open",
        "duplicate_email": "open",
        "isolated_participant": "rejected",
        "low_confidence_relationship": "retired",
    }


def test_the_recommendation_job_runs_on_the_job_path(org_a: Org):
    from models.graph import (
        actions,
        kinds,  # noqa: F401 - registers the kinds
        queries,
    )
    from models.jobs.runner import run_job_sync

    ctx = org_a.ctx()
    job_id = actions.run_recommendations(ctx)
    report = run_job_sync(ctx.tenant_id, job_id)
    assert report.status == "completed"
    assert len(queries.recommendation_page(ctx).items) == 4


@pytest.mark.parametrize("segment", ["new", "hub"])
def test_graph_edges_join_only_the_participants_shown(org_a: Org, segment: str):
    from models.graph import graph_queries

    found = graph_queries.graph_view(org_a.ctx(), graph_queries.GraphFilters(segment=segment, layout=True))
    shown = {n.id for n in found.nodes}
    assert all(e[1] in shown and e[2] in shown for e in found.edges)  # (id, from, to, …)
    assert all(n.x is not None and n.y is not None for n in found.nodes)
