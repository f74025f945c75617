"""REST contract of the service module: every route answers its model, roles 403, another tenant's
ids 404, flags off 404 (the catalog's feature-off answer), bad input 422 naming the field, and every
refusal changes nothing."""

from __future__ import annotations

import uuid

from models.core.db import tenant_session
from models.core.flags import set_flags
from tests.integration.service.conftest import build
from tests.support.api_clients import api_error, login_client
from tests.support.effects import rows, trail, unchanged

# policies and "why this organization?"


def test_policies_list_get_and_resolve(clients, svc_a):
    owner, viewer = clients["owner"], clients["viewer"]
    listed = viewer.get("/api/service-policies").json()
    assert [p["code"] for p in listed["items"]] == ["BRAND-SUPPLEMENTS", "GLOBAL-DEALER"]
    brand = svc_a.ids.policies["brand"]
    body = owner.get(f"/api/service-policies/{brand}").json()
    assert [s["role"] for s in body["steps"]] == ["manufacturer", "distributor", "dealer"]
    assert body["steps"][0]["certification"] == "field-service"
    assert body["default_org_id"] == str(svc_a.ids.partner)

    o = svc_a.ids.catalog.orgs
    params = {"dealer_org_id": o["dealer-coastal"], "sku_id": svc_a.ids.catalog.skus["d3"], "region": "West"}
    answer = viewer.get("/api/service-policies/resolve", params=params).json()
    # West: the distributor serves North and West (its profile) → step 2
    assert answer["responsible_org_id"] == str(o["distributor"]) and answer["step"] == 2
    assert answer["steps"][0]["detail"] == "Demo Brand Co. lacks certification 'field-service' (holds: none)"
    answer = viewer.get("/api/service-policies/resolve", params={"region": "North"}).json()
    # no product: the brand's policy is for another manufacturer; the global one names the dealer: none given
    assert answer["policy_code"] == "GLOBAL-DEALER" and answer["responsible_org_id"] is None
    assert answer["decided_by"] == "no_org"
    assert {p["code"]: p["reason"] for p in answer["policies"]} == {
        "GLOBAL-DEALER": "winner",
        "BRAND-SUPPLEMENTS": "other_manufacturer",
    }
    api_error(clients["b_owner"].get(f"/api/service-policies/{brand}"), 404, "not_found")
    err = api_error(
        owner.get("/api/service-policies/resolve", params={"dealer_org_id": str(uuid.uuid4())}), 422, "validation_error"
    )
    assert err["fields"] == {"dealer_org_id": "not found"}
    api_error(clients["vendor"].get("/api/service-policies"), 403, "forbidden")


def _policy_body(**over):
    return {
        "code": "P-NEW",
        "name": "Dealer first",
        "steps": [{"role": "dealer"}, {"role": "distributor", "territories": ["North"]}],
        "effective_from": "2026-01-01T00:00:00Z",
        **over,
    }


def test_policy_writes_are_owner_admin_validated_and_audited(clients, svc_a):
    admin, ops = clients["admin"], clients["ops"]
    ctx = svc_a.ctx()
    with unchanged(lambda: rows(ctx, "service_policies"), lambda: rows(ctx, "audit_events")):
        api_error(ops.post("/api/service-policies", json=_policy_body()), 403, "forbidden")
        err = api_error(
            admin.post("/api/service-policies", json=_policy_body(steps=[{"role": "organization"}])),
            422,
            "validation_error",
        )
        assert "steps.0" in err["fields"]
        err = api_error(
            admin.post(
                "/api/service-policies",
                json=_policy_body(manufacturer_org_id=str(svc_a.ids.catalog.orgs["dealer-metro"])),
            ),
            422,
            "validation_error",
        )
        assert err["fields"] == {"manufacturer_org_id": "not a manufacturer"}
        foreign = build("svforeign", with_service=False).ids.catalog.orgs["brand"]
        err = api_error(
            admin.post("/api/service-policies", json=_policy_body(default_org_id=str(foreign))), 422, "validation_error"
        )
        assert err["fields"] == {"default_org_id": "not found"}
        api_error(admin.post("/api/service-policies", json=_policy_body(code="GLOBAL-DEALER")), 409, "conflict")
    res = admin.post("/api/service-policies", json=_policy_body())
    assert res.status_code == 201, res.text
    made = res.json()
    put = admin.put(f"/api/service-policies/{made['id']}", json=_policy_body(enabled=False, priority=5))
    assert put.status_code == 200 and put.json()["enabled"] is False and put.json()["priority"] == 5
    assert trail(ctx, made["id"])["audit_events"] == 2  # create + update
    api_error(clients["b_owner"].put(f"/api/service-policies/{made['id']}", json=_policy_body()), 404, "not_found")


# tickets


def test_ops_opens_a_ticket_with_its_responsible_organization_and_due_times(clients, svc_a):
    ops = clients["ops"]
    c = svc_a.ids.catalog
    body = {
        "title": "Freezer alarm",
        "priority": "urgent",
        "dealer_org_id": str(c.orgs["dealer-metro"]),
        "sku_id": str(c.skus["omega"]),
        "channel_id": str(c.channels["online"]),
        "region": "North",
        "required_skills": ["install"],
    }
    res = ops.post("/api/tickets", json=body)
    assert res.status_code == 201, res.text
    made = res.json()
    assert made["responsible_org_id"] == str(c.orgs["distributor"])
    assert made["responsible_org"] == "Northstar Distribution"
    assert made["policy_provenance"]["summary"].startswith("Northstar Distribution is responsible: step 2")
    assert made["sla_provenance"]["sla_policy_code"] == "SLA-NORTHSTAR-STD"
    # urgent → 4 h; ONLINE → resolution 4 × 2 = 8 h (the formula engine's answer, exact)
    evaluation = made["sla_provenance"]["evaluation"]["rules"]
    assert [(r["rule"], r["hours"]) for r in evaluation] == [("response_hours", "4"), ("resolution_hours", "8")]
    from datetime import datetime, timedelta

    opened = datetime.fromisoformat(made["opened_at"])
    assert datetime.fromisoformat(made["response_due_at"]) - opened == timedelta(hours=4)
    assert datetime.fromisoformat(made["resolution_due_at"]) - opened == timedelta(hours=8)
    assert made["status"] == "open" and {a["action"] for a in made["actions"]} == {"acknowledge", "start", "cancel"}
    assert made["code"].startswith("T-")
    # the created event is in the outbox, in the same transaction
    assert trail(svc_a.ctx(), made["id"]) == {"audit_events": 1, "decision_events": 0, "outbox_events": 1}


def test_ticket_create_refusals_write_nothing(clients, svc_a, svc_b):
    ops, viewer = clients["ops"], clients["viewer"]
    ctx = svc_a.ctx()
    foreign_dealer = svc_b.ids.catalog.orgs["dealer-metro"]
    with unchanged(lambda: rows(ctx, "tickets"), lambda: rows(ctx, "outbox_events"), lambda: rows(ctx, "audit_events")):
        api_error(viewer.post("/api/tickets", json={"title": "x"}), 403, "forbidden")
        err = api_error(
            ops.post("/api/tickets", json={"title": "x", "dealer_org_id": str(foreign_dealer)}), 422, "validation_error"
        )
        assert err["fields"] == {"dealer_org_id": "not found"}
        err = api_error(
            ops.post("/api/tickets", json={"title": "x", "dealer_org_id": str(svc_a.ids.catalog.orgs["brand"])}),
            422,
            "validation_error",
        )
        assert err["fields"] == {"dealer_org_id": "not a dealer"}
        err = api_error(ops.post("/api/tickets", json={"title": "x", "priority": "p0"}), 422, "validation_error")
        assert "priority" in err["fields"]
        err = api_error(
            ops.post("/api/tickets", json={"title": "x", "required_skills": ["Cold Chain"]}), 422, "validation_error"
        )
        assert "required_skills" in err["fields"]
        api_error(ops.post("/api/tickets", json={"title": "x", "surprise": 1}), 422, "validation_error")


def test_ticket_list_filters_and_isolation(clients, svc_a):
    viewer = clients["viewer"]
    ids = svc_a.ids.tickets
    breached = viewer.get("/api/tickets", params={"breached": "true"}).json()["items"]
    assert str(ids["shelf"]) in [t["id"] for t in breached]
    assert str(ids["display"]) not in [t["id"] for t in breached]
    urgent = viewer.get("/api/tickets", params={"priority": "urgent"}).json()["items"]
    assert str(ids["monitor"]) in [t["id"] for t in urgent] and {t["priority"] for t in urgent} == {"urgent"}
    found = viewer.get("/api/tickets", params={"q": "shelf sensor"}).json()["items"]
    assert [t["id"] for t in found] == [str(ids["shelf"])]
    for tid in ids.values():
        api_error(clients["b_owner"].get(f"/api/tickets/{tid}"), 404, "not_found")
        api_error(clients["b_owner"].get(f"/api/tickets/{tid}/eligible-engineers"), 404, "not_found")
    assert str(ids["shelf"]) not in str(clients["b_owner"].get("/api/tickets").json())
    api_error(clients["vendor"].get("/api/tickets"), 403, "forbidden")


def test_ticket_decisions_stamp_response_and_resolution(clients, svc_a):
    ops, viewer = clients["ops"], clients["viewer"]
    c = svc_a.ids.catalog
    made = ops.post(
        "/api/tickets",
        json={
            "title": "Door seal",
            "dealer_org_id": str(c.orgs["dealer-metro"]),
            "sku_id": str(c.skus["d3"]),
            "region": "North",
        },
    ).json()
    url = f"/api/tickets/{made['id']}/status"
    ctx = svc_a.ctx()
    with unchanged(lambda: trail(ctx, made["id"]), lambda: viewer.get(f"/api/tickets/{made['id']}").json()):
        api_error(viewer.post(url, json={"action": "acknowledge"}), 403, "forbidden")
        api_error(ops.post(url, json={"action": "resolve"}), 409, "invalid_transition")
        api_error(ops.post(url, json={"action": "cancel"}), 422, "validation_error")  # reason required
        api_error(ops.post(url, json={"action": "start", "expected_status": "in_progress"}), 409, "stale_status")
        api_error(clients["b_owner"].post(url, json={"action": "start"}), 404, "not_found")
    started = ops.post(url, json={"action": "start", "expected_status": "open"}).json()
    assert started["status"] == "in_progress" and started["first_response_at"] is not None
    assert started["response_breached"] is False
    resolved = ops.post(f"/api/tickets/{made['id']}/update", json={"action": "resolve"}).json()
    assert resolved["status"] == "resolved"
    detail = viewer.get(f"/api/tickets/{made['id']}").json()
    assert detail["resolved_at"] is not None and detail["resolution_breached"] is False
    reopened = ops.post(url, json={"action": "reopen", "reason": "came back"}).json()
    assert reopened["status"] == "in_progress" and reopened["resolved_at"] is None
    assert trail(ctx, made["id"]) == {"audit_events": 4, "decision_events": 3, "outbox_events": 4}


# engineers, eligibility and assignment


def test_engineers_list_and_eligibility_reasons(clients, svc_a):
    viewer = clients["viewer"]
    names = [e["name"] for e in viewer.get("/api/engineers").json()["items"]]
    assert names == ["Asha Rao", "Bilal Khan", "Chen Li", "Dev Patel", "Esha Iyer"]
    northstar = svc_a.ids.catalog.orgs["distributor"]
    only = viewer.get("/api/engineers", params={"org_id": str(northstar), "skill": "install", "region": "north"}).json()
    assert [e["code"] for e in only["items"]] == ["ENG-ASHA", "ENG-BILAL", "ENG-ESHA"]

    ranked = viewer.get("/api/engineers/eligible", params={"skills": "install,repair", "region": "North"}).json()
    by_name = {r["name"]: r for r in ranked["items"]}
    assert [(r["name"], r["rank"]) for r in ranked["items"] if r["eligible"]] == [("Asha Rao", 1), ("Bilal Khan", 2)]
    assert by_name["Asha Rao"]["detail"] == "ranked first"
    assert by_name["Bilal Khan"]["detail"] == "fewer skill points (6 < 9 of Asha Rao)"
    assert by_name["Chen Li"]["reason"] == "outside_region"
    assert by_name["Dev Patel"]["summary"] == "does not cover North (covers East, South)"
    assert by_name["Esha Iyer"]["reason"] == "inactive"
    west = viewer.get("/api/engineers/eligible", params={"skills": "repair", "region": "West"}).json()["items"]
    assert [(r["name"], r["detail"]) for r in west if r["eligible"]] == [
        ("Chen Li", "ranked first"),
        ("Asha Rao", "secondary coverage, Chen Li is primary"),
    ]
    err = api_error(viewer.get("/api/engineers/eligible", params={"skills": "Not A Skill"}), 422, "validation_error")
    assert err["fields"] == {"skills": "not a skill code"}
    api_error(clients["b_owner"].get(f"/api/engineers/{svc_a.ids.engineers['asha']}"), 404, "not_found")


def test_ticket_eligible_engineers_and_audited_assignment(clients, svc_a):
    ops, viewer, sales = clients["ops"], clients["viewer"], clients["sales"]
    ticket = svc_a.ids.tickets["display"]  # Northstar, North, needs install
    ranked = viewer.get(f"/api/tickets/{ticket}/eligible-engineers").json()
    assert ranked["need"] == {
        "skills": ["install"],
        "region": "North",
        "org_id": str(svc_a.ids.catalog.orgs["distributor"]),
        "org_name": "Northstar Distribution",
    }
    eligible = [(r["name"], r["rank"], r["summary"]) for r in ranked["items"] if r["eligible"]]
    assert eligible == [
        (
            "Asha Rao",
            1,
            "member of Northstar Distribution; covers North (primary); skills install 4 (4 points); 0 open tickets",
        ),
        (
            "Bilal Khan",
            2,
            "member of Northstar Distribution; covers North (primary); skills install 3 (3 points); 0 open tickets",
        ),
    ]
    others = {r["name"]: r["summary"] for r in ranked["items"] if not r["eligible"]}
    assert others["Dev Patel"] == "not a member of Northstar Distribution (member of Swift Field Services)"

    url = f"/api/tickets/{ticket}/assign"
    ctx = svc_a.ctx()
    dev = svc_a.ids.engineers["dev"]
    with unchanged(lambda: trail(ctx, ticket), lambda: viewer.get(f"/api/tickets/{ticket}").json()):
        api_error(sales.post(url, json={"engineer_id": str(svc_a.ids.engineers["asha"])}), 403, "forbidden")
        err = api_error(ops.post(url, json={"engineer_id": str(dev)}), 422, "validation_error")
        assert err["fields"] == {
            "engineer_id": "not a member of Northstar Distribution (member of Swift Field Services)"
        }
        other = build("svassign", with_service=True).ids.engineers["asha"]
        err = api_error(ops.post(url, json={"engineer_id": str(other)}), 422, "validation_error")
        assert err["fields"] == {"engineer_id": "not found"}
        api_error(clients["b_owner"].post(url, json={"engineer_id": str(dev)}), 404, "not_found")
    before = trail(ctx, ticket)
    res = ops.post(url, json={"engineer_id": str(svc_a.ids.engineers["bilal"]), "note": "Asha is on leave"})
    assert res.status_code == 200, res.text
    assert res.json()["assigned_engineer"] == "Bilal Khan" and res.json()["assignment_note"] == "Asha is on leave"
    after = trail(ctx, ticket)
    assert after["audit_events"] == before["audit_events"] + 1 and after["outbox_events"] == before["outbox_events"] + 1
    from sqlalchemy import text

    with tenant_session(ctx) as s:
        audit = s.execute(
            text("select action, after from audit_events where entity_id = :e order by seq desc limit 1"),
            {"e": str(ticket)},
        ).one()
    assert audit.action == "ticket.assign"
    assert audit.after["assigned_engineer_id"] == str(svc_a.ids.engineers["bilal"])
    assert audit.after["assignment_note"] == "Asha is on leave"
    # the load counts: Bilal now has one open ticket
    again = viewer.get(f"/api/tickets/{ticket}/eligible-engineers").json()["items"]
    assert [r["open_tickets"] for r in again if r["name"] == "Bilal Khan"] == [1]


# flags off: the catalog's feature-off answer (404 for every role)


def test_flags_off_answer_404_for_every_role(api, services):
    built = build("svoff")
    ctx = built.ctx()
    owner = login_client(api, built.tenant.owner_email)
    ticket = built.ids.tickets["display"]
    with tenant_session(ctx) as s:
        set_flags(s, ctx, {"ENABLE_ENGINEERS": False})
    api_error(owner.get("/api/engineers"), 404, "not_found")
    api_error(owner.get("/api/engineers/eligible"), 404, "not_found")
    api_error(owner.get(f"/api/tickets/{ticket}/eligible-engineers"), 404, "not_found")
    api_error(owner.post(f"/api/tickets/{ticket}/assign", json={"engineer_id": str(uuid.uuid4())}), 404, "not_found")
    assert owner.get(f"/api/tickets/{ticket}").status_code == 200  # tickets stay
    with tenant_session(ctx) as s:
        set_flags(s, ctx, {"ENABLE_SERVICE_POLICIES": False})
    for path in (
        "/api/tickets",
        f"/api/tickets/{ticket}",
        "/api/service-policies",
        "/api/agreements",
        "/api/sla-policies",
    ):
        api_error(owner.get(path), 404, "not_found")
    api_error(owner.post("/api/tickets", json={"title": "x"}), 404, "not_found")
    api_error(owner.post(f"/api/tickets/{ticket}/update", json={"action": "start"}), 404, "not_found")
    flags = {f["name"]: f for f in owner.get("/api/settings/flags").json()["flags"]}
    assert flags["ENABLE_SERVICE_POLICIES"]["built"] is True and flags["ENABLE_DUAL_WRITE"]["built"] is False


# agreements and SLA policies


def test_agreements_and_sla_rules(clients, svc_a):
    viewer, admin, ops = clients["viewer"], clients["admin"], clients["ops"]
    listed = viewer.get("/api/agreements").json()["items"]
    assert [(a["code"], a["provider"], a["customer"]) for a in listed] == [
        ("AGR-NORTHSTAR", "Northstar Distribution", "Demo Brand Co."),
        ("AGR-SWIFT", "Swift Field Services", None),
    ]
    assert [p["code"] for p in listed[0]["sla_policies"]] == ["SLA-NORTHSTAR-STD"]
    agreement = listed[0]["id"]
    body = {
        "agreement_id": agreement,
        "code": "SLA-NS-RUSH",
        "name": "Rush",
        "priority": 5,
        "effective_from": "2026-06-01T00:00:00Z",
        "response_hours_expr": 'if (priority == "urgent") then 2 else 12',
        "resolution_hours_expr": "response_hours * 2",
    }
    ctx = svc_a.ctx()
    with unchanged(lambda: rows(ctx, "sla_policies"), lambda: rows(ctx, "audit_events")):
        api_error(ops.post("/api/sla-policies", json=body), 403, "forbidden")
        err = api_error(
            admin.post("/api/sla-policies", json={**body, "response_hours_expr": "prio == 1"}), 422, "validation_error"
        )
        assert err["fields"] == {
            "response_hours_expr": "line 1, column 1: unknown name 'prio' (did you mean 'priority'?)"
        }
        err = api_error(
            admin.post("/api/sla-policies", json={**body, "effective_from": "2025-01-01T00:00:00Z"}),
            422,
            "validation_error",
        )
        assert err["fields"] == {"effective_from": "before the agreement starts"}
    assert admin.post("/api/sla-policies", json=body).status_code == 201
    tried = viewer.post(
        "/api/sla-policies/try",
        json={
            "response_hours_expr": 'if (priority == "urgent") then 2 else 12 / 5',
            "resolution_hours_expr": "response_hours * 3",
            "priority": "low",
        },
    ).json()
    assert [(r["rule"], r["hours"]) for r in tried["rules"]] == [("response_hours", "2.4"), ("resolution_hours", "7.2")]
    err = api_error(
        viewer.post("/api/sla-policies/try", json={"response_hours_expr": "1 +", "resolution_hours_expr": "2"}),
        422,
        "validation_error",
    )
    assert err["fields"]["response_hours_expr"].startswith("line 1, column 4:")
    api_error(clients["b_owner"].get(f"/api/agreements/{agreement}"), 404, "not_found")
