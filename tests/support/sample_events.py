"""A test-only per-entity decision event table (docs/adr/0001-decision-event-tables.md) for the
sample machine on job rows: the core column shape, a foreign key to the entity, the action CHECK
generated from the machine, append-only RLS. Created by the `sample_events` fixture as the owner."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from sqlalchemy import CheckConstraint, Column, ForeignKeyConstraint, MetaData, String, Table, text
from sqlalchemy.dialects.postgresql import TIMESTAMP, UUID

from models.core.base import sql_in
from models.core.db import owner_engine
from models.core.decisions import register_event_table
from models.core.rls import tenant_isolation
from models.core.settings import APP_ROLE
from tests.support.sample_machine import SAMPLE

NAME = "sample_decision_events"
metadata = MetaData()
Table("jobs", metadata, Column("tenant_id", UUID(as_uuid=True)), Column("id", UUID(as_uuid=True)))
EVENTS = register_event_table(
    Table(
        NAME,
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column("tenant_id", UUID(as_uuid=True), nullable=False),
        Column("machine", String(60), nullable=False),
        Column("entity_id", UUID(as_uuid=True), nullable=False),
        Column("action", String(60), nullable=False),
        Column("from_status", String(40), nullable=False),
        Column("to_status", String(40), nullable=False),
        Column("reason", String(4000)),
        Column("actor", String(64), nullable=False),
        Column("actor_role", String(20), nullable=False),
        Column("at", TIMESTAMP(timezone=True), nullable=False),
        ForeignKeyConstraint(["tenant_id", "entity_id"], ["jobs.tenant_id", "jobs.id"], ondelete="CASCADE"),
        CheckConstraint(sql_in("action", SAMPLE.actions), name=f"ck_{NAME}_action"),
        CheckConstraint(sql_in("to_status", SAMPLE.statuses), name=f"ck_{NAME}_to_status"),
        comment="pharos:test-only: a per-entity decision event table (tests/support/sample_events.py)",
    )
)
SAMPLE_WITH_OWN_EVENTS = dataclasses.replace(SAMPLE, events=NAME)


@pytest.fixture(scope="session")
def sample_events(services) -> Iterator[Table]:
    with owner_engine().begin() as conn:
        if not conn.execute(text("select to_regclass(:t) is not null"), {"t": NAME}).scalar():
            EVENTS.create(conn)
            for statement in tenant_isolation(NAME, append_only=True):
                conn.execute(text(statement))
            conn.execute(text(f"REVOKE UPDATE, DELETE ON {NAME} FROM {APP_ROLE}"))
    yield EVENTS
