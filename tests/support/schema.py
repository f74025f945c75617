"""What the live database says about itself (pg_catalog), so lints never rely on hand-kept lists."""

from __future__ import annotations

from sqlalchemy import text


def tenant_tables() -> list[str]:
    """Every table (plain or partitioned) in `public` with a `tenant_id` column, sorted by name."""
    from models.core.db import owner_engine

    with owner_engine().connect() as conn:
        return [
            r[0]
            for r in conn.execute(
                text(
                    "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                    "join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped "
                    "where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1"
                )
            ).all()
        ]
