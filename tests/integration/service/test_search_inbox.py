"""Service tickets in the one search and the one inbox: every service reader finds its own tenant's
tickets by code or title (never another tenant's, nothing while the flag is off); the inbox shows
those who assign tickets the unfinished ones past their SLA or without an engineer, past-SLA first."""

from __future__ import annotations

from models.core.db import tenant_session
from models.core.flags import set_flags
from models.core.search import search
from models.service import actions
from tests.support.api_clients import api_error


def _hits(client, q: str) -> dict[str, list[str]]:
    res = client.get("/api/search", params={"q": q})
    assert res.status_code == 200, res.text
    return {g["type"]: [h["id"] for h in g["hits"]] for g in res.json()["groups"]}


def test_search_finds_tickets_by_title_and_code_in_its_own_tenant(clients, svc_a, svc_b):
    shelf_a, shelf_b = str(svc_a.ids.tickets["shelf"]), str(svc_b.ids.tickets["shelf"])
    assert _hits(clients["viewer"], "shelf sensor")["tickets"] == [shelf_a]
    assert _hits(clients["b_owner"], "shelf sensor")["tickets"] == [shelf_b]
    found = clients["ops"].get("/api/search", params={"q": "shelf sensor"}).json()
    [group] = [g for g in found["groups"] if g["type"] == "tickets"]
    [hit] = group["hits"]
    assert group["label"] == "Service tickets"
    assert hit["title"] == "Shelf sensor keeps resetting"
    assert hit["url"] == f"/service/tickets/{shelf_a}"
    code = hit["subtitle"].split(" · ")[0]
    assert hit["subtitle"] == f"{code} · open · normal priority · past its SLA"
    # by its code: the exact code ranks first
    assert _hits(clients["viewer"], code)["tickets"][0] == shelf_a
    # the core's search in tenant A's context never returns B's rows (code and RLS)
    every = search(svc_a.ctx("viewer"), "sensor", types=["tickets"], per_group=50)
    assert [h.id for g in every.groups for h in g.hits] == [shelf_a]
    # a vendor does not read service: no group; an unknown-type filter names the known ones
    assert "tickets" not in _hits(clients["vendor"], "shelf sensor")
    err = api_error(clients["viewer"].get("/api/search", params={"q": "x", "types": "ticket"}), 422, "validation_error")
    assert "tickets" in err["fields"]["types"]


def test_search_has_no_tickets_while_the_flag_is_off(clients, svc_b):
    ctx = svc_b.ctx()
    with tenant_session(ctx) as session:
        set_flags(session, ctx, {"ENABLE_SERVICE_POLICIES": False})
    try:
        assert "tickets" not in _hits(clients["b_owner"], "shelf sensor")
        assert clients["b_owner"].get("/api/inbox").json()["counts"]["tickets"] == 0
    finally:
        with tenant_session(ctx) as session:
            set_flags(session, ctx, {"ENABLE_SERVICE_POLICIES": True})


def _inbox(client) -> list[tuple[str, str]]:
    res = client.get("/api/inbox")
    assert res.status_code == 200, res.text
    return [(i["id"], i["why"]) for i in res.json()["items"] if i["kind"] == "tickets"]


def test_the_inbox_lists_unassigned_and_late_tickets_for_those_who_assign(clients, svc_a, svc_b):
    t = svc_a.ids.tickets
    mine = _inbox(clients["ops"])
    # the overdue shelf sensor first, then the unassigned ones oldest first (display 2 h, monitor 1 h ago)
    assert mine == [
        (str(t["shelf"]), "Past its response SLA · no engineer assigned"),
        (str(t["display"]), "No engineer assigned"),
        (str(t["monitor"]), "No engineer assigned"),
    ]
    assert clients["ops"].get("/api/inbox").json()["labels"]["tickets"] == "Service tickets needing a hand"
    assert not {i for i, _ in _inbox(clients["b_owner"])} & {str(v) for v in t.values()}
    # read-only roles do not assign: no tickets group at all
    assert "tickets" not in clients["viewer"].get("/api/inbox").json()["counts"]
    assert "tickets" not in clients["sales"].get("/api/inbox").json()["counts"]

    # assigned and within its SLA: it leaves the inbox; the late one stays, saying only that it is late
    actions.assign_engineer(svc_a.ctx("ops"), t["display"], svc_a.ids.engineers["bilal"])
    actions.assign_engineer(svc_a.ctx("ops"), t["shelf"], svc_a.ids.engineers["asha"])
    assert _inbox(clients["ops"]) == [
        (str(t["shelf"]), "Past its response SLA"),
        (str(t["monitor"]), "No engineer assigned"),
    ]
    # a finished ticket waits on nobody
    actions.decide_ticket(svc_a.ctx("ops"), t["monitor"], "cancel", "duplicate of another ticket")
    assert [i for i, _ in _inbox(clients["ops"])] == [str(t["shelf"])]
