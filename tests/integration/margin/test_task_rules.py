"""Task rules (QA #11, #12): due dates a person sets are today or later and within 10 years, instants
serialize with 4-digit years, and only members whose role may work tasks can be assigned one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from engine.inputs import INSTANT_MESSAGE
from tests.integration.margin.conftest import day_at_noon, refused, task_by_id

# --- due dates (#11) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "why"),
    [
        ("0001-01-01T00:00:00Z", INSTANT_MESSAGE),  # the core instant range (engine.inputs) comes first
        ("1999-01-01T00:00:00Z", "must be today or later"),
        (None, "must be today or later"),  # yesterday, filled below
        ("9999-12-31T00:00:00Z", INSTANT_MESSAGE),
        ("2999-12-31T00:00:00Z", "must be within 10 years"),
        (None, "must be within 10 years"),  # 11 years ahead, filled below
    ],
)
def test_due_dates_in_the_past_or_absurdly_far_are_refused(clients, due, why):
    if due is None:
        due = day_at_noon(-1) if "today" in why else day_at_noon(11 * 366)
    error = refused(clients["sales"].post("/api/tasks", json={"title": "x", "due_at": due}), "due_at")
    assert error["fields"]["due_at"] == why


def test_due_today_and_soon_are_accepted_with_4_digit_years(clients):
    today = datetime.now(UTC).strftime("%Y-%m-%dT23:59:00Z")
    res = clients["sales"].post("/api/tasks", json={"title": "today", "due_at": today})
    assert res.status_code == 201, res.text
    assert res.json()["due_at"] == today.replace(":00Z", ":00.000000Z")
    task_id = res.json()["id"]
    res = clients["sales"].patch(f"/api/tasks/{task_id}", json={"due_at": day_at_noon(-3)})
    refused(res, "due_at")
    res = clients["sales"].patch(f"/api/tasks/{task_id}", json={"due_at": day_at_noon(30)})
    assert res.status_code == 200 and res.json()["due_at"].startswith(day_at_noon(30)[:10])


def test_an_overdue_task_can_still_be_edited_without_moving_its_due_date(clients, margin_a):
    """The seed (system context) records past due dates; a person keeps them when editing."""
    tasks = clients["owner"].get("/api/tasks", params={"status": "open", "limit": 200}).json()["items"]
    overdue = next(t for t in tasks if t["due_at"] and t["due_at"] < datetime.now(UTC).strftime("%Y-%m-%d"))
    res = clients["sales"].patch(
        f"/api/tasks/{overdue['id']}", json={"due_at": overdue["due_at"], "notes": "still chasing"}
    )
    assert res.status_code == 200, res.text
    assert res.json()["due_at"] == overdue["due_at"] and res.json()["notes"] == "still chasing"
    # the page sends the shown day back at 23:59 UTC: the same day, so still allowed
    same_day = overdue["due_at"][:10] + "T23:59:00Z"
    res = clients["sales"].patch(f"/api/tasks/{overdue['id']}", json={"due_at": same_day})
    assert res.status_code == 200, res.text
    # moving it to another past day is refused
    other_day = (datetime.fromisoformat(overdue["due_at"][:10]) - timedelta(days=1)).strftime("%Y-%m-%dT12:00:00Z")
    refused(clients["sales"].patch(f"/api/tasks/{overdue['id']}", json={"due_at": other_day}), "due_at")


def test_instants_serialize_with_4_digit_years():
    from engine.jsonable import format_instant, to_jsonable

    assert format_instant(datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01T00:00:00.000000Z"
    assert format_instant(datetime(999, 3, 4, 5, 6, 7, 8, tzinfo=UTC)) == "0999-03-04T05:06:07.000008Z"
    assert to_jsonable({"at": datetime(2026, 11, 24, 5, 3, 1, 123, tzinfo=UTC)}) == {
        "at": "2026-11-24T05:03:01.000123Z"
    }


# --- assignees (#12) ---------------------------------------------------------------------------


def test_only_members_who_may_work_tasks_can_be_assigned(clients):
    viewer_id = clients["viewer"].user_id
    error = refused(
        clients["sales"].post("/api/tasks", json={"title": "for the viewer", "assignee_user_id": viewer_id}),
        "assignee_user_id",
    )
    assert "viewer" in error["message"]
    task = clients["sales"].post("/api/tasks", json={"title": "for ops", "assignee_user_id": clients["ops"].user_id})
    assert task.status_code == 201, task.text
    task_id = task.json()["id"]
    refused(clients["sales"].patch(f"/api/tasks/{task_id}", json={"assignee_user_id": viewer_id}), "assignee_user_id")
    assert task_by_id(clients, task_id)["assignee_user_id"] == clients["ops"].user_id
    res = clients["sales"].patch(f"/api/tasks/{task_id}", json={"assignee_user_id": clients["sales"].user_id})
    assert res.status_code == 200 and res.json()["assignee_user_id"] == clients["sales"].user_id
    refused(
        clients["sales"].patch(f"/api/tasks/{task_id}", json={"assignee_user_id": str(uuid.uuid4())}),
        "assignee_user_id",
    )


def test_assignable_members_are_those_whose_role_may_work_tasks(clients, margin_a):
    from engine.rbac import has_permission
    from models.core.db import tenant_session
    from models.core.identity import tenant_members
    from models.margin.tasks import WRITE, assignable_members

    ctx = margin_a.ctx("sales")
    with tenant_session(ctx) as session:
        everyone = tenant_members(session, ctx)
        offered = assignable_members(session, ctx)
    ids = {m.user_id for m in offered}
    assert clients["viewer"].user_id not in ids
    assert {clients["owner"].user_id, clients["ops"].user_id, clients["sales"].user_id} <= ids
    assert [m for m in everyone if has_permission(m.role, WRITE)] == offered
