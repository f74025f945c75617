"""The tenant's participants, relationships and degrees as they are now, kept per process between
reads while nothing has changed them.

At 10,000 participants and 50,000 relationships, reading them is most of the whole-graph read
(docs/benchmarks.md, "Operator console"), and most reads find the graph as the last read left it.
Every statement that inserts, updates or deletes participants or relationships counts the tenant's
`graph_versions` row up (a trigger, migration 0024), so a read asks for that number first and loads
again only when it has moved. Safe by construction:

- the number is read before the rows (each statement sees what was committed when it began): rows
  newer than their number only make the entry look older than it is;
- a transaction that has written anything (its own uncommitted rows would be seen, and may roll
  back) neither uses nor fills the cache;
- entries are per tenant id (the reads behind them are the tenant's own, RLS again), a few tenants
  at most, least recently used out first; the loaded lists are tuples and the frame is never
  changed in place, so callers cannot alter what the next read gets.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass

import polars as pl
from sqlalchemy import text
from sqlmodel import Session

from engine.context import TenantContext
from engine.graph.model import Person
from models.graph import graph

MAX_TENANTS = 4  # about 10 MB each at 10,000 participants and 50,000 relationships


@dataclass(frozen=True)
class Current:
    people: tuple[Person, ...]  # id order
    edges: pl.DataFrame  # id order, models.graph.graph.EDGE_SCHEMA
    degree: dict[str, int]  # relationships per participant id (every participant)


_lock = threading.Lock()
_kept: OrderedDict[uuid.UUID, tuple[int, Current]] = OrderedDict()


def degrees(people: tuple[Person, ...] | list[Person], edges: pl.DataFrame) -> dict[str, int]:
    """Relationships per participant, counted in Polars (50,000 relationships: no Python loop)."""
    ends = pl.concat([edges["from"], edges["to"]]).value_counts()
    found = dict(zip(ends[:, 0].to_list(), ends[:, 1].to_list(), strict=True))
    return {p.id: found.get(p.id, 0) for p in people}


def load(session: Session, ctx: TenantContext) -> Current:
    """Read from the tables, no cache."""
    people = tuple(graph.load_people(session, ctx))
    edges = graph.load_edge_frame(session, ctx)
    return Current(people, edges, degrees(people, edges))


def current(session: Session, ctx: TenantContext) -> Current:
    """The tenant's graph now: kept, or read and kept (module docstring)."""
    version, wrote = session.execute(
        text(
            "select coalesce((select version from graph_versions where tenant_id = :t), 0), "
            "txid_current_if_assigned() is not null"
        ),
        {"t": ctx.tenant_id},
    ).one()
    if wrote:
        return load(session, ctx)
    with _lock:
        kept = _kept.get(ctx.tenant_id)
        if kept is not None and kept[0] == version:
            _kept.move_to_end(ctx.tenant_id)
            return kept[1]
    found = load(session, ctx)
    with _lock:
        _kept[ctx.tenant_id] = (version, found)
        _kept.move_to_end(ctx.tenant_id)
        while len(_kept) > MAX_TENANTS:
            _kept.popitem(last=False)
    return found
