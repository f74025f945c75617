"""Liveness and metrics: `/api/health` and `/metrics`."""

from __future__ import annotations

import contextlib

from fastapi import APIRouter, Response
from fastapi.responses import PlainTextResponse
from sqlalchemy import text

from models.db import app_engine
from models.metrics import QUEUE_DEPTH, render_latest
from models.redis_client import sync_redis

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


@router.get("/api/health", responses={503: {"description": "the database or Redis is down (same body)"}})
def health(response: Response) -> dict:
    db, cache = _db_ok(), _redis_ok()
    if not (db and cache):
        response.status_code = 503
    return {"ok": db and cache, "db": "ok" if db else "down", "redis": "ok" if cache else "down"}


@router.get("/metrics", response_class=PlainTextResponse)
def metrics() -> Response:
    with contextlib.suppress(Exception):  # a scrape must not fail because Redis is down
        QUEUE_DEPTH.set(sync_redis().zcard(ARQ_QUEUE))
    return Response(render_latest(), media_type="text/plain; version=0.0.4; charset=utf-8")
