"""Engines and the one place that opens tenant-scoped transactions.

Every transaction the application runs starts with `set_config('app.tenant_id', …, true)`, a
transaction-local setting that Postgres RLS policies read. Pooled connections therefore carry no
tenant between transactions, and a transaction that forgot to set one sees nothing (fail closed).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from engine.context import TenantContext
from models.core.settings import get_settings

_SET_CONTEXT = text("select set_config('app.tenant_id', :tenant_id, true), set_config('app.user_id', :user_id, true)")


@lru_cache(maxsize=1)
def app_engine() -> Engine:
    """Connects as `pharos_app`: owns nothing, no BYPASSRLS."""
    return create_engine(
        get_settings().sqlalchemy_app_url, pool_size=10, max_overflow=10, pool_pre_ping=True, future=True
    )


@lru_cache(maxsize=1)
def owner_engine() -> Engine:
    """Connects as the owner: migrations, seeding and CLI maintenance only."""
    return create_engine(get_settings().sqlalchemy_owner_url, pool_size=2, max_overflow=2, future=True)


def dispose_engines() -> None:
    for factory in (app_engine, owner_engine):
        if factory.cache_info().currsize:
            factory().dispose()
        factory.cache_clear()


def _bind_context(session: Session, tenant_id: uuid.UUID | None, user_id: uuid.UUID | None) -> None:
    session.execute(
        _SET_CONTEXT,
        {"tenant_id": str(tenant_id) if tenant_id else "", "user_id": str(user_id) if user_id else ""},
    )


@contextmanager
def tenant_session(ctx: TenantContext) -> Iterator[Session]:
    """A unit of work for one tenant: commits on success, rolls back on any exception."""
    with Session(app_engine(), expire_on_commit=False) as session:
        with session.begin():
            _bind_context(session, ctx.tenant_id, ctx.user_id)
            yield session


@contextmanager
def identity_session(user_id: uuid.UUID | None = None) -> Iterator[Session]:
    """A transaction with no tenant, for login: sees only the user's own memberships."""
    with Session(app_engine(), expire_on_commit=False) as session:
        with session.begin():
            _bind_context(session, None, user_id)
            yield session


@contextmanager
def owner_session() -> Iterator[Session]:
    """Owner connection for CLI maintenance (seed, tenant create, audit verify)."""
    with Session(owner_engine(), expire_on_commit=False) as session:
        with session.begin():
            yield session


@contextmanager
def owner_tenant_session(ctx: TenantContext) -> Iterator[Session]:
    """Owner connection that still sets the tenant, so the shared action helpers work unchanged."""
    with Session(owner_engine(), expire_on_commit=False) as session:
        with session.begin():
            _bind_context(session, ctx.tenant_id, ctx.user_id)
            yield session
