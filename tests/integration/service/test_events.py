"""Ticket lifecycle events reach a real webhook receiver through the dispatcher, signed (Standard
Webhooks, verified by the reference library): opened, assigned, a status decision, and an SLA
breach found by the SLA check (the clock moved by passing `now`, never by sleeping)."""

from __future__ import annotations

import json
from datetime import timedelta

from standardwebhooks.webhooks import Webhook

from models.delivery.dispatcher import Dispatcher
from models.service import actions
from models.service.inputs import TicketCreate
from tests.integration.service.conftest import build
from tests.support.api_clients import login_client, role_clients
from tests.support.env import settings_env
from tests.support.webhook_receiver import ScriptedReceiver


def _about(request) -> str | None:
    """The ticket an event is about: lifecycle events name it, decisions carry it as entity_id."""
    data = json.loads(request.body)["data"]
    return data.get("ticket_id") or data.get("entity_id")


TYPES = ["ticket.created", "ticket.assigned", "ticket.start", "ticket.sla_breached"]


async def test_ticket_events_reach_the_receiver(api, services):
    built = build("svevents")
    clients = role_clients(api, built.tenant, ["ops"])
    owner, ops = clients["owner"], clients["ops"]
    c = built.ids.catalog
    with settings_env() as configure, ScriptedReceiver() as receiver:
        configure(PHAROS_WEBHOOK_ALLOW_PRIVATE="1", PHAROS_WEBHOOK_TIMEOUT_SECONDS="2", PHAROS_SMTP_HOST="")
        made = owner.post("/api/webhooks/endpoints", json={"url": receiver.url("/svc"), "event_types": TYPES}).json()
        secret = made["secret"]
        dispatcher = Dispatcher()
        await dispatcher.run_until_idle()  # the seed's events (opened tickets, the breached one) go first
        seeded = [json.loads(r.body) for r in receiver.to("/svc")]
        assert sorted(e["type"] for e in seeded) == ["ticket.created"] * 3 + ["ticket.sla_breached"]
        [breach] = [e for e in seeded if e["type"] == "ticket.sla_breached"]
        assert breach["data"]["ticket_id"] == str(built.ids.tickets["shelf"]) and breach["data"]["target"] == "response"

        ticket = ops.post(
            "/api/tickets",
            json={
                "title": "Compressor noise",
                "priority": "high",
                "dealer_org_id": str(c.orgs["dealer-metro"]),
                "sku_id": str(c.skus["d3"]),
                "region": "North",
                "required_skills": ["install"],
            },
        ).json()
        ops.post(f"/api/tickets/{ticket['id']}/assign", json={"engineer_id": str(built.ids.engineers["asha"])})
        ops.post(f"/api/tickets/{ticket['id']}/update", json={"action": "start"})
        await dispatcher.run_until_idle()
        mine = [r for r in receiver.to("/svc") if _about(r) == ticket["id"]]
        for request in mine:
            Webhook(secret).verify(request.body, request.headers)  # raises when the signature is wrong
        events = {json.loads(r.body)["type"]: json.loads(r.body)["data"] for r in mine}  # sent concurrently
        assert sorted(events) == ["ticket.assigned", "ticket.created", "ticket.start"] and len(mine) == 3
        created, assigned, started = events["ticket.created"], events["ticket.assigned"], events["ticket.start"]
        assert created["responsible_org_id"] == str(c.orgs["distributor"])
        assert created["responsible_org"] == "Northstar Distribution"
        assert created["response_due_at"] == ticket["response_due_at"]
        assert (assigned["engineer"], assigned["engineer_id"]) == ("Asha Rao", str(built.ids.engineers["asha"]))
        assert (started["from"], started["to"], started["code"]) == ("open", "in_progress", ticket["code"])
        assert started["first_response_at"] is not None and started["response_breached"] is False

        # the SLA check a day and a half later: the resolution (24 h for high on RETAIL... here no
        # channel: 8 × 3 = 24 h) is past due; the response was met in time
        later = built.built_at + timedelta(hours=36)
        assert actions.check_breaches(built.ctx(), later) >= 1
        await dispatcher.run_until_idle()
        breaches = [
            json.loads(r.body)["data"]
            for r in receiver.to("/svc")
            if json.loads(r.body)["type"] == "ticket.sla_breached"
            and json.loads(r.body)["data"]["ticket_id"] == ticket["id"]
        ]
        assert [b["target"] for b in breaches] == ["resolution"]
        assert (
            login_client(api, built.tenant.owner_email)
            .get(f"/api/tickets/{ticket['id']}")
            .json()["resolution_breached"]
            is True
        )
        # a second check marks nothing new and sends nothing new
        sent = len(receiver.to("/svc"))
        assert actions.check_breaches(built.ctx(), later) == 0
        await dispatcher.run_until_idle()
        assert len(receiver.to("/svc")) == sent


def test_a_ticket_opened_by_an_action_writes_one_created_event(services):
    built = build("svevents2")
    ctx = built.ctx("ops")
    made = actions.create_ticket(ctx, TicketCreate(title="Leaking tray", region="North"))
    from tests.support.effects import trail

    assert trail(built.ctx(), made.id) == {"audit_events": 1, "decision_events": 0, "outbox_events": 1}
