"""Decisions only (vendor-case-os-prd.md §8.2), from the core route factory:
`POST /api/cases/{id}/update` (approve, reject, withdraw, cancel) and
`POST /api/evidence/{id}/update` (verify, reject, replace, remove),
`POST /api/payments/{id}/update` (approve, reject, withdraw, cancel) and
`POST /api/match-packs/{id}/update` (confirm_match, mark_mismatch, request_evidence, cancel), each
`{"action", "note"}`:
RBAC → transition → event → status → audit in one transaction."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.core.decisions import decision_router
from models.cases.actions import CASES, EVIDENCE
from models.cases.ledger_actions import MATCH_PACKS, PAYMENTS

router = APIRouter()
router.include_router(decision_router(CASES))
router.include_router(decision_router(EVIDENCE))
router.include_router(decision_router(PAYMENTS))
router.include_router(decision_router(MATCH_PACKS))
