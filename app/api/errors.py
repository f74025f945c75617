"""The API error contract: every failure is `{"error": {"code", "message", "fields"}}`.

No stack trace ever reaches a client; unexpected errors are logged with the correlation id
and answered with a generic 500 carrying that id. Redis not answering (sessions, rate limits
and the job queue live there) is a 503 `unavailable` with Retry-After, never a hang or a 500.
"""

from __future__ import annotations

import json
import logging

import psycopg
import redis.exceptions
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Send

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


JSON_TYPE = (b"content-type", b"application/json")


async def send_error(
    send: Send, status: int, code: str, message: str, headers: tuple[tuple[bytes, bytes], ...] = ()
) -> None:
    """Answer an ASGI request with the error contract's JSON body (for pure ASGI middleware)."""
    body = json.dumps(error_body(code, message)).encode()
    length = (b"content-length", str(len(body)).encode())
    start = {"type": "http.response.start", "status": status, "headers": [JSON_TYPE, length, *headers]}
    await send(start)
    await send({"type": "http.response.body", "body": body})


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, str]  # field → why it was refused (422); empty otherwise


class ErrorBody(BaseModel):
    """The error contract, as the OpenAPI document declares it."""

    error: ErrorDetail


ERROR_MEANINGS = {
    401: "Not signed in (no or an expired session)",
    403: "The role may not do this",
    404: "No such thing in this tenant (or the feature is off for it)",
    405: "Method not allowed on this path",
    409: "Conflict: the state changed or the value is taken",
    413: "Request body too large",
    422: "Invalid input: `fields` names each refused field",
    429: "Too many requests; see Retry-After",
    503: "A service the answer needs is down",
}


def error_responses(*codes: int) -> dict[int | str, dict]:
    """`responses=` for routes and routers: the error answers they give, in the error contract."""
    return {code: {"model": ErrorBody, "description": ERROR_MEANINGS[code]} for code in codes}


# What any API route can answer besides its success: sessions, roles, tenant scoping and flags,
# conflicts, the body limit, input validation and rate limits.
API_ERRORS = error_responses(401, 403, 404, 409, 413, 422, 429)
PUBLIC_ERRORS = error_responses(413, 422, 429)  # routes that need no session


def _message(error: dict) -> str:
    message = error.get("msg", "invalid")
    return message.removeprefix("Value error, ") if error.get("type") == "value_error" else message


def _field_path(loc: tuple) -> str:
    """`("body", "a", 0)` → "a.0"; a missing or non-object body (`("body",)`) → "body"."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or (str(loc[0]) if loc else "request")


def install_error_handlers(api: FastAPI) -> None:
    @api.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return JSONResponse(error_body(exc.code, exc.message, exc.fields), status_code=exc.status, headers=headers)

    @api.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = {
            # a JSON syntax error's loc holds the character position, not a field
            "body" if e.get("type") == "json_invalid" else _field_path(tuple(e.get("loc", ()))): _message(e)
            for e in exc.errors()
        }
        names = ", ".join(fields)
        return JSONResponse(error_body("validation_error", f"invalid input: {names}", fields), status_code=422)

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
                "another change to the same records happened at the same time; nothing was saved — retry "
                f"(reference {cid})",
            ),
            status_code=409,
            headers={"Retry-After": "1"},
        )

    api.add_exception_handler(sqlalchemy.exc.OperationalError, operational_error)
    api.add_exception_handler(psycopg.OperationalError, operational_error)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI could not read the body (not JSON, not UTF-8, …)
            message = exc.detail if isinstance(exc.detail, str) else "the body could not be read"
            return JSONResponse(
                error_body("validation_error", f"invalid input: body: {message}", {"body": message}), status_code=422
            )
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        return JSONResponse(
            error_body(HTTP_CODES.get(exc.status_code, "http_error"), message),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @api.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        cid = correlation_id.get()
        log.exception("unhandled error", extra={"correlation_id": cid})
        return JSONResponse(error_body("internal_error", f"something went wrong; reference {cid}"), status_code=500)


FALLBACK_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def install_api_fallback(api: FastAPI) -> None:
    """Unknown `/api/...` paths answer 404 and undeclared methods 405 (with `Allow`), in the JSON
    contract. Call it after every router is included. Reflex mounts its own app at "" behind ours
    (app/app.py), and a mount matches every path: without this route both answers would be
    Reflex's plain-text 404."""

    def matched_by_another(scope: dict, method: str) -> bool:
        probe = {"type": "http", "path": scope["path"], "root_path": scope.get("root_path", ""), "method": method}
        for route in api.router.routes:
            if getattr(route, "endpoint", None) is fallback:
                return False  # what follows (Reflex's mount) is not the API
            if route.matches(dict(probe))[0] is Match.FULL:
                return True
        return False

    async def fallback(request: Request) -> JSONResponse:
        # asked method by method: included routers (FastAPI ≥ 0.16x) do not expose their methods
        allowed = {m for m in FALLBACK_METHODS if m != request.method and matched_by_another(request.scope, m)}
        if allowed:
            headers = {"Allow": ", ".join(sorted(allowed))}
            return JSONResponse(
                error_body("method_not_allowed", "Method Not Allowed"), status_code=405, headers=headers
            )
        return JSONResponse(error_body("not_found", "Not Found"), status_code=404)

    for path in ("/api", "/api/{rest:path}"):
        api.add_api_route(path, fallback, methods=FALLBACK_METHODS, include_in_schema=False)
