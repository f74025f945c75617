"""`POST /api/invitations/accept`: the public end of an invitation link (no session needed).

The token is the proof. A new e-mail gets an account with the password given; an existing
account must give its own password. On success the new member is signed in to the inviting
tenant, exactly like a login (the HttpOnly cookie and the same body). A wrong, replaced, used,
cancelled, withdrawn or expired token is a 404/409 that creates nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import Field

from app.api.core.auth import client_ip, session_body, set_session_cookie
from engine.inputs import PlainText
from engine.text import TextInput
from models.core import sessions
from models.people.accept import accept

router = APIRouter(prefix="/api/invitations", tags=["invitations"])


class AcceptRequest(TextInput):
    token: PlainText = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)
    display_name: PlainText = Field("", max_length=200)
    tenant: PlainText | None = Field(
        None, max_length=63, description="the slug of the tenant the link is for; another tenant's token is refused"
    )


@router.post("/accept")
def accept_invitation(body: AcceptRequest, request: Request, response: Response) -> dict:
    accepted = accept(body.token, body.password, body.display_name, client_ip(request), body.tenant)
    token, data, memberships = sessions.open_session(accepted.identity, tenant_id=accepted.tenant_id)
    set_session_cookie(response, request, token)
    return session_body(token, data, memberships)
