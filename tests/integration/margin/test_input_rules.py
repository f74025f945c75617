"""Input rules of margin writes (QA #5, #10): control characters and over-long text are refused
with a 422 naming the field — never a 500, never silently cut."""

from __future__ import annotations

import pytest

from tests.integration.margin.conftest import open_alert_id, refused, task_by_id

# --- control characters (#5) -------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["nul\x00byte", "bell\x07", "esc\x1b[31m", "del\x7f", "c1\x9bmid"])
def test_control_characters_in_a_task_title_are_refused(clients, bad):
    error = refused(clients["sales"].post("/api/tasks", json={"title": bad}), "title")
    assert "control character" in error["fields"]["title"]


def test_nul_in_task_notes_and_patch_is_refused(clients):
    refused(clients["sales"].post("/api/tasks", json={"title": "ok", "notes": "a\x00b"}), "notes")
    task = clients["sales"].post("/api/tasks", json={"title": "Call the dealer"}).json()
    refused(clients["sales"].patch(f"/api/tasks/{task['id']}", json={"title": "x\x00"}), "title")
    refused(clients["sales"].patch(f"/api/tasks/{task['id']}", json={"action": "cancel", "reason": "r\x00"}), "reason")
    assert task_by_id(clients, task["id"])["title"] == "Call the dealer"


def test_tabs_and_newlines_stay_allowed(clients):
    res = clients["sales"].post("/api/tasks", json={"title": "Call\tback", "notes": "line one\r\nline two"})
    assert res.status_code == 201, res.text
    assert res.json()["notes"] == "line one\r\nline two"


def test_nul_in_an_alert_note_and_reason_is_refused(clients):
    alert_id = open_alert_id(clients)
    before = clients["owner"].get(f"/api/alerts/{alert_id}/timeline").json()["items"]
    refused(clients["sales"].patch(f"/api/alerts/{alert_id}", json={"note": "nul\x00byte note"}), "note")
    refused(clients["sales"].patch(f"/api/alerts/{alert_id}", json={"action": "dismiss", "reason": "x\x00"}), "reason")
    assert clients["owner"].get(f"/api/alerts/{alert_id}/timeline").json()["items"] == before


def test_nul_in_a_dealer_status_reason_is_refused(clients, margin_a):
    url = f"/api/dealers/{margin_a.id('organization', 'dealer-metro')}/status"
    before = clients["owner"].get(url.removesuffix("/status")).json()["status"]
    refused(clients["ops"].patch(url, json={"action": "warn", "reason": "nul\x00"}), "reason")
    assert clients["owner"].get(url.removesuffix("/status")).json()["status"] == before


def test_repositories_refuse_control_characters_too(margin_a):
    """The pages call the repositories directly, without the API's input models."""
    from engine.errors import ValidationFailed
    from models.core.db import tenant_session
    from models.margin import alerts, dealers

    ctx = margin_a.ctx("ops")
    with tenant_session(ctx) as session:
        alert_id = alerts.list_alerts(session, ctx, limit=1).items[0].id
    with pytest.raises(ValidationFailed) as caught:
        with tenant_session(ctx) as session:
            alerts.patch_alert(session, ctx, alert_id, note="nul\x00byte")
    assert set(caught.value.fields) == {"note"}
    with pytest.raises(ValidationFailed) as caught:
        with tenant_session(ctx) as session:
            alerts.patch_alert(session, ctx, alert_id, action="dismiss", reason="a\x00")
    assert set(caught.value.fields) == {"reason"}
    with pytest.raises(ValidationFailed) as caught:
        with tenant_session(ctx) as session:
            dealers.change_status(session, ctx, margin_a.id("organization", "dealer-metro"), "warn", "a\x00b")
    assert set(caught.value.fields) == {"reason"}


def test_a_database_data_error_is_a_422_not_a_500():
    """Last line of defence (app/api/errors.py): a value PostgreSQL refuses is bad input."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from sqlalchemy import text

    from app.api.errors import install_error_handlers
    from models.core.db import owner_engine

    probe = FastAPI()
    install_error_handlers(probe)

    @probe.get("/probe")
    def _probe() -> dict:
        with owner_engine().connect() as conn:
            conn.execute(text("select cast(:v as text)"), {"v": "nul\x00byte"})
        return {}

    res = TestClient(probe, raise_server_exceptions=False).get("/probe")
    assert res.status_code == 422, res.text
    error = res.json()["error"]
    assert error["code"] == "validation_error" and error["fields"] == {"request": "a value could not be stored"}
    assert "NUL" not in error["message"] and "psycopg" not in error["message"]


# --- over-long text is refused, not cut (#10) --------------------------------------------------


def test_over_long_text_is_refused_with_its_limit(clients, margin_a):
    alert_id = open_alert_id(clients)
    error = refused(clients["sales"].patch(f"/api/alerts/{alert_id}", json={"note": "A" * 4001}), "note")
    assert "4000" in error["fields"]["note"]
    error = refused(clients["sales"].post("/api/tasks", json={"title": "T" * 201}), "title")
    assert "200" in error["fields"]["title"]
    refused(clients["sales"].post("/api/tasks", json={"title": "ok", "notes": "n" * 4001}), "notes")
    url = f"/api/dealers/{margin_a.id('organization', 'dealer-metro')}/status"
    refused(clients["ops"].patch(url, json={"action": "warn", "reason": "r" * 4001}), "reason")
    # exactly at the limit is kept whole
    res = clients["sales"].patch(f"/api/alerts/{alert_id}", json={"note": "B" * 4000})
    assert res.status_code == 200, res.text
    notes = [e for e in clients["owner"].get(f"/api/alerts/{alert_id}/timeline").json()["items"] if e["type"] == "note"]
    assert "B" * 4000 in [e["text"] for e in notes]


def test_repositories_refuse_over_long_text_instead_of_cutting(margin_a):
    from engine.errors import ValidationFailed
    from models.core.db import tenant_session
    from models.margin import alerts, dealers

    ctx = margin_a.ctx("ops")
    with tenant_session(ctx) as session:
        alert_id = alerts.list_alerts(session, ctx, limit=1).items[0].id
    with pytest.raises(ValidationFailed) as caught:
        with tenant_session(ctx) as session:
            alerts.add_note(session, ctx, "x" * 4001, alert_id=alert_id)
    assert caught.value.fields == {"note": "is 4001 characters long; the limit is 4000"}
    with pytest.raises(ValidationFailed) as caught:
        with tenant_session(ctx) as session:
            dealers.change_status(session, ctx, margin_a.id("organization", "dealer-metro"), "warn", "r" * 4001)
    assert caught.value.fields == {"reason": "is 4001 characters long; the limit is 4000"}
