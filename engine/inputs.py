"""One input rule for every module: the annotated types that input models and query parameters use.

Every module's write models (``TextInput`` subclasses) and every route's query parameters take their
types from here, so a value is refused the same way everywhere — a 422 naming the field — instead of
reaching PostgreSQL (NUL), overflowing a conversion (years 0001/9999 with an offset) or being
coerced (``true`` → 1, Arabic-Indic digits → 123). The JSON Schema of each type says exactly what
is accepted, so the OpenAPI document (and the schemathesis probe over it) agree with the validator.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, Strict, WithJsonSchema

from engine.text import CONTROL_MESSAGE, control_error

INSTANT_MIN_YEAR = 1900
INSTANT_MAX_YEAR = 2999
INSTANT_MESSAGE = (
    "must be a date and time with a zone (e.g. 2026-06-01T00:00:00Z) "
    f"in the years {INSTANT_MIN_YEAR}..{INSTANT_MAX_YEAR}"
)
# The year as written: with any offset (±14:00 at most) the instant stays within a day of it, so the
# conversion to UTC can never overflow, and the schema can state the rule exactly.
INSTANT_PATTERN = r"^(19[0-9]{2}|2[0-9]{3})-"
# What `engine.text` refuses, as a JSON Schema pattern: C0 controls but tab/LF/CR, DEL, C1.
PLAIN_TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
INT_MESSAGE = "must be a whole number written with the digits 0-9"
_ASCII_INT = re.compile(r"-?[0-9]{1,18}")
# Query integers are 32-bit at most: PostgreSQL's integer columns and OFFSETs must never overflow.
INT32_MAX = 2**31 - 1


_INSTANT_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}")


def _instant_text(value: Any) -> Any:
    """RFC 3339 text (or a datetime from Python callers): pydantic's lax mode also reads `0` or
    `"0.5"` as seconds since 1970."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _INSTANT_TEXT.match(value):
        raise ValueError(INSTANT_MESSAGE)
    return value


def _instant(value: datetime) -> datetime:
    if not INSTANT_MIN_YEAR <= value.year <= INSTANT_MAX_YEAR:
        raise ValueError(INSTANT_MESSAGE)
    return value


def _plain(value: str) -> str:
    if control_error(value):
        raise ValueError(CONTROL_MESSAGE)
    return value


def _ascii_int(value: Any) -> Any:
    """Query text must be ASCII digits: pydantic's lax mode also takes '1_0', '+5' and ' 7 '."""
    if isinstance(value, bool):
        raise ValueError(INT_MESSAGE)
    if isinstance(value, str) and not _ASCII_INT.fullmatch(value):
        raise ValueError(INT_MESSAGE)
    return value


# A timezone-aware instant in the years 1900..2999 (bodies and query parameters alike).
Instant = Annotated[
    AwareDatetime,
    BeforeValidator(_instant_text),
    AfterValidator(_instant),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN}),
]
# Text without control characters (tab, line feed and carriage return allowed), for query parameters
# and fields whose model is not a `TextInput` (which applies the same rule to every field).
PlainText = Annotated[str, AfterValidator(_plain), Field(json_schema_extra={"pattern": PLAIN_TEXT_PATTERN})]
# JSON integers only: `true`, `1.0` and `"5"` are refused.
StrictInt = Annotated[int, Strict()]


def query_int(ge: int, le: int) -> Any:
    """An integer query parameter in [ge, le], written in ASCII digits. Use it as the annotation
    (`limit: query_int(1, 200) = 50`, or inside `Annotated[..., Query()]`): a `= Query(...)` default
    would drop the bounds from the validation and the schema."""
    return Annotated[int, Field(ge=ge, le=le), BeforeValidator(_ascii_int)]
