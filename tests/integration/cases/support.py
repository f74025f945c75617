"""Probes for the cases tests: what a case's or evidence's refused call must leave unchanged."""

from __future__ import annotations

from sqlalchemy import text


def case_trail(world, entity_id) -> dict[str, object]:
    """Status, events, audit and outbox rows about one case or evidence row, read as the owner."""
    from models.core.db import owner_tenant_session

    key = str(entity_id)
    with owner_tenant_session(world.tenant.ctx()) as s:
        counts = {
            table: s.execute(
                text(f"select count(*) from {table} where tenant_id = :t and entity_id::text = :e"),
                {"t": world.tenant.tenant_id, "e": key},
            ).scalar()
            for table in ("case_events", "evidence_events", "audit_events", "outbox_events", "decision_events")
        }
        status = s.execute(
            text(
                "select status from cases where id::text = :e union all select status from evidence where id::text = :e"
            ),
            {"e": key},
        ).scalar()
        messages = s.execute(text("select count(*) from case_messages where case_id::text = :e"), {"e": key}).scalar()
    return {**counts, "status": status, "messages": messages}
