"""JSON for domain values: what audit links, decision events, API answers and job results store.

Decimals and instants become text so they round-trip through Postgres jsonb unchanged (jsonb would
reformat numbers and drop a Decimal's scale).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

_PLAIN = frozenset({str, int, bool, type(None)})


def to_jsonable(value: Any) -> Any:
    """Turn domain values into JSON that round-trips through Postgres jsonb unchanged."""
    if type(value) in _PLAIN:  # the common case first (exact types: enums and subclasses go on)
        return value
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # Floats never carry money here; keep a stable text form so jsonb cannot reformat them.
        return repr(value)
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return value.value
    return value


def format_instant(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    u = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    # fields, not strftime ("%Y" is not zero-padded for years < 1000 on glibc, and it is slower)
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}Z"
