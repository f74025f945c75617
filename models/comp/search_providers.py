"""What compensation adds to the one search (models/core/search.py): bonus plan versions by name.

A plan matches when every word is in its name or its notes; an exact or prefix name ranks first,
then the newest version. The hit opens the plan builder (`/comp/plans/{id}`).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from engine.comp.permissions import READ
from engine.context import TenantContext
from models.comp.tables import BonusPlan
from models.core.search import SearchHit, SearchProvider, Terms
from models.core.text_search import every_word, rank


def _plans(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    score = rank(terms.q, BonusPlan.name)
    found = session.exec(
        select(BonusPlan, score)
        .where(BonusPlan.tenant_id == ctx.tenant_id, every_word(terms.words, BonusPlan.name, BonusPlan.notes))
        .order_by(score, col(BonusPlan.name), col(BonusPlan.version).desc(), col(BonusPlan.id))
        .limit(limit)
    ).all()
    return [
        SearchHit("bonus_plans", str(p.id), p.name, f"version {p.version} · {p.status}", f"/comp/plans/{p.id}", int(r))
        for p, r in found
    ]


PROVIDERS = (SearchProvider("bonus_plans", "Bonus plans", READ, _plans, order=40),)
