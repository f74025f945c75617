"""Routes declared from an entity's queries and actions instead of written out one function each.

A module's list / get / create / update routes differ only in their path, their filters, the
function they call and the model they answer, so `Entity` names those once and `lists`, `get`,
`create` and `update` add the routes. Each route keeps the name a hand-written function would have
(`list_skus`, `create_sku`, …): FastAPI derives the OpenAPI summary and operationId from it, so the
document is the same as with hand-written routes. The endpoints only call the query or action
(which owns the transaction and every check but the permission and flag of `context`).
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request

from app.api.core.settings import feature
from app.api.deps import Cursor, Limit
from engine.context import TenantContext
from models.core.pagination import Page

Context = Callable[[Request], TenantContext]
# a query parameter: (name, annotation, default)
Filter = tuple[str, Any, Any]

_ARG = inspect.Parameter.POSITIONAL_OR_KEYWORD


@dataclass(frozen=True)
class Entity:
    """One entity's routes: `/api{path}` and `/api{path}/{<id_name>}`, answering `public`."""

    path: str  # "/skus"
    noun: str  # "sku": names the routes list_skus, create_sku, update_sku
    id_name: str  # "sku_id"
    public: type
    read: Context  # the dependency of the reads (flag and permission)
    write: Context  # the dependency of the writes

    @property
    def read_param(self) -> inspect.Parameter:
        return param("ctx", TenantContext, Depends(self.read))

    @property
    def write_param(self) -> inspect.Parameter:
        return param("ctx", TenantContext, Depends(self.write))


def flagged(path: str, noun: str, public: type, flag: str, read: str, write: str) -> Entity:
    """An entity behind a tenant feature flag (404 while off), read and written with two permissions."""
    return Entity(path, noun, f"{noun}_id", public, feature(flag, read), feature(flag, write))


def param(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(name, _ARG, default=default, annotation=annotation)


def route(
    router: APIRouter,
    method: str,
    path: str,
    name: str,
    params: Sequence[inspect.Parameter],
    answer: Any,
    call: Callable[..., Any],
    **options: Any,
) -> None:
    """Add `call(**params)` as the route `name`; its signature is `params` → `answer`."""

    def endpoint(**values: Any) -> Any:
        return call(**values)

    endpoint.__name__ = endpoint.__qualname__ = name
    endpoint.__signature__ = inspect.Signature(list(params), return_annotation=answer)  # type: ignore[attr-defined]
    router.add_api_route(path, endpoint, methods=[method], name=name, **options)


def lists(
    router: APIRouter,
    entity: Entity,
    page: Callable[..., Any],
    filters: Sequence[Filter] = (),
    *,
    item: type | None = None,
) -> None:
    """`GET {path}`: the keyset page of `page(ctx, **filters, limit=, cursor=)`, of `item` (by
    default the entity's model)."""
    params = [
        entity.read_param,
        *(param(n, a, d) for n, a, d in filters),
        param("limit", Limit, 50),
        param("cursor", Cursor, None),
    ]
    answer = Page[item or entity.public]

    def call(ctx: TenantContext, **values: Any) -> Any:
        return page(ctx, **values)

    route(router, "GET", entity.path, f"list_{entity.noun}s", params, answer, call, response_model=answer)


def get(router: APIRouter, entity: Entity, query: Callable[..., Any], answer: Any = None) -> None:
    """`GET {path}/{id}`: `query(ctx, id)` (answering `answer`, by default the entity's model)."""
    params = [param(entity.id_name, uuid.UUID), entity.read_param]

    def call(ctx: TenantContext, **values: Any) -> Any:
        return query(ctx, values[entity.id_name])

    path, answer = f"{entity.path}/{{{entity.id_name}}}", answer or entity.public
    route(router, "GET", path, f"get_{entity.noun}", params, answer, call)


def create(router: APIRouter, entity: Entity, body: type, action: Callable[..., Any], answer: Any = None) -> None:
    """`POST {path}` (201): `action(ctx, body)`."""
    params = [param("body", body), entity.write_param]

    def call(body: Any, ctx: TenantContext) -> Any:
        return action(ctx, body)

    answer = answer or entity.public
    route(router, "POST", entity.path, f"create_{entity.noun}", params, answer, call, status_code=201)


def update(router: APIRouter, entity: Entity, body: type, action: Callable[..., Any], answer: Any = None) -> None:
    """`PATCH {path}/{id}`: `action(ctx, id, body)` (only the keys sent change)."""
    params = [
        param(entity.id_name, uuid.UUID),
        param("body", body),
        entity.write_param,
    ]

    def call(body: Any, ctx: TenantContext, **values: Any) -> Any:
        return action(ctx, values[entity.id_name], body)

    answer = answer or entity.public
    route(router, "PATCH", f"{entity.path}/{{{entity.id_name}}}", f"update_{entity.noun}", params, answer, call)
