"""Two vendors of one tenant, and two tenants: each sees and touches only its own cases — in REST
(every route: 404 for another vendor's or tenant's id, lists filtered), in the database (RLS with the
vendor's own session settings, no code filter), and a vendor is kept out of staff routes."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from tests.integration.cases.support import case_trail
from tests.support.effects import unchanged


@pytest.fixture(scope="module")
def mine(world):
    """A case of vendor 1 with a message, a step and an evidence file."""
    case_id = world.new_case(subject="Vendor one's private case")
    vendor = world.clients["vendor1"]
    assert vendor.post(f"/api/cases/{case_id}/responses", json={"body": "secret answer"}).status_code == 201
    step = world.clients["ops"].post(f"/api/cases/{case_id}/steps", json={"label": "Check"}).json()
    files = {"file": ("note.txt", b"delivery note 4411", "text/plain")}
    ev = vendor.post(f"/api/evidence-uploads?case_id={case_id}", files=files)
    assert ev.status_code == 201, ev.text
    return {"case": case_id, "step": step["id"], "evidence": ev.json()["id"]}


def _reads(ids):
    c, e, s = ids["case"], ids["evidence"], ids["step"]
    return [
        ("get", f"/api/cases/{c}", None),
        ("get", f"/api/cases/{c}/events", None),
        ("get", f"/api/evidence/{e}", None),
        ("get", f"/api/evidence/{e}/events", None),
        ("get", f"/api/evidence/{e}/file", None),
        ("patch", f"/api/cases/{c}", {"subject": "taken over"}),
        ("post", f"/api/cases/{c}/messages", {"body": "hello"}),
        ("post", f"/api/cases/{c}/responses", {"body": "hello"}),
        ("post", f"/api/cases/{c}/steps", {"label": "x"}),
        ("patch", f"/api/cases/{c}/steps/{s}", {"done": True}),
        ("post", f"/api/cases/{c}/update", {"action": "withdraw"}),
        ("post", f"/api/evidence/{e}/update", {"action": "remove", "note": "x"}),
    ]


@pytest.mark.parametrize("who", ["vendor2", "b_owner", "b_vendor"])
def test_another_vendor_or_tenant_gets_404_on_every_route_and_changes_nothing(world, mine, who):
    client = world.clients[who]
    with unchanged(lambda: case_trail(world, mine["case"]), lambda: case_trail(world, mine["evidence"])):
        for method, url, body in _reads(mine):
            res = getattr(client, method)(url, **({"json": body} if body is not None else {}))
            assert res.status_code == 404, (who, method, url, res.text)
        files = {"file": ("x.txt", b"x", "text/plain")}
        assert client.post(f"/api/evidence-uploads?case_id={mine['case']}", files=files).status_code == 404
        assert client.post(f"/api/evidence-uploads?evidence_id={mine['evidence']}", files=files).status_code == 404


def test_lists_hold_only_the_callers_own_cases(world, mine):
    theirs = world.new_case(world.org2, subject="Vendor two's case")
    one = {c["id"] for c in world.clients["vendor1"].get("/api/cases?limit=200").json()["items"]}
    two = {c["id"] for c in world.clients["vendor2"].get("/api/cases?limit=200").json()["items"]}
    staff = {c["id"] for c in world.clients["ops"].get("/api/cases?limit=200").json()["items"]}
    assert mine["case"] in one and theirs not in one
    assert theirs in two and mine["case"] not in two
    assert {mine["case"], theirs} <= staff
    # a vendor naming the other vendor in the filter gets nothing of it
    res = world.clients["vendor1"].get(f"/api/cases?vendor_id={world.org2}")
    assert res.status_code == 200 and res.json()["items"] == []
    assert world.clients["b_owner"].get("/api/cases").json()["items"] == []


def _vendor_session_count(world, email: str, table: str, where: str = "true", **params) -> int:
    """Rows the app role sees with the vendor's own session settings and no filter in the query."""
    from engine.context import TenantContext
    from engine.rbac import Role
    from models.core.db import owner_session, tenant_session
    from models.core.identity import find_user_by_email

    with owner_session() as s:
        user = find_user_by_email(s, email)
    ctx = TenantContext(tenant_id=world.tenant.tenant_id, user_id=user.id, role=Role.VENDOR)
    with tenant_session(ctx) as s:
        return s.execute(text(f"select count(*) from {table} where {where}"), params).scalar()


def test_rls_hides_another_vendors_rows_without_any_code_filter(world, mine):
    email = world.vendor_emails["vendor2"]
    for table, column in (
        ("cases", "id"),
        ("case_messages", "case_id"),
        ("case_checklist_steps", "case_id"),
        ("evidence", "case_id"),
        ("case_events", "entity_id"),
    ):
        assert _vendor_session_count(world, email, table, f"{column} = :c", c=mine["case"]) == 0, table
    assert _vendor_session_count(world, email, "evidence_versions", "evidence_id = :e", e=mine["evidence"]) == 0
    assert _vendor_session_count(world, email, "evidence_events", "entity_id = :e", e=mine["evidence"]) == 0
    # vendor 1 itself does see them (the policy is not simply closed)
    assert _vendor_session_count(world, world.vendor_emails["vendor1"], "cases", "id = :c", c=mine["case"]) == 1


def test_rls_refuses_a_vendor_writing_into_another_vendors_case(world, mine):
    from sqlalchemy.exc import DBAPIError

    from engine.context import TenantContext
    from engine.rbac import Role
    from models.core.db import owner_session, tenant_session
    from models.core.identity import find_user_by_email

    with owner_session() as s:
        user = find_user_by_email(s, world.vendor_emails["vendor2"])
    ctx = TenantContext(tenant_id=world.tenant.tenant_id, user_id=user.id, role=Role.VENDOR)
    with pytest.raises(DBAPIError, match="row-level security"), tenant_session(ctx) as s:
        s.execute(
            text(
                "insert into case_messages (id, tenant_id, case_id, vendor_org_id, kind, body, author_name, "
                "author_role, created_at) values (:i, :t, :c, :o, 'comment', 'x', '', 'vendor', now())"
            ),
            {"i": uuid.uuid4(), "t": world.tenant.tenant_id, "c": mine["case"], "o": world.org1},
        )


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/alerts"),
        ("get", "/api/members"),
        ("get", "/api/organizations"),
        ("get", "/api/audit"),
        ("post", "/api/cases"),
    ],
)
def test_a_vendor_is_kept_out_of_staff_routes(world, method, url):
    res = getattr(world.clients["vendor1"], method)(
        url, **({"json": {"vendor_id": str(world.org1), "subject": "x"}} if method == "post" else {})
    )
    assert res.status_code in (403, 404), (url, res.text)
    assert res.status_code != 200
