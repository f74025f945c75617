"""The REST API, built by a factory so Reflex can mount it and tests can build their own.

Routers are found by convention: every module under app/api/core/ and app/api/<module>/ (for each
registered module, engine/modules.py) that defines `router` is included, in name order. Every one
needs a session (declared for OpenAPI as bearer or cookie) and may answer the common API errors,
except the few public ones named in PUBLIC.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from app.api.body_limit import BodyLimitMiddleware
from app.api.deps import SIGNED_IN
from app.api.edge import OriginGuard, TrustedProxyHeaders
from app.api.errors import API_ERRORS, PUBLIC_ERRORS, error_responses, install_api_fallback, install_error_handlers
from app.api.middleware import ObservabilityMiddleware
from app.api.write_budget import WRITE_BUDGET
from engine.discovery import import_tree
from engine.modules import MODULES
from models.core.logs import configure_json_logging

# routers that need no session, with the error answers they declare: health takes no input; auth
# declares its own signed-in routes; single sign-on (oidc) is how a browser gets a session, and an
# invitation's token is its own proof
PUBLIC: dict[str, dict] = {
    "app.api.core.health": {},
    "app.api.core.auth": PUBLIC_ERRORS,
    "app.api.core.oidc": PUBLIC_ERRORS,
    "app.api.core.invitation_accept": error_responses(404, 409, 413, 422, 429),
}


def discovered() -> list[tuple[str, APIRouter]]:
    """(module name, router): core's, then each registered module's."""
    found: list[tuple[str, APIRouter]] = []
    for package in ("app.api.core", *(f"app.api.{m}" for m in MODULES)):
        found += [
            (m.__name__, m.router) for m in import_tree(package) if isinstance(getattr(m, "router", None), APIRouter)
        ]
    return found


def routers() -> list[APIRouter]:
    """Core's routers, then each registered module's."""
    return [router for _, router in discovered()]


def create_api() -> FastAPI:
    configure_json_logging()
    api = FastAPI(
        title="PharOS API", version="1", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None
    )
    install_error_handlers(api)
    for name, router in discovered():
        if name in PUBLIC:
            api.include_router(router, responses=PUBLIC[name])
        else:
            # signed-in routers: every write spends the caller's write budget first
            api.include_router(router, responses=API_ERRORS, dependencies=[*SIGNED_IN, *WRITE_BUDGET])
    install_api_fallback(api)  # after every router: it answers what none of them matched
    # added innermost first: proxy headers → observability → origin policy → body limit → routes
    api.add_middleware(BodyLimitMiddleware)
    api.add_middleware(OriginGuard)
    api.add_middleware(ObservabilityMiddleware)
    api.add_middleware(TrustedProxyHeaders)
    return api
