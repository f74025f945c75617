"""Demo data of the operator console (operator-graph spec §7): the organization "Iron Front Digital"
as a tenant of its own, with operator@demo.test (role ops: graph.read and graph.intervene) a member
of it and of the demo tenant (so the tenant switch shows both), 12 participants (10 people and 2
system integrations), their relationships, 5 recorded views (events) and the generator's run, which
finds exactly 3 recommendations: a dormant hub, a relationship to confirm and a likely duplicate.

Ids are deterministic (seeds.ids.demo_id); times are relative to the moment of seeding. Running it
twice changes nothing: the tenant and the memberships are made only when missing.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session, select

from engine.context import TenantContext
from engine.rbac import Role
from models.core.base import utcnow
from models.core.db import owner_session, owner_tenant_session
from models.core.identity import add_membership, create_tenant, ensure_user, find_user_by_email
from models.core.tables import Membership, Tenant
from models.graph import recommendations, views
from models.graph.build import NewParticipant, NewRelationship, add_participants, add_relationships
from seeds.ids import demo_id

ORG_SLUG = "iron-front"
ORG_NAME = "Iron Front Digital"
ORG_ID = demo_id("tenant", ORG_SLUG)
PASSWORD = "pharos-demo"
OPERATOR_EMAIL = "operator@demo.test"
OPERATOR_NAME = "Opal Operator"
ORG_OWNER_EMAIL = "ironfront-owner@demo.test"
ORG_OWNER_NAME = "Iris Owner"

# key: (display name, e-mail, role, origin, stage, idle days (None: never active), created days ago)
PEOPLE: dict[str, tuple[str, str | None, str, str, str, int | None, int]] = {
    "maya": ("Maya Chen", "maya.chen@ironfront.test", "coordinator", "manual", "active", 2, 400),
    "leo": ("Leo Park", "leo.park@ironfront.test", "coordinator", "manual", "active", 62, 500),
    "ana": ("Ana Ruiz", "ana.ruiz@ironfront.test", "member", "manual", "active", 1, 400),
    "sam": ("Sam Okafor", "sam.okafor@ironfront.test", "partner", "manual", "active", 4, 300),
    "priya": ("Priya Nair", "priya.nair@ironfront.test", "member", "import", "active", 9, 250),
    "tom": ("Tom Weber", "tom.weber@ironfront.test", "member", "import", "active", 20, 200),
    "noor": ("Noor Haddad", "noor.haddad@ironfront.test", "partner", "manual", "active", 3, 180),
    "eli": ("Eli Brooks", "eli.brooks@ironfront.test", "member", "manual", "active", 6, 150),
    "ana2": ("Ana R.", "ANA.RUIZ@ironfront.test", "member", "import", "active", 5, 45),
    "kai": ("Kai Moreno", "kai.moreno@ironfront.test", "member", "manual", "new", None, 6),
    "calendar": ("Calendar Sync", None, "service", "system", "active", 0, 600),
    "tickets": ("Ticket Bridge", None, "service", "system", "active", 0, 600),
}
# (from, to, type, source, confidence)
LINKS: list[tuple[str, str, str, str, str]] = [
    ("leo", "maya", "collaborates", "manual", "1"),
    ("leo", "ana", "collaborates", "manual", "1"),
    ("leo", "sam", "supports", "manual", "0.9"),
    ("leo", "priya", "communicates", "import", "0.8"),
    ("leo", "noor", "supports", "manual", "1"),
    ("leo", "eli", "communicates", "import", "0.85"),
    ("maya", "ana", "collaborates", "manual", "1"),
    ("maya", "kai", "supports", "manual", "1"),
    ("sam", "noor", "collaborates", "manual", "0.95"),
    ("priya", "tom", "collaborates", "inferred", "0.35"),
    ("eli", "ana2", "communicates", "import", "0.8"),
    ("tom", "maya", "communicates", "import", "0.75"),
    ("calendar", "maya", "integrates", "manual", "1"),
    ("calendar", "priya", "integrates", "manual", "1"),
    ("tickets", "sam", "integrates", "manual", "1"),
    ("tickets", "noor", "integrates", "manual", "1"),
]


def participant_id(key: str) -> uuid.UUID:
    return demo_id("graph_participant", key)


def _org_exists() -> bool:
    with owner_session() as session:
        return session.exec(select(Tenant).where(Tenant.id == ORG_ID)).first() is not None


def _seed_org() -> None:
    create_tenant(
        name=ORG_NAME,
        slug=ORG_SLUG,
        tenant_id=ORG_ID,
        owner_email=ORG_OWNER_EMAIL,
        owner_password=PASSWORD,
        owner_display_name=ORG_OWNER_NAME,
        owner_user_id=demo_id("user", ORG_OWNER_EMAIL),
    )
    ctx = TenantContext.system(ORG_ID, ORG_SLUG)
    now = utcnow()
    with owner_tenant_session(ctx) as session:
        operator = ensure_user(
            session,
            email=OPERATOR_EMAIL,
            display_name=OPERATOR_NAME,
            password=PASSWORD,
            user_id=demo_id("user", OPERATOR_EMAIL),
        )
        add_membership(session, ctx, operator, Role.OPS)
        add_participants(
            session,
            ctx,
            [
                NewParticipant(
                    name,
                    email,
                    role,
                    origin,
                    stage,
                    None if idle is None else now - timedelta(days=idle, hours=2),
                    now - timedelta(days=created, hours=2),
                    participant_id(key),
                )
                for key, (name, email, role, origin, stage, idle, created) in PEOPLE.items()
            ],
        )
        add_relationships(
            session,
            ctx,
            [
                NewRelationship(
                    participant_id(a),
                    participant_id(b),
                    kind,
                    source,
                    Decimal(conf),
                    now - timedelta(days=90),
                    demo_id("graph_relationship", f"{a}:{b}"),
                )
                for a, b, kind, source, conf in LINKS
            ],
        )
        recommendations.refresh(session, ctx, now)
        seen = TenantContext(tenant_id=ORG_ID, user_id=operator.id, role=Role.OPS, tenant_slug=ORG_SLUG)
        for action, entity, entity_id, metadata in (
            (views.GRAPH, "graph", ORG_ID, {"nodes": 12, "edges": len(LINKS)}),
            (views.SEGMENTS, "graph", ORG_ID, {}),
            (views.PARTICIPANT, "graph_participants", participant_id("leo"), {}),
            (views.PARTICIPANT, "graph_participants", participant_id("maya"), {}),
            (views.RECOMMENDATIONS, "graph_recommendations", ORG_ID, {"status": "open"}),
        ):
            views.record_view(session, seen, action, entity, entity_id, {"seed": True, **metadata})


def seed(session: Session, ctx: TenantContext) -> None:
    """Called with the demo tenant's session: the organization (its own tenant and transactions)
    first, then the operator's membership of the demo tenant."""
    if not _org_exists():
        _seed_org()
    operator = find_user_by_email(session, OPERATOR_EMAIL)
    if operator is None:
        return
    member = session.exec(
        select(Membership).where(Membership.tenant_id == ctx.tenant_id, Membership.user_id == operator.id)
    ).first()
    if member is None:
        add_membership(session, ctx, operator, Role.OPS)
