"""`POST /api/webhook-endpoints/{id}/update {"action": "disable" | "enable", "reason"?}`: the core
decision route for webhook endpoints (ENDPOINT_MACHINE; `gone` is the dispatcher's, on a 410)."""

from __future__ import annotations

from app.api.core.decisions import decision_router
from models.delivery.actions import ENDPOINTS

router = decision_router(ENDPOINTS)
