"""Tamper-evident audit chain: canonical encoding and SHA-256 links.

Each event's hash covers its content and the previous event's hash, so changing, deleting or
reordering any row breaks every link after it. Pure functions; the database layer appends.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from engine.jsonable import format_instant, to_jsonable

__all__ = [
    "GENESIS_HASH",
    "ChainLink",
    "Encoded",
    "PendingLink",
    "StoredEvent",
    "format_instant",
    "to_jsonable",
    "verify_chain",
]

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class ChainLink:
    """The hashed content of one audit event."""

    tenant_id: str
    seq: int
    actor: str
    action: str
    entity: str
    entity_id: str
    before: Any
    after: Any
    at: str
    prev_hash: str

    def canonical(self) -> bytes:
        body = {
            "tenant_id": self.tenant_id,
            "seq": self.seq,
            "actor": self.actor,
            "action": self.action,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "before": self.before,
            "after": self.after,
            "at": self.at,
            "prev_hash": self.prev_hash,
        }
        return _dumps(body).encode()

    def digest(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_string = encode_basestring  # what `_dumps` does for a str, without the encoder set-up per call


@dataclass(frozen=True, slots=True)
class Encoded:
    """A JSON-ready value (what `to_jsonable` returns) with its canonical text, encoded once: the
    bulk append hashes the text and sends it as the row's before/after as is. A writer that builds
    its values JSON-ready passes them as `Encoded.of(value)`, so the audit never walks them again."""

    value: Any
    text: str

    @classmethod
    def of(cls, ready: Any) -> Encoded:
        return cls(ready, _dumps(ready))


@dataclass(frozen=True, slots=True)
class PendingLink:
    """An event's canonical encoding with its place in the chain still open: everything but seq and
    prev_hash is serialized up front (outside the tenant's append lock), so appending only joins
    strings and hashes. `digest(seq, prev_hash)` equals the ChainLink's digest byte for byte (the
    canonical keys are sorted: ...entity_id, prev_hash, seq, tenant_id)."""

    head: str
    tail: str

    @classmethod
    def of(
        cls, tenant_id: str, actor: str, action: str, entity: str, entity_id: str, before: Any, after: Any, at: str
    ) -> PendingLink:
        return cls.encoded(tenant_id, actor, action, entity, entity_id, Encoded.of(before), Encoded.of(after), at)

    @classmethod
    def encoded(
        cls,
        tenant_id: str,
        actor: str,
        action: str,
        entity: str,
        entity_id: str,
        before: Encoded,
        after: Encoded,
        at: str,
    ) -> PendingLink:
        """`of` with before and after encoded already (their canonical text is used as is)."""
        head = (
            f'{{"action":{_string(action)},"actor":{_string(actor)},"after":{after.text},"at":{_string(at)},'
            f'"before":{before.text},"entity":{_string(entity)},"entity_id":{_string(entity_id)},'
        )
        return cls(head=head, tail=f',"tenant_id":{_string(tenant_id)}}}')

    def digest(self, seq: int, prev_hash: str) -> str:
        body = f'{self.head}"prev_hash":{_string(prev_hash)},"seq":{int(seq)}{self.tail}'
        return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class StoredEvent:
    link: ChainLink
    stored_hash: str


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(events: Iterable[StoredEvent]) -> ChainBreak | None:
    """Walk events in seq order; return the first broken link, or None when intact."""
    expected_seq = 1
    prev = GENESIS_HASH
    for event in events:
        link = event.link
        if link.seq != expected_seq:
            return ChainBreak(expected_seq, f"sequence gap: expected seq {expected_seq}, found {link.seq}")
        if link.prev_hash != prev:
            return ChainBreak(link.seq, "prev_hash does not match the previous event's hash")
        if link.digest() != event.stored_hash:
            return ChainBreak(link.seq, "hash does not match the event's content")
        prev = event.stored_hash
        expected_seq += 1
    return None
