"""The REST API, built by a factory so Reflex can mount it and tests can build their own."""

from __future__ import annotations

from fastapi import FastAPI

from app.api.errors import install_api_fallback, install_error_handlers
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
    install_api_fallback(api)
    api.add_middleware(ObservabilityMiddleware)
    return api
