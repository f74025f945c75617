"""Operator console tables (operator-graph spec §1): participants, relationships, interventions,
recommendations. The spec's `events` are the tenant's audit chain (every change, and a record of
every graph, participant and recommendation view).

Every table carries tenant_id (forced RLS, migration 0019) and a (tenant_id, id) unique key; every
reference is a composite foreign key including tenant_id. Names are neutral and there is no
hierarchy field (engine/graph/vocab.py). Statuses change only through the decision path.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Integer, Numeric, text
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

from engine.graph.interventions import TYPES
from engine.graph.machines import INTERVENTION_MACHINE, RECOMMENDATION_MACHINE
from engine.graph.patterns import PATTERNS
from engine.graph.vocab import (
    LIFECYCLE_STAGES,
    ORIGINS,
    PARTICIPANT_ROLES,
    RELATIONSHIP_SOURCES,
    RELATIONSHIP_TYPES,
    SCOPES,
    TARGET_TYPES,
)
from models.core.base import id_field, json_field, ref_field, sql_in, tenant_field, tenant_fk, tenant_key, ts_field

CONFIDENCE = Numeric(5, 4)


class GraphParticipant(SQLModel, table=True):
    __tablename__: ClassVar[str] = "graph_participants"
    __table_args__ = (
        tenant_key("graph_participants"),
        CheckConstraint(sql_in("role", PARTICIPANT_ROLES), name="ck_graph_participants_role"),
        CheckConstraint(sql_in("origin", ORIGINS), name="ck_graph_participants_origin"),
        CheckConstraint(sql_in("lifecycle_stage", LIFECYCLE_STAGES), name="ck_graph_participants_stage"),
        Index("ix_graph_participants_activity", "tenant_id", "last_activity_at"),
        Index("ix_graph_participants_role", "tenant_id", "role"),
        Index("ix_graph_participants_email", "tenant_id", text("lower(email)")),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    email: str | None = Field(default=None, max_length=320)
    display_name: str = Field(max_length=200)
    role: str = Field(default="member", max_length=20)
    origin: str = Field(default="manual", max_length=20)
    lifecycle_stage: str = Field(default="new", max_length=20)
    last_activity_at: datetime | None = ts_field(nullable=True, default_now=False)
    created_at: datetime = ts_field()


class GraphRelationship(SQLModel, table=True):
    __tablename__: ClassVar[str] = "graph_relationships"
    __table_args__ = (
        tenant_key("graph_relationships"),
        tenant_fk(["from_participant_id"], "graph_participants"),
        tenant_fk(["to_participant_id"], "graph_participants"),
        CheckConstraint("from_participant_id <> to_participant_id", name="ck_graph_relationships_ends"),
        CheckConstraint(sql_in("type", RELATIONSHIP_TYPES), name="ck_graph_relationships_type"),
        CheckConstraint(sql_in("source", RELATIONSHIP_SOURCES), name="ck_graph_relationships_source"),
        CheckConstraint("confidence_score between 0 and 1", name="ck_graph_relationships_confidence"),
        Index("ix_graph_relationships_from", "tenant_id", "from_participant_id"),
        Index("ix_graph_relationships_to", "tenant_id", "to_participant_id"),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    from_participant_id: uuid.UUID = ref_field("from_participant_id")
    to_participant_id: uuid.UUID = ref_field("to_participant_id")
    type: str = Field(default="collaborates", max_length=20)
    source: str = Field(default="manual", max_length=20)
    confidence_score: Decimal = Field(default=Decimal(1), sa_column=Column(CONFIDENCE, nullable=False))
    created_at: datetime = ts_field()


class GraphIntervention(SQLModel, table=True):
    """An operator's change to the graph: proposed (its plan and blast radius can be read), then
    applied (previous_state kept) or discarded; an applied one is reversed by an operator or, past
    `expires_at`, by the system."""

    __tablename__: ClassVar[str] = "graph_interventions"
    __table_args__ = (
        tenant_key("graph_interventions"),
        tenant_fk(["recommendation_id"], "graph_recommendations"),
        CheckConstraint(sql_in("status", INTERVENTION_MACHINE.statuses), name="ck_graph_interventions_status"),
        CheckConstraint(sql_in("type", TYPES), name="ck_graph_interventions_type"),
        CheckConstraint(sql_in("scope", SCOPES), name="ck_graph_interventions_scope"),
        CheckConstraint("ttl_seconds is null or ttl_seconds > 0", name="ck_graph_interventions_ttl"),
        Index("ix_graph_interventions_created", "tenant_id", "created_at"),
        Index("ix_graph_interventions_operator", "tenant_id", "operator_user_id", "created_at"),
        Index("ix_graph_interventions_expiry", "tenant_id", "expires_at", postgresql_where=text("status = 'applied'")),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    operator_user_id: uuid.UUID | None = Field(default=None, sa_column=Column(UUID(as_uuid=True), nullable=True))
    operator_role: str = Field(max_length=20)
    type: str = Field(max_length=30)
    scope: str = Field(max_length=20)
    target_ids: list[str] = json_field([])
    params: dict[str, Any] = json_field({})
    reason: str = Field(max_length=1000)
    status: str = Field(default="proposed", max_length=20)
    previous_state: dict[str, Any] | None = json_field()
    new_state: dict[str, Any] = json_field({})
    recommendation_id: uuid.UUID | None = ref_field("recommendation_id", nullable=True)
    ttl_seconds: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    created_at: datetime = ts_field()
    applied_at: datetime | None = ts_field(nullable=True, default_now=False)
    expires_at: datetime | None = ts_field(nullable=True, default_now=False)
    reversed_at: datetime | None = ts_field(nullable=True, default_now=False)
    reversed_by_user_id: uuid.UUID | None = Field(default=None, sa_column=Column(UUID(as_uuid=True), nullable=True))
    reversal_reason: str | None = Field(default=None, max_length=1000)


class GraphRecommendation(SQLModel, table=True):
    """A pattern the generator found (engine/graph/patterns.py), at most one open per target."""

    __tablename__: ClassVar[str] = "graph_recommendations"
    __table_args__ = (
        tenant_key("graph_recommendations"),
        CheckConstraint(sql_in("status", RECOMMENDATION_MACHINE.statuses), name="ck_graph_recommendations_status"),
        CheckConstraint(sql_in("pattern", PATTERNS), name="ck_graph_recommendations_pattern"),
        CheckConstraint(sql_in("target_type", TARGET_TYPES), name="ck_graph_recommendations_target_type"),
        CheckConstraint(sql_in("suggested_action", TYPES), name="ck_graph_recommendations_action"),
        CheckConstraint("confidence between 0 and 1", name="ck_graph_recommendations_confidence"),
        Index("ix_graph_recommendations_status", "tenant_id", "status", "created_at"),
        Index("ix_graph_recommendations_target", "tenant_id", "target_type", "target_id"),
        Index(
            "uq_graph_recommendations_open",
            "tenant_id",
            "pattern",
            "target_type",
            "target_id",
            unique=True,
            postgresql_where=text("status = 'open'"),
        ),
    )
    id: uuid.UUID = id_field()
    tenant_id: uuid.UUID = tenant_field()
    pattern: str = Field(max_length=40)
    target_type: str = Field(max_length=20)
    target_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), nullable=False))
    suggested_action: str = Field(max_length=30)
    params: dict[str, Any] = json_field({})
    reason: str = Field(max_length=2000)
    confidence: Decimal = Field(sa_column=Column(CONFIDENCE, nullable=False))
    status: str = Field(default="open", max_length=20)
    intervention_id: uuid.UUID | None = Field(default=None, sa_column=Column(UUID(as_uuid=True), nullable=True))
    created_at: datetime = ts_field()
    updated_at: datetime = ts_field()


class GraphVersion(SQLModel, table=True):
    """How many statements have changed the tenant's participants or relationships: a statement
    trigger on both tables counts them (migration 0024). The whole-graph read keeps what it loaded
    per process under this number (models/graph/current.py); never written by the app itself. No
    foreign key to tenants: the trigger also fires while a deleted tenant's rows go with it."""

    __tablename__: ClassVar[str] = "graph_versions"
    tenant_id: uuid.UUID = Field(sa_column=Column(UUID(as_uuid=True), primary_key=True))
    version: int = Field(sa_column=Column(BigInteger, nullable=False))
