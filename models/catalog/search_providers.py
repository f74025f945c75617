"""What the catalog adds to the one search (models/core/search.py): SKUs, organizations of every
type, channels, products and price rules, each behind its read permission and feature flag."""

from __future__ import annotations

from sqlmodel import Session, col, select

from engine.catalog.permissions import CATALOG_READ, PRICING_READ
from engine.context import TenantContext
from models.catalog.tables import Channel, Organization, PriceBook, PriceRule, Product, Sku
from models.core.flags import ENABLE_CHANNELS, ENABLE_ORG, ENABLE_PRICE_BOOKS
from models.core.search import SearchHit, SearchProvider, Terms, ranked
from models.core.text_search import every_word, rank


def _skus(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    found = ranked(session, ctx, Sku, terms, limit, code=Sku.code, texts=(Sku.name,), order=(col(Sku.code),))
    return [SearchHit("skus", str(s.id), s.code, s.name, "/catalog/skus", r) for s, r in found]


def _organizations(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    order = (col(Organization.name), col(Organization.id))
    found = ranked(
        session, ctx, Organization, terms, limit, code=Organization.code, texts=(Organization.name,), order=order
    )
    return [
        SearchHit(
            "organizations", str(o.id), o.name, f"{o.code} · {o.type.replace('_', ' ')}", "/catalog/organizations", r
        )
        for o, r in found
    ]


def _channels(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    order = (col(Channel.name),)
    found = ranked(session, ctx, Channel, terms, limit, code=Channel.code, texts=(Channel.name,), order=order)
    return [SearchHit("channels", str(c.id), c.name, f"{c.code} · {c.kind}", "/catalog/channels", r) for c, r in found]


def _products(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    texts = (Product.name, Product.brand)
    found = ranked(session, ctx, Product, terms, limit, code=Product.code, texts=texts, order=(col(Product.name),))
    return [
        SearchHit("products", str(p.id), p.name, " · ".join(filter(None, [p.code, p.brand])), "/catalog/skus", r)
        for p, r in found
    ]


def _price_rules(session: Session, ctx: TenantContext, terms: Terms, limit: int) -> list[SearchHit]:
    """A price rule has no name of its own: it is found by its SKU and its book."""
    score = rank(terms.q, Sku.code, Sku.name, PriceBook.name)
    found = session.exec(
        select(PriceRule, Sku.code, PriceBook, score)
        .where(
            PriceRule.tenant_id == ctx.tenant_id,
            Sku.tenant_id == ctx.tenant_id,
            PriceBook.tenant_id == ctx.tenant_id,
            Sku.id == PriceRule.sku_id,
            PriceBook.id == PriceRule.price_book_id,
            every_word(terms.words, Sku.code, Sku.name, PriceBook.name),
        )
        .order_by(score, col(Sku.code), col(PriceRule.effective_from).desc(), col(PriceRule.id))
        .limit(limit)
    ).all()
    return [
        SearchHit(
            "price_rules",
            str(rule.id),
            f"{code} · {book.name}",
            f"{rule.amount} {book.currency} from {rule.effective_from:%Y-%m-%d}",
            f"/catalog/pricing?sku={rule.sku_id}",
            int(r),
        )
        for rule, code, book, r in found
    ]


PROVIDERS = (
    SearchProvider("skus", "SKUs", CATALOG_READ, _skus, order=20, flag=ENABLE_CHANNELS),
    SearchProvider("products", "Products", CATALOG_READ, _products, order=21, flag=ENABLE_CHANNELS),
    SearchProvider("organizations", "Organizations", CATALOG_READ, _organizations, order=22, flag=ENABLE_ORG),
    SearchProvider("channels", "Channels", CATALOG_READ, _channels, order=23, flag=ENABLE_CHANNELS),
    SearchProvider("price_rules", "Price rules", PRICING_READ, _price_rules, order=24, flag=ENABLE_PRICE_BOOKS),
)
