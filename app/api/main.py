"""The REST API, built by a factory so Reflex can mount it and tests can build their own."""

from __future__ import annotations

from fastapi import FastAPI

from app.api.body_limit import BodyLimitMiddleware
from app.api.edge import OriginGuard, TrustedProxyHeaders
from app.api.errors import install_error_handlers
from app.api.middleware import ObservabilityMiddleware
from app.api.routes import audit, auth, catalog, enforcement, health, jobs, margin, pricing, settings
from models.logs import configure_json_logging

ROUTERS = [health.router, auth.router, audit.router, jobs.router, settings.router, catalog.router, pricing.router, margin.router, enforcement.router]


def create_api() -> FastAPI:
    configure_json_logging()
    api = FastAPI(title="PharOS API", version="1", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    install_error_handlers(api)
    for router in ROUTERS:
        api.include_router(router)
    # added innermost first: proxy headers → observability → origin policy → body limit → routes
    api.add_middleware(BodyLimitMiddleware)
    api.add_middleware(OriginGuard)
    api.add_middleware(ObservabilityMiddleware)
    api.add_middleware(TrustedProxyHeaders)
    return api
