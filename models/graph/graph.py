"""(session, ctx) repositories: the graph's rows as the engine's shapes, row lookups and locks.

Reads go through plain SQL over the few columns the engine needs (10,000 participants and 50,000
relationships load in well under the graph API's budget, docs/benchmarks.md); the tenant filter is
in every statement and RLS filters again.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import polars as pl
from psycopg import sql
from sqlalchemy import text
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.graph.model import Link, Person
from models.core.repo import get_in_tenant
from models.graph.tables import GraphIntervention, GraphParticipant, GraphRecommendation, GraphRelationship

_PEOPLE_RAW = (
    "select id::text, display_name, email, role, origin, lifecycle_stage, last_activity_at, created_at "
    "from graph_participants where tenant_id = %(t)s"
)
_LINKS = (
    "select id::text, from_participant_id::text, to_participant_id::text, type, source, confidence_score, "
    "created_at from graph_relationships where tenant_id = :t"
)


# Id order by the uuid column, not by the selected `id::text` (a bare "order by id" names that text
# column: a sort of every row's text, spilled to disk at 50,000 relationships). The order is the
# same — a uuid's text is its bytes in hex — and (tenant_id, id) is a unique index: no sort at all.
_BY_PARTICIPANT_ID = " order by graph_participants.tenant_id, graph_participants.id"
_BY_RELATIONSHIP_ID = " order by graph_relationships.tenant_id, graph_relationships.id"

# The relationships as the graph view needs them: one Polars frame, every column text, in id order.
EDGE_COLUMNS = ("id", "from", "to", "type", "source", "confidence")
EDGE_SCHEMA: dict[str, Any] = dict.fromkeys(EDGE_COLUMNS, pl.String())
_EDGES = (
    "select id, from_participant_id, to_participant_id, type, source, confidence_score "
    "from graph_relationships where tenant_id = {t}"
)


def _fetch(session: Session, sql: str, args: dict[str, Any]) -> list[tuple]:
    """Rows straight from the driver, in the session's transaction (so under its tenant and RLS):
    for the whole-graph reads, where building a result object per row would cost most of the time."""
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, args)
        return cursor.fetchall()
    finally:
        cursor.close()


def load_people(
    session: Session, ctx: TenantContext, *, ids: Iterable[str] | None = None, created_by: datetime | None = None
) -> list[Person]:
    sql, args = _PEOPLE_RAW, {"t": ctx.tenant_id}
    if ids is not None:
        sql, args = sql + " and id = any(%(ids)s::uuid[])", {**args, "ids": list(ids)}
    if created_by is not None:
        sql, args = sql + " and created_at <= %(at)s", {**args, "at": created_by}
    return [Person(*row) for row in _fetch(session, sql + _BY_PARTICIPANT_ID, args)]


def load_edge_frame(session: Session, ctx: TenantContext, *, created_by: datetime | None = None) -> pl.DataFrame:
    """Every relationship (created by `created_by`, when given) in id order, as text (EDGE_SCHEMA):
    COPY … TO STDOUT straight into Polars in the session's own transaction (its tenant, so RLS
    applies), as detection reads sale rows (models/margin/detection_load.py). At 50,000
    relationships this is the whole-graph read's largest part: no Python object per value here, and
    the API writes the edges' JSON and counts degrees in Polars too (docs/benchmarks.md)."""
    query = sql.SQL(_EDGES).format(t=sql.Literal(str(ctx.tenant_id)))
    if created_by is not None:
        query = sql.SQL("{q} and created_at <= {at}").format(q=query, at=sql.Literal(created_by))
    query = sql.SQL("{q}{order}").format(q=query, order=sql.SQL(_BY_RELATIONSHIP_ID))
    raw: Any = session.connection().connection.driver_connection
    buffer = io.BytesIO()
    with raw.cursor() as cursor, cursor.copy(sql.SQL("copy ({}) to stdout (format csv)").format(query)) as copy:
        for block in copy:
            buffer.write(block)
    if buffer.tell() == 0:
        return pl.DataFrame(schema=EDGE_SCHEMA)
    return pl.read_csv(buffer.getvalue(), has_header=False, new_columns=list(EDGE_COLUMNS), schema=EDGE_SCHEMA)


def load_links(session: Session, ctx: TenantContext, *, touching: Iterable[str] | None = None) -> list[Link]:
    """Every relationship, or those with an end in `touching`."""
    sql, args = _LINKS, {"t": ctx.tenant_id}
    if touching is not None:
        sql += " and (from_participant_id = any(cast(:ids as uuid[])) or to_participant_id = any(cast(:ids as uuid[])))"
        args = {**args, "ids": list(touching)}
    return [Link(*row) for row in session.execute(text(sql + _BY_RELATIONSHIP_ID), args).all()]


def load_links_by_id(session: Session, ctx: TenantContext, ids: Iterable[str]) -> list[Link]:
    rows = session.execute(
        text(_LINKS + " and id = any(cast(:ids as uuid[]))" + _BY_RELATIONSHIP_ID),
        {"t": ctx.tenant_id, "ids": list(ids)},
    ).all()
    return [Link(*row) for row in rows]


def get_participant(session: Session, ctx: TenantContext, participant_id: Any) -> GraphParticipant:
    return get_in_tenant(session, ctx, GraphParticipant, participant_id, "participant")


def get_recommendation(session: Session, ctx: TenantContext, recommendation_id: Any) -> GraphRecommendation:
    return get_in_tenant(session, ctx, GraphRecommendation, recommendation_id, "recommendation")


def get_intervention(session: Session, ctx: TenantContext, intervention_id: Any) -> GraphIntervention:
    return get_in_tenant(session, ctx, GraphIntervention, intervention_id, "intervention")


def lock_participants(session: Session, ctx: TenantContext, ids: Sequence[str]) -> dict[str, GraphParticipant]:
    """The participants with these ids, row-locked in id order (docs/jobs.md, "Lock order")."""
    keys = sorted({uuid.UUID(i) for i in ids}, key=str)
    rows = session.exec(
        select(GraphParticipant)
        .where(GraphParticipant.tenant_id == ctx.tenant_id, col(GraphParticipant.id).in_(keys))
        .order_by(col(GraphParticipant.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {str(r.id): r for r in rows}


def lock_relationships(session: Session, ctx: TenantContext, ids: Sequence[str]) -> dict[str, GraphRelationship]:
    keys = sorted({uuid.UUID(i) for i in ids}, key=str)
    if not keys:
        return {}
    rows = session.exec(
        select(GraphRelationship)
        .where(GraphRelationship.tenant_id == ctx.tenant_id, col(GraphRelationship.id).in_(keys))
        .order_by(col(GraphRelationship.id))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {str(r.id): r for r in rows}


def incident_ids(session: Session, ctx: TenantContext, participant_ids: Sequence[str]) -> list[str]:
    if not participant_ids:
        return []
    rows = session.execute(
        text(
            "select id::text from graph_relationships where tenant_id = :t and "
            "(from_participant_id = any(cast(:ids as uuid[])) or to_participant_id = any(cast(:ids as uuid[]))) "
            "order by id"
        ),
        {"t": ctx.tenant_id, "ids": list(participant_ids)},
    ).all()
    return [r[0] for r in rows]


def person_of(row: GraphParticipant) -> Person:
    return Person(
        str(row.id),
        row.display_name,
        row.email,
        row.role,
        row.origin,
        row.lifecycle_stage,
        row.last_activity_at,
        row.created_at,
    )


def link_of(row: GraphRelationship) -> Link:
    return Link(
        str(row.id),
        str(row.from_participant_id),
        str(row.to_participant_id),
        row.type,
        row.source,
        row.confidence_score,
        row.created_at,
    )


def names(session: Session, ctx: TenantContext, ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        text(
            "select id::text, display_name from graph_participants "
            "where tenant_id = :t and id = any(cast(:ids as uuid[]))"
        ),
        {"t": ctx.tenant_id, "ids": wanted},
    ).all()
    return {r[0]: r[1] for r in rows}
