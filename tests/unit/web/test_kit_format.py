"""The UI kit's formatting: the one place pages turn values into display text."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from pydantic import BaseModel, ValidationError, constr

from app.web.kit import format as fmt
from engine.errors import ValidationFailed


def test_money_is_exact_with_two_places_and_a_dash_for_nothing():
    assert fmt.money(Decimal("1234.5")) == "1,234.50"
    assert fmt.money("1234.567") == "1,234.57"
    assert fmt.money("1534.0000000000") == "1,534.00"
    assert fmt.money(None) == fmt.money("") == "—"
    assert fmt.amount("12", "INR") == "12.00 INR"
    assert fmt.amount(None, "INR") == "—"
    assert fmt.amount("12", "") == "12.00"


def test_instants_are_shown_in_utc():
    at = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert fmt.stamp(at) == "2026-03-03 23:36:07 UTC"
    assert fmt.stamp(at, seconds=False) == "2026-03-03 23:36 UTC"
    assert fmt.stamp("2026-03-04T05:06:07.000000Z") == "2026-03-04 05:06:07 UTC"
    assert fmt.stamp("2026-03-04T05:06:07") == "2026-03-04 05:06:07 UTC"  # naive text is UTC
    assert fmt.stamp("not a time") == "not a time"
    assert fmt.when(datetime(2026, 3, 4, 5, 6, tzinfo=UTC)) == "2026-03-04 05:06 UTC"
    assert fmt.when(datetime(2026, 3, 4, 5, 6, tzinfo=UTC), time=False) == "2026-03-04"
    assert fmt.when(None) == ""


def test_parse_uuid_never_raises():
    value = uuid.uuid4()
    assert fmt.parse_uuid(str(value)) == value
    assert fmt.parse_uuid(value) == value
    for bad in (None, "", "__all__", "x" * 500, 12):
        assert fmt.parse_uuid(bad) is None


def test_error_text_names_the_fields():
    assert fmt.error_text(ValidationFailed("due_at: in the past", fields={"due_at": "past"})) == (
        "due_at: in the past (due_at)"
    )

    class Form(BaseModel):
        title: constr(max_length=3)  # type: ignore[valid-type]

    try:
        Form(title="toolong")
    except ValidationError as exc:
        assert fmt.error_text(exc).startswith("title: String should have at most 3 characters")
    assert fmt.error_text(ValueError("x")) == "invalid input"
