"""Liveness and metrics: `/api/health` and `/metrics`.

Health answers within about a second whatever its dependencies do: each check runs in a thread
and is waited for at most CHECK_SECONDS; one that has not answered (or whose client timed out)
counts as "timeout", one that failed as "down". A check
still hanging from an earlier call is waited on again rather than started twice, so a frozen
dependency never piles up threads.

`/metrics` shows routes, volumes and queue depth: it is off (404) unless PHAROS_METRICS_TOKEN is set,
and then needs `Authorization: Bearer <token>` (Prometheus: `authorization: {credentials: …}`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import redis.exceptions
from fastapi import APIRouter, Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from models.core.metrics import QUEUE_DEPTH, render_latest
from models.core.probes import check_database, check_redis
from models.core.redis_client import sync_redis
from models.core.settings import get_settings
from models.jobs.queue import queue_name

router = APIRouter(tags=["health"])

CHECK_SECONDS = 0.8


class _Probe:
    """One run of a check at a time; callers wait for it up to their own deadline."""

    def __init__(self, name: str, check: Callable[[], Any]):
        self._check = check
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"health-{name}")
        self._lock = threading.Lock()
        self._current: Future | None = None

    async def result(self, seconds: float) -> tuple[str, Any]:
        """("ok", value), ("down", None) when the check failed, ("timeout", None) when it hangs."""
        with self._lock:
            if self._current is None or self._current.done():
                self._current = self._pool.submit(self._check)
            current = self._current
        try:
            return "ok", await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(current)), seconds)
        except (TimeoutError, redis.exceptions.TimeoutError):  # ours, or the client's own
            return "timeout", None
        except Exception:
            return "down", None


_db = _Probe("db", check_database)
_redis = _Probe("redis", check_redis)


@router.get("/api/health", responses={503: {"description": "the database or Redis is down (same body)"}})
async def health(response: Response) -> dict:
    """`status` "ok" or "degraded" (with the parts that are not ok in `degraded`). HTTP 503 when
    the database or Redis is not answering (requests need both); a missing worker degrades, but
    the web still serves, so it stays 200."""
    (db, _), (cache, workers) = await asyncio.gather(_db.result(CHECK_SECONDS), _redis.result(CHECK_SECONDS))
    if workers is None:
        worker, alive, last_seen = "unknown", None, None
    else:
        worker, alive, last_seen = ("ok" if workers.ok else "missing"), workers.alive, workers.last_seen_seconds
    degraded = [name for name, state in (("db", db), ("redis", cache), ("worker", worker)) if state != "ok"]
    serving = db == "ok" and cache == "ok"
    if not serving:
        response.status_code = 503
    return {
        "status": "degraded" if degraded else "ok",
        "ok": serving,
        "db": db,
        "redis": cache,
        "worker": worker,
        "workers": alive,
        "worker_last_seen_seconds": last_seen,
        "degraded": degraded,
    }


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
        QUEUE_DEPTH.set(sync_redis().zcard(queue_name()))
    return Response(render_latest(), media_type="text/plain; version=0.0.4; charset=utf-8")
