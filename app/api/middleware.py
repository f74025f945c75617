"""Cross-cutting HTTP concerns: correlation ids, JSON access logs, latency metrics, security headers.

Besides the fixed headers: HSTS on answers served over https (as a trusted proxy reports it; see
app/api/edge.py), and `Cache-Control: no-store` on every API answer and `/metrics` — they are private
to the caller (sessions, tenant data), so no browser or shared cache may keep them.
"""

from __future__ import annotations

import logging
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import send_error
from models.core.audit import correlation_id
from models.core.metrics import REQUEST_LATENCY

log = logging.getLogger("pharos.http")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # Reflex's compiled pages inline a small bootstrap script and use eval-free React
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self' ws: wss:",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
    ]
)

SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


HSTS = (b"strict-transport-security", b"max-age=31536000")
NO_STORE = (b"cache-control", b"no-store")


def _policy_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    path = scope.get("path", "")
    extra = []
    if scope.get("scheme") == "https":
        extra.append(HSTS)
    if path == "/api" or path.startswith("/api/") or path == "/metrics":
        extra.append(NO_STORE)
    return extra


def _route_label(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return path
    raw = scope.get("path", "")
    if raw.startswith("/api/"):
        return "/api/<unmatched>"
    return "<static>"


async def _send_internal_error(send: Send, cid: str) -> None:
    await send_error(send, 500, "internal_error", f"something went wrong; reference {cid}")


class ObservabilityMiddleware:
    """Pure ASGI middleware (no BaseHTTPMiddleware) so SSE and websockets stream untouched."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode()[:64]
        cid = incoming or uuid.uuid4().hex
        token = correlation_id.set(cid)
        started = time.perf_counter()
        status_holder: dict = {"status": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                headers.extend((k, v) for k, v in [*SECURITY_HEADERS, *_policy_headers(scope)] if k not in present)
                headers.append((b"x-request-id", cid.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            log.exception("unhandled error", extra={"correlation_id": cid, "path": scope.get("path")})
            if status_holder.get("started"):
                raise
            await _send_internal_error(send_wrapper, cid)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_label(scope)
            status = status_holder["status"]
            REQUEST_LATENCY.labels(scope.get("method", "GET"), route, f"{status // 100}xx").observe(elapsed)
            if scope.get("path", "").startswith("/api"):
                log.info(
                    "request",
                    extra={
                        "correlation_id": cid,
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "status": status,
                        "ms": round(elapsed * 1000, 2),
                    },
                )
            correlation_id.reset(token)
