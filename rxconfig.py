"""Reflex configuration for PharOS.

The app module is `app/app.py` (app_name "app"). UI and API share one port (PHAROS_PORT, default
3000). Reflex state lives in Redis whenever one is configured: REFLEX_REDIS_URL if set, else
REDIS_URL moved to another database (db 1 by default, PHAROS_REFLEX_REDIS_DB) so Reflex state never
mixes with sessions and the arq queue in REDIS_URL's database. Without either, Reflex keeps state
on disk (single worker only). Cross-origin access is off unless PHAROS_ALLOWED_ORIGINS lists origins.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import reflex as rx

from models.core.settings import parse_origins

PORT = int(os.environ.get("PHAROS_PORT", "3000"))


def reflex_redis_url(redis_url: str, db: int) -> str:
    """`redis_url` pointed at database `db` (tcp: path `/N`; unix sockets: `?db=N`)."""
    parts = urlsplit(redis_url)
    if parts.scheme == "unix":
        base, _, query = redis_url.partition("?")
        pairs = [(k, v) for k, v in parse_qsl(query) if k != "db"] + [("db", str(db))]
        return f"{base}?{urlencode(pairs)}"
    return urlunsplit(parts._replace(path=f"/{db}"))


def _state_redis_url() -> str | None:
    explicit = os.environ.get("REFLEX_REDIS_URL")
    if explicit:
        return explicit
    base = os.environ.get("REDIS_URL")
    if not base or os.environ.get("PHAROS_FRONTEND_EXPORT") == "1":
        return None
    return reflex_redis_url(base, int(os.environ.get("PHAROS_REFLEX_REDIS_DB", "1")))


_redis = _state_redis_url()

config = rx.Config(
    app_name="app",
    telemetry_enabled=False,
    # The frontend bakes this origin in at build time; app/web/shell/static.py rewrites it to the
    # page's own origin at serve time, so one build serves any host and port.
    api_url=f"http://localhost:{PORT}",
    redis_url=_redis,
    state_manager_mode="redis" if _redis else "disk",
    show_built_with_reflex=False,
    # Reflex's CORS layer: only the allow-list (default none: same-origin only; app/api/edge.py)
    cors_allowed_origins=parse_origins(os.environ.get("PHAROS_ALLOWED_ORIGINS", "")),
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="light", accent_color="indigo", gray_color="slate", radius="medium")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
