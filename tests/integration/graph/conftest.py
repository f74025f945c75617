"""A hand-made graph with known answers (dates relative to the moment it is built).

Hana (dormant hub: 6 relationships, idle 60 days) — Ari, Bo, Cy, Di, Ed, Flo (active, 3 days)
Gus (at risk, 20 days) — Ari;  Kim (same e-mail as Ari, created later) — Bo
Bo — Cy: inferred, confidence 0.30;  Iva: isolated, idle 50 days;  Jo: new (5 days), isolated
Sys: a system participant (in no segment, in no recommendation)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from tests.support.tenants import TenantFixture, make_tenant

# name: (role, origin, stage, idle days (None: never active), created days ago, e-mail)
PEOPLE = {
    "Hana": ("coordinator", "manual", "active", 60, 200, "hana@org.test"),
    "Ari": ("member", "manual", "active", 3, 100, "ari@org.test"),
    "Bo": ("member", "import", "active", 3, 100, "bo@org.test"),
    "Cy": ("partner", "manual", "active", 3, 100, "cy@org.test"),
    "Di": ("member", "manual", "active", 3, 100, "di@org.test"),
    "Ed": ("member", "manual", "active", 3, 100, "ed@org.test"),
    "Flo": ("partner", "manual", "active", 3, 100, "flo@org.test"),
    "Gus": ("member", "manual", "active", 20, 100, "gus@org.test"),
    "Iva": ("member", "manual", "active", 50, 100, "iva@org.test"),
    "Jo": ("member", "manual", "new", None, 5, "jo@org.test"),
    "Kim": ("member", "import", "active", 2, 50, " ARI@org.test"),
    "Sys": ("service", "system", "active", 1, 300, None),
}
# (from, to, type, source, confidence)
LINKS = [
    ("Hana", "Ari", "collaborates", "manual", "1"),
    ("Hana", "Bo", "collaborates", "manual", "1"),
    ("Hana", "Cy", "supports", "manual", "0.9"),
    ("Hana", "Di", "communicates", "import", "0.8"),
    ("Hana", "Ed", "communicates", "import", "0.8"),
    ("Hana", "Flo", "supports", "manual", "1"),
    ("Gus", "Ari", "collaborates", "manual", "1"),
    ("Kim", "Bo", "communicates", "import", "0.7"),
    ("Bo", "Cy", "collaborates", "inferred", "0.30"),
]


@dataclass(frozen=True)
class Org:
    tenant: TenantFixture
    people: dict[str, uuid.UUID]
    links: dict[tuple[str, str], uuid.UUID]
    built_at: datetime

    def ctx(self):
        return self.tenant.ctx()

    def name_of(self, pid: str | uuid.UUID) -> str:
        return next(n for n, i in self.people.items() if str(i) == str(pid))


def build_org(label: str) -> Org:
    from engine.context import TenantContext
    from models.core.base import utcnow
    from models.core.db import tenant_session
    from models.graph.build import NewParticipant, NewRelationship, add_participants, add_relationships

    tenant = make_tenant(label)
    now = utcnow()
    ctx = TenantContext.system(tenant.tenant_id, tenant.slug)
    people = {name: uuid.uuid4() for name in PEOPLE}
    links = {(a, b): uuid.uuid4() for a, b, *_ in LINKS}
    with tenant_session(ctx) as session:
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
                    None if idle is None else now - timedelta(days=idle, hours=1),
                    now - timedelta(days=created, hours=1),
                    people[name],
                )
                for name, (role, origin, stage, idle, created, email) in PEOPLE.items()
            ],
        )
        add_relationships(
            session,
            ctx,
            [
                NewRelationship(
                    people[a], people[b], kind, source, Decimal(conf), now - timedelta(days=40), links[(a, b)]
                )
                for a, b, kind, source, conf in LINKS
            ],
        )
    return Org(tenant, people, links, now)


@pytest.fixture
def org_a() -> Org:
    return build_org("grapha")


@pytest.fixture
def org_b() -> Org:
    return build_org("graphb")
