"""`POST /api/<entity>/{id}/update` from the one decision-route factory, for alerts, tasks, dealers
and catalog organizations: 200 with the new status and the buttons left; 409 for an action not
allowed from the status (or a stale expected_status); 403 for a role without the permission or a
system-only action; 404 for another tenant's id; 422 for a missing reason. A refusal writes nothing."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func
from sqlmodel import select

from models.core.db import tenant_session
from models.core.tables import DecisionEvent
from tests.integration.margin.conftest import MarginTenant, build
from tests.support.api_clients import create_test_api, login_client
from tests.support.users import PASSWORD, add_user


@pytest.fixture(scope="module")
def tenants() -> tuple[MarginTenant, MarginTenant]:
    from models.core.flags import set_flags

    made = build("routea"), build("routeb")
    for mt in made:
        with tenant_session(mt.ctx()) as session:
            set_flags(session, mt.ctx(), {"ENABLE_ORG": True})
    return made


@pytest.fixture(scope="module")
def clients(tenants):
    a, b = tenants
    api = create_test_api()
    made = {
        "owner": login_client(api, a.tenant.owner_email, a.tenant.password, raise_server_exceptions=False),
        "b_owner": login_client(api, b.tenant.owner_email, b.tenant.password, raise_server_exceptions=False),
    }
    for role in ("ops", "sales", "viewer"):
        made[role] = login_client(api, add_user(a.tenant, role), PASSWORD, raise_server_exceptions=False)
    return made


def _events(mt: MarginTenant, entity_id) -> int:
    with tenant_session(mt.ctx()) as session:
        return session.exec(
            select(func.count()).select_from(DecisionEvent).where(DecisionEvent.entity_id == uuid.UUID(str(entity_id)))
        ).one()


def _error(res, status: int, code: str) -> dict:
    assert res.status_code == status, res.text
    error = res.json()["error"]
    assert error["code"] == code, error
    return error


def _open_alert(clients) -> str:
    return clients["owner"].get("/api/alerts", params={"status": "open", "limit": 1}).json()["items"][0]["id"]


def test_alert_decision_returns_the_new_status_and_the_buttons_left(tenants, clients):
    a, _ = tenants
    alert_id = _open_alert(clients)
    res = clients["sales"].post(
        f"/api/alerts/{alert_id}/update", json={"action": "acknowledge", "expected_status": "open"}
    )
    assert res.status_code == 200, res.text
    body = res.json()
    assert (body["id"], body["entity"], body["from_status"], body["status"]) == (
        alert_id,
        "alerts",
        "open",
        "acknowledged",
    )
    assert [x["action"] for x in body["actions"]] == ["resolve", "dismiss"]  # sales: no enforcement
    assert clients["owner"].get(f"/api/alerts/{alert_id}").json()["status"] == "acknowledged"
    timeline = clients["owner"].get(f"/api/alerts/{alert_id}/timeline").json()["items"]
    assert any(item.get("action") == "acknowledge" for item in timeline)


def test_wrong_state_and_stale_expected_status_are_409_and_write_nothing(tenants, clients):
    a, _ = tenants
    alert_id = _open_alert(clients)
    before = _events(a, alert_id)
    error = _error(
        clients["ops"].post(f"/api/alerts/{alert_id}/update", json={"action": "reopen", "reason": "x"}),
        409,
        "invalid_transition",
    )
    assert "not allowed from status 'open'" in error["message"]
    stale = clients["ops"].post(
        f"/api/alerts/{alert_id}/update", json={"action": "acknowledge", "expected_status": "acknowledged"}
    )
    assert _error(stale, 409, "conflict")["fields"] == {"expected_status": "open"}
    assert _events(a, alert_id) == before
    assert clients["owner"].get(f"/api/alerts/{alert_id}").json()["status"] == "open"


def test_a_role_without_the_permission_is_403_and_writes_nothing(tenants, clients):
    a, _ = tenants
    alert_id = _open_alert(clients)
    before = _events(a, alert_id)
    _error(clients["viewer"].post(f"/api/alerts/{alert_id}/update", json={"action": "acknowledge"}), 403, "forbidden")
    _error(clients["sales"].post(f"/api/alerts/{alert_id}/update", json={"action": "enforce"}), 403, "forbidden")
    assert _events(a, alert_id) == before


def test_another_tenants_id_is_404(tenants, clients):
    alert_id = _open_alert(clients)
    _error(clients["b_owner"].post(f"/api/alerts/{alert_id}/update", json={"action": "acknowledge"}), 404, "not_found")
    _error(
        clients["owner"].post(f"/api/alerts/{uuid.uuid4()}/update", json={"action": "acknowledge"}), 404, "not_found"
    )


def test_a_missing_reason_is_422_naming_the_field(tenants, clients):
    a, _ = tenants
    alert_id = _open_alert(clients)
    before = _events(a, alert_id)
    error = _error(
        clients["ops"].post(f"/api/alerts/{alert_id}/update", json={"action": "dismiss", "reason": "  "}),
        422,
        "validation_error",
    )
    assert error["fields"] == {"reason": "required"}
    missing = clients["ops"].post(f"/api/alerts/{alert_id}/update", json={"reason": "x"})
    assert "action" in _error(missing, 422, "validation_error")["fields"]
    assert _events(a, alert_id) == before


def test_task_dealer_and_org_decisions_use_the_same_route(tenants, clients):
    a, b = tenants
    task = clients["owner"].get("/api/tasks", params={"status": "open", "limit": 1}).json()["items"][0]
    res = clients["sales"].post(f"/api/tasks/{task['id']}/update", json={"action": "start"})
    assert (res.status_code, res.json()["status"]) == (200, "in_progress"), res.text

    dealer_id = str(a.id("organization", "dealer-metro"))
    before = clients["owner"].get(f"/api/dealers/{dealer_id}").json()["status"]
    action = {"active": "warn", "warned": "final_notice"}[before]
    _error(clients["ops"].post(f"/api/dealers/{dealer_id}/update", json={"action": action}), 422, "validation_error")
    _error(
        clients["sales"].post(f"/api/dealers/{dealer_id}/update", json={"action": action, "reason": "x"}),
        403,
        "forbidden",
    )
    res = clients["ops"].post(f"/api/dealers/{dealer_id}/update", json={"action": action, "reason": "third breach"})
    assert res.status_code == 200, res.text
    assert res.json()["from_status"] == before
    assert clients["owner"].get(f"/api/dealers/{dealer_id}").json()["status"] == res.json()["status"]

    org_id = dealer_id  # the same dealer's organization row: a different status (docs/adr/0002)
    res = clients["ops"].post(f"/api/orgs/{org_id}/update", json={"action": "hold", "reason": "credit review"})
    assert (res.status_code, res.json()["status"]) == (200, "on_hold"), res.text
    assert [x["action"] for x in res.json()["actions"]] == ["suspend", "reinstate", "archive"]
    assert clients["owner"].get(f"/api/orgs/{org_id}").json()["status"] == "on_hold"
    _error(
        clients["sales"].post(f"/api/orgs/{org_id}/update", json={"action": "reinstate", "reason": "x"}),
        403,
        "forbidden",
    )
    _error(
        clients["b_owner"].post(f"/api/orgs/{org_id}/update", json={"action": "reinstate", "reason": "x"}),
        404,
        "not_found",
    )


def test_system_only_actions_are_refused_by_the_core_decision_action(tenants):
    """A job's start is the runner's step: no user takes it through a decision route."""
    from engine.errors import Forbidden
    from engine.jobs import JOB_MACHINE
    from models.core.decision_actions import DecisionTarget, take_decision
    from models.jobs import repo

    a, _ = tenants
    ctx = a.ctx("ops")
    with tenant_session(ctx) as session:
        job_id = repo.create_job(session, ctx, "sample", {}, [(f"route:{uuid.uuid4()}", {})]).id
    jobs = DecisionTarget("jobs", JOB_MACHINE, "core.jobs.read", load=repo.get_job)
    with pytest.raises(Forbidden, match="system only"):
        take_decision(ctx, jobs, job_id, "start", None)
    outcome = take_decision(ctx, jobs, job_id, "cancel", None, expected_status="queued")
    assert (outcome.from_status, outcome.status, outcome.actions) == ("queued", "cancelled", [])
    assert _events(a, job_id) == 1
