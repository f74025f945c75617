"""One search across modules: each module registers providers (models/<module>/search_providers.py,
`PROVIDERS`), the core runs those the caller's role may read, in the caller's tenant, and returns
typed hits grouped by type and ranked (exact code, then code prefix, then a title starting with the
query, then contained words; models/core/text_search.py), a few per group.

The core never imports a module: providers are found by name for each module in engine.modules.MODULES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlmodel import Session, select

from engine.context import TenantContext
from engine.errors import ValidationFailed
from models.core import flags
from models.core.db import tenant_session
from models.core.providers import discover
from models.core.text_search import every_word, rank, search_words

MAX_QUERY = 100
DEFAULT_PER_GROUP = 5
MAX_PER_GROUP = 50


@dataclass(frozen=True)
class Terms:
    """The query as providers use it: the whole text (for ranking) and its words (for matching)."""

    q: str
    words: list[str]


@dataclass(frozen=True)
class SearchHit:
    type: str
    id: str
    title: str
    subtitle: str
    url: str
    rank: int  # 0 exact code, 1 code prefix, 2 title prefix, 3 contains (lower first)


@dataclass(frozen=True)
class SearchProvider:
    """`find(session, ctx, terms, limit)` returns at most `limit` hits, best first, of the caller's
    tenant. Shown only to roles holding `permission`, and only while `flag` (if any) is on."""

    type: str
    label: str
    permission: str
    find: Callable[[Session, TenantContext, Terms, int], list[SearchHit]]
    order: int = 100
    flag: str | None = None


@dataclass(frozen=True)
class SearchGroup:
    type: str
    label: str
    hits: list[SearchHit]


@dataclass(frozen=True)
class SearchResults:
    q: str
    groups: list[SearchGroup]


@cache
def providers() -> tuple[SearchProvider, ...]:
    found: list[SearchProvider] = discover("search_providers", "type")
    return tuple(sorted(found, key=lambda p: (p.order, p.type)))


def ranked(
    session: Session,
    ctx: TenantContext,
    table: Any,
    terms: Terms,
    limit: int,
    *,
    code: Any,
    texts: tuple[Any, ...],
    where: tuple[Any, ...] = (),
    order: tuple[Any, ...] = (),
) -> list[tuple[Any, int]]:
    """(row, rank) of one table's rows in ctx's tenant where every word is in `code` or `texts`,
    best first: the shape of most providers."""
    score = rank(terms.q, code, *texts)
    found = session.exec(
        select(table, score)
        .where(table.tenant_id == ctx.tenant_id, every_word(terms.words, code, *texts), *where)
        .order_by(score, *order)
        .limit(limit)
    ).all()
    return [(row, int(r)) for row, r in found]


def provider_types() -> list[str]:
    return [p.type for p in providers()]


def search(
    ctx: TenantContext, q: str, *, types: list[str] | None = None, per_group: int = DEFAULT_PER_GROUP
) -> SearchResults:
    """Every provider the role may read (of `types`, when given), each group ranked and cut at
    `per_group`. An unknown type is refused, naming it."""
    unknown = sorted(set(types or []) - set(provider_types()))
    if unknown:
        raise ValidationFailed(
            f"types: unknown {', '.join(unknown)}", fields={"types": f"one of {', '.join(provider_types())}"}
        )
    text = q.strip()[:MAX_QUERY]
    terms = Terms(text.lower(), search_words(text))
    wanted = [p for p in providers() if (not types or p.type in types) and ctx.can(p.permission)]
    groups = []
    with tenant_session(ctx) as session:
        for p in wanted:
            if p.flag and not flags.is_enabled(session, ctx, p.flag):
                continue
            hits = p.find(session, ctx, terms, per_group) if terms.words else []
            groups.append(SearchGroup(p.type, p.label, sorted(hits, key=lambda h: h.rank)[:per_group]))
    return SearchResults(text, groups)
