"""Tamper-evident audit chain: canonical encoding and SHA-256 links.

Each event's hash covers its content and the previous event's hash, so changing, deleting or
reordering any row breaks every link after it. Pure functions; the database layer appends.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from engine.jsonable import format_instant, to_jsonable

__all__ = ["GENESIS_HASH", "ChainLink", "PendingLink", "StoredEvent", "format_instant", "to_jsonable", "verify_chain"]

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
        head = (
            f'{{"action":{_dumps(action)},"actor":{_dumps(actor)},"after":{_dumps(after)},"at":{_dumps(at)},'
            f'"before":{_dumps(before)},"entity":{_dumps(entity)},"entity_id":{_dumps(entity_id)},'
        )
        return cls(head=head, tail=f',"tenant_id":{_dumps(tenant_id)}}}')

    def digest(self, seq: int, prev_hash: str) -> str:
        body = f'{self.head}"prev_hash":{_dumps(prev_hash)},"seq":{int(seq)}{self.tail}'
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
