"""Saleor's rule for denials: assert the side effect did not happen, not only the 403.

    with unchanged(lambda: trail(ctx, alert_id), lambda: viewer.get(url).json()):
        api_error(viewer.patch(url, json=...), 403, "forbidden")

`trail` counts every row a mutation of the entity leaves behind (audit, decision event, outbox), so
"no status change, no decision, no audit row" is one comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import text


def trail(ctx, entity_id) -> dict[str, int]:
    """Audit rows, decision events and outbox events about `entity_id`, as the tenant sees them."""
    from models.core.db import tenant_session

    key = str(entity_id)
    with tenant_session(ctx) as s:
        return {
            table: s.execute(text(f"select count(*) from {table} where entity_id::text = :e"), {"e": key}).scalar()
            for table in ("audit_events", "decision_events", "outbox_events")
        }


def rows(ctx, table: str, where: str = "true", **params) -> int:
    """How many rows of `table` match `where`, as the tenant sees them."""
    from models.core.db import tenant_session

    with tenant_session(ctx) as s:
        return s.execute(text(f"select count(*) from {table} where {where}"), params).scalar()


@contextmanager
def unchanged(*probes: Callable[[], object]) -> Iterator[None]:
    """Every probe reads the same before and after the block."""
    before = [probe() for probe in probes]
    yield
    after = [probe() for probe in probes]
    assert after == before, f"side effect of a refused call: {before} -> {after}"
