"""`POST /api/invitations/{id}/update` from the core decision factory: CANCEL and RESEND by the
tenant side, WITHDRAW by the invited vendor organization. A RESEND answers the new link's path
once in `details.accept_path` (the token is never stored)."""

from __future__ import annotations

from app.api.core.decisions import decision_router
from models.people.invitations import INVITATIONS

router = decision_router(INVITATIONS)
