"""Request body limits, enforced before a body is read into memory.

Every HTTP request on the port (API, Reflex, pages) has a byte budget for its body, chosen by route
class: JSON API and everything else PHAROS_MAX_BODY_BYTES (default 1 MiB); upload routes their own,
larger one (PHAROS_MAX_UPLOAD_BYTES, default 250 MiB), which such a route must consume as a stream
(`request.stream()` or a spooled multipart parser), never `await request.body()`. A declared
Content-Length over the budget is refused at once with 413, nothing read; a body without one
(chunked) is counted chunk by chunk and refused as soon as it passes the budget. Refusals use the API
error contract (`payload_too_large`).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import send_error
from models.core.settings import Settings, get_settings

# Route classes with a budget of their own: (path prefix, budget from the settings). Reflex's own
# `/_upload` streams multipart parts to temporary files. A module that adds an upload route
# registers its prefix here with `allow_upload(prefix)`.
UPLOAD_PREFIXES: list[str] = ["/_upload"]


def allow_upload(prefix: str) -> None:
    """Give the routes under `prefix` the upload budget (they must read the body as a stream)."""
    if prefix not in UPLOAD_PREFIXES:
        UPLOAD_PREFIXES.append(prefix)


def budget_for(path: str, settings: Settings) -> int:
    if any(path == p or path.startswith(p.rstrip("/") + "/") for p in UPLOAD_PREFIXES):
        return settings.max_upload_bytes
    return settings.max_body_bytes


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or []:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_413(send: Send, budget: int) -> None:
    message = f"request body too large: at most {budget} bytes are accepted here"
    await send_error(send, 413, "payload_too_large", message, ((b"connection", b"close"),))


class BodyLimitMiddleware:
    """Pure ASGI: wraps `receive` to count bytes; never buffers anything itself.

    When a streamed body passes the budget the middleware answers 413 itself and tells the app the
    client has gone (`http.disconnect`); whatever the app then sends or raises is dropped, so every
    route class (FastAPI, Reflex, static files) refuses the same way.
    """

    def __init__(self, app: ASGIApp, settings: Callable[[], Settings] = get_settings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        budget = budget_for(scope.get("path", ""), self.settings())
        declared = _declared_length(scope)
        if declared is not None and declared > budget:
            await _send_413(send, budget)
            return
        seen = 0
        state = {"started": False, "refused": False, "cut": False}

        async def counting_receive() -> Message:
            nonlocal seen
            if state["cut"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > budget:
                    state["cut"] = True
                    if not state["started"]:  # else the app's answer stands, but it reads no more
                        state["refused"] = True
                        await _send_413(send, budget)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if state["refused"]:
                return
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not state["refused"]:
                raise
