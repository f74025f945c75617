"""The API error contract: every failure is `{"error": {"code", "message", "fields"}}`.

No stack trace ever reaches a client; unexpected errors are logged with the correlation id
and answered with a generic 500 carrying that id. Redis not answering (sessions, rate limits
and the job queue live there) is a 503 `unavailable` with Retry-After, never a hang or a 500.
"""

from __future__ import annotations

import logging

import psycopg
import redis.exceptions
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from engine.errors import DomainError, RateLimited
from models.core.audit import correlation_id

log = logging.getLogger("pharos.api")

REDIS_RETRY_AFTER_SECONDS = 5


HTTP_CODES = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "rate_limited",
}
_CONCURRENCY_FAILURES = (
    psycopg.errors.DeadlockDetected,
    psycopg.errors.SerializationFailure,
    psycopg.errors.LockNotAvailable,
)


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _field_path(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "request"


def install_error_handlers(api: FastAPI) -> None:
    @api.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return JSONResponse(error_body(exc.code, exc.message, exc.fields), status_code=exc.status, headers=headers)

    @api.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = {_field_path(tuple(e.get("loc", ()))): e.get("msg", "invalid") for e in exc.errors()}
        names = ", ".join(fields)
        return JSONResponse(
            error_body("validation_error", f"invalid input: {names}", fields), status_code=422
        )

    async def data_error(_: Request, exc: Exception) -> JSONResponse:
        # Last line of defence: input validation (engine.text) should refuse such values first.
        # PostgreSQL refused a value (NUL byte, out-of-range number, bad encoding, …): that is bad
        # input, not a server fault. The database's message is logged, never sent.
        cid = correlation_id.get()
        log.warning("database refused a value: %s", exc, extra={"correlation_id": cid})
        return JSONResponse(
            error_body(
                "validation_error",
                f"invalid input: a value could not be stored; check the text and numbers sent (reference {cid})",
                {"request": "a value could not be stored"},
            ),
            status_code=422,
        )

    api.add_exception_handler(sqlalchemy.exc.DataError, data_error)
    api.add_exception_handler(psycopg.DataError, data_error)

    async def redis_unavailable(_: Request, exc: Exception) -> JSONResponse:
        # Sessions live in Redis only (a copy elsewhere could outlive a logout or a revocation),
        # so a call that needs one is refused plainly instead of waiting for Redis to come back.
        log.warning("redis unavailable: %s", exc, extra={"correlation_id": correlation_id.get()})
        return JSONResponse(
            error_body("unavailable", "the session and queue store (Redis) is not answering; try again shortly"),
            status_code=503,
            headers={"Retry-After": str(REDIS_RETRY_AFTER_SECONDS)},
        )

    api.add_exception_handler(redis.exceptions.ConnectionError, redis_unavailable)
    api.add_exception_handler(redis.exceptions.TimeoutError, redis_unavailable)

    async def operational_error(request: Request, exc: Exception) -> JSONResponse:
        # The lock order (docs/jobs.md) keeps our own transactions from deadlocking; should Postgres
        # still pick this one as a deadlock or serialization victim, everything it did was rolled
        # back: a conflict to retry (409), not a server fault. Anything else stays a 500.
        cause = getattr(exc, "orig", exc)
        if not isinstance(cause, _CONCURRENCY_FAILURES):
            return await unexpected(request, exc)
        cid = correlation_id.get()
        log.warning("concurrent update refused: %s", type(cause).__name__, extra={"correlation_id": cid})
        return JSONResponse(
            error_body(
                "concurrent_update",
                f"another change to the same records happened at the same time; nothing was saved — retry (reference {cid})",
            ),
            status_code=409,
            headers={"Retry-After": "1"},
        )

    api.add_exception_handler(sqlalchemy.exc.OperationalError, operational_error)
    api.add_exception_handler(psycopg.OperationalError, operational_error)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return JSONResponse(
            error_body(HTTP_CODES.get(exc.status_code, "http_error"), message),
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @api.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        cid = correlation_id.get()
        log.exception("unhandled error", extra={"correlation_id": cid})
        return JSONResponse(
            error_body("internal_error", f"something went wrong; reference {cid}"), status_code=500
        )
