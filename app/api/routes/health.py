"""Liveness and metrics: `/api/health` and `/metrics`.

`/metrics` shows routes, volumes and queue depth: it is off (404) unless PHAROS_METRICS_TOKEN is set,
and then needs `Authorization: Bearer <token>` (Prometheus: `authorization: {credentials: …}`).
"""

from __future__ import annotations

import contextlib
import hmac

from fastapi import APIRouter, Request, Response
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException

from models.db import app_engine
from models.metrics import QUEUE_DEPTH, render_latest
from models.redis_client import sync_redis
from models.settings import get_settings

router = APIRouter(tags=["health"])

ARQ_QUEUE = "pharos:queue"


def _db_ok() -> bool:
    try:
        with app_engine().connect() as conn:
            conn.execute(text("select 1"))
        return True
    except Exception:
        return False


def _redis_ok() -> bool:
    try:
        return bool(sync_redis().ping())
    except Exception:
        return False


@router.get("/api/health")
def health(response: Response) -> dict:
    db, cache = _db_ok(), _redis_ok()
    if not (db and cache):
        response.status_code = 503
    return {"ok": db and cache, "db": "ok" if db else "down", "redis": "ok" if cache else "down"}


def _check_metrics_token(request: Request) -> None:
    expected = get_settings().metrics_token
    if not expected:
        raise StarletteHTTPException(404, "Not Found")
    header = request.headers.get("authorization", "")
    given = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise StarletteHTTPException(401, "a metrics token is required", headers={"WWW-Authenticate": "Bearer"})


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    _check_metrics_token(request)
    with contextlib.suppress(Exception):  # a scrape must not fail because Redis is down
        QUEUE_DEPTH.set(sync_redis().zcard(ARQ_QUEUE))
    return Response(render_latest(), media_type="text/plain; version=0.0.4; charset=utf-8")
