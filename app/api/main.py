"""The REST API, built by a factory so Reflex can mount it and tests can build their own.

Routers are found by convention: every module under app/api/core/ and app/api/<module>/ (for each
registered module, engine/modules.py) that defines `router` is included, in name order.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from app.api.body_limit import BodyLimitMiddleware
from app.api.edge import OriginGuard, TrustedProxyHeaders
from app.api.errors import install_error_handlers
from app.api.middleware import ObservabilityMiddleware
from engine.discovery import import_tree
from engine.modules import MODULES
from models.core.logs import configure_json_logging


def routers() -> list[APIRouter]:
    """Core's routers, then each registered module's."""
    found: list[APIRouter] = []
    for package in ("app.api.core", *(f"app.api.{m}" for m in MODULES)):
        found += [m.router for m in import_tree(package) if isinstance(getattr(m, "router", None), APIRouter)]
    return found


def create_api() -> FastAPI:
    configure_json_logging()
    api = FastAPI(title="PharOS API", version="1", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    install_error_handlers(api)
    for router in routers():
        api.include_router(router)
    # added innermost first: proxy headers → observability → origin policy → body limit → routes
    api.add_middleware(BodyLimitMiddleware)
    api.add_middleware(OriginGuard)
    api.add_middleware(ObservabilityMiddleware)
    api.add_middleware(TrustedProxyHeaders)
    return api
