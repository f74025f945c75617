"""The REST API, built by a factory so Reflex can mount it and tests can build their own."""

from __future__ import annotations

from fastapi import FastAPI

from app.api.catalog import pricing
from app.api.catalog import routes as catalog
from app.api.core import audit, auth, decision_routes, health, jobs, settings
from app.api.errors import install_error_handlers
from app.api.margin import enforcement
from app.api.margin import routes as margin
from app.api.middleware import ObservabilityMiddleware
from models.core.logs import configure_json_logging

ROUTERS = [health.router, auth.router, audit.router, jobs.router, settings.router, catalog.router, pricing.router, margin.router, enforcement.router]


def create_api() -> FastAPI:
    configure_json_logging()
    api = FastAPI(title="PharOS API", version="1", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    install_error_handlers(api)
    for router in ROUTERS:
        api.include_router(router)
    for router in decision_routes.ROUTERS:
        api.include_router(router)
    api.add_middleware(ObservabilityMiddleware)
    return api
