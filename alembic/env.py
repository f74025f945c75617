"""Alembic runs as the database owner (DATABASE_URL); the app role only gets grants."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from models.core.settings import get_settings
from models.tables import metadata

config = context.config


def run_migrations_online() -> None:
    url = config.attributes.get("owner_url") or get_settings().sqlalchemy_owner_url
    connectable = create_engine(url, poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
