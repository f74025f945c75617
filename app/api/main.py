"""The REST API, built by a factory so Reflex can mount it and tests can build their own."""

from __future__ import annotations

from fastapi import FastAPI

from app.api.deps import SIGNED_IN
from app.api.errors import API_ERRORS, PUBLIC_ERRORS, install_api_fallback, install_error_handlers
from app.api.middleware import ObservabilityMiddleware
from app.api.routes import audit, auth, catalog, enforcement, health, jobs, margin, pricing, settings
from models.logs import configure_json_logging

ROUTERS = [audit.router, jobs.router, settings.router, catalog.router, pricing.router, margin.router, enforcement.router]


def create_api() -> FastAPI:
    configure_json_logging()
    api = FastAPI(title="PharOS API", version="1", docs_url="/api/docs", openapi_url="/api/openapi.json", redoc_url=None)
    install_error_handlers(api)
    api.include_router(health.router)  # no input, no session
    api.include_router(auth.router, responses=PUBLIC_ERRORS)  # declares its signed-in routes itself
    for router in ROUTERS:
        api.include_router(router, responses=API_ERRORS, dependencies=SIGNED_IN)
    install_api_fallback(api)
    api.add_middleware(ObservabilityMiddleware)
    return api
