"""Job kind → item handler. Modules register their handlers here; the runner looks them up.

A handler does one item's work inside the worker's processing transaction (so its side
effects and the item's done mark commit together) and returns an outcome from engine.jobs:
Done(result), Skipped(reason), Failed(error) or Retry(error); returning None means Done().
It must be idempotent per `item.idempotency_key` in spirit, but the runner already guarantees
at most one committed execution per item.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from engine.context import TenantContext
from engine.jobs import ClaimedItem, ItemOutcome
from models.jobs.tables import Job


@dataclass(frozen=True)
class ItemContext:
    """What a handler gets: the open transaction, the tenant context, the job and the item."""

    session: Session
    ctx: TenantContext
    job: Job
    item: ClaimedItem


Handler = Callable[[ItemContext], ItemOutcome | None]

# Modules that register handlers on import; a new module adds its path here.
HANDLER_MODULES: list[str] = ["workers.sample", "workers.margin.detect", "workers.margin.enforce"]

_HANDLERS: dict[str, Handler] = {}


def register(kind: str) -> Callable[[Handler], Handler]:
    """Decorator: `@register("margin.enforce")` makes the function the handler of that kind."""

    def wrap(fn: Handler) -> Handler:
        existing = _HANDLERS.get(kind)
        if existing is not None and existing is not fn:
            raise ValueError(f"job kind {kind!r} already has a handler: {existing.__module__}.{existing.__qualname__}")
        _HANDLERS[kind] = fn
        return fn

    return wrap


def load_handlers() -> None:
    for module in HANDLER_MODULES:
        importlib.import_module(module)


def get_handler(kind: str) -> Handler | None:
    load_handlers()
    return _HANDLERS.get(kind)


def kinds() -> list[str]:
    load_handlers()
    return sorted(_HANDLERS)
