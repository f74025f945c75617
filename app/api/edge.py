"""What the port lets in before any route runs: trusted proxy headers and the origin policy.

Origins: a browser names the page that made a request in `Origin`. The app's own origin (scheme of
the connection, as a trusted proxy reports it, + the `Host` header) and the origins listed in
PHAROS_ALLOWED_ORIGINS are allowed; every other origin, `null` included, is foreign:
- a websocket handshake (Reflex's `/_event`) from a foreign origin is refused (HTTP 403), so another
  site cannot open the victim's session with the victim's cookie;
- a CORS preflight from a foreign origin is answered 403 without any `Access-Control-*` header;
- a write (POST/PUT/PATCH/DELETE) from a foreign origin is refused with 403 (cross-site request
  forgery, e.g. a login CSRF);
- a foreign read runs but gets no CORS headers, so the browser keeps the answer from the page.
Allow-listed origins get full CORS with credentials. Requests without `Origin` (curl, servers,
same-origin GETs) are not browser cross-origin requests and pass.

Proxies: `X-Forwarded-For`/`X-Forwarded-Proto` are believed only from PHAROS_TRUSTED_PROXIES
(uvicorn's ProxyHeadersMiddleware does the parsing), so the client address used by the login
budgets, and the https that turns on HSTS and Secure cookies, cannot be forged by a client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.api.errors import send_error
from models.core.settings import Settings, get_settings

log = logging.getLogger("pharos.http")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CORS_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
CORS_HEADERS = ["authorization", "content-type", "x-request-id", "last-event-id"]
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_origin(value: str) -> str | None:
    """`scheme://host[:port]` in lower case without a default port; None for anything else."""
    try:
        parts = urlsplit(value.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != _DEFAULT_PORTS[parts.scheme] else "")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key == name:
            return value.decode("latin-1")
    return None


def own_origin(scope: Scope) -> str | None:
    host = _header(scope, b"host")
    if not host:
        return None
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", "http"), scope.get("scheme", "http"))
    return normalise_origin(f"{scheme}://{host}")


def origin_verdict(origin: str, scope: Scope, allowed: tuple[str, ...]) -> str:
    """ "same", "listed" or "foreign" for a request's `Origin` header."""
    normal = normalise_origin(origin)
    if normal is None:
        return "foreign"  # `null`, opaque or malformed origins
    if normal == own_origin(scope):
        return "same"
    if normal in {normalise_origin(a) for a in allowed}:
        return "listed"
    return "foreign"


def engineio_origin_check(settings: Callable[[], Settings] = get_settings) -> Callable[[str, dict], bool]:
    """The same policy for python-engineio's own handshake check (`cors_allowed_origins`)."""

    def allowed(origin: str, environ: dict) -> bool:
        scope = environ.get("asgi.scope") or {}
        return origin_verdict(origin, scope, settings().allowed_origins) != "foreign"

    return allowed


async def _refuse(send: Send, message: str) -> None:
    await send_error(send, 403, "forbidden", message)


class OriginGuard:
    """Pure ASGI; the CORS answers for listed origins come from Starlette's CORSMiddleware."""

    def __init__(self, app: ASGIApp, settings: Callable[[], Settings] = get_settings):
        self.app = app
        self.settings = settings
        self._cors: tuple[tuple[str, ...], ASGIApp] | None = None

    def _cors_app(self, allowed: tuple[str, ...]) -> ASGIApp:
        if self._cors is None or self._cors[0] != allowed:
            cors = CORSMiddleware(
                self.app,
                allow_origins=list(allowed),
                allow_methods=CORS_METHODS,
                allow_headers=CORS_HEADERS,
                allow_credentials=True,
                max_age=600,
            )
            self._cors = (allowed, cors)
        return self._cors[1]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = _header(scope, b"origin") if scope["type"] in ("http", "websocket") else None
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = self.settings().allowed_origins
        verdict = origin_verdict(origin, scope, allowed)
        if scope["type"] == "websocket":
            if verdict == "foreign":
                log.warning(
                    "websocket from a foreign origin refused", extra={"origin": origin[:200], "path": scope.get("path")}
                )
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        method = scope.get("method", "GET")
        preflight = method == "OPTIONS" and _header(scope, b"access-control-request-method") is not None
        if verdict == "foreign" and (preflight or method not in SAFE_METHODS):
            await _refuse(send, "this origin may not call PharOS; ask an administrator to allow it")
            return
        if verdict == "listed":
            await self._cors_app(allowed)(scope, receive, send)
            return
        await self.app(scope, receive, _without_cors_headers(send))


def _without_cors_headers(send: Send) -> Send:
    """Reflex's own CORS layer adds `Access-Control-Allow-Credentials` to every answer that had an
    Origin; inert without an allowed origin, but nothing cross-origin should be granted, so drop it."""

    async def filtered(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = message.get("headers") or []
            message["headers"] = [(k, v) for k, v in headers if not k.lower().startswith(b"access-control-")]
        await send(message)

    return filtered


class TrustedProxyHeaders:
    """uvicorn's ProxyHeadersMiddleware, configured from the settings at the first request (the app
    is built at import time, when a frontend build has no settings to read)."""

    def __init__(self, app: ASGIApp, settings: Callable[[], Settings] = get_settings):
        self.app = app
        self.settings = settings
        self._inner: tuple[tuple[str, ...], ASGIApp] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        trusted = self.settings().trusted_proxies
        if not trusted:
            await self.app(scope, receive, send)
            return
        if self._inner is None or self._inner[0] != trusted:
            self._inner = (trusted, ProxyHeadersMiddleware(self.app, trusted_hosts=list(trusted)))
        await self._inner[1](scope, receive, send)


def edge(app: ASGIApp) -> ASGIApp:
    """The outermost layers: proxy headers first (they decide the scheme the origin check uses)."""
    return TrustedProxyHeaders(OriginGuard(app))
