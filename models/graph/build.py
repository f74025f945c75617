"""Adding participants and relationships in bulk (the demo seed, tests and benchmarks): one insert
per table and one audit event per row, in the caller's transaction. Values are checked by the
tables' constraints (vocabularies, no relationship to oneself, both ends in this tenant)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session

from engine.context import TenantContext
from models.core import audit
from models.core.base import utcnow
from models.core.bulk import insert_rows, table_of
from models.graph.tables import GraphParticipant, GraphRelationship

CHUNK = 5000


@dataclass(frozen=True)
class NewParticipant:
    display_name: str
    email: str | None = None
    role: str = "member"
    origin: str = "manual"
    lifecycle_stage: str = "active"
    last_activity_at: datetime | None = None
    created_at: datetime | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass(frozen=True)
class NewRelationship:
    from_id: uuid.UUID
    to_id: uuid.UUID
    type: str = "collaborates"
    source: str = "manual"
    confidence: Decimal = Decimal(1)
    created_at: datetime | None = None
    id: uuid.UUID = field(default_factory=uuid.uuid4)


def _insert(session: Session, ctx: TenantContext, model: type, rows: list[dict]) -> None:
    name = model.__tablename__
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        insert_rows(session, table_of(model), part)
        audit.record_many(
            session,
            ctx,
            [
                {
                    "action": f"{name}.create",
                    "entity": name,
                    "entity_id": r["id"],
                    "after": {k: v for k, v in r.items() if k != "tenant_id"},
                }
                for r in part
            ],
        )


def add_participants(session: Session, ctx: TenantContext, people: Sequence[NewParticipant]) -> list[uuid.UUID]:
    now = utcnow()
    rows = [
        {
            "id": p.id,
            "tenant_id": ctx.tenant_id,
            "email": p.email,
            "display_name": p.display_name,
            "role": p.role,
            "origin": p.origin,
            "lifecycle_stage": p.lifecycle_stage,
            "last_activity_at": p.last_activity_at,
            "created_at": p.created_at or now,
        }
        for p in people
    ]
    _insert(session, ctx, GraphParticipant, rows)
    return [p.id for p in people]


def add_relationships(session: Session, ctx: TenantContext, links: Sequence[NewRelationship]) -> list[uuid.UUID]:
    now = utcnow()
    rows = [
        {
            "id": r.id,
            "tenant_id": ctx.tenant_id,
            "from_participant_id": r.from_id,
            "to_participant_id": r.to_id,
            "type": r.type,
            "source": r.source,
            "confidence_score": r.confidence,
            "created_at": r.created_at or now,
        }
        for r in links
    ]
    _insert(session, ctx, GraphRelationship, rows)
    return [r.id for r in links]
