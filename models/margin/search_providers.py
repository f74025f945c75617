"""What margin adds to the one search (models/core/search.py): alerts, dealers and tasks.

An alert matches when every word is in its dealer's name, its SKU's code or name, or its rule
("metro zinc" finds Metro's AUR-ZINC-30 alerts); it ranks by its SKU's code.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_
from sqlmodel import Session, col, select

from engine.context import TenantContext
from engine.margin.permissions import READ
from models.catalog.tables import Organization, Sku
from models.core.search import SearchHit, SearchProvider, Terms, ranked
from models.core.text_search import every_word, rank
from models.margin.tables import MarginAlert, MarginTask

RULE_NAMES = {
    "map_breach": "MAP breach",
    "mrp_breach": "MRP breach",
    "competitor_undercut": "Competitor undercut",
    "dead_stock": "Dead stock",
}


def alert_title(alert: MarginAlert, dealer: str, sku_code: str) -> str:
    return f"{RULE_NAMES.get(alert.rule, alert.rule)} · {dealer} · {sku_code}"


def with_dealer_and_sku(ctx: TenantContext, *extra: Any) -> Any:
    """Alerts of ctx's tenant joined to their dealer and SKU (select MarginAlert, Organization.name,
    Sku.code, …), and `extra` conditions."""
    return and_(
        col(MarginAlert.tenant_id) == ctx.tenant_id,
        col(Organization.tenant_id) == ctx.tenant_id,
        col(Sku.tenant_id) == ctx.tenant_id,
        col(Organization.id) == col(MarginAlert.dealer_id),
        col(Sku.id) == col(MarginAlert.sku_id),
        *extra,
    )


def _alerts(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    score = rank(terms.q, Sku.code, Organization.name, Sku.name)
    found = session.exec(
        select(MarginAlert, Organization.name, Sku.code, score)
        .where(
            with_dealer_and_sku(ctx, every_word(terms.words, Organization.name, Sku.code, Sku.name, MarginAlert.rule))
        )
        .order_by(score, col(MarginAlert.opened_at).desc(), col(MarginAlert.id))
        .limit(limit)
    ).all()
    return [
        SearchHit(
            "alerts",
            str(a.id),
            alert_title(a, dealer, code),
            f"{a.status.replace('_', ' ')} · {a.severity}",
            f"/alert/{a.id}",
            int(r),
        )
        for a, dealer, code, r in found
    ]


def _dealers(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    found = ranked(
        session,
        ctx,
        Organization,
        terms,
        limit,
        code=Organization.code,
        texts=(Organization.name,),
        where=(col(Organization.type) == "dealer",),
        order=(col(Organization.name), col(Organization.id)),
    )
    return [SearchHit("dealers", str(d.id), d.name, d.code, f"/dealers/{d.id}", r) for d, r in found]


def _tasks(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    order = (col(MarginTask.created_at).desc(), col(MarginTask.id))
    found = ranked(session, ctx, MarginTask, terms, limit, code=MarginTask.title, texts=(), order=order)
    return [SearchHit("tasks", str(t.id), t.title, t.status, "/tasks", r) for t, r in found]


PROVIDERS = (
    SearchProvider("alerts", "Alerts", READ, _alerts, order=10),
    SearchProvider("dealers", "Dealers", READ, _dealers, order=11),
    SearchProvider("tasks", "Tasks", READ, _tasks, order=12),
)
