"""Response models of the operator console's routes (operator-graph spec §5)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel


class NodeOut(BaseModel):
    id: str
    display_name: str
    email: str | None
    role: str
    origin: str
    lifecycle_stage: str
    last_activity_at: datetime | None
    created_at: datetime
    degree: int
    segments: list[str]
    x: float | None = None
    y: float | None = None


class EdgeOut(BaseModel):
    id: str
    from_participant_id: str
    to_participant_id: str
    type: str
    source: str
    confidence_score: Decimal


class GraphOut(BaseModel):
    org_id: str
    at: datetime
    as_of: bool
    total_participants: int
    matching: int
    offset: int
    hub_min_degree: int
    segment_counts: dict[str, int]
    nodes: list[NodeOut]
    edges: list[EdgeOut]


class SegmentOut(BaseModel):
    key: str
    label: str
    definition: str
    count: int


class SegmentsOut(BaseModel):
    org_id: str
    at: datetime
    participants: int
    hub_min_degree: int
    segments: list[SegmentOut]


class ClusterOut(BaseModel):
    key: str  # a segment key (opening it: /graph?segment=key), or "other" (in no segment)
    participants: int
    inside: int  # relationships with both ends in the cluster


class ClusterLinkOut(BaseModel):
    a: str
    b: str
    relationships: int


class ClustersOut(BaseModel):
    org_id: str
    at: datetime
    total_participants: int
    matching: int
    clusters: list[ClusterOut]
    links: list[ClusterLinkOut]


class ActionOut(BaseModel):
    action: str
    label: str
    reason_required: bool


class RecommendationOut(BaseModel):
    id: str
    pattern: str
    pattern_label: str
    target_type: str
    target_id: str
    target_label: str
    suggested_action: str
    action_label: str
    params: dict[str, Any]
    reason: str
    confidence: Decimal
    status: str
    intervention_id: str | None
    created_at: datetime
    actions: list[ActionOut]


class RecommendationPage(BaseModel):
    items: list[RecommendationOut]
    next_cursor: str | None


class InterventionOut(BaseModel):
    id: str
    type: str
    type_label: str
    scope: str
    target_ids: list[str]
    target_labels: list[str]
    params: dict[str, Any]
    reason: str
    status: str
    previous_state: dict[str, Any] | None
    new_state: dict[str, Any]
    recommendation_id: str | None
    operator_user_id: str | None
    operator_role: str
    ttl_seconds: int | None
    created_at: datetime
    applied_at: datetime | None
    expires_at: datetime | None
    reversed_at: datetime | None
    reversed_by_user_id: str | None
    reversal_reason: str | None
    actions: list[ActionOut]


class InterventionPage(BaseModel):
    items: list[InterventionOut]
    next_cursor: str | None


class ChangeOut(BaseModel):
    kind: str
    id: str
    label: str
    field: str
    before: str
    after: str


class BlastRadiusOut(BaseModel):
    participants_changed: list[str]
    relationships_changed: list[str]
    participants_touched: list[str]
    relationships_touched: list[str]
    changes: list[ChangeOut]
    labels: dict[str, str]


class InterventionDetailOut(BaseModel):
    intervention: InterventionOut
    blast_radius: BlastRadiusOut


class RecommendationDecisionOut(BaseModel):
    recommendation: RecommendationOut
    intervention: InterventionDetailOut | None


class RelationshipOut(BaseModel):
    id: str
    other_participant_id: str
    other_display_name: str
    direction: str
    type: str
    source: str
    confidence_score: Decimal
    created_at: datetime


class ParticipantDetailOut(BaseModel):
    participant: NodeOut
    hub_min_degree: int
    relationships: list[RelationshipOut]
    recommendations: list[RecommendationOut]
    interventions: list[InterventionOut]


class JobOut(BaseModel):
    job_id: str
