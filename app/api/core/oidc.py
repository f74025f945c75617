"""Single sign-on routes (`/api/auth/oidc/*`), public: the browser arrives here before it has a
session. Start and callback always answer with a redirect, never an error page: success goes to the
app with our normal session cookie, a refusal to `/login?error=<code>`, which the login page turns
into a sentence (engine.sign_in.REFUSALS).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from app.api.core.auth import set_session_cookie
from engine.inputs import PlainText
from engine.sign_in import LOGIN_ROUTE, TENANT_ROUTE, SignInRefused, safe_next
from models.core import sign_in
from models.core.sign_in_config import offered

router = APIRouter(prefix="/api/auth/oidc", tags=["auth"])
COOKIE_PATH = "/api/auth/oidc"
Param = Annotated[PlainText | None, Query(max_length=2000)]


class ProviderOut(BaseModel):
    id: str
    name: str
    start_url: str


class ProvidersOut(BaseModel):
    providers: list[ProviderOut]


@router.get("/providers")
def providers(tenant: Annotated[PlainText | None, Query(max_length=63)] = None) -> ProvidersOut:
    """What the login page offers: the environment's provider, and `tenant`'s own when named."""
    return ProvidersOut(
        providers=[ProviderOut(id=p.id, name=p.name, start_url=f"{COOKIE_PATH}/{p.id}/start") for p in offered(tenant)]
    )


def _refused(code: str) -> RedirectResponse:
    return RedirectResponse(f"{LOGIN_ROUTE}?{urlencode({'error': code})}", status_code=302)


@router.get("/callback", response_class=RedirectResponse, status_code=302, name="oidc_callback")
def callback(request: Request, state: Param = None, code: Param = None, error: Param = None) -> RedirectResponse:
    """The provider sends the browser back here with `code` and `state` (or `error`)."""
    try:
        done = sign_in.finish(
            state=state or "", code=code, error=error, binding=request.cookies.get(sign_in.BINDING_COOKIE)
        )
    except SignInRefused as refused:
        response = _refused(refused.code)
    else:
        target = safe_next(done.next_path) if done.data.tenant_id else TENANT_ROUTE
        response = RedirectResponse(target, status_code=302)
        set_session_cookie(response, request, done.token)
    response.delete_cookie(sign_in.BINDING_COOKIE, path=COOKIE_PATH)
    return response


@router.get("/{provider_id}/start", response_class=RedirectResponse, status_code=302)
def start(
    provider_id: Annotated[str, Path(max_length=80)],
    request: Request,
    next: Annotated[PlainText | None, Query(max_length=2000)] = None,  # noqa: A002 (the login page's own name)
) -> RedirectResponse:
    """Send the browser to the provider, bound to it by a short-lived HttpOnly cookie."""
    redirect_uri = str(request.url_for("oidc_callback"))
    try:
        started = sign_in.start(provider_id, redirect_uri, safe_next(next))
    except SignInRefused as refused:
        return _refused(refused.code)
    response = RedirectResponse(started.url, status_code=302)
    response.set_cookie(
        sign_in.BINDING_COOKIE,
        started.binding,
        max_age=sign_in.STATE_TTL,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path=COOKIE_PATH,
    )
    return response
