"""Decisions only (vendor-case-os-prd.md §8.2), from the core route factory:
`POST /api/cases/{id}/update` (approve, reject, withdraw, cancel) and
`POST /api/evidence/{id}/update` (verify, reject, replace, remove), each `{"action", "note"}`:
RBAC → transition → event → status → audit in one transaction."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.core.decisions import decision_router
from models.cases.actions import CASES, EVIDENCE

router = APIRouter()
router.include_router(decision_router(CASES))
router.include_router(decision_router(EVIDENCE))
