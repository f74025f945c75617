"""The demo seed of the operator console (spec §7): Iron Front Digital as its own tenant, the
operator a member of it and of the seeding tenant, 12 participants (2 system), relationships,
5 recorded views and exactly 3 open recommendations; a second run changes nothing."""

from __future__ import annotations

from sqlmodel import func, select

from tests.support.tenants import make_tenant


def _audit_head(ctx) -> int:
    from models.core.db import tenant_session
    from models.core.tables import AuditEvent

    with tenant_session(ctx) as session:
        return session.exec(select(func.max(AuditEvent.seq))).one()


def test_the_seed_builds_iron_front_digital_and_is_idempotent():
    from engine.context import TenantContext
    from models.core.db import owner_tenant_session, tenant_session
    from models.core.identity import authenticate, memberships_of
    from models.core.tables import AuditEvent
    from models.graph import graph_queries, queries
    from seeds import graph as seed_graph

    home = make_tenant("demoish")
    home_ctx = home.ctx()
    with owner_tenant_session(home_ctx) as session:
        seed_graph.seed(session, home_ctx)
    operator = authenticate(seed_graph.OPERATOR_EMAIL, seed_graph.PASSWORD)
    assert operator is not None
    tenants = {(m.tenant_id, m.role.value) for m in memberships_of(operator.user_id)}
    assert {(seed_graph.ORG_ID, "ops"), (home.tenant_id, "ops")} <= tenants
    org = TenantContext.system(seed_graph.ORG_ID, seed_graph.ORG_SLUG)
    found = graph_queries.graph_view(org, graph_queries.GraphFilters())
    assert found.total_participants == 12
    assert sum(1 for n in found.nodes if n.origin == "system") == 2
    assert len(found.edges) == len(seed_graph.LINKS)
    recs = queries.recommendation_page(org).items
    assert sorted((r.pattern, r.target_label) for r in recs) == [
        ("dormant_hub", "Leo Park"),
        ("duplicate_email", "Ana R."),
        ("low_confidence_relationship", "Priya Nair – Tom Weber"),
    ]
    with tenant_session(org) as session:
        seeded_views = session.exec(
            select(func.count()).where(AuditEvent.action.like("graph.%view"), AuditEvent.actor == str(operator.user_id))  # type: ignore[attr-defined]
        ).one()
    assert seeded_views == 5
    heads = (_audit_head(org), _audit_head(home_ctx))
    with owner_tenant_session(home_ctx) as session:
        seed_graph.seed(session, home_ctx)
    assert (_audit_head(org), _audit_head(home_ctx)) == heads
