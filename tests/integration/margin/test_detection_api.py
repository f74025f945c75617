"""REST for detection runs: the manual run is recorded (ops/admin only; sales 403), the list is paged
and tenant-scoped, the schedule interval is read and changed by ops, checked, and audited."""

from __future__ import annotations

from tests.support.api_clients import api_error
from tests.support.effects import rows, unchanged


def test_run_detection_is_recorded_as_a_manual_run(clients, margin_a):
    with unchanged(lambda: rows(margin_a.ctx(), "margin_detection_runs")):
        for role in ("sales", "viewer"):
            api_error(clients[role].post("/api/margin/detect", json={}), 403, "forbidden")
    res = clients["ops"].post("/api/margin/detect", json={})
    assert res.status_code == 202, res.text
    job_id = res.json()["job_id"]
    first = clients["viewer"].get("/api/margin/detection-runs").json()["items"][0]
    assert (first["trigger"], first["job_id"], first["status"]) == ("manual", job_id, "queued")
    assert first["upload_id"] is None and first["new_breaches"] is None and first["report_url"] is None
    assert first["filename"] is None


def test_runs_are_paged_newest_first_and_stay_in_their_tenant(clients, margin_a):
    for _ in range(2):
        assert clients["ops"].post("/api/margin/detect", json={}).status_code == 202
    page = clients["viewer"].get("/api/margin/detection-runs", params={"limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    assert page["items"][0]["created_at"] >= page["items"][1]["created_at"]
    rest = clients["viewer"].get("/api/margin/detection-runs", params={"limit": 2, "cursor": page["next_cursor"]})
    assert rest.status_code == 200
    seen = {r["id"] for r in page["items"]} | {r["id"] for r in rest.json()["items"]}
    assert len(seen) == len(page["items"]) + len(rest.json()["items"])
    other = clients["b_owner"].get("/api/margin/detection-runs").json()["items"]
    assert not seen & {r["id"] for r in other}
    api_error(clients["viewer"].get("/api/margin/detection-runs", params={"limit": 0}), 422, "validation_error")


def test_schedule_interval_for_ops(clients, margin_a):
    assert clients["ops"].get("/api/margin/detection-schedule").json() == {"every_hours": 24}
    api_error(clients["sales"].put("/api/margin/detection-schedule", json={"every_hours": 6}), 403, "forbidden")
    api_error(clients["ops"].put("/api/margin/detection-schedule", json={"every_hours": 721}), 422, "validation_error")
    api_error(clients["ops"].put("/api/margin/detection-schedule", json={"every_hours": "6"}), 422, "validation_error")
    res = clients["ops"].put("/api/margin/detection-schedule", json={"every_hours": 6})
    assert res.status_code == 200 and res.json() == {"every_hours": 6}
    assert clients["owner"].get("/api/margin/detection-schedule").json() == {"every_hours": 6}
    assert rows(margin_a.ctx(), "audit_events", "action = 'margin.detection_schedule.create'") == 1


def test_the_demo_scan_is_recorded_as_a_finished_run(clients):
    items, cursor = [], None
    while True:
        page = clients["viewer"].get("/api/margin/detection-runs", params={"limit": 200, "cursor": cursor}).json()
        items += page["items"]
        if not (cursor := page["next_cursor"]):
            break
    (seeded,) = [r for r in items if r["job_id"] is None]
    assert (seeded["trigger"], seeded["status"], seeded["new_breaches"]) == ("manual", "completed", 12)
    assert seeded["started_at"] <= seeded["finished_at"]
