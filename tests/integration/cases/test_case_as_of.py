"""`GET /api/cases/{id}?as_of=…`: the case as it stood at a past moment, rebuilt from its events —
status, assignee (from the audit chain's edits), timeline, evidence (status and version) and
checklist — with no decisions offered; the moments come from the case's own events, never from
today's date. Bad moments are 422 naming `as_of`; another vendor's or tenant's case is 404."""

from __future__ import annotations

from urllib.parse import quote

from tests.integration.cases.support import case_trail
from tests.support.effects import unchanged


def _get(client, case_id: str, at: str | None = None):
    suffix = f"?as_of={quote(at)}" if at else ""
    return client.get(f"/api/cases/{case_id}{suffix}")


def _events(world, case_id: str) -> list[dict]:
    return world.clients["ops"].get(f"/api/cases/{case_id}/events").json()["items"]


def _story(world) -> dict[str, str]:
    """A case opened, answered with a file by the vendor, the file rejected and replaced, assigned,
    a step added and done, then approved."""
    ops, vendor = world.clients["ops"], world.clients["vendor1"]
    case_id = world.new_case(subject="Cartons short on PO 7", message="8 cartons missing")
    opened = _get(ops, case_id).json()["case"]["opened_at"]
    files = {"file": ("count.txt", b"40 cartons", "text/plain")}
    ev = vendor.post(f"/api/evidence-uploads?case_id={case_id}&label=Count", files=files).json()
    assert vendor.post(f"/api/cases/{case_id}/responses", json={"body": "We sent 40."}).status_code == 201
    answered = _events(world, case_id)[-1]["at"]
    rej = ops.post(f"/api/evidence/{ev['id']}/update", json={"action": "reject", "note": "unsigned"})
    assert rej.status_code == 200, rej.text
    files = {"file": ("count-signed.txt", b"40 cartons, signed", "text/plain")}
    assert vendor.post(f"/api/evidence-uploads?evidence_id={ev['id']}", files=files).status_code == 201
    assert vendor.post(f"/api/evidence/{ev['id']}/update", json={"action": "replace"}).status_code == 200
    ev_events = ops.get(f"/api/evidence/{ev['id']}/events").json()["items"]
    rejected, replaced = ev_events[0]["at"], ev_events[1]["at"]
    ops_id = ops.get("/api/auth/me").json()["user"]["id"]
    assert ops.patch(f"/api/cases/{case_id}", json={"assignee_id": ops_id}).status_code == 200
    step = ops.post(f"/api/cases/{case_id}/steps", json={"label": "Count the pallets"})
    assert step.status_code == 201, step.text
    res = ops.patch(f"/api/cases/{case_id}/steps/{step.json()['id']}", json={"done": True})
    assert res.status_code == 200, res.text
    res = world.clients["owner"].post(f"/api/cases/{case_id}/update", json={"action": "approve", "note": "ok"})
    assert res.status_code == 200, res.text
    return {
        "case": case_id,
        "evidence": ev["id"],
        "opened": opened,
        "answered": answered,
        "rejected": rejected,
        "replaced": replaced,
        "approved": _events(world, case_id)[-1]["at"],
        "ops": ops_id,
    }


def test_a_case_as_of_each_moment_of_its_story(world):
    s = _story(world)
    ops = world.clients["ops"]
    now = _get(ops, s["case"]).json()
    assert now["case"]["status"] == "resolved_approved" and now["case"]["assignee_id"] == s["ops"]
    assert [st["done"] for st in now["checklist"]] == [True]

    with unchanged(lambda: case_trail(world, s["case"])):  # reading the past writes nothing
        opened = _get(ops, s["case"], s["opened"]).json()
    assert (opened["case"]["status"], opened["case"]["assignee_id"], opened["actions"]) == ("open", None, [])
    assert opened["evidence"] == [] and opened["checklist"] == []
    assert all(t["kind"] != "decision" for t in opened["timeline"])

    answered = _get(ops, s["case"], s["answered"]).json()
    assert (answered["case"]["status"], answered["case"]["assignee_id"]) == ("in_review", None)
    [file_then] = answered["evidence"]
    assert (file_then["status"], file_then["current_version"], file_then["filename"]) == ("submitted", 1, "count.txt")
    assert [v["version"] for v in file_then["versions"]] == [1]
    assert file_then["actions"] == [] and file_then["can_replace"] is False
    assert [t["title"] for t in answered["timeline"] if t["kind"] == "decision"] == ["Case: respond (open → in review)"]

    rejected = _get(ops, s["case"], s["rejected"]).json()
    assert rejected["evidence"][0]["status"] == "rejected"
    replaced = _get(ops, s["case"], s["replaced"]).json()
    assert (replaced["evidence"][0]["status"], replaced["evidence"][0]["current_version"]) == ("submitted", 2)
    assert replaced["evidence"][0]["filename"] == "count-signed.txt"
    assert replaced["case"]["status"] == "in_review" and replaced["checklist"] == []

    approved = _get(ops, s["case"], s["approved"]).json()
    assert approved["case"]["status"] == "resolved_approved" and approved["case"]["assignee_id"] == s["ops"]
    assert [st["done"] for st in approved["checklist"]] == [True]
    assert approved["timeline"] == now["timeline"]


def test_bad_moments_are_422_naming_as_of_and_others_get_404(world):
    s = _story(world)
    ops = world.clients["ops"]
    before = _get(ops, s["case"], "2000-01-01T00:00:00Z")
    assert before.status_code == 422 and before.json()["error"]["fields"] == {"as_of": "before the case"}
    for bad in ("2026-05-01T10:00:00", "yesterday"):
        res = _get(ops, s["case"], bad)
        assert res.status_code == 422 and "as_of" in res.text, res.text
    assert _get(world.clients["vendor1"], s["case"], s["answered"]).json()["case"]["status"] == "in_review"
    assert _get(world.clients["vendor2"], s["case"], s["answered"]).status_code == 404
    assert _get(world.clients["b_owner"], s["case"], s["answered"]).status_code == 404
