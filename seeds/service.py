"""Demo field service: a service partner, two service policies (the brand's manufacturer →
distributor → dealer chain with a default, and a global dealer-only one), certifications, five
engineers, two agreements with SLA policies written in the formula language, and three tickets —
one of them past its response due time (breached).

Ids are deterministic (seeds.ids.demo_id through `id_for`) and every step is get-or-create, so
running the seeder twice changes nothing. Ticket times are relative to when the seed first runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, SQLModel, select

from engine.context import TenantContext
from engine.service.flags import ENABLE_RESP_ORG_ASSIGNMENT
from models.catalog import orgs
from models.catalog.inputs import OrgCreate
from models.catalog.tables import Organization
from models.core import mutations
from models.core.base import utcnow
from models.core.flags import is_enabled
from models.service import agreements, engineers, policies, tickets
from models.service.inputs import (
    AgreementCreate,
    CertificationCreate,
    CoverageInput,
    EngineerCreate,
    MembershipInput,
    PolicyInput,
    SkillInput,
    SlaPolicyCreate,
    StepInput,
    TicketCreate,
)
from models.service.tables import Engineer, OrgCertification, ServiceAgreement, ServicePolicy, SlaPolicy, Ticket
from seeds.catalog import SINCE, CatalogIds, build_catalog
from seeds.ids import demo_id

IdFor = Callable[[str, str], uuid.UUID]

PARTNER = ("partner", "service_partner", "SVC-SWIFT", "Swift Field Services", {"service_areas": ["South", "East"]})

RESPONSE_RULE = (
    'if (priority == "urgent") then 4\nelse if (priority == "high") then 8\n'
    'else if (priority == "normal") then 24\nelse 48'
)
RESOLUTION_RULE = 'response_hours * (if (channel == "ONLINE") then 2 else 3)'
PARTNER_RESPONSE_RULE = 'if (priority == "urgent") then 8 else 48'
PARTNER_RESOLUTION_RULE = "response_hours * 4"

# key, code, name, member of, skills, coverage (region, primary), active
ENGINEERS = [
    (
        "asha",
        "ENG-ASHA",
        "Asha Rao",
        "distributor",
        {"install": 4, "repair": 5},
        [("North", True), ("West", False)],
        True,
    ),
    ("bilal", "ENG-BILAL", "Bilal Khan", "distributor", {"install": 3, "repair": 3}, [("North", True)], True),
    ("chen", "ENG-CHEN", "Chen Li", "distributor", {"repair": 4}, [("West", True)], True),
    (
        "dev",
        "ENG-DEV",
        "Dev Patel",
        "partner",
        {"install": 5, "repair": 4, "cold-chain": 5},
        [("South", True), ("East", False)],
        True,
    ),
    ("esha", "ENG-ESHA", "Esha Iyer", "distributor", {"install": 5, "repair": 5}, [("North", True)], False),
]

# key, title, priority, dealer, sku, channel, region, skills, opened hours ago
TICKETS = [
    ("display", "Chiller display not cooling", "high", "dealer-metro", "d3", "retail", "North", ["install"], 2),
    (
        "monitor",
        "Cold-chain monitor offline",
        "urgent",
        "dealer-coastal",
        "omega",
        "online",
        "South",
        ["cold-chain"],
        1,
    ),
    ("shelf", "Shelf sensor keeps resetting", "normal", "dealer-metro", "zinc", "retail", "North", ["repair"], 30),
]


@dataclass
class ServiceIds:
    catalog: CatalogIds
    partner: uuid.UUID
    policies: dict[str, uuid.UUID] = field(default_factory=dict)
    engineers: dict[str, uuid.UUID] = field(default_factory=dict)
    agreements: dict[str, uuid.UUID] = field(default_factory=dict)
    sla_policies: dict[str, uuid.UUID] = field(default_factory=dict)
    tickets: dict[str, uuid.UUID] = field(default_factory=dict)


def _missing(session: Session, ctx: TenantContext, model: type[SQLModel], row_id: uuid.UUID) -> bool:
    query = select(model.id).where(model.tenant_id == ctx.tenant_id, model.id == row_id)  # type: ignore[attr-defined]
    return session.exec(query).first() is None


def _ensure(session: Session, ctx: TenantContext, model: type[SQLModel], row_id: uuid.UUID, make: Callable[[], Any]):
    if _missing(session, ctx, model, row_id):
        make()


def build_service(
    session: Session, ctx: TenantContext, id_for: IdFor, catalog: CatalogIds, *, now: datetime | None = None
) -> ServiceIds:
    """The demo field service in ctx's tenant on top of its catalog (`catalog`); idempotent. Ticket
    times are `now` minus a few hours (default: the current time)."""
    moment = now or utcnow()
    o = catalog.orgs
    key, org_type, code, name, profile = PARTNER
    ids = ServiceIds(catalog, id_for("organization", key))
    data = OrgCreate(type=org_type, code=code, name=name, profile=profile)
    _ensure(session, ctx, Organization, ids.partner, lambda: orgs.create_org(session, ctx, data, org_id=ids.partner))

    certs = [
        ("partner:cold-chain", ids.partner, "cold-chain"),
        ("distributor:field-service", o["distributor"], "field-service"),
    ]
    for cert_key, org_id, cert in certs:
        cid = id_for("service_certification", cert_key)
        cdata = CertificationCreate(org_id=org_id, code=cert, valid_from=SINCE)
        _ensure(
            session,
            ctx,
            OrgCertification,
            cid,
            lambda d=cdata, i=cid: policies.create_certification(session, ctx, d, cert_id=i),
        )

    plans = {
        "brand": PolicyInput(
            code="BRAND-SUPPLEMENTS",
            name="Aurora supplements: brand, then distributor, then dealer",
            manufacturer_org_id=o["brand"],
            category="Supplements",
            steps=[
                StepInput(role="manufacturer", certification="field-service"),
                StepInput(role="distributor"),
                StepInput(role="dealer"),
            ],
            default_org_id=ids.partner,
            priority=10,
            effective_from=SINCE,
        ),
        "global": PolicyInput(
            code="GLOBAL-DEALER",
            name="Any product: the selling dealer",
            steps=[StepInput(role="dealer")],
            effective_from=SINCE,
        ),
    }
    for pkey, pdata in plans.items():
        pid = ids.policies[pkey] = id_for("service_policy", pkey)
        _ensure(
            session,
            ctx,
            ServicePolicy,
            pid,
            lambda d=pdata, i=pid: policies.create_policy(session, ctx, d, policy_id=i),
        )

    for ekey, ecode, ename, member, skills, cover, active in ENGINEERS:
        eid = ids.engineers[ekey] = id_for("engineer", ekey)
        org_id = ids.partner if member == "partner" else o[member]
        edata = EngineerCreate(
            code=ecode,
            name=ename,
            home_region=cover[0][0],
            memberships=[MembershipInput(org_id=org_id, effective_from=SINCE)],
            skills=[SkillInput(skill=s, level=lv) for s, lv in skills.items()],
            coverage=[CoverageInput(region=r, primary=p) for r, p in cover],
        )

        def make(d=edata, i=eid, on=active) -> None:
            row = engineers.create_engineer(session, ctx, d, engineer_id=i)
            if not on:
                mutations.update(session, ctx, row, {"is_active": False}, action="engineer.update")

        _ensure(session, ctx, Engineer, eid, make)

    deals = {
        "northstar": (
            AgreementCreate(
                code="AGR-NORTHSTAR",
                name="Northstar services Aurora products",
                provider_org_id=o["distributor"],
                customer_org_id=o["brand"],
                effective_from=SINCE,
            ),
            SlaPolicyCreate(
                agreement_id=id_for("service_agreement", "northstar"),
                code="SLA-NORTHSTAR-STD",
                name="Northstar standard",
                effective_from=SINCE,
                response_hours_expr=RESPONSE_RULE,
                resolution_hours_expr=RESOLUTION_RULE,
            ),
        ),
        "partner": (
            AgreementCreate(
                code="AGR-SWIFT",
                name="Swift Field Services, any customer",
                provider_org_id=ids.partner,
                effective_from=SINCE,
            ),
            SlaPolicyCreate(
                agreement_id=id_for("service_agreement", "partner"),
                code="SLA-SWIFT",
                name="Swift partner terms",
                effective_from=SINCE,
                response_hours_expr=PARTNER_RESPONSE_RULE,
                resolution_hours_expr=PARTNER_RESOLUTION_RULE,
            ),
        ),
    }
    for akey, (adata, sdata) in deals.items():
        aid = ids.agreements[akey] = id_for("service_agreement", akey)
        _ensure(
            session,
            ctx,
            ServiceAgreement,
            aid,
            lambda d=adata, i=aid: agreements.create_agreement(session, ctx, d, agreement_id=i),
        )
        sid = ids.sla_policies[akey] = id_for("sla_policy", akey)
        _ensure(
            session,
            ctx,
            SlaPolicy,
            sid,
            lambda d=sdata, i=sid: agreements.create_sla_policy(session, ctx, d, sla_policy_id=i),
        )

    assign = is_enabled(session, ctx, ENABLE_RESP_ORG_ASSIGNMENT)  # as the tenant's tickets are opened
    for tkey, title, prio, dealer, sku, channel, region, skills, hours_ago in TICKETS:
        tid = ids.tickets[tkey] = id_for("ticket", tkey)
        tdata = TicketCreate(
            title=title,
            priority=prio,
            dealer_org_id=o[dealer],
            sku_id=catalog.skus[sku],
            channel_id=catalog.channels[channel],
            region=region,
            required_skills=skills,
        )
        opened = moment - timedelta(hours=hours_ago)
        _ensure(
            session,
            ctx,
            Ticket,
            tid,
            lambda d=tdata, i=tid, at=opened: tickets.create_ticket(
                session, ctx, d, assign_responsible=assign, ticket_id=i, opened_at=at
            ),
        )
    tickets.mark_breaches(session, ctx, moment)  # the shelf sensor's response is overdue: flagged, event out
    return ids


def seed(session: Session, ctx: TenantContext) -> None:
    """The demo tenant's field service (on the demo catalog, which seeds first)."""
    build_service(session, ctx, demo_id, build_catalog(session, ctx, demo_id))
