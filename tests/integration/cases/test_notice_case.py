"""Across modules without imports: an enforcement notice (margin) opens a case with its dealer
(the vendor organization) through the core handoff `cases.open_case`; the dealer's vendor person
sees it in its portal and answers; the decision comes back to margin (`margin.case_decided`) as a
note on the notice's alert and on the dealer. Asking twice answers the same case."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from tests.integration.cases.conftest import add_org, add_vendor
from tests.integration.cases.money import ok
from tests.support.api_clients import login_client
from tests.support.tenants import PASSWORD


def _notice(world, dealer_id: uuid.UUID) -> uuid.UUID:
    """A sent notice as margin's worker records it (its batch and the notice row)."""
    from models.core.db import owner_tenant_session

    batch, notice = uuid.uuid4(), uuid.uuid4()
    t = world.tenant.tenant_id
    with owner_tenant_session(world.tenant.ctx()) as s:
        s.execute(
            text(
                "insert into margin_enforcement_batches (id, tenant_id, name, action, filters, status, created_by, "
                "item_count, alert_count, skipped_count, expected_recoverable, skipped, created_at) values "
                "(:b, :t, 'Test batch', 'warning_notice', '{}', 'completed', 'system', 1, 1, 0, 0, '[]', now())"
            ),
            {"b": batch, "t": t},
        )
        s.execute(
            text(
                "insert into margin_enforcement_notices (id, tenant_id, batch_id, dealer_id, action, alert_ids, "
                "subject, body, channel, idempotency_key, created_at) values (:n, :t, :b, :d, 'warning_notice', '[]', "
                "'Warning: prices below MAP', 'Three SKUs were sold below MAP last week.', 'outbox', :k, now())"
            ),
            {"n": notice, "t": t, "b": batch, "d": dealer_id, "k": f"test:{notice}"},
        )
    return notice


def test_an_enforcement_notice_opens_a_case_the_dealer_answers_in_its_portal(world):
    dealer = add_org(world.tenant, f"DLR-{uuid.uuid4().hex[:5]}", "Metro Dealer", "dealer")
    email = add_vendor(world.tenant, dealer)
    dealer_client = login_client(world.clients["api"], email, PASSWORD, raise_server_exceptions=False)
    notice = _notice(world, dealer)

    opened = ok(world.clients["ops"].post(f"/api/notices/{notice}/case"))
    assert opened["created"] is True and opened["status"] == "open"
    again = ok(world.clients["ops"].post(f"/api/notices/{notice}/case"))
    assert again == {**opened, "created": False}
    assert world.clients["sales"].post(f"/api/notices/{notice}/case").status_code == 403
    assert world.clients["b_owner"].post(f"/api/notices/{notice}/case").status_code == 404

    case_id = opened["case_id"]
    mine = [c["id"] for c in ok(dealer_client.get("/api/cases"))["items"]]
    assert mine == [case_id]  # the dealer sees exactly its case
    assert case_id not in [c["id"] for c in ok(world.clients["vendor1"].get("/api/cases?limit=200"))["items"]]
    detail = ok(dealer_client.get(f"/api/cases/{case_id}"))
    assert detail["case"]["case_type"] == "enforcement"
    assert any("below MAP" in t["body"] for t in detail["timeline"])
    ok(dealer_client.post(f"/api/cases/{case_id}/responses", json={"body": "Prices corrected on the 4th."}), 201)
    ok(world.clients["ops"].post(f"/api/cases/{case_id}/update", json={"action": "approve", "note": "verified"}))

    from models.core.db import owner_tenant_session

    with owner_tenant_session(world.tenant.ctx()) as s:
        notes = s.execute(text("select body from margin_notes where dealer_id = :d"), {"d": dealer}).scalars().all()
    assert len(notes) == 1
    assert notes[0].startswith('Vendor case "Warning: prices below MAP": approve → resolved_approved — verified')
