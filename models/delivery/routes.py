"""Targeted deliveries: outbox topics that go to a particular recipient besides (or instead of) the
webhook subscribers — an invitation to the invitee's e-mail, an enforcement notice to its dealer's
e-mail or the dealer's own endpoint.

A `Route` names its topic, says where one outbox row goes (`destinations`, in the fan-out's
transaction) and, for e-mail, renders the message when it is sent (`render`, in the claim's
transaction: a body may carry a one-time link that is never stored). The core's routes are listed
here (people's invitations); each module's come from `models/<module>/delivery_routes.py`
(`ROUTES`), found like the search providers: the core imports no module.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlmodel import Session

from engine.context import TenantContext
from engine.discovery import module_parts
from engine.modules import MODULES


@dataclass(frozen=True)
class EmailTo:
    """Send an e-mail to `address`; `subject` is what the delivery log shows."""

    address: str
    subject: str


@dataclass(frozen=True)
class EndpointTo:
    """Deliver the row's event to this endpoint (subscribed to it or not)."""

    endpoint_id: uuid.UUID


Destination = EmailTo | EndpointTo


@dataclass(frozen=True)
class OutboxRow:
    """What a route reads of an outbox row."""

    id: uuid.UUID
    topic: str
    entity: str
    entity_id: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str


@dataclass(frozen=True)
class Route:
    topic: str
    destinations: Callable[[Session, TenantContext, OutboxRow], list[Destination]]
    # the e-mail's subject and text when it is sent (None: the route sends no e-mail)
    render: Callable[[Session, TenantContext, OutboxRow], EmailContent | None] | None = None


def _core_routes() -> list[Route]:
    from models.people.delivery_routes import ROUTES as PEOPLE

    return list(PEOPLE)


@cache
def routes() -> dict[str, Route]:
    """Every route by topic: the core's, then each registered module's."""
    found: dict[str, Route] = {}
    for route in (*_core_routes(), *module_parts(tuple(f"models.{m}" for m in MODULES), "delivery_routes", "ROUTES")):
        if route.topic in found:
            raise ValueError(f"delivery route for {route.topic!r} registered twice")
        found[route.topic] = route
    return found


def route_for(topic: str) -> Route | None:
    return routes().get(topic)


def route_topics() -> frozenset[str]:
    return frozenset(routes())
