"""Reads of compensation for the REST API and the pages. Each takes `ctx`, checks `comp.read`, opens
its own transaction, and answers frozen dataclasses (models.comp.views, engine.comp.*).

The stable surface (the plan builder calls these; keep the names and shapes):

- `input_catalog_page(ctx, *, q, limit, cursor) -> Page[InputDefinitionView]`, by key
- `input_catalog(ctx) -> list[InputDefinitionView]` (pickers)
- `plan_page(ctx, *, q, status, family_id, limit, cursor) -> Page[PlanSummary]`, newest first
- `plan_detail(ctx, plan_id) -> PlanDetail`: header, inputs, steps, pool, validation with the lock
  guards, decision buttons, editable, can_lock, payout step, the family's versions
- `plan_steps(ctx, plan_id) -> list[StepView]`, `plan_inputs(ctx, plan_id) -> list[PlanInputView]`,
  `plan_pool(ctx, plan_id) -> PoolView | None`, `plan_versions(ctx, plan_id) -> list[VersionRef]`
- `validate(ctx, plan_id) -> ValidationView`: issues (message, step, field, line, column, hint,
  guard), the lock guards, the evaluation order and the DAG's edges
- `check_step(ctx, plan_id, StepCheck) -> ValidationView`: a step as typed, unsaved (live lint)
- `completions(ctx, plan_id) -> Completions`: input keys, step names, functions (signature and
  doc), keywords; `function_catalog(ctx) -> list[FunctionView]`
- `plan_diff(ctx, plan_id, against_id) -> PlanDiffView`: header, inputs, steps added / removed /
  changed, each changed expression with its word diff
- `run_test_vectors(ctx, plan_id, rows) -> engine.comp.runs.Vectors`: every step's value (text)
  and the calculation tape per row
- `impact_preview(ctx, plan_id, ImpactBody) -> engine.comp.runs.Impact`: against `body.against`
  on typed rows and/or an uploaded sample

Errors: NotFound (404: another tenant's id too), Forbidden (403), ValidationFailed (422 naming the
field, the row and input, or the step, line and column).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.comp.data import MAX_SAMPLE_ROWS, MAX_VECTOR_ROWS, SampleError, rows_from_table
from engine.comp.diff import FieldChange, PlanDiff, diff_plans
from engine.comp.permissions import READ
from engine.comp.runs import Impact, Vectors, Version, impact, run_vectors
from engine.comp.spec import PlanSpec, StepSpec
from engine.comp.validation import Validation, validate_plan
from engine.context import TenantContext
from engine.errors import NotFound, ValidationFailed
from engine.formula import assist
from engine.formula.catalog import FUNCTIONS
from engine.imports.reader import ReadError, open_table
from models.comp import catalog, plans
from models.comp.inputs import ImpactBody, StepCheck
from models.comp.tables import BonusPlan
from models.comp.views import (
    InputDefinitionView,
    PlanDetail,
    PlanInputView,
    PlanSummary,
    PlanView,
    PoolView,
    StepView,
    ValidationView,
    VersionRef,
    detail,
)
from models.core.db import tenant_session
from models.core.pagination import Page
from models.uploads.queries import local_copy

# --- the input catalog -------------------------------------------------------------------------------


def input_catalog_page(
    ctx: TenantContext, *, q: str | None = None, limit: int | None = None, cursor: str | None = None
) -> Page[InputDefinitionView]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        page = catalog.input_page(session, ctx, q=q, limit=limit, cursor=cursor)
        return Page([InputDefinitionView.of(r) for r in page.items], page.next_cursor)


def input_catalog(ctx: TenantContext) -> list[InputDefinitionView]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        return [InputDefinitionView.of(r) for r in catalog.all_inputs(session, ctx)]


# --- plans ---------------------------------------------------------------------------------------------


def plan_page(
    ctx: TenantContext,
    *,
    q: str | None = None,
    status: str | None = None,
    family_id: uuid.UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[PlanSummary]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        page = plans.plan_page(session, ctx, q=q, status=status, family_id=family_id, limit=limit, cursor=cursor)
        counts = plans.count_steps(session, ctx, [p.id for p in page.items])
        return Page([PlanSummary(PlanView.of(p), counts.get(p.id, 0)) for p in page.items], page.next_cursor)


def plan_detail(ctx: TenantContext, plan_id: uuid.UUID) -> PlanDetail:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        return detail(session, ctx, plans.get_plan(session, ctx, plan_id))


def plan_steps(ctx: TenantContext, plan_id: uuid.UUID) -> list[StepView]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        plan = plans.get_plan(session, ctx, plan_id)
        return [StepView.of(s) for s in plans.steps_of(session, ctx, plan.id)]


def plan_inputs(ctx: TenantContext, plan_id: uuid.UUID) -> list[PlanInputView]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        plan = plans.get_plan(session, ctx, plan_id)
        return [PlanInputView.of(p, d) for p, d in plans.inputs_of(session, ctx, plan.id)]


def plan_pool(ctx: TenantContext, plan_id: uuid.UUID) -> PoolView | None:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        plan = plans.get_plan(session, ctx, plan_id)
        pool = plans.pool_of(session, ctx, plan.id)
        return PoolView.of(pool) if pool else None


def plan_versions(ctx: TenantContext, plan_id: uuid.UUID) -> list[VersionRef]:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        plan = plans.get_plan(session, ctx, plan_id)
        return [VersionRef(p.id, p.version, p.status, p.created_at) for p in plans.family(session, ctx, plan)]


# --- validation, lint and autocomplete ------------------------------------------------------------------


def validate(ctx: TenantContext, plan_id: uuid.UUID) -> ValidationView:
    ctx.require(READ)
    with tenant_session(ctx) as session:
        return ValidationView.of(plans.validation_of(session, ctx, plans.get_plan(session, ctx, plan_id)))


def check_step(ctx: TenantContext, plan_id: uuid.UUID, data: StepCheck) -> ValidationView:
    """The problems of one step as typed in the editor (not saved): its own (expr, condition, name,
    outputs) and any cycle it would close. Positions are the parser's line and column."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        plan = plans.get_plan(session, ctx, plan_id)
        spec = plans.spec_of(session, ctx, plan)
        stored = {s.id: s for s in plans.steps_of(session, ctx, plan.id)}
        editing = stored.get(data.step_id) if data.step_id is not None else None
        replaced = editing.name if editing is not None else None
    others = tuple(s for s in spec.steps if s.name != replaced)
    order = data.step_order
    if order is None:
        order = editing.step_order if editing is not None else _next_order(others)
    step = StepSpec(order, data.name, data.expr, data.condition_expr or None, (data.name,))
    result = validate_plan(PlanSpec(spec.name, spec.version, spec.inputs, (*others, step)))
    mine = tuple(
        i
        for i in result.issues
        if i.step == data.name or (i.guard == "cycles" and f" {data.name} " in f" {i.message} ")
    )
    return ValidationView.of(Validation(mine, result.order if not mine else (), result.edges))


def _next_order(steps: Sequence[StepSpec]) -> int:
    return max((s.order for s in steps), default=0) + plans.STEP_GAP


@dataclass(frozen=True)
class FunctionView:
    name: str
    signature: str
    doc: str


@dataclass(frozen=True)
class CompletionItem:
    label: str
    kind: str  # input | step | function | keyword
    detail: str  # what to show next to the label ("salary: decimal", "clip(x, lo, hi)")
    doc: str


@dataclass(frozen=True)
class Completions:
    items: list[CompletionItem]


def function_catalog(ctx: TenantContext) -> list[FunctionView]:
    ctx.require(READ)
    return [FunctionView(f.name, f.signature, f.doc) for f in FUNCTIONS.values()]


def completions(ctx: TenantContext, plan_id: uuid.UUID) -> Completions:
    """What the editor may offer at any point of an expression of this plan: its inputs (with
    type and label), its steps, the function catalog and the keywords; one source, the engine."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        plan = plans.get_plan(session, ctx, plan_id)
        spec = plans.spec_of(session, ctx, plan)
    offered = assist.completions(
        {i.key: i.dtype for i in spec.inputs},
        {s.name: s.notes or s.expr for s in spec.display_steps},
        {i.key: i.label for i in spec.inputs},
    )
    return Completions([CompletionItem(c.label, c.kind, c.signature, c.doc) for c in offered])


# --- the diff of two versions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanDiffView:
    base: PlanView  # `against`
    new: PlanView  # the plan asked about
    diff: PlanDiff  # header, inputs, steps (each with its word diff)
    added: int
    removed: int
    changed: int


_HEADER = ("name", "version", "effective_from", "effective_to", "notes")


def _header(
    base: BonusPlan, new: BonusPlan, base_pool: PoolView | None, new_pool: PoolView | None
) -> list[FieldChange]:
    changes = [
        FieldChange(f, getattr(base, f), getattr(new, f)) for f in _HEADER if getattr(base, f) != getattr(new, f)
    ]
    b = (base_pool.currency, base_pool.amount) if base_pool else None
    n = (new_pool.currency, new_pool.amount) if new_pool else None
    if b != n:
        changes.append(
            FieldChange("pool", f"{b[0]} {b[1]}" if b else None, f"{n[0]} {n[1]}" if n else None)  # noqa: RUF001
        )
    return changes


def plan_diff(ctx: TenantContext, plan_id: uuid.UUID, against_id: uuid.UUID) -> PlanDiffView:
    """What changed from version `against_id` to `plan_id` (any two plans of the tenant)."""
    ctx.require(READ)
    with tenant_session(ctx) as session:
        new = plans.get_plan(session, ctx, plan_id)
        try:
            base = plans.get_plan(session, ctx, against_id)
        except NotFound as exc:
            raise ValidationFailed(
                "the version to compare against was not found", fields={"against": "not found"}
            ) from exc
        base_spec, new_spec = plans.spec_of(session, ctx, base), plans.spec_of(session, ctx, new)
        base_pool, new_pool = plans.pool_of(session, ctx, base.id), plans.pool_of(session, ctx, new.id)
        header = _header(
            base, new, PoolView.of(base_pool) if base_pool else None, PoolView.of(new_pool) if new_pool else None
        )
        found = diff_plans(base_spec, new_spec, header)
        return PlanDiffView(PlanView.of(base), PlanView.of(new), found, found.added, found.removed, found.changed)


# --- running a plan on a few rows ---------------------------------------------------------------------------


def _runnable(session: Any, ctx: TenantContext, plan: BonusPlan, what: str) -> tuple[PlanSpec, Validation]:
    spec = plans.spec_of(session, ctx, plan)
    result = validate_plan(spec)
    if not result.ok:
        raise plans.PlanInvalid(
            result, f"{what} needs a plan that validates; '{plan.name}' version {plan.version} does not"
        )
    return spec, result


def _sample_error(exc: SampleError) -> ValidationFailed:
    return ValidationFailed(str(exc), fields={exc.field: exc.message})


def run_test_vectors(ctx: TenantContext, plan_id: uuid.UUID, rows: Sequence[Mapping[str, Any]]) -> Vectors:
    """Every step's value (text, 10 decimals) and the calculation tape for each row (at most 50)."""
    ctx.require(READ)
    if not rows or len(rows) > MAX_VECTOR_ROWS:
        raise ValidationFailed(f"send 1 to {MAX_VECTOR_ROWS} rows", fields={"rows": "1 to 50 rows"})
    with tenant_session(ctx) as session:
        spec, result = _runnable(session, ctx, plans.get_plan(session, ctx, plan_id), "running test vectors")
    assert result.compiled is not None
    try:
        return run_vectors(spec, result.compiled, rows)
    except SampleError as exc:
        raise _sample_error(exc) from None


def _upload_rows(ctx: TenantContext, upload_id: uuid.UUID, spec: PlanSpec, ref_column: str) -> list[dict[str, Any]]:
    try:
        with local_copy(ctx, upload_id) as path, open_table(path) as table:
            cells: list[tuple[str, ...]] = []
            for row in table.rows:
                cells.append(row.cells)
                if len(cells) > MAX_SAMPLE_ROWS:
                    raise ValidationFailed(
                        f"the sample has more than {MAX_SAMPLE_ROWS} rows; a preview needs a sample, not the payroll",
                        fields={"upload_id": "too many rows"},
                    )
            return rows_from_table(table.header, cells, spec.inputs, ref_column)
    except ReadError as exc:
        where = f"line {exc.line}: " if exc.line else ""
        raise ValidationFailed(
            f"the uploaded sample cannot be read: {where}{exc.message}", fields={"upload_id": exc.message}
        ) from None
    except SampleError as exc:
        raise ValidationFailed(f"the uploaded sample: {exc}", fields={"upload_id": exc.message}) from None


def impact_preview(ctx: TenantContext, plan_id: uuid.UUID, body: ImpactBody) -> Impact:
    """This version against `body.against` on the same employees (typed rows, then the upload's):
    how many payouts change, the total and pool deltas, and the top movers, each explained by the
    calculation tapes of both versions. Both versions must validate."""
    ctx.require(READ)
    if not body.rows and body.upload_id is None:
        raise ValidationFailed("send rows or an upload_id (a sample of employees)", fields={"rows": "required"})
    with tenant_session(ctx) as session:
        new = plans.get_plan(session, ctx, plan_id)
        try:
            base = plans.get_plan(session, ctx, body.against)
        except NotFound as exc:
            raise ValidationFailed("the base version was not found", fields={"against": "not found"}) from exc
        new_spec, new_result = _runnable(session, ctx, new, "an impact preview")
        base_spec, base_result = _runnable(session, ctx, base, "an impact preview")
        new_pool, base_pool = plans.pool_of(session, ctx, new.id), plans.pool_of(session, ctx, base.id)
    rows: list[Mapping[str, Any]] = list(body.rows)
    if body.upload_id is not None:
        union = PlanSpec(new_spec.name, new_spec.version, _union_inputs(base_spec, new_spec), ())
        rows += _upload_rows(ctx, body.upload_id, union, body.employee_ref_column)
    if len(rows) > MAX_SAMPLE_ROWS:
        raise ValidationFailed(f"at most {MAX_SAMPLE_ROWS} rows", fields={"rows": "too many rows"})
    assert new_result.compiled is not None and base_result.compiled is not None
    try:
        return impact(
            Version(
                base_spec,
                base_result.compiled,
                base_pool.amount if base_pool else None,
                base_pool.currency if base_pool else None,
            ),
            Version(
                new_spec,
                new_result.compiled,
                new_pool.amount if new_pool else None,
                new_pool.currency if new_pool else None,
            ),
            rows,
            body.movers,
        )
    except SampleError as exc:
        raise _sample_error(exc) from None


def _union_inputs(base: PlanSpec, new: PlanSpec) -> tuple[Any, ...]:
    seen = {i.key: i for i in base.inputs}
    seen.update({i.key: i for i in new.inputs})
    return tuple(seen.values())
