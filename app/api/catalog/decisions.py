"""Catalog's decision route from the core factory: `POST /api/orgs/{id}/update` (the spec-named
`POST /api/orgs/{id}/status` stays), behind the organizations flag like every org route."""

from __future__ import annotations

from app.api.catalog.routes import READ as CATALOG_READ
from app.api.core.decisions import decision_router
from app.api.core.settings import feature
from engine.catalog.machines import ORG_STATUS
from models.catalog import orgs
from models.core.decision_actions import DecisionTarget
from models.core.flags import ENABLE_ORG

ORGS = DecisionTarget(
    "orgs",
    ORG_STATUS,
    CATALOG_READ,
    load=orgs.get_org,
    apply=lambda s, ctx, row, action, reason: orgs.change_org_status(s, ctx, row.id, action, reason),
)

router = decision_router(ORGS, context=feature(ENABLE_ORG, CATALOG_READ))
