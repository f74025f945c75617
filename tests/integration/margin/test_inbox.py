"""The one inbox (GET /api/inbox, models/core/inbox.py) with margin's providers: open tasks assigned
to me and open alerts waiting on me (my open task on it, or I put it in its status); only mine,
only my tenant's, only what my role may read — issue 10."""

from __future__ import annotations

import uuid

import pytest

from tests.integration.margin.conftest import day_at_noon
from tests.support.api_clients import role_clients


@pytest.fixture(scope="module")
def people(api, margin_a, margin_b):
    return role_clients(api, margin_a.tenant, ("sales", "ops", "hr"), others={"b": margin_b.tenant})


def inbox(client) -> dict:
    res = client.get("/api/inbox")
    assert res.status_code == 200, res.text
    return res.json()


def open_alerts(client, n: int) -> list[str]:
    items = client.get("/api/alerts", params={"status": "open", "limit": n}).json()["items"]
    assert len(items) == n
    return [a["id"] for a in items]


def test_my_tasks_and_the_alerts_waiting_on_me_only(people):
    task_alert, acked_alert = open_alerts(people["owner"], 2)
    title = f"Call the dealer {uuid.uuid4().hex[:6]}"
    body = {
        "title": title,
        "alert_id": task_alert,
        "assignee_user_id": people["sales"].user_id,
        "due_at": day_at_noon(1),
    }
    res = people["owner"].post("/api/tasks", json=body)
    assert res.status_code == 201, res.text
    task_id = res.json()["id"]
    res = people["ops"].patch(f"/api/alerts/{acked_alert}", json={"action": "acknowledge"})
    assert res.status_code == 200, res.text

    sales = inbox(people["sales"])
    assert [(i["kind"], i["id"], i["why"]) for i in sales["items"]] == [
        ("tasks", task_id, "Assigned to you"),  # a due date first, then by age
        ("alerts", task_alert, "Your task is open on it"),
    ]
    assert sales["counts"] == {"tasks": 1, "alerts": 1} and sales["total"] == 2
    assert sales["items"][0]["url"] == "/tasks" and sales["items"][1]["url"] == f"/alert/{task_alert}"

    ops = inbox(people["ops"])
    assert [(i["kind"], i["id"], i["why"]) for i in ops["items"]] == [("alerts", acked_alert, "You acknowledged it")]
    assert inbox(people["owner"])["items"] == []  # the owner made the task, but it is not theirs

    # done: it leaves the inbox, and so does the alert it kept waiting
    res = people["sales"].patch(f"/api/tasks/{task_id}", json={"action": "complete"})
    assert res.status_code == 200, res.text
    assert inbox(people["sales"]) == {
        "total": 0,
        "counts": {"tasks": 0, "alerts": 0},
        "labels": {"tasks": "Tasks assigned to me", "alerts": "Alerts waiting on me"},
        "items": [],
    }


def test_only_my_tenant_and_my_role(people):
    (alert,) = open_alerts(people["b"], 1)
    assert people["b"].patch(f"/api/alerts/{alert}", json={"action": "acknowledge"}).status_code == 200
    b_items = inbox(people["b"])["items"]
    assert [i["id"] for i in b_items] == [alert]
    for key in ("owner", "sales", "ops"):
        assert alert not in {i["id"] for i in inbox(people[key])["items"]}
    hr = inbox(people["hr"])  # no margin.read: no margin provider at all (compensation's, empty here)
    assert hr == {
        "total": 0,
        "counts": {"bonus_plans": 0},
        "labels": {"bonus_plans": hr["labels"]["bonus_plans"]},
        "items": [],
    }
