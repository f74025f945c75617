"""The demo field service as the seed builds it: who is responsible for each ticket and why, the due
times from the SLA rules (known answers), the breached ticket, and a second run changing nothing."""

from __future__ import annotations

from datetime import timedelta

from models.service import queries
from tests.integration.service.conftest import build


def test_seeded_tickets_have_the_known_answers(svc_a):
    ids, at = svc_a.ids, svc_a.built_at
    ctx = svc_a.ctx()
    display = queries.ticket(ctx, ids.tickets["display"])
    assert display.responsible_org_id == ids.catalog.orgs["distributor"]
    prov = display.policy_provenance
    assert prov["policy_code"] == "BRAND-SUPPLEMENTS" and prov["decided_by"] == "step" and prov["step"] == 2
    assert [(s["step"], s["outcome"], s["reason"]) for s in prov["steps"]] == [
        (1, "skipped", "missing_certification"),
        (2, "chosen", "chosen"),
        (3, "not_reached", "not_reached"),
    ]
    assert {p["code"]: p["outcome"] for p in prov["policies"]} == {
        "BRAND-SUPPLEMENTS": "winner",
        "GLOBAL-DEALER": "outranked",
    }
    # high priority: 8 h to respond; RETAIL (not ONLINE): resolution 8 × 3 = 24 h
    opened = at - timedelta(hours=2)
    assert display.opened_at == opened
    assert display.response_due_at == opened + timedelta(hours=8)
    assert display.resolution_due_at == opened + timedelta(hours=24)
    assert (display.response_breached, display.resolution_breached) == (False, False)

    monitor = queries.ticket(ctx, ids.tickets["monitor"])
    assert monitor.responsible_org_id == ids.partner
    assert monitor.policy_provenance["decided_by"] == "default_org"
    assert [s["reason"] for s in monitor.policy_provenance["steps"]] == [
        "missing_certification",
        "outside_territory",
        "outside_territory",
    ]
    opened = at - timedelta(hours=1)
    assert monitor.response_due_at == opened + timedelta(hours=8)  # Swift: urgent 8 h
    assert monitor.resolution_due_at == opened + timedelta(hours=32)  # × 4

    shelf = queries.ticket(ctx, ids.tickets["shelf"])
    opened = at - timedelta(hours=30)
    assert shelf.response_due_at == opened + timedelta(hours=24)  # normal: 24 h, now 6 h overdue
    assert shelf.response_breached is True and shelf.resolution_breached is False


def test_seed_twice_changes_nothing(svc_a):
    from models.core.db import tenant_session
    from seeds.catalog import build_catalog, tenant_ids
    from seeds.service import build_service
    from tests.support.effects import rows

    ctx = svc_a.ctx()
    tables = ("tickets", "engineers", "service_policies", "sla_policies", "audit_events", "outbox_events")
    before = {t: rows(ctx, t) for t in tables}
    with tenant_session(ctx) as session:
        id_for = tenant_ids(svc_a.tenant.tenant_id)
        build_service(session, ctx, id_for, build_catalog(session, ctx, id_for), now=svc_a.built_at)
    assert {t: rows(ctx, t) for t in tables} == before


def test_without_assignment_the_ticket_has_no_responsible_organization(services):
    flags = {"ENABLE_SERVICE_POLICIES": True, "ENABLE_RESP_ORG_ASSIGNMENT": False, "ENABLE_ENGINEERS": True}
    built = build("svnoassign", flags)
    shelf = queries.ticket(built.ctx(), built.ids.tickets["shelf"])
    assert (shelf.responsible_org_id, shelf.policy_provenance, shelf.response_due_at) == (None, None, None)
    assert shelf.sla_provenance["summary"] == "No SLA: the ticket has no responsible organization."
