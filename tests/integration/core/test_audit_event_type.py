"""The audit chain read per event type: `GET /api/audit?event_type=` and the audit page's
"Event type" filter match one action exactly (`action=` stays a prefix), within the tenant, served
by the (tenant_id, action, seq) index of migration 0024."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import text

from models.core import audit
from models.core.db import owner_tenant_session, tenant_session
from tests.support.users import PASSWORD, add_user


def _record(ctx, action: str, n: int) -> None:
    with tenant_session(ctx) as session:
        for i in range(n):
            audit.record(session, ctx, action=action, entity="probes", entity_id=i, after={"i": i})


def test_event_type_filter_matches_one_action_of_the_own_tenant_newest_first(api, tenant_a, tenant_b):
    kind = f"probe{uuid.uuid4().hex[:6]}.view"
    _record(tenant_a.ctx(), kind, 3)
    _record(tenant_a.ctx(), f"{kind}.detail", 2)  # shares the prefix, not the event type
    _record(tenant_b.ctx(), kind, 4)
    client = TestClient(api, raise_server_exceptions=False)
    auditor = add_user(tenant_a, "auditor")
    token = client.post("/api/auth/login", json={"email": auditor, "password": PASSWORD}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    exact = client.get(f"/api/audit?event_type={kind}", headers=headers)
    assert exact.status_code == 200
    items = exact.json()["items"]
    assert [e["action"] for e in items] == [kind] * 3
    assert [e["entity_id"] for e in items] == ["2", "1", "0"]
    assert [e["seq"] for e in items] == sorted((e["seq"] for e in items), reverse=True)

    prefixed = client.get(f"/api/audit?action={kind}", headers=headers).json()["items"]
    assert sorted(e["action"] for e in prefixed) == [kind] * 3 + [f"{kind}.detail"] * 2

    paged = client.get(f"/api/audit?event_type={kind}&limit=2", headers=headers).json()
    rest = client.get(f"/api/audit?event_type={kind}&limit=2&cursor={paged['next_cursor']}", headers=headers).json()
    assert [e["entity_id"] for e in paged["items"] + rest["items"]] == ["2", "1", "0"]
    assert rest["next_cursor"] is None

    assert client.get(f"/api/audit?event_type={'x' * 101}", headers=headers).status_code == 422


def test_audit_page_event_type_filter_is_exact(tenant_a):
    from app.web.core.audit import Filters, fetch_page

    kind = f"page{uuid.uuid4().hex[:6]}.touch"
    _record(tenant_a.ctx(), kind, 2)
    _record(tenant_a.ctx(), f"{kind}.more", 1)
    rows, cursor = fetch_page(tenant_a.ctx(), Filters(action=kind), None)
    assert [(r.action, r.entity_id) for r in rows] == [(kind, "1"), (kind, "0")]
    assert cursor is None


def test_the_event_type_index_serves_the_filtered_read(tenant_a):
    """The index exists as migrated, and the planner can answer one event type's newest rows from it
    alone (sequential scans off: the test tenant's chain is too small for the planner to want it)."""
    ctx = tenant_a.ctx()
    with owner_tenant_session(ctx) as session:
        definition = session.execute(
            text("select indexdef from pg_indexes where indexname = 'ix_audit_events_tenant_action_seq'")
        ).scalar_one()
    assert definition.endswith("USING btree (tenant_id, action, seq)")
    with tenant_session(ctx) as session:
        session.execute(text("set local enable_seqscan = off"))
        plan = session.execute(
            text(
                "explain select * from audit_events where tenant_id = :t and action = 'graph.view' "
                "order by seq desc limit 51"
            ),
            {"t": ctx.tenant_id},
        ).all()
    lines = "\n".join(r[0] for r in plan)
    assert "Index Scan Backward using ix_audit_events_tenant_action_seq" in lines
    assert "Sort" not in lines
