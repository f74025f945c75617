"""Alembic runs as the database owner (DATABASE_URL); the app role only gets grants."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from models.core.settings import get_settings
from models.tables import metadata

config = context.config

# Tables a test session creates for itself (e.g. tests/support/sample_job.py) carry this comment;
# they are not the product's schema, so `alembic check` must not ask to drop them.
TEST_ONLY_COMMENT = "pharos:test-only"


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001 - alembic's hook
    comment = getattr(obj, "comment", None) or ""
    return not (type_ == "table" and reflected and compare_to is None and comment.startswith(TEST_ONLY_COMMENT))


def run_migrations_online() -> None:
    url = config.attributes.get("owner_url") or get_settings().sqlalchemy_owner_url
    connectable = create_engine(url, poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(
            connection=connection, target_metadata=metadata, compare_type=True, include_object=include_object
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
