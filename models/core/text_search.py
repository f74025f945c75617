"""Text search that means the same in every module: each word matched literally (LIKE wildcards
escaped), case-folded, at most MAX_WORDS words."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, false, func, or_


def like_pattern(q: str) -> str:
    """A case-folded LIKE pattern matching `q` literally anywhere (%, _ and \\ escaped)."""
    text = q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{text}%"


MAX_WORDS = 8


def search_words(q: str) -> list[str]:
    """The distinct words of `q` (whitespace-separated, at most MAX_WORDS), case-folded."""
    words: list[str] = []
    for word in q.lower().split():
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def every_word(words: list[str], *columns: Any) -> Any:
    """Each word matches (ILIKE, literally) at least one of `columns`: an AND of ORs."""
    return and_(*(or_(*(func.lower(c).like(like_pattern(w)) for c in columns)) for w in words))


def prefix_pattern(q: str) -> str:
    """A case-folded LIKE pattern matching values that start with `q` literally."""
    return like_pattern(q)[1:]


def rank(q: str, code: Any, *texts: Any) -> Any:
    """How well a row matches the whole query, lower first: 0 its code is `q`, 1 its code starts
    with `q`, 2 one of `texts` starts with `q`, 3 the words are only contained somewhere."""
    whole = q.strip().lower()
    starts = prefix_pattern(whole)
    text_prefix = or_(*(func.lower(t).like(starts) for t in texts)) if texts else false()
    return case(
        (func.lower(code) == whole, 0),
        (func.lower(code).like(starts), 1),
        (text_prefix, 2),
        else_=3,
    )
