"""Canonical encoding and chain verification, without a database."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.audit_chain import GENESIS_HASH, ChainLink, PendingLink, StoredEvent, to_jsonable, verify_chain


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
    for field, value in [
        ("actor", "x"),
        ("action", "x"),
        ("entity", "x"),
        ("entity_id", "x"),
        ("after", {"v": 2}),
        ("before", {}),
        ("at", "2027-01-01T00:00:00.000000Z"),
        ("tenant_id", "u"),
        ("prev_hash", "1" * 64),
    ]:
        assert replace(link, **{field: value}).digest() != link.digest(), field


def test_canonical_encoding_ignores_key_order():
    a = replace(chain(1)[0].link, after={"x": 1, "y": 2})
    b = replace(chain(1)[0].link, after={"y": 2, "x": 1})
    assert a.canonical() == b.canonical()


def test_jsonable_keeps_money_exact_and_times_utc():
    value = to_jsonable(
        {"amount": Decimal("1.2345678901"), "id": uuid.UUID(int=1), "at": datetime(2026, 1, 1, 12, tzinfo=UTC)}
    )
    assert value == {
        "amount": "1.2345678901",
        "id": "00000000-0000-0000-0000-000000000001",
        "at": "2026-01-01T12:00:00.000000Z",
    }
    with pytest.raises(ValueError):
        to_jsonable(datetime(2026, 1, 1))


def test_reordered_events_fail():
    events = chain(4)
    events[1], events[2] = events[2], events[1]
    fault = verify_chain(events)
    assert fault is not None and fault.seq == 2


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.tuples(*[st.text(max_size=20)] * 6),
    before=_json_values,
    after=_json_values,
    seq=st.integers(min_value=1, max_value=2**62),
    prev=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
)
def test_pending_link_digest_equals_the_chain_links(text, before, after, seq, prev):
    """The bulk append encodes events before taking the lock (PendingLink); the digest must be the
    ChainLink's byte for byte, or verification would fail on every bulk-written event."""
    tenant, actor, action, entity, entity_id, at = text
    link = ChainLink(tenant, seq, actor, action, entity, entity_id, before, after, at, prev)
    pending = PendingLink.of(tenant, actor, action, entity, entity_id, before, after, at)
    assert pending.digest(seq, prev) == link.digest()
