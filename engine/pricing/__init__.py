"""Price resolution (pure): rules, the explainable resolver, its vectorized twin and the overlap linter.

Precedence org_channel > channel > org > global; windows are [effective_from, effective_to);
currencies must match the request; ties follow TIE_BREAK_RULE.
"""

from engine.pricing.lint import Overlap, find_overlaps, overlaps_with
from engine.pricing.model import (
    PRICE_BOOK_KINDS,
    TIE_BREAK_RULE,
    Candidate,
    Level,
    PriceQuery,
    PriceRule,
    Resolution,
)
from engine.pricing.resolver import resolve
from engine.pricing.vectorized import (
    QUERY_SCHEMA,
    RESULT_COLUMNS,
    RULE_SCHEMA,
    queries_frame,
    resolve_frame,
    rules_frame,
)

__all__ = [
    "PRICE_BOOK_KINDS",
    "QUERY_SCHEMA",
    "RESULT_COLUMNS",
    "RULE_SCHEMA",
    "TIE_BREAK_RULE",
    "Candidate",
    "Level",
    "Overlap",
    "PriceQuery",
    "PriceRule",
    "Resolution",
    "find_overlaps",
    "overlaps_with",
    "queries_frame",
    "resolve",
    "resolve_frame",
    "rules_frame",
]
