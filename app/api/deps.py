"""Who is calling: the session from `Authorization: Bearer` or the HttpOnly cookie."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from engine.context import TenantContext
from models.core import sessions


def token_from(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(sessions.SESSION_COOKIE)


def current_session(request: Request) -> sessions.SessionData:
    return sessions.require(token_from(request))


def current_context(request: Request) -> TenantContext:
    return current_session(request).context()


def require(permission: str) -> Callable[[Request], TenantContext]:
    """Dependency: a tenant context whose role holds `permission` (401 / 403 otherwise)."""

    def dependency(request: Request) -> TenantContext:
        ctx = current_context(request)
        ctx.require(permission)
        return ctx

    return dependency
