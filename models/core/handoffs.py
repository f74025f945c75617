"""Handoffs: one module asks another to do something, by name, without importing it.

Business modules never import each other (import-linter); when one needs another's work inside its
own transaction — margin opening a vendor case about an enforcement notice, the cases module telling
margin how that case was decided — the receiving module registers a `Handoff` in
`models/<module>/handoffs.py` (`PROVIDERS`), found like the search and inbox providers, and the
asking module calls `hand_off(session, ctx, name, payload)`. The payload and the answer are plain
JSON-like dicts: the contract is the name and its keys, documented by the receiving module.

`hand_off` refuses a caller without the handoff's permission (Forbidden) and an unknown name
(Unavailable: the receiving module is not installed); `offered(name)` lets a caller skip an
optional handoff instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlmodel import Session

from engine.context import TenantContext
from engine.errors import Unavailable
from models.core.providers import discover

Payload = Mapping[str, Any]


@dataclass(frozen=True)
class Handoff:
    """`run(session, ctx, payload)` does the work in the caller's transaction and answers a dict."""

    name: str  # "<module>.<verb>", e.g. "cases.open_case"
    permission: str  # what the caller's role must hold
    run: Callable[[Session, TenantContext, Payload], dict[str, Any]]


@cache
def handoffs() -> dict[str, Handoff]:
    return {h.name: h for h in discover("handoffs", "name")}


def offered(name: str) -> bool:
    return name in handoffs()


def hand_off(session: Session, ctx: TenantContext, name: str, payload: Payload) -> dict[str, Any]:
    found = handoffs().get(name)
    if found is None:
        raise Unavailable(f"no module takes '{name}'")
    ctx.require(found.permission)
    return found.run(session, ctx, payload)
