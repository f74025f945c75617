"""The REST flow of one case: staff open it, the vendor answers, staff approve; each decision leaves
one event and one audit row; the case's timeline shows all of it."""

from __future__ import annotations

from tests.integration.cases.support import case_trail


def test_open_answer_approve(world):
    ops, vendor = world.clients["ops"], world.clients["vendor1"]
    res = ops.post(
        "/api/cases",
        json={
            "vendor_id": str(world.org1),
            "subject": "Invoice 88 overcharged",
            "case_type": "invoice_dispute",
            "message": "Please send the delivery note.",
        },
    )
    assert res.status_code == 201, res.text
    case = res.json()
    assert (case["status"], case["vendor_name"], case["sla_days"], case["overdue"]) == (
        "open",
        "Apex Packaging",
        7,
        False,
    )
    detail = vendor.get(f"/api/cases/{case['id']}").json()
    assert [a["action"] for a in detail["actions"]] == ["withdraw"]
    assert (
        vendor.post(f"/api/cases/{case['id']}/responses", json={"body": "Delivery note attached."}).status_code == 201
    )
    assert ops.get(f"/api/cases/{case['id']}").json()["case"]["status"] == "in_review"
    before = case_trail(world, case["id"])
    res = ops.post(f"/api/cases/{case['id']}/update", json={"action": "APPROVE", "note": "Credit note issued"})
    assert res.status_code == 200, res.text
    assert res.json()["status"] == "resolved_approved"
    after = case_trail(world, case["id"])
    assert after["case_events"] == before["case_events"] + 1
    assert after["audit_events"] == before["audit_events"] + 1
    events = ops.get(f"/api/cases/{case['id']}/events").json()["items"]
    assert [(e["action"], e["from_status"], e["to_status"]) for e in events] == [
        ("respond", "open", "in_review"),
        ("approve", "in_review", "resolved_approved"),
    ]
    assert events[1]["reason"] == "Credit note issued"
    timeline = ops.get(f"/api/cases/{case['id']}").json()["timeline"]
    assert [t["kind"] for t in timeline] == ["message", "message", "decision", "decision"]
