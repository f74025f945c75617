"""`pharos seed demo` brings the catalog the margin module reads; twice is a no-op; reset cascades."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlmodel import func, select

from engine.context import TenantContext
from models.catalog import pricing
from models.catalog.tables import Organization, PriceRule, Sku
from models.core.db import tenant_session
from models.core.tables import AuditEvent
from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID, seed_demo
from seeds.ids import demo_id


def _head(session) -> int:
    return session.exec(select(func.max(AuditEvent.seq)).where(AuditEvent.tenant_id == DEMO_TENANT_ID)).one()


def test_demo_seed_has_the_catalog_is_idempotent_and_resets(monkeypatch):
    import seeds.enforcement

    # unpaced here: the demo's running batch waits minutes per item (to be watched live), which
    # would keep any burst-mode worker later in this test session busy (it runs every open job)
    monkeypatch.setattr(seeds.enforcement, "RUNNING_PACE_MS", 0)
    seed_demo(reset=True)
    ctx = TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)
    with tenant_session(ctx) as session:
        types = session.exec(select(Organization.type, func.count()).group_by(Organization.type)).all()
        # the suppliers are the vendor cases' demo vendors (seeds/cases.py), the service partner field service's
        assert dict(types) == {
            "manufacturer": 1,
            "distributor": 1,
            "dealer": 2,
            "competitor": 1,
            "supplier": 2,
            "service_partner": 1,
        }
        assert len(session.exec(select(Sku)).all()) == 3
        assert len(session.exec(select(PriceRule)).all()) == 8
        floor = pricing.resolve_price(
            session,
            ctx,
            sku_id=demo_id("sku", "d3"),
            org_id=demo_id("organization", "dealer-metro"),
            currency="INR",
            kind="map",
            at=datetime(2026, 6, 1, tzinfo=UTC),
            record=False,
        )
        assert floor.price == Decimal("479") and floor.level.label == "org"
        head = _head(session)
    seed_demo()
    with tenant_session(ctx) as session:
        assert _head(session) == head
