"""Canonical encoding and chain verification, without a database."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from engine.audit_chain import GENESIS_HASH, ChainLink, StoredEvent, to_jsonable, verify_chain


def chain(n: int) -> list[StoredEvent]:
    events, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        link = ChainLink("t", seq, "u", "a", "e", str(seq), None, {"v": seq}, f"2026-01-01T00:00:0{seq}.000000Z", prev)
        digest = link.digest()
        events.append(StoredEvent(link, digest))
        prev = digest
    return events


def test_intact_chain_verifies():
    assert verify_chain(chain(5)) is None


def test_hash_covers_every_field():
    link = chain(1)[0].link
    for field, value in [("actor", "x"), ("action", "x"), ("entity", "x"), ("entity_id", "x"), ("after", {"v": 2}),
                         ("before", {}), ("at", "2027-01-01T00:00:00.000000Z"), ("tenant_id", "u"), ("prev_hash", "1" * 64)]:
        assert replace(link, **{field: value}).digest() != link.digest(), field


def test_canonical_encoding_ignores_key_order():
    a = replace(chain(1)[0].link, after={"x": 1, "y": 2})
    b = replace(chain(1)[0].link, after={"y": 2, "x": 1})
    assert a.canonical() == b.canonical()


def test_jsonable_keeps_money_exact_and_times_utc():
    value = to_jsonable({"amount": Decimal("1.2345678901"), "id": uuid.UUID(int=1),
                         "at": datetime(2026, 1, 1, 12, tzinfo=UTC)})
    assert value == {"amount": "1.2345678901", "id": "00000000-0000-0000-0000-000000000001", "at": "2026-01-01T12:00:00.000000Z"}
    with pytest.raises(ValueError):
        to_jsonable(datetime(2026, 1, 1))


def test_reordered_events_fail():
    events = chain(4)
    events[1], events[2] = events[2], events[1]
    fault = verify_chain(events)
    assert fault is not None and fault.seq == 2
