"""Every route of /api/orgs/{org_id}: a member 200, a non-member 403 (the answer names no
organization), another organization's row 404, a role without the permission 403, and nothing
written by a refusal; every graph, segments, participant and recommendation view is one audit row."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import func, select

from tests.integration.graph.conftest import Org
from tests.support.api_clients import api_error, login_client
from tests.support.effects import unchanged
from tests.support.users import add_user


@pytest.fixture
def world(api, org_a: Org, org_b: Org):
    from models.core.db import tenant_session
    from models.graph import recommendations

    for org in (org_a, org_b):
        with tenant_session(org.ctx()) as session:
            recommendations.refresh(session, org.ctx())
    clients = {
        "ops": login_client(api, add_user(org_a.tenant, "ops")),
        "auditor": login_client(api, add_user(org_a.tenant, "auditor")),
        "sales": login_client(api, add_user(org_a.tenant, "sales")),
        "outsider": login_client(api, org_b.tenant.owner_email, org_b.tenant.password),
    }
    return org_a, org_b, clients


def _rec(client, org: Org, pattern: str) -> dict:
    items = client.get(f"/api/orgs/{org.tenant.tenant_id}/recommendations").json()["items"]
    return next(r for r in items if r["pattern"] == pattern)


def _views(org: Org, action: str) -> int:
    from models.core.db import tenant_session
    from models.core.tables import AuditEvent

    with tenant_session(org.ctx()) as session:
        return session.exec(select(func.count()).where(AuditEvent.action == action)).one()


def _reads(org: Org, foreign: Org) -> list[tuple[str, str]]:
    """(read path, the audit action it records or '') for every GET route."""
    base = f"/api/orgs/{org.tenant.tenant_id}"
    return [
        (f"{base}/graph", "graph.view"),
        (f"{base}/graph?segment=hub&layout=true", "graph.view"),
        (f"{base}/segments", "graph.segments.view"),
        (f"{base}/participants/{org.people['Hana']}", "graph.participant.view"),
        (f"{base}/recommendations", "graph.recommendations.view"),
        (f"{base}/interventions", ""),
    ]


def test_member_reads_every_route_and_each_view_is_audited_once(world):
    org_a, org_b, clients = world
    for path, action in _reads(org_a, org_b):
        before = _views(org_a, action) if action else 0
        res = clients["auditor"].get(path)
        assert res.status_code == 200, (path, res.text)
        if action:
            assert _views(org_a, action) == before + 1, path
    rec = _rec(clients["auditor"], org_a, "dormant_hub")
    before = _views(org_a, "graph.recommendation.view")
    assert clients["auditor"].get(f"/api/orgs/{org_a.tenant.tenant_id}/recommendations/{rec['id']}").status_code == 200
    assert _views(org_a, "graph.recommendation.view") == before + 1


def test_a_view_records_actor_role_target_and_metadata(world):
    from models.core.db import tenant_session
    from models.core.tables import AuditEvent

    org_a, _, clients = world
    client = clients["auditor"]
    res = client.get(f"/api/orgs/{org_a.tenant.tenant_id}/participants/{org_a.people['Bo']}")
    assert res.status_code == 200
    with tenant_session(org_a.ctx()) as session:
        event = session.exec(
            select(AuditEvent).where(AuditEvent.action == "graph.participant.view").order_by(AuditEvent.seq.desc())  # type: ignore[attr-defined]
        ).first()
    assert event is not None
    assert (event.actor, event.actor_role, event.entity, event.entity_id) == (
        client.user_id,
        "auditor",
        "graph_participants",
        str(org_a.people["Bo"]),
    )
    assert event.after == {"role": "auditor", "relationships": 3, "recommendations": 1, "interventions": 0}


def test_graph_answers_nodes_and_edges(world):
    org_a, _, clients = world
    body = clients["ops"].get(f"/api/orgs/{org_a.tenant.tenant_id}/graph").json()
    assert body["total_participants"] == 12 and body["matching"] == 12
    assert len(body["nodes"]) == 12 and len(body["edges"]) == 9
    assert body["nodes"][0]["display_name"] == "Hana"  # most connected first
    edge = next(e for e in body["edges"] if e["id"] == str(org_a.links[("Bo", "Cy")]))
    assert (edge["from_participant_id"], edge["to_participant_id"], edge["source"], edge["confidence_score"]) == (
        str(org_a.people["Bo"]),
        str(org_a.people["Cy"]),
        "inferred",
        "0.3000",
    )
    paged = clients["ops"].get(f"/api/orgs/{org_a.tenant.tenant_id}/graph?limit=1&offset=1").json()
    assert [n["display_name"] for n in paged["nodes"]] == ["Bo"]  # degrees 6, 3, then 2 (Ari, Cy)
    assert paged["matching"] == 12
    found = clients["ops"].get(f"/api/orgs/{org_a.tenant.tenant_id}/graph?q=ari%40org&role=member").json()
    assert sorted(n["display_name"] for n in found["nodes"]) == ["Ari", "Kim"]


def test_a_non_member_is_refused_everywhere_and_learns_nothing(world):
    org_a, org_b, clients = world
    outsider = clients["outsider"]
    a = org_a.tenant.tenant_id
    rec = _rec(clients["ops"], org_a, "dormant_hub")
    for path, _ in _reads(org_a, org_b):
        body = api_error(outsider.get(path), 403, "forbidden")
        assert str(a) not in str(body) and "Hana" not in str(body)
    writes = [
        (f"/api/orgs/{a}/recommendations/{rec['id']}/update", {"action": "accept"}),
        (f"/api/orgs/{a}/recommendation-runs", None),
        (
            f"/api/orgs/{a}/interventions",
            {
                "type": "set_stage",
                "target_ids": [str(org_a.people["Iva"])],
                "params": {"stage": "paused"},
                "reason": "x",
            },
        ),
    ]
    with unchanged(
        lambda: _rec(clients["ops"], org_a, "dormant_hub"), lambda: _views(org_a, "graph_intervention.propose")
    ):
        for path, body in writes:
            api_error(outsider.post(path, json=body), 403, "forbidden")
    api_error(outsider.get(f"/api/orgs/{uuid.uuid4()}/graph"), 403, "forbidden")


def test_another_organizations_rows_are_not_found(world):
    org_a, org_b, clients = world
    a = org_a.tenant.tenant_id
    ops = clients["ops"]
    api_error(ops.get(f"/api/orgs/{a}/participants/{org_b.people['Hana']}"), 404, "not_found")
    b_rec = _rec(clients["outsider"], org_b, "dormant_hub")
    api_error(ops.get(f"/api/orgs/{a}/recommendations/{b_rec['id']}"), 404, "not_found")
    api_error(
        ops.post(f"/api/orgs/{a}/recommendations/{b_rec['id']}/update", json={"action": "reject", "reason": "no"}),
        404,
        "not_found",
    )
    assert _rec(clients["outsider"], org_b, "dormant_hub")["status"] == "open"
    res = ops.post(
        f"/api/orgs/{a}/interventions",
        json={
            "type": "set_stage",
            "target_ids": [str(org_b.people["Iva"])],
            "params": {"stage": "paused"},
            "reason": "x",
        },
    )
    body = api_error(res, 422, "validation_error")
    assert "target_ids" in body["fields"]


def test_a_role_without_the_permission_is_refused(world):
    org_a, _, clients = world
    a = org_a.tenant.tenant_id
    for path, _ in _reads(org_a, org_a):
        api_error(clients["sales"].get(path), 403, "forbidden")
    rec = _rec(clients["ops"], org_a, "dormant_hub")
    with unchanged(lambda: _rec(clients["ops"], org_a, "dormant_hub")):
        api_error(
            clients["auditor"].post(f"/api/orgs/{a}/recommendations/{rec['id']}/update", json={"action": "accept"}),
            403,
            "forbidden",
        )
        api_error(clients["auditor"].post(f"/api/orgs/{a}/recommendation-runs"), 403, "forbidden")


def test_accept_read_blast_radius_apply_reverse_over_the_api(world):
    org_a, _, clients = world
    a = org_a.tenant.tenant_id
    ops = clients["ops"]
    rec = _rec(ops, org_a, "dormant_hub")
    res = ops.post(
        f"/api/orgs/{a}/recommendations/{rec['id']}/update", json={"action": "accept", "expected_status": "open"}
    )
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["recommendation"]["status"] == "accepted"
    detail = body["intervention"]
    iv = detail["intervention"]
    assert (iv["status"], iv["type"], iv["target_labels"]) == ("proposed", "set_stage", ["Hana"])
    radius = detail["blast_radius"]
    assert radius["participants_changed"] == [str(org_a.people["Hana"])]
    assert len(radius["relationships_touched"]) == 6
    assert {radius["labels"][p] for p in radius["participants_touched"]} == {"Ari", "Bo", "Cy", "Di", "Ed", "Flo"}
    assert [(c["label"], c["field"], c["before"], c["after"]) for c in radius["changes"]] == [
        ("Hana", "lifecycle_stage", "active", "paused")
    ]
    iv_path = f"/api/orgs/{a}/interventions/{iv['id']}"
    api_error(ops.post(f"{iv_path}/update", json={"action": "apply", "reason": " "}), 422, "validation_error")
    applied = ops.post(f"{iv_path}/update", json={"action": "apply", "reason": "stalled for two months"}).json()
    assert applied["intervention"]["status"] == "applied"
    assert applied["intervention"]["previous_state"] == {
        "participants": {str(org_a.people["Hana"]): {"lifecycle_stage": "active"}},
        "relationships": {},
    }
    hana = ops.get(f"/api/orgs/{a}/participants/{org_a.people['Hana']}").json()
    assert hana["participant"]["lifecycle_stage"] == "paused"
    assert [i["status"] for i in hana["interventions"]] == ["applied"]
    assert [x["action"] for x in hana["interventions"][0]["actions"]] == ["reverse"]
    api_error(ops.post(f"{iv_path}/update", json={"action": "expire", "reason": "x"}), 422, "validation_error")
    reversed_ = ops.post(f"{iv_path}/update", json={"action": "reverse", "reason": "back this week"}).json()
    assert reversed_["intervention"]["status"] == "reversed"
    assert reversed_["intervention"]["reversal_reason"] == "back this week"
    assert reversed_["intervention"]["reversed_by_user_id"] == ops.user_id
    hana = ops.get(f"/api/orgs/{a}/participants/{org_a.people['Hana']}").json()
    assert hana["participant"]["lifecycle_stage"] == "active"


def test_reject_needs_a_reason_and_a_refusal_writes_nothing(world):
    from tests.support.effects import trail

    org_a, _, clients = world
    a = org_a.tenant.tenant_id
    ops = clients["ops"]
    rec = _rec(ops, org_a, "isolated_participant")
    path = f"/api/orgs/{a}/recommendations/{rec['id']}/update"
    with unchanged(lambda: _rec(ops, org_a, "isolated_participant"), lambda: trail(org_a.ctx(), rec["id"])):
        body = api_error(ops.post(path, json={"action": "reject"}), 422, "validation_error")
        assert body["fields"] == {"reason": "required"}
        api_error(
            ops.post(path, json={"action": "reject", "reason": "x", "expected_status": "accepted"}), 409, "stale_status"
        )
    done = ops.post(path, json={"action": "reject", "reason": "on leave until March"}).json()
    assert done["recommendation"]["status"] == "rejected" and done["intervention"] is None
