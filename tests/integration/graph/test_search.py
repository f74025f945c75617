"""Participants in the one search (GET /api/search, models/graph/search_providers.py): found by
name or e-mail (an exact e-mail first), only the caller's own organization's participants, only for
a role holding graph.read, each hit linking to its panel on the graph page."""

from __future__ import annotations

import pytest

from tests.integration.graph.conftest import Org
from tests.support.api_clients import login_client
from tests.support.users import add_user


@pytest.fixture
def world(api, org_a: Org, org_b: Org):
    clients = {
        "ops": login_client(api, add_user(org_a.tenant, "ops")),
        "auditor": login_client(api, add_user(org_a.tenant, "auditor")),
        "sales": login_client(api, add_user(org_a.tenant, "sales")),
        "b_owner": login_client(api, org_b.tenant.owner_email, org_b.tenant.password),
    }
    return org_a, org_b, clients


def _participants(client, q: str, **params) -> list[dict] | None:
    res = client.get("/api/search", params={"q": q, "limit": 50, **params})
    assert res.status_code == 200, res.text
    return next((g["hits"] for g in res.json()["groups"] if g["type"] == "participants"), None)


def test_participants_are_found_by_name_and_link_to_their_panel(world):
    org_a, _, clients = world
    hits = _participants(clients["ops"], "HANA")
    assert [(h["id"], h["title"], h["subtitle"]) for h in hits] == [
        (str(org_a.people["Hana"]), "Hana", "hana@org.test · coordinator · active")
    ]
    assert hits[0]["url"] == f"/graph?participant={org_a.people['Hana']}"
    assert _participants(clients["auditor"], "hana")[0]["id"] == str(org_a.people["Hana"])


def test_an_exact_e_mail_ranks_first_and_finds_every_participant_sharing_it(world):
    org_a, _, clients = world
    hits = _participants(clients["ops"], "ari@org.test")
    # Kim's e-mail is Ari's written with a leading space and capitals: contained, so ranked after
    assert [(h["title"], h["rank"]) for h in hits] == [("Ari", 0), ("Kim", 3)]
    words = _participants(clients["ops"], "org.test gus")
    assert [h["id"] for h in words] == [str(org_a.people["Gus"])]


def test_only_the_callers_own_organization_is_searched(world):
    org_a, org_b, clients = world
    mine = {h["id"] for h in _participants(clients["ops"], "org.test")}
    theirs = {h["id"] for h in _participants(clients["b_owner"], "org.test")}
    with_email = [name for name in org_a.people if name != "Sys"]  # Sys has no e-mail
    assert mine == {str(org_a.people[n]) for n in with_email}
    assert theirs == {str(org_b.people[n]) for n in with_email}


def test_a_role_without_graph_read_gets_no_participants(world):
    _, _, clients = world
    assert _participants(clients["sales"], "hana") is None
    res = clients["sales"].get("/api/search", params={"q": "hana", "types": "participants"})
    assert res.status_code == 200 and res.json()["groups"] == []
