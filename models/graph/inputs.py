"""Validated inputs of the operator console's writes (REST API and pages). Unknown keys refused."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from engine.graph.interventions import TYPES
from engine.graph.machines import INTERVENTION_MACHINE, RECOMMENDATION_MACHINE
from engine.graph.segments import SEGMENT_KEYS
from engine.graph.vocab import LIFECYCLE_STAGES, PARTICIPANT_ROLES
from engine.inputs import StrictInt
from engine.text import TextInput

if TYPE_CHECKING:  # the checker sees text; pydantic validates against the engine's own values
    SegmentKey = ParticipantRole = RecommendationStatus = InterventionStatus = InterventionType = str
    RecommendationAction = InterventionAction = Stage = str
else:
    SegmentKey = Literal[SEGMENT_KEYS]
    ParticipantRole = Literal[PARTICIPANT_ROLES]
    RecommendationStatus = Literal[RECOMMENDATION_MACHINE.statuses]
    InterventionStatus = Literal[INTERVENTION_MACHINE.statuses]
    InterventionType = Literal[tuple(TYPES)]
    RecommendationAction = Literal[tuple(t.action for t in RECOMMENDATION_MACHINE.transitions if not t.system_only)]
    InterventionAction = Literal[tuple(t.action for t in INTERVENTION_MACHINE.transitions if not t.system_only)]
    Stage = Literal[LIFECYCLE_STAGES]

REASON_MAX = 1000
TTL_MIN, TTL_MAX = 60, 365 * 24 * 3600


class _Input(TextInput):
    """Unknown keys refused, text stripped, control characters refused: engine.text."""


class RecommendationDecision(_Input):
    action: RecommendationAction
    reason: str | None = Field(None, min_length=1, max_length=REASON_MAX)
    expected_status: RecommendationStatus | None = None


class InterventionDecision(_Input):
    action: InterventionAction
    reason: str = Field(min_length=1, max_length=REASON_MAX)
    expected_status: InterventionStatus | None = None
    ttl_seconds: StrictInt | None = Field(None, ge=TTL_MIN, le=TTL_MAX, description="apply only: reversed after this")


class InterventionParams(_Input):
    stage: Stage | None = None


class InterventionCreate(_Input):
    type: InterventionType
    target_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)
    params: InterventionParams = Field(default_factory=InterventionParams)
    reason: str = Field(min_length=1, max_length=REASON_MAX)
    ttl_seconds: StrictInt | None = Field(None, ge=TTL_MIN, le=TTL_MAX)

    def plan_params(self) -> dict[str, Any]:
        return self.params.model_dump(exclude_none=True)
