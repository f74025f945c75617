"""What margin adds to the one search (models/core/search.py): alerts, dealers and tasks.

An alert matches when every word is in its dealer's name, its SKU's code or name, or its rule
("metro zinc" finds Metro's AUR-ZINC-30 alerts); it ranks by its SKU's code.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.margin.permissions import READ
from models.catalog.tables import Organization, Sku
from models.core.search import SearchHit, SearchProvider, Terms
from models.core.text_search import every_word, rank
from models.margin.tables import MarginAlert, MarginTask

RULE_NAMES = {
    "map_breach": "MAP breach",
    "mrp_breach": "MRP breach",
    "competitor_undercut": "Competitor undercut",
    "dead_stock": "Dead stock",
}


def _alerts(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    score = rank(terms.q, Sku.code, Organization.name, Sku.name)
    found = session.exec(
        select(MarginAlert, Organization.name, Sku.code, score)
        .where(
            MarginAlert.tenant_id == ctx.tenant_id,
            Organization.tenant_id == ctx.tenant_id,
            Sku.tenant_id == ctx.tenant_id,
            Organization.id == MarginAlert.dealer_id,
            Sku.id == MarginAlert.sku_id,
            every_word(terms.words, Organization.name, Sku.code, Sku.name, MarginAlert.rule),
        )
        .order_by(score, col(MarginAlert.opened_at).desc(), col(MarginAlert.id))
        .limit(limit)
    ).all()
    return [
        SearchHit(
            "alerts",
            str(a.id),
            f"{RULE_NAMES.get(a.rule, a.rule)} · {dealer} · {code}",
            f"{a.status} · {a.severity}",
            f"/alert/{a.id}",
            int(r),
        )
        for a, dealer, code, r in found
    ]


def _dealers(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    score = rank(terms.q, Organization.code, Organization.name)
    found = session.exec(
        select(Organization, score)
        .where(
            Organization.tenant_id == ctx.tenant_id,
            Organization.type == "dealer",
            every_word(terms.words, Organization.name, Organization.code),
        )
        .order_by(score, col(Organization.name), col(Organization.id))
        .limit(limit)
    ).all()
    return [SearchHit("dealers", str(d.id), d.name, d.code, f"/dealers/{d.id}", int(r)) for d, r in found]


def _tasks(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    score = rank(terms.q, MarginTask.title)
    found = session.exec(
        select(MarginTask, score)
        .where(MarginTask.tenant_id == ctx.tenant_id, every_word(terms.words, MarginTask.title))
        .order_by(score, col(MarginTask.created_at).desc(), col(MarginTask.id))
        .limit(limit)
    ).all()
    return [SearchHit("tasks", str(t.id), t.title, t.status, "/tasks", int(r)) for t, r in found]


PROVIDERS = (
    SearchProvider("alerts", "Alerts", READ, _alerts, order=10),
    SearchProvider("dealers", "Dealers", READ, _dealers, order=11),
    SearchProvider("tasks", "Tasks", READ, _tasks, order=12),
)
