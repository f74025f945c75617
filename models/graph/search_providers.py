"""What the operator console adds to the one search (models/core/search.py): participants, by
display name or e-mail (an exact e-mail comes first). Like the graph API, only for a member of the
organization (the search runs in the caller's own tenant membership, RLS again) whose role holds
`graph.read`; a hit opens the participant's panel on the graph page."""

from __future__ import annotations

from sqlmodel import Session, col

from engine.context import TenantContext
from engine.graph.permissions import READ
from models.core.search import SearchHit, SearchProvider, Terms, ranked
from models.graph.tables import GraphParticipant


def _participants(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    p = GraphParticipant
    order = (col(p.display_name), col(p.id))
    found = ranked(session, ctx, p, terms, limit, code=p.email, texts=(p.display_name,), order=order)
    return [
        SearchHit(
            "participants",
            str(row.id),
            row.display_name,
            " · ".join(filter(None, [row.email, row.role, row.lifecycle_stage])),
            f"/graph?participant={row.id}",
            r,
        )
        for row, r in found
    ]


PROVIDERS = (SearchProvider("participants", "Participants", READ, _participants, order=60),)
