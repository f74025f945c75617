"""Server-side display formatting shared by every module's pages: money, instants, ids, errors.
Pages format read models into strings here once, so the views only place text."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from engine.errors import DomainError

DASH = "—"


def money(value: Any) -> str:
    """1234.5 → '1,234.50' (exact Decimal, two places); '—' when there is no value."""
    if value is None or value == "":
        return DASH
    return f"{Decimal(str(value)):,.2f}"


def amount(value: Any, currency: str) -> str:
    """money(value) with its currency code: '1,234.50 INR' ('—' when there is no value)."""
    text = money(value)
    return text if text == DASH or not currency else f"{text} {currency}"


def quantity(value: Any) -> str:
    """A Decimal quantity or price as written, without trailing zeros ('40', '12.4'); '—' for none."""
    if value is None:
        return DASH
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def when(value: datetime | None, *, time: bool = True) -> str:
    """'YYYY-MM-DD HH:MM UTC' (or the day only); '' for no value."""
    if value is None:
        return ""
    return value.strftime("%Y-%m-%d %H:%M UTC" if time else "%Y-%m-%d")


def stamp(value: Any, *, seconds: bool = True) -> str:
    """An instant (datetime or ISO text) as 'YYYY-MM-DD HH:MM:SS UTC' (naive means UTC)."""
    try:
        at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return str(value or "")
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M UTC")


def label(value: str | None) -> str:
    """A machine word for people: 'in_enforcement' → 'in enforcement'."""
    return (value or "").replace("_", " ")


def parse_uuid(value: Any) -> uuid.UUID | None:
    """A UUID from untrusted text (URL, select value), else None; never raises."""
    try:
        return uuid.UUID(str(value)[:64])
    except (TypeError, ValueError):
        return None


def last_segment(path: str) -> str:
    return (path or "").rstrip("/").rsplit("/", 1)[-1]


def too_long(caption: str, text: str, limit: int) -> str:
    """Why `text` cannot be saved ('The note is 4,001 characters long; at most 4,000 can be saved.'),
    or '' when it fits: typed text is never cut, saving says what is too long."""
    if len(text) <= limit:
        return ""
    return f"{caption} is {len(text):,} characters long; at most {limit:,} can be saved."


def validation_text(exc: ValidationError) -> str:
    """The input model's own messages, e.g. 'note: String should have at most 4000 characters'."""
    parts = []
    for e in exc.errors()[:3]:
        where = ".".join(map(str, e.get("loc") or ()))
        parts.append(f"{where}: {e['msg']}" if where else str(e["msg"]))
    return "; ".join(parts) or "invalid input"


def error_text(exc: Exception) -> str:
    """What a refused write tells the person: the domain error with its fields, or the input
    model's messages."""
    if isinstance(exc, DomainError):
        return exc.message + (f" ({', '.join(exc.fields)})" if exc.fields else "")
    if isinstance(exc, ValidationError):
        return validation_text(exc)
    return "invalid input"
