"""Two tenants: RLS hides the other's margin rows, composite keys refuse cross-tenant references,
observations and evidence are append-only for the app role, every mutation is audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import select

from models.margin.tables import APPEND_ONLY, TENANT_TABLES


def test_rls_shows_each_tenant_only_its_own_rows(margin_a, margin_b):
    from models.core.db import tenant_session

    for mine, theirs in ((margin_a, margin_b), (margin_b, margin_a)):
        with tenant_session(mine.ctx()) as session:
            for table in TENANT_TABLES:
                tenants = {row[0] for row in session.execute(text(f"select distinct tenant_id from {table}")).all()}
                assert tenants <= {mine.tenant.tenant_id}, table
                assert theirs.tenant.tenant_id not in tenants
            assert session.execute(text("select count(*) from margin_alerts")).scalar() == 12


def test_a_row_cannot_point_at_another_tenants_dealer(margin_a, margin_b):
    from models.core import mutations
    from models.core.db import tenant_session
    from models.margin.tables import MarginSaleRow

    with pytest.raises(IntegrityError), tenant_session(margin_b.ctx()) as session:
        mutations.create(
            session,
            margin_b.ctx(),
            MarginSaleRow(
                tenant_id=margin_b.tenant.tenant_id,
                dealer_id=margin_a.id("organization", "dealer-metro"),
                sku_id=margin_b.id("sku", "d3"),
                advertised_price=Decimal("1"),
                qty=1,
            ),
        )


@pytest.mark.parametrize("table", sorted(APPEND_ONLY))
def test_append_only_tables_refuse_update_and_delete(margin_a, table):
    from models.core.db import tenant_session

    for statement in (f"update {table} set created_at = created_at", f"delete from {table}"):
        with pytest.raises(DBAPIError, match="permission denied"), tenant_session(margin_a.ctx()) as session:
            session.execute(text(statement))


def test_margin_mutations_are_audited(margin_a):
    from models.core.db import tenant_session
    from models.core.tables import AuditEvent

    with tenant_session(margin_a.ctx()) as session:
        actions = dict(
            session.exec(
                select(AuditEvent.action, func.count())
                .where(AuditEvent.tenant_id == margin_a.tenant.tenant_id)
                .group_by(AuditEvent.action)
            ).all()
        )
    assert actions["margin_alert.create"] == 12
    assert actions["margin_alert.evidence.attach"] == 12
    assert actions["margin.detect"] == 1
    assert actions["margin_task.create"] == 10
    assert actions["margin_dealer.warn"] == 1


def test_search_treats_like_wildcards_literally(margin_a):
    from models.core.search import search

    body = search(margin_a.ctx("viewer"), "%", types=["alerts", "dealers", "skus", "tasks"])
    assert [(g.type, g.hits) for g in body.groups] == [("alerts", []), ("dealers", []), ("tasks", [])]
