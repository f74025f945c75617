"""Serve the prebuilt frontend (`.web/build/client`) from the backend, on the backend's port.

`frontend_transformer(app)` returns an ASGI transform for `rx.App(api_transformer=[...])`: every
HTTP GET/HEAD outside the backend's own paths is answered from the export; everything else goes
on to Reflex (`/_event`, `/ping`, `/_health`, `/_upload`, `/_all_routes`). Listed *before* the
FastAPI app in `api_transformer`, it sits behind the FastAPI middleware, so the security headers
apply to pages and assets as well.

Routing: a file on disk wins; a path that matches a Reflex page route (e.g. a dynamic route) gets
that page's HTML (SPA fallback, 200); anything else gets the compiled 404 page with status 404.

The export bakes the backend origin (`api_url` in rxconfig.py, e.g. http://localhost:3000) into
one JS chunk. That chunk is served with the origin replaced by the page's own origin, computed in
the browser, so a single build works on any host, port and scheme (https → wss).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("pharos.web")

BACKEND_PREFIXES = ("/api", "/_event", "/ping", "/_health", "/_upload", "/_all_routes", "/metrics")
ROOT = Path(__file__).resolve().parents[3]
DEFAULT_BUILD_DIR = ROOT / ".web" / "build" / "client"

# A JS expression for "this page's origin"; `http`→`ws` for the websocket URL.
_ORIGIN_EXPR = "globalThis.location.origin"
_WS_ORIGIN_EXPR = 'globalThis.location.origin.replace(/^http/,"ws")'


# Export artefacts that are not addresses of their own (they answer 404 like any unknown path).
_HIDDEN = frozenset({"/index", "/index.html", "/404", "/404.html", "/__spa-fallback", "/__spa-fallback.html"})


def is_backend_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in BACKEND_PREFIXES)


def _rewrite_origin(source: str, origin: str) -> str:
    """Replace string literals that start with the baked origin by runtime expressions."""
    ws_origin = origin.replace("https://", "wss://").replace("http://", "ws://")

    def swap(expr: str, baked: str) -> Callable[[re.Match[str]], str]:
        def repl(match: re.Match[str]) -> str:
            quote, rest = match.group(1), match.group(2)
            return f"({expr}+{quote}{rest}{quote})"

        return repl

    for baked, expr in ((ws_origin, _WS_ORIGIN_EXPR), (origin, _ORIGIN_EXPR)):
        pattern = re.compile(r"([\"'`])" + re.escape(baked) + r"((?:/[^\"'`\\$]*)?)\1")
        source = pattern.sub(swap(expr, baked), source)
    return source


class FrontendFiles:
    """An ASGI app serving the export, with SPA fallback and the origin rewrite."""

    def __init__(self, directory: Path, baked_origin: str, router: Callable[[str], str | None] | None):
        from reflex.utils.precompressed_staticfiles import PrecompressedStaticFiles

        self.directory = directory
        self.router = router
        self.baked_origin = baked_origin.rstrip("/")
        self.static = PrecompressedStaticFiles(
            directory=str(directory), html=True, router=self._routable, encodings=_encodings()
        )
        self.patched: dict[str, bytes] = self._patch_bundles()

    def _routable(self, path: str) -> str | None:
        if self.router is None:
            return None
        route = self.router(path)
        # "404" is Reflex's synthetic not-found page; "/index" is only an alias of "/".
        if route in ("404", "/404") or (route in ("index", "/") and path.strip("/") not in ("", "index")):
            return None
        if route in ("index", "/") and path.strip("/") == "index":
            return None
        return route

    def _patch_bundles(self) -> dict[str, bytes]:
        patched: dict[str, bytes] = {}
        if not self.baked_origin or not self.directory.is_dir():
            return patched
        needle = self.baked_origin.split("://", 1)[-1]
        for path in self.directory.rglob("*.js"):
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
            if needle not in text:
                continue
            rewritten = _rewrite_origin(text, self.baked_origin)
            if rewritten != text:
                rel = "/" + path.relative_to(self.directory).as_posix()
                patched[rel] = rewritten.encode("utf-8", errors="surrogateescape")
        if not patched:
            log.warning("frontend: baked origin %s not found in the bundle", self.baked_origin)
        return patched

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "/")
        body = self.patched.get(path)
        if body is not None and scope.get("method") in ("GET", "HEAD"):
            headers = {"cache-control": "no-cache", "content-type": "text/javascript; charset=utf-8"}
            response = Response(body if scope["method"] == "GET" else b"", headers=headers)
            if scope["method"] == "HEAD":
                response.headers["content-length"] = str(len(body))
            await response(scope, receive, send)
            return
        if path.rstrip("/") in _HIDDEN:
            scope = {**scope, "path": "/__missing__", "raw_path": b"/__missing__"}
        page = self._page_file(scope["path"])
        if page is not None:
            scope = {**scope, "path": page, "raw_path": page.encode()}
        await self.static(scope, receive, send)

    def _page_file(self, path: str) -> str | None:
        """`/audit` and `/audit/` → `/audit.html` when the export has it (no redirect hop)."""
        stem = path.rstrip("/")
        if not stem or "." in stem.rsplit("/", 1)[-1] or ".." in stem:
            return None
        candidate = f"{stem}.html"
        return candidate if (self.directory / candidate.lstrip("/")).is_file() else None


def _encodings() -> tuple[str, ...]:
    try:
        from reflex.config import get_config

        return tuple(get_config().frontend_compression_formats)
    except Exception:  # pragma: no cover - config always loads in the app process
        return ()


def _baked_origin() -> str:
    env_json = ROOT / ".web" / "env.json"
    try:
        ping = json.loads(env_json.read_text())["PING"]
        return ping.rsplit("/ping", 1)[0]
    except (OSError, KeyError, ValueError):
        from reflex.config import get_config

        return get_config().api_url


def frontend_transformer(router: Callable[[str], str | None] | None, directory: Path | None = None):
    """An `api_transformer` callable: wrap Reflex's ASGI app with the frontend file server."""

    def transform(inner: ASGIApp) -> ASGIApp:
        build_dir = directory or Path(os.environ.get("PHAROS_FRONTEND_DIR", DEFAULT_BUILD_DIR))
        if not (build_dir / "index.html").exists():
            log.warning("frontend: %s has no build; run `pharos up` or `python -m app.cli.frontend`", build_dir)
            return inner
        files = FrontendFiles(build_dir, _baked_origin(), router)

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and not is_backend_path(scope.get("path", "")):
                await files(scope, receive, send)
                return
            await inner(scope, receive, send)

        return app

    return transform
