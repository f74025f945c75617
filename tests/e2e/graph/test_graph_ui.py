"""The operator console in Chromium against the demo seed (Iron Front Digital): the operator picks
the organization, opens the graph, filters a segment, clicks a participant (React Flow node → Python),
accepts its recommendation, reads the blast radius, applies and reverses. Expected figures come from
the queries, never hard-coded."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def _shot(page, name: str) -> None:
    """PHAROS_E2E_SHOTS=dir keeps a screenshot of each step."""
    target = os.environ.get("PHAROS_E2E_SHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=True)


def org_db(fn):
    from engine.context import TenantContext
    from seeds.graph import ORG_ID, ORG_SLUG

    return fn(TenantContext.system(ORG_ID, ORG_SLUG))


def _enter_iron_front(page) -> None:
    from seeds.graph import OPERATOR_EMAIL, ORG_NAME

    login(page, OPERATOR_EMAIL)
    page.wait_for_url(re.compile(r"/select-tenant$"))
    choices = page.get_by_test_id("tenant-choice")
    choices.first.wait_for()
    # the demo tenant and Iron Front Digital (other tests may add the operator to a tenant of theirs)
    expect(choices.filter(has_text="Demo Brand Co.")).to_have_count(1)
    expect(choices.filter(has_text=ORG_NAME)).to_have_count(1)
    choices.filter(has_text=ORG_NAME).click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_test_id("tenant-name")).to_have_text(ORG_NAME)


def test_operator_filters_opens_accepts_reads_blast_radius_applies_and_reverses(page):
    from models.graph import graph_queries, queries
    from seeds.graph import participant_id

    _enter_iron_front(page)
    page.get_by_test_id("nav-link").filter(has_text="Graph").first.click()
    page.wait_for_url(re.compile(r"/graph$"))
    canvas = page.get_by_test_id("graph-canvas")
    total = org_db(lambda ctx: graph_queries.graph_view(ctx, graph_queries.GraphFilters()).total_participants)
    expect(canvas.locator(".react-flow__node")).to_have_count(total)
    _shot(page, "graph")
    expect(canvas.locator(".react-flow__edge")).to_have_count(
        org_db(lambda ctx: len(graph_queries.graph_view(ctx, graph_queries.GraphFilters()).edges))
    )

    page.locator("[data-testid=segment-chip][data-segment=hub]").click()
    hubs = org_db(lambda ctx: graph_queries.graph_view(ctx, graph_queries.GraphFilters(segment="hub")).nodes)
    assert [n.label for n in hubs] == ["Leo Park"]
    expect(canvas.locator(".react-flow__node")).to_have_count(1)

    leo = str(participant_id("leo"))
    canvas.locator(f'.react-flow__node[data-id="{leo}"]').click()
    expect(page.get_by_test_id("participant-name")).to_have_text("Leo Park")
    expect(page.get_by_test_id("participant-stage")).to_have_text("active")
    detail = org_db(lambda ctx: queries.participant_detail(ctx, leo))
    expect(page.get_by_test_id("relationship-row")).to_have_count(len(detail.relationships))

    card = page.get_by_test_id("recommendation-card").filter(has_text="Dormant hub")
    card.get_by_test_id("recommendation-accept").click()
    expect(page.get_by_test_id("blast-participants-changed")).to_have_text("1")
    expect(page.get_by_test_id("blast-relationships-touched")).to_have_text(str(len(detail.relationships)))
    others = {r.other_label for r in detail.relationships}
    expect(page.get_by_test_id("blast-participants-touched")).to_have_text(str(len(others)))
    change = page.get_by_test_id("blast-change")
    expect(change).to_have_count(1)
    expect(change).to_contain_text("Leo Park")
    expect(change).to_contain_text("paused")
    _shot(page, "blast-radius")
    apply = page.get_by_test_id("proposal-apply")
    expect(apply).to_be_disabled()  # a reason first
    page.get_by_test_id("apply-reason").fill("No activity for two months; review the relationships")
    apply.click()

    expect(page.get_by_test_id("participant-stage")).to_have_text("paused")
    _shot(page, "applied")
    row = page.get_by_test_id("intervention-row").first
    expect(row.get_by_test_id("intervention-status")).to_have_text("applied")
    row.get_by_test_id("intervention-reverse").click()
    confirm = page.get_by_test_id("reason-confirm")
    expect(confirm).to_be_disabled()
    page.get_by_test_id("reason-input").fill("Back from leave this week")
    confirm.click()
    expect(row.get_by_test_id("intervention-status")).to_have_text("reversed")
    expect(page.get_by_test_id("participant-stage")).to_have_text("active")
    stored = org_db(lambda ctx: queries.participant_detail(ctx, leo).interventions[0])
    assert (stored.status, stored.reversal_reason) == ("reversed", "Back from leave this week")


def test_recommendations_queue_rejects_with_a_reason(page):
    from models.graph import queries

    _enter_iron_front(page)
    page.goto("/graph/recommendations")
    open_now = org_db(lambda ctx: queries.recommendation_page(ctx).items)
    cards = page.get_by_test_id("recommendation-card")
    expect(cards).to_have_count(len(open_now))
    card = cards.filter(has_text="Relationship to confirm")
    card.get_by_test_id("recommendation-reject").click()
    page.get_by_test_id("reason-input").fill("Priya and Tom never worked together")
    page.get_by_test_id("reason-confirm").click()
    expect(cards).to_have_count(len(open_now) - 1)
    statuses = org_db(lambda ctx: {r.pattern: r.status for r in queries.recommendation_page(ctx, status=None).items})
    assert statuses["low_confidence_relationship"] == "rejected"


def test_clusters_fold_the_graph_and_a_click_opens_a_cluster(page):
    from models.graph import graph_queries

    found = org_db(lambda ctx: graph_queries.cluster_view(ctx, graph_queries.GraphFilters()))
    hubs = org_db(lambda ctx: graph_queries.graph_view(ctx, graph_queries.GraphFilters(segment="hub")).nodes)
    _enter_iron_front(page)
    page.goto("/graph")
    canvas = page.get_by_test_id("graph-canvas")
    canvas.locator(".react-flow__node").first.wait_for()
    page.get_by_test_id("graph-clusters").click()
    expect(canvas.locator(".react-flow__node")).to_have_count(len(found.clusters))
    expect(canvas.locator(".react-flow__edge")).to_have_count(len(found.links))
    hub = next(c for c in found.clusters if c.key == "hub")
    expect(canvas.locator('.react-flow__node[data-id="cluster:hub"]')).to_have_text(f"Hub · {hub.participants}")
    _shot(page, "clusters")
    canvas.locator('.react-flow__node[data-id="cluster:hub"]').click()
    expect(canvas.locator(".react-flow__node")).to_have_count(len(hubs))
    expect(page.get_by_test_id("graph-clusters")).to_have_text("Clusters")
