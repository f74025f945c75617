"""Who is calling (the session from `Authorization: Bearer` or the HttpOnly cookie) and the query
parameter types every route shares (engine.inputs: one input rule for every module)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Query, Request, Security
from fastapi.security import APIKeyCookie, HTTPBearer

from engine.context import TenantContext
from engine.inputs import Instant, PlainText, query_int
from models.core import sessions
from models.core.pagination import MAX_LIMIT

# `limit: Limit = 50`, `cursor: Cursor = None`, `q: SearchText = None`, `at: InstantParam = None`
Limit = Annotated[query_int(1, MAX_LIMIT), Query(description="page size")]
Cursor = Annotated[PlainText | None, Query(max_length=500, description="`next_cursor` of the previous page")]
SearchText = Annotated[PlainText | None, Query(max_length=100, description="words to look for")]
InstantParam = Annotated[Instant | None, Query(description="a timezone-aware instant, years 1900..2999")]


# The two ways to present a session, declared for the OpenAPI document (either one will do). They
# read nothing themselves: `token_from` does, so pages, SSE and tests share one rule.
BEARER = HTTPBearer(auto_error=False, scheme_name="bearer", description="the `token` from POST /api/auth/login")
COOKIE = APIKeyCookie(name=sessions.SESSION_COOKIE, auto_error=False, scheme_name="session_cookie")
SIGNED_IN = [Security(BEARER), Security(COOKIE)]


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
