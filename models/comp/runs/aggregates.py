"""A run's total() sums, computed once per run (and process) for its tapes and statements.

A plan with total() (the demo's pool share) makes every row's tape depend on the whole run. The
tape used to re-evaluate all the run's rows to trace one (~0.6 s at 10k employees, the most of a
statement). The sums are a pure function of the plan and the stored inputs, which the snapshot
hash covers, so they are computed once from the stored rows with the reference engine
(engine.formula.reference.aggregates, the same evaluation the tape always did) and kept in memory
keyed by the run and its snapshot hash; a tape then traces its one row with them. Nothing is
persisted: the snapshot hash and the stored results mean what they meant.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from decimal import Decimal

from sqlmodel import Session

from engine.comp.run_frame import ROW, typed_rows
from engine.comp.spec import PlanSpec
from engine.context import TenantContext
from engine.formula.reference import aggregates
from engine.formula.validator import CompiledPlan
from models.comp.runs import store
from models.comp.runs.tables import CompRun

Sums = dict[str, Decimal | None]
KEEP = 64  # runs whose sums stay in memory (a few strings each)
_cache: OrderedDict[tuple[uuid.UUID, uuid.UUID, str], Sums] = OrderedDict()
_lock = threading.Lock()


def compute(session: Session, ctx: TenantContext, run: CompRun, spec: PlanSpec, compiled: CompiledPlan) -> Sums:
    """The sums over the run's stored employee rows (typed as the run typed them)."""
    raw = store.read_employee_rows(session, ctx, run.upload_id, [i.key for i in spec.inputs])
    return aggregates(compiled, typed_rows(spec.inputs, raw).frame.drop(ROW))


def run_sums(session: Session, ctx: TenantContext, run: CompRun, spec: PlanSpec, compiled: CompiledPlan) -> Sums:
    """The run's sums: from memory, or computed once (a computed run's hash names its plan and inputs)."""
    key = (ctx.tenant_id, run.id, run.snapshot_hash or "")
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    sums = compute(session, ctx, run, spec, compiled)
    with _lock:
        _cache[key] = sums
        while len(_cache) > KEEP:
            _cache.popitem(last=False)
    return sums
