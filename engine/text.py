"""User-supplied text: one rule for what may be stored, shared by every input model and repository.

PostgreSQL text cannot hold NUL (0x00), and other control characters are never legitimate in
titles, notes or reasons (they only hide content or break exports). Tab, line feed and carriage
return stay allowed (multi-line notes). Over-long text is refused with its limit, never cut.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from engine.errors import ValidationFailed

# C0 controls except \t \n \r, DEL, and the C1 controls
_DISALLOWED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_MESSAGE = "contains a control character (such as NUL) that is not allowed in text"


def control_error(value: str) -> str | None:
    """The reason `value` may not be stored, or None."""
    return CONTROL_MESSAGE if _DISALLOWED.search(value) else None


def _has_control(value: Any) -> bool:
    if isinstance(value, str):
        return _DISALLOWED.search(value) is not None
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_has_control(v) for v in value)
    if isinstance(value, dict):
        return any(_has_control(k) or _has_control(v) for k, v in value.items())
    if isinstance(value, BaseModel):
        return False  # nested input models validate their own fields
    return False


def check_text(value: str | None, field: str, *, max_length: int | None = None) -> str | None:
    """Refuse (422, naming `field`) text with control characters or longer than `max_length`."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationFailed(f"{field}: must be text", fields={field: "must be text"})
    if _DISALLOWED.search(value):
        raise ValidationFailed(f"{field}: {CONTROL_MESSAGE}", fields={field: CONTROL_MESSAGE})
    if max_length is not None and len(value) > max_length:
        what = f"is {len(value)} characters long; the limit is {max_length}"
        raise ValidationFailed(f"{field}: {what}", fields={field: what})
    return value


class TextInput(BaseModel):
    """Base of validated write inputs: unknown keys refused, text stripped, control characters refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        if _has_control(value):
            raise ValueError(CONTROL_MESSAGE)
        return value
