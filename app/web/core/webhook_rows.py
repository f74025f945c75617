"""Display rows of /settings/webhooks and the fetchers that shape models.delivery's read models."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.web.kit import format as fmt
from app.web.kit.rows import Option
from engine.context import TenantContext
from models.delivery import queries
from models.delivery.endpoints import DeliveryView, EndpointView

PAGE_SIZE = 25


@dataclass(frozen=True)
class EndpointRow:
    id: str = ""
    url: str = ""
    description: str = ""
    event_types: str = ""
    status: str = ""
    status_note: str = ""
    rotating: str = ""
    counts: str = ""
    enabled: bool = False


@dataclass(frozen=True)
class DeliveryRow:
    id: str = ""
    created: str = ""
    event_type: str = ""
    message_id: str = ""
    status: str = ""
    attempts: str = ""
    last: str = ""
    next_attempt: str = ""
    replayable: bool = False


@dataclass(frozen=True)
class AttemptRow:
    number: str = ""
    at: str = ""
    status: str = ""
    latency: str = ""
    outcome: str = ""
    detail: str = ""


def endpoint_row(view: EndpointView) -> EndpointRow:
    return EndpointRow(
        id=str(view.id),
        url=view.url,
        description=view.description,
        event_types=", ".join(view.event_types) if view.event_types else "every event",
        status=view.status,
        status_note=view.status_note if view.status == "disabled" else "",
        rotating=f"previous secret signs until {fmt.stamp(view.rotating_until)}" if view.rotating_until else "",
        counts=f"{view.delivered} delivered · {view.pending} pending · {view.dead} dead",
        enabled=view.status == "enabled",
    )


def endpoint_rows(ctx: TenantContext) -> list[EndpointRow]:
    return [endpoint_row(e) for e in queries.endpoint_page(ctx, limit=100).items]


def event_type_options(ctx: TenantContext) -> list[Option]:
    return [Option(e.name, f"{e.name} — {e.summary}") for e in queries.event_type_list(ctx)]


def delivery_row(view: DeliveryView) -> DeliveryRow:
    last = ""
    if view.attempts:
        a = view.attempts[-1]
        last = f"{a.status_code if a.status_code is not None else '—'} · {a.error or 'ok'}"
    return DeliveryRow(
        id=str(view.id),
        created=fmt.stamp(view.created_at),
        event_type=view.event_type,
        message_id=view.message_id,
        status=view.status,
        attempts=str(len(view.attempts)),
        last=last[:160],
        next_attempt=fmt.stamp(view.next_attempt_at) if view.next_attempt_at else "",
        replayable=view.status in ("dead", "delivered"),
    )


def delivery_page(ctx: TenantContext, endpoint_id: str, cursor: str | None) -> tuple[list[DeliveryRow], str | None]:
    target = fmt.parse_uuid(endpoint_id)
    if target is None:
        return [], None
    page = queries.delivery_page(ctx, endpoint_id=target, limit=PAGE_SIZE, cursor=cursor)
    return [delivery_row(d) for d in page.items], page.next_cursor


def attempt_rows(ctx: TenantContext, delivery_id: uuid.UUID) -> list[AttemptRow]:
    view = queries.delivery_detail(ctx, delivery_id)
    return [
        AttemptRow(
            number=str(a.number),
            at=fmt.stamp(a.at),
            status=str(a.status_code) if a.status_code is not None else "no answer",
            latency=f"{a.latency_ms} ms",
            outcome=a.outcome,
            detail=(a.error or a.response_body or "")[:300],
        )
        for a in view.attempts
    ]
