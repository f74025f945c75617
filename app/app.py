"""The Reflex app: UI pages + the REST API + the prebuilt frontend, all on one port.

`api_transformer` order matters: the frontend file server wraps Reflex's own ASGI app first, then
our FastAPI app mounts the result, so `/api/*` and `/metrics` match first, Reflex still answers
`/_event`, `/ping`, `/_health`, `/_upload`, `/_all_routes`, every other GET is a page or an asset —
and the FastAPI middleware (security headers, request ids, metrics) covers all of it.
"""

from __future__ import annotations

import os

import reflex as rx

from app.api.main import create_api
from app.web import modules  # noqa: F401  (imports every page: they register themselves)
from app.web.core import login
from app.web.shell.error_notice import backend_exception_handler, error_notice_wrap
from app.web.shell.layout import add_pages
from app.web.shell.static import frontend_transformer


def _transformers() -> list:
    chain: list = []
    if os.environ.get("PHAROS_SERVE_FRONTEND", "1") == "1":
        chain.append(frontend_transformer(lambda path: app.router(path)))
    chain.append(create_api())
    return chain


app = rx.App(
    stylesheets=["/pharos.css"],
    html_lang="en",
    api_transformer=_transformers(),
    # unexpected errors in page handlers: logged with a reference, shown without eval (CSP)
    backend_exception_handler=backend_exception_handler,
    extra_app_wraps={(3, "PharosErrorNotice"): error_notice_wrap},
)

login.add_public_pages(app)
add_pages(app)
