"""GET /api/orgs/{org_id}/graph/clusters on the hand-made graph: one cluster per primary segment
with its size and inner relationships, the relationships between clusters, filters by role and
text; a member's read is recorded, a non-member and a role without graph.read are refused."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import func, select

from tests.integration.graph.conftest import LINKS, Org
from tests.support.api_clients import api_error, login_client
from tests.support.users import add_user


@pytest.fixture
def world(api, org_a: Org, org_b: Org):
    clients = {
        "ops": login_client(api, add_user(org_a.tenant, "ops")),
        "sales": login_client(api, add_user(org_a.tenant, "sales")),
        "outsider": login_client(api, org_b.tenant.owner_email, org_b.tenant.password),
    }
    return org_a, clients


def _views(org: Org) -> int:
    from models.core.db import tenant_session
    from models.core.tables import AuditEvent

    with tenant_session(org.ctx()) as session:
        return session.exec(select(func.count()).where(AuditEvent.action == "graph.view")).one()


def test_clusters_fold_the_graph_by_primary_segment(world):
    from engine.graph.clusters import primary
    from models.graph import graph_queries

    org, clients = world
    nodes = graph_queries.graph_view(org.ctx(), graph_queries.GraphFilters()).nodes
    cluster_of = {org.name_of(n.id): primary(n.segments) for n in nodes}
    assert cluster_of["Hana"] == "hub"  # the dormant hub: hub first
    assert cluster_of["Sys"] == "other"  # a system participant is in no segment
    before = _views(org)
    res = clients["ops"].get(f"/api/orgs/{org.tenant.tenant_id}/graph/clusters")
    assert res.status_code == 200, res.text
    body = res.json()
    assert _views(org) == before + 1
    assert body["total_participants"] == body["matching"] == len(org.people)
    sizes = Counter(cluster_of.values())
    inside = Counter(cluster_of[a] for a, b, *_ in LINKS if cluster_of[a] == cluster_of[b])
    between = Counter(frozenset((cluster_of[a], cluster_of[b])) for a, b, *_ in LINKS if cluster_of[a] != cluster_of[b])
    assert {c["key"]: (c["participants"], c["inside"]) for c in body["clusters"]} == {
        key: (n, inside[key]) for key, n in sizes.items()
    }
    assert {frozenset((x["a"], x["b"])): x["relationships"] for x in body["links"]} == dict(between)
    assert sum(x["relationships"] for x in body["links"]) + sum(c["inside"] for c in body["clusters"]) == len(LINKS)
    assert [c["key"] for c in body["clusters"]][0] == "hub"


def test_clusters_follow_the_role_and_text_filters(world):
    org, clients = world
    base = f"/api/orgs/{org.tenant.tenant_id}/graph/clusters"
    partners = clients["ops"].get(base, params={"role": "partner"}).json()
    assert partners["matching"] == 2  # Cy and Flo
    assert sum(c["participants"] for c in partners["clusters"]) == 2
    hana = clients["ops"].get(base, params={"q": "hana"}).json()
    assert [(c["key"], c["participants"], c["inside"]) for c in hana["clusters"]] == [("hub", 1, 0)]
    assert hana["links"] == []


def test_clusters_are_refused_to_a_non_member_and_a_role_without_graph_read(world):
    org, clients = world
    path = f"/api/orgs/{org.tenant.tenant_id}/graph/clusters"
    body = api_error(clients["outsider"].get(path), 403, "forbidden")
    assert str(org.tenant.tenant_id) not in str(body) and "Hana" not in str(body)
    api_error(clients["sales"].get(path), 403, "forbidden")
