"""`pharos seed demo` brings the money side per vendor: a match pack with a variance (Apex), a
payment on hold, invoices, a statement of account reconciled against the ledger; twice is a no-op."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import func, select

from engine.context import TenantContext
from models.cases.tables import Invoice, MatchPack, Payment, SoaStatement
from models.core.db import tenant_session
from seeds.demo import DEMO_SLUG, DEMO_TENANT_ID, seed_demo
from seeds.ids import demo_id


def _counts(session) -> dict[str, int]:
    return {
        m.__name__: session.exec(select(func.count()).select_from(m)).one()
        for m in (Invoice, MatchPack, Payment, SoaStatement)
    }


def test_the_demo_has_packs_payments_invoices_and_statements_per_vendor(monkeypatch):
    import seeds.enforcement

    monkeypatch.setattr(seeds.enforcement, "RUNNING_PACE_MS", 0)  # as the catalog's demo seed test
    seed_demo()
    ctx = TenantContext.system(DEMO_TENANT_ID, DEMO_SLUG)
    with tenant_session(ctx) as session:
        first = _counts(session)
        assert first == {"Invoice": 4, "MatchPack": 2, "Payment": 3, "SoaStatement": 2}
        apex = session.get(MatchPack, demo_id("match_pack", "PO-4411"))
        assert apex is not None and apex.exception_lines == 1 and apex.variance > 0
        blue = session.get(MatchPack, demo_id("match_pack", "PO-7001"))
        assert blue is not None and blue.exception_lines == 0
        statuses = sorted(p.status for p in session.exec(select(Payment)).all())
        assert statuses == ["on_hold", "paid", "paid"]
        for st in session.exec(select(SoaStatement)).all():
            assert st.line_count == 3 and st.matched_count == 2 and st.difference != Decimal(0)
    seed_demo()
    with tenant_session(ctx) as session:
        assert _counts(session) == first
