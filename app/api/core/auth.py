"""Login, logout, who-am-I and tenant switching (`/api/auth/*`)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import SIGNED_IN, current_session, token_from
from app.api.errors import error_responses
from engine.inputs import PlainText
from models.core import sessions
from models.core.identity import memberships_of
from models.core.settings import get_settings

router = APIRouter(prefix="/api/auth", tags=["auth"])
SIGNED_IN_ERRORS = error_responses(401, 403, 404)


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: PlainText = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class SwitchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tenant_id: uuid.UUID


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def session_body(token: str | None, data: sessions.SessionData, memberships=None) -> dict:
    body = {
        "user": {"id": data.user_id, "email": data.email, "display_name": data.display_name},
        "tenant": {"id": data.tenant_id, "slug": data.tenant_slug, "name": data.tenant_name}
        if data.tenant_id
        else None,
        "role": data.role,
    }
    if token is not None:
        body = {"token": token, **body}
    if memberships is not None:
        body["tenants"] = [
            {"id": str(m.tenant_id), "slug": m.tenant_slug, "name": m.tenant_name, "role": m.role.value}
            for m in memberships
        ]
    return body


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    """The session cookie every sign-in sets (password here, single sign-on in app.api.core.oidc)."""
    response.set_cookie(
        sessions.SESSION_COOKIE,
        token,
        max_age=get_settings().session_ttl_seconds,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


@router.post("/login", responses=error_responses(401))
def login(body: LoginRequest, request: Request, response: Response) -> dict:
    token, data, memberships = sessions.login(body.email, body.password, client_ip(request))
    set_session_cookie(response, request, token)
    return session_body(token, data, memberships)


@router.post("/logout", dependencies=SIGNED_IN, responses=SIGNED_IN_ERRORS)
def logout(request: Request, response: Response) -> dict:
    sessions.logout(token_from(request))
    response.delete_cookie(sessions.SESSION_COOKIE, path="/")
    return {"ok": True}


@router.get("/me", dependencies=SIGNED_IN, responses=SIGNED_IN_ERRORS)
def me(request: Request) -> dict:
    data = current_session(request)
    return session_body(None, data, memberships_of(uuid.UUID(data.user_id)))


@router.post("/switch", dependencies=SIGNED_IN, responses=SIGNED_IN_ERRORS)
def switch(body: SwitchRequest, request: Request) -> dict:
    token = token_from(request)
    current_session(request)
    data = sessions.switch_tenant(token or "", body.tenant_id)
    return session_body(None, data)
