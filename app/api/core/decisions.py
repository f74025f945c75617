"""One decision-route factory, so every module exposes decisions the same way.

`decision_router(target)` gives `POST /api/<entity>/{id}/update` with body `{action, reason,
expected_status?}`: decisions only (vendor-case-os-prd.md §8.1-8.2), never field edits. The route
checks nothing itself: the core action (models.core.decision_actions.take_decision) owns the
transaction and every check, and the error contract maps its refusals (403, 404, 409, 422).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict

from fastapi import APIRouter, Depends, Request
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from app.api.deps import require
from engine.context import TenantContext
from models.core.decision_actions import DecisionTarget, take_decision

REASON_MAX = 1000


class DecisionBody(BaseModel):
    """`note` is the spec's name for the reason (vendor-case-os-prd.md §7.1); either key is taken.
    The action is matched case-insensitively (the spec writes APPROVE, the machines approve)."""

    model_config = ConfigDict(extra="forbid")
    action: str = Field(min_length=1, max_length=60)
    reason: str | None = Field(None, max_length=REASON_MAX, validation_alias=AliasChoices("reason", "note"))
    expected_status: str | None = Field(None, min_length=1, max_length=40)

    @field_validator("action")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


class ActionOut(BaseModel):
    action: str
    label: str
    reason_required: bool


class DecisionOut(BaseModel):
    id: str
    entity: str
    from_status: str
    status: str
    actions: list[ActionOut]
    details: dict[str, str] = Field(
        default_factory=dict, description="what the decision hands back once (an invitation's new accept link)"
    )


def decision_router(target: DecisionTarget, *, context: Callable[[Request], TenantContext] | None = None) -> APIRouter:
    """The decision route of one entity. `context`: the dependency that yields the caller's
    context (default: signed in, holding the entity's read permission; catalog adds its flag)."""
    router = APIRouter(prefix="/api", tags=[target.entity])
    who = context or require(target.read_permission)

    @router.post(f"/{target.entity}/{{entity_id}}/update", response_model=DecisionOut, name=f"decide_{target.entity}")
    def update(entity_id: uuid.UUID, body: DecisionBody, ctx: TenantContext = Depends(who)) -> DecisionOut:
        outcome = take_decision(ctx, target, entity_id, body.action, body.reason, body.expected_status)
        return DecisionOut.model_validate(asdict(outcome))

    return router
