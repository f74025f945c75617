"""The Reflex app: UI pages + the REST API + the prebuilt frontend, all on one port.

`api_transformer` order matters: the frontend file server wraps Reflex's own ASGI app first, then
our FastAPI app mounts the result, so `/api/*` and `/metrics` match first, Reflex still answers
`/_event`, `/ping`, `/_health`, `/_upload`, `/_all_routes`, every other GET is a page or an asset —
and the FastAPI middleware (security headers, request ids, metrics, origin policy, body limits)
covers all of it.

Reflex puts its own CORS layer (rxconfig `cors_allowed_origins`, set to PHAROS_ALLOWED_ORIGINS)
outside everything; `PharosApp` puts the origin policy (app/api/edge.py) outside that, so a foreign
preflight is refused before any `Access-Control-*` header is written, and hands python-engineio the
same policy for the websocket handshake (Reflex would give it the bare allow-list, which forgets the
app's own origin).
"""

from __future__ import annotations

import os

import reflex as rx

from app.api.edge import edge, engineio_origin_check
from app.api.main import create_api
from app.web import modules  # noqa: F401  (imports every page: they register themselves)
from app.web.core import invite_accept, login
from app.web.portal.shell import add_portal_pages
from app.web.shell.error_notice import backend_exception_handler, error_notice_wrap
from app.web.shell.layout import add_pages
from app.web.shell.static import frontend_transformer


def _transformers() -> list:
    chain: list = []
    if os.environ.get("PHAROS_SERVE_FRONTEND", "1") == "1":
        chain.append(frontend_transformer(lambda path: app.router(path)))
    chain.append(create_api())
    return chain


class PharosApp(rx.App):
    def __call__(self):
        return edge(super().__call__())


app = PharosApp(
    stylesheets=["/pharos.css"],
    html_lang="en",
    api_transformer=_transformers(),
    # unexpected errors in page handlers: logged with a reference, shown without eval (CSP)
    backend_exception_handler=backend_exception_handler,
    extra_app_wraps={(3, "PharosErrorNotice"): error_notice_wrap},
)

if app.sio is not None:
    app.sio.eio.cors_allowed_origins = engineio_origin_check()

login.add_public_pages(app)
invite_accept.add_invite_page(app)
add_pages(app)
add_portal_pages(app)  # the vendor portal: its own shell under /portal
