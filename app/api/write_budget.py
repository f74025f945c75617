"""The write budget of every signed-in REST route: a POST, PUT, PATCH or DELETE spends one unit of
the caller's and the tenant's budgets (models/core/write_limits.py) before the route runs, so a
refused call (429 `rate_limited`, Retry-After) writes nothing. Sign-in is a public route with its own
budgets (models/core/login_limits.py); reads are free."""

from __future__ import annotations

from fastapi import Depends, Request

from app.api.deps import current_session
from models.core import write_limits

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def spend_write_budget(request: Request) -> None:
    if request.method not in WRITE_METHODS:
        return
    session = current_session(request)  # not signed in: the same 401 the route would give
    write_limits.spend(session.user_id, session.tenant_id)


WRITE_BUDGET = [Depends(spend_write_budget)]
