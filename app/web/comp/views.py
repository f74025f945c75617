"""The compensation pages' reads and writes shaped into display rows (each runs in a worker thread).

Everything comes from `models.comp.queries` / `models.comp.actions` (the same read models as the
REST API); the editor's completions and live lint come from `engine.formula.assist` over the plan
as loaded here, so the editor says what the API answers at save.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.web.comp.rows import (
    DiffSummary,
    FieldChangeRow,
    GuardRow,
    ImpactSummary,
    InputDefRow,
    InputDiffRow,
    IssueRow,
    MoverRow,
    PlanHeader,
    PlanInputRow,
    PlanRow,
    PoolRow,
    Segment,
    StepDiffRow,
    StepRow,
    TapeLine,
    VectorRow,
    VersionRow,
)
from app.web.kit import format as fmt
from app.web.kit.code_editor import EditorCompletion, EditorDiagnostic
from app.web.kit.dag import DagLayout, DagNodeSpec, layout
from app.web.kit.decisions import Action
from engine.context import TenantContext
from engine.errors import ValidationFailed
from engine.formula import assist
from engine.formula.plan import InputDef, Plan, Step
from models.catalog.inputs import parse_input
from models.comp import queries
from models.comp.inputs import ImpactBody

PAGE_SIZE = 50
MAX_PASTE_CHARS = 2_000_000


def num_text(value: Any) -> str:
    """An exact decimal for people: trailing zeros after the second decimal dropped (18000.00, 0.125)."""
    if value is None or value == "":
        return ""
    text = format(Decimal(str(value)), "f")
    if "." not in text:
        return text + ".00"
    whole, frac = text.split(".")
    frac = frac.rstrip("0")
    return f"{whole}.{frac.ljust(2, '0')}"


def _rules(rules: Mapping[str, Any]) -> str:
    """'min 1, max 5' / 'one of research, trading' / 'at most 40 characters'."""
    parts = []
    for key in ("min", "max"):
        if key in rules:
            parts.append(f"{key} {rules[key]}")
    if "choices" in rules:
        parts.append("one of " + ", ".join(map(str, rules["choices"])))
    if "max_length" in rules:
        parts.append(f"at most {rules['max_length']} characters")
    return ", ".join(parts)


# --- the input catalog ----------------------------------------------------------------------------


def input_row(v: Any) -> InputDefRow:
    return InputDefRow(
        id=str(v.id),
        key=v.key,
        label=v.label,
        dtype=v.dtype,
        required=bool(v.required),
        default=v.default_value or "",
        rules=_rules(v.validation or {}),
        description=v.description or "",
    )


def input_page(ctx: TenantContext, q: str, cursor: str | None) -> tuple[list[InputDefRow], str | None]:
    page = queries.input_catalog_page(ctx, q=q or None, limit=PAGE_SIZE, cursor=cursor)
    return [input_row(v) for v in page.items], page.next_cursor


# --- plans -------------------------------------------------------------------------------------------


def _effective(start: Any, end: Any) -> str:
    if not start and not end:
        return ""
    return f"{start.isoformat() if start else '…'} – {end.isoformat() if end else 'open'}"  # noqa: RUF001


def plan_page(ctx: TenantContext, q: str, status: str, cursor: str | None) -> tuple[list[PlanRow], str | None]:
    page = queries.plan_page(ctx, q=q or None, status=status or None, limit=PAGE_SIZE, cursor=cursor)
    return [
        PlanRow(
            id=str(s.plan.id),
            name=s.plan.name,
            version=str(s.plan.version),
            status=s.plan.status,
            effective=_effective(s.plan.effective_from, s.plan.effective_to),
            steps=str(s.steps),
            updated=fmt.when(s.plan.updated_at),
        )
        for s in page.items
    ], page.next_cursor


@dataclass(frozen=True)
class DraftStep:
    """A step as the lint sees it (backend-only: the builder keeps these to lint edits offline)."""

    id: str
    order: int
    name: str
    expr: str
    condition: str


@dataclass
class Builder:
    """Everything /comp/plans/[id] shows, in display rows, plus what the live lint needs."""

    header: PlanHeader
    actions: list[Action]
    editable: bool
    can_lock: bool
    valid: bool
    inputs: list[PlanInputRow]
    steps: list[StepRow]
    guards: list[GuardRow]
    issues: list[IssueRow]
    pool: PoolRow
    versions: list[VersionRow]
    graph: DagLayout
    completions: list[EditorCompletion]
    catalog: list[tuple[str, str]]  # (key, "key — label (dtype)") of catalog inputs not in the plan
    dtypes: dict[str, str]  # input key → dtype (for the lint)
    draft: list[DraftStep] = field(default_factory=list)
    previous_id: str = ""  # the version this one is compared with by default


def _issue(i: Any) -> IssueRow:
    where = []
    if i.step:
        where.append(f"step {i.step}" + (f" ({i.field})" if i.field else ""))
    elif i.field:
        where.append(str(i.field))
    if i.line is not None:
        where.append(f"line {i.line}, column {i.column}")
    message, hint = (i.message, i.hint) if i.hint else assist.split_message(i.message)
    return IssueRow(", ".join(where) or "plan", message, hint, i.step or "")


def builder(ctx: TenantContext, plan_id: str) -> Builder:
    d = queries.plan_detail(ctx, uuid.UUID(plan_id))
    catalog = queries.input_catalog(ctx)
    p = d.plan
    header = PlanHeader(
        id=str(p.id),
        name=p.name,
        version=str(p.version),
        status=p.status,
        effective=_effective(p.effective_from, p.effective_to),
        effective_from=p.effective_from.isoformat() if p.effective_from else "",
        effective_to=p.effective_to.isoformat() if p.effective_to else "",
        notes=p.notes or "",
        created=fmt.when(p.created_at),
        locked=fmt.when(p.locked_at) if p.locked_at else "",
        payout_step=d.payout_step or "",
    )
    per_step: dict[str, int] = {}
    for i in d.validation.issues:
        if i.step:
            per_step[i.step] = per_step.get(i.step, 0) + 1
    steps = sorted(d.steps, key=lambda s: (s.step_order, s.name))
    step_rows = [
        StepRow(
            id=str(s.id),
            order=str(s.step_order),
            name=s.name,
            expr=s.expr,
            condition=s.condition_expr or "",
            notes=s.notes or "",
            problems=(f"{per_step[s.name]} problem" + ("s" if per_step[s.name] > 1 else ""))
            if s.name in per_step
            else "",
            flagged=s.name in per_step,
            first=n == 0,
            last=n == len(steps) - 1,
        )
        for n, s in enumerate(steps)
    ]
    inputs = sorted(d.inputs, key=lambda i: (i.position, i.key))
    used = {i.key for i in inputs}
    nodes = [DagNodeSpec(i.key, i.key, "input", title=f"{i.key}: {i.dtype} input") for i in inputs]
    nodes += [
        DagNodeSpec(
            s.name,
            s.name,
            "step",
            flagged=s.name in per_step,
            title=f"{s.name} = {s.expr}" + (f"  (if {s.condition_expr})" if s.condition_expr else ""),
        )
        for s in steps
    ]
    graph = layout(nodes, [(e.source, e.target) for e in d.validation.edges])
    versions = [
        VersionRow(str(v.id), f"v{v.version} · {v.status}", str(v.version), v.status, v.id == p.id) for v in d.versions
    ]
    older = [v for v in d.versions if v.version < p.version]
    previous = str(p.based_on_id) if p.based_on_id else (str(older[-1].id) if older else "")
    dtypes = {i.key: i.dtype for i in inputs}
    completions = assist.completions(
        dtypes, {s.name: s.notes or s.expr for s in steps}, labels={i.key: i.label for i in inputs}
    )
    return Builder(
        header=header,
        actions=[Action(a.action, a.label, a.reason_required) for a in d.actions],
        editable=d.editable,
        can_lock=d.can_lock,
        valid=d.validation.ok,
        inputs=[
            PlanInputRow(
                key=i.key,
                label=i.label,
                dtype=i.dtype,
                required=i.required,
                default=i.default_value or "",
                effective_default=i.effective_default or "",
                transform=i.transform,
                source_column=i.source_column or "",
            )
            for i in inputs
        ],
        steps=step_rows,
        guards=[GuardRow(g.key, g.label, g.ok, "" if g.ok else f"{g.problems}") for g in d.validation.guards],
        issues=[_issue(i) for i in d.validation.issues],
        pool=PoolRow(d.pool.currency, num_text(d.pool.amount), fmt.amount(d.pool.amount, d.pool.currency), True)
        if d.pool
        else PoolRow(),
        versions=versions,
        graph=graph,
        completions=[EditorCompletion(*c) for c in completions],
        catalog=[(c.key, f"{c.key} — {c.label} ({c.dtype})") for c in catalog if c.key not in used],
        dtypes=dtypes,
        draft=[DraftStep(str(s.id), s.step_order, s.name, s.expr, s.condition_expr or "") for s in steps],
        previous_id=previous,
    )


# --- the live lint ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lint:
    expr: list[EditorDiagnostic]
    condition: list[EditorDiagnostic]
    step: list[str]  # problems of the step as a whole (its name, a cycle through it)


def lint(
    dtypes: Mapping[str, str], draft: Sequence[DraftStep], edit_id: str, name: str, expr: str, condition: str
) -> Lint:
    """The engine's problems with the step being edited, checked inside the plan as it would be
    saved (the other steps as stored, this one as typed)."""
    others = [s for s in draft if s.id != edit_id or not edit_id]
    mine = next((s for s in draft if s.id == edit_id), None)
    order = mine.order if mine else max((s.order for s in draft), default=0) + 10
    label = name.strip() or "new_step"
    steps = [Step(s.order, s.name, s.expr, s.condition or None) for s in others if s.name != label]
    steps.append(Step(order, label, expr, condition if condition.strip() else None))
    plan = Plan("draft", "0", tuple(InputDef(k, d) for k, d in dtypes.items()), {}, tuple(steps))
    found = assist.plan_diagnostics(plan)

    def rows(key: str) -> list[EditorDiagnostic]:
        return [EditorDiagnostic(*d) for d in found.get((label, key), [])]

    whole = [d.message + (f" — {d.hint}" if d.hint else "") for d in found.get((label, ""), [])]
    return Lint(rows("expr"), rows("condition"), whole)


# --- test vectors, the diff, the impact preview ---------------------------------------------------------


def parse_sample(text: str, limit: int) -> list[dict[str, str]]:
    """Pasted CSV (a header with employee_ref and the input keys, then a row per employee) as rows.
    Blank lines are skipped; a row with more cells than the header is refused, naming its line."""
    if len(text) > MAX_PASTE_CHARS:
        raise ValidationFailed("the pasted sample is too long", fields={"rows": "too long"})
    lines = [line for line in csv.reader(io.StringIO(text.strip())) if any(c.strip() for c in line)]
    if not lines:
        raise ValidationFailed(
            "paste a header (employee_ref and the input keys) and at least one row", fields={"rows": "empty"}
        )
    header = [h.strip() for h in lines[0]]
    if len(lines) < 2:
        raise ValidationFailed("the sample has a header but no rows", fields={"rows": "no rows"})
    if len(lines) - 1 > limit:
        raise ValidationFailed(f"at most {limit} rows (this sample has {len(lines) - 1})", fields={"rows": "too many"})
    rows = []
    for n, cells in enumerate(lines[1:], 2):
        if len(cells) > len(header):
            raise ValidationFailed(
                f"line {n} has {len(cells)} values but the header has {len(header)} columns",
                fields={f"rows.{n - 1}": "too many values"},
            )
        rows.append({h: c.strip() for h, c in zip(header, cells, strict=False) if h})
    return rows


def template(inputs: Sequence[PlanInputRow]) -> str:
    """A header and one example row for the test-vector box: the defaults where the plan has them."""
    keys = ["employee_ref", *(i.key for i in inputs)]
    example = ["e1", *(i.effective_default for i in inputs)]
    return ",".join(keys) + "\n" + ",".join(example) + "\n"


@dataclass
class VectorRun:
    steps: list[str]
    rows: list[VectorRow]
    tapes: dict[str, list[TapeLine]]


def _tape(tape: Mapping[str, Any]) -> list[TapeLine]:
    lines = []
    for s in tape.get("steps", []):
        reads = ", ".join(f"{k} = {num_text(v) if _is_number(v) else v}" for k, v in (s.get("refs") or {}).items())
        branches = ", ".join(
            f"line {b.get('line')}, column {b.get('column')}: {b.get('branch')}" for b in s.get("branches") or []
        )
        lines.append(
            TapeLine(
                name=s.get("name", ""),
                status=s.get("status", ""),
                expr=s.get("expr", ""),
                condition=s.get("condition") or "",
                reads=reads,
                branches=branches,
                result=num_text(s.get("result")) if s.get("result") is not None else "",
                error=s.get("error") or "",
            )
        )
    return lines


def _is_number(value: Any) -> bool:
    try:
        Decimal(str(value))
    except ArithmeticError:
        return False
    return str(value).strip() != "" and str(value).lower() not in ("nan", "inf", "-inf", "infinity")


def run_vectors(ctx: TenantContext, plan_id: str, text: str) -> VectorRun:
    rows = parse_sample(text, 50)
    found = queries.run_test_vectors(ctx, uuid.UUID(plan_id), rows)
    payout = found.steps[-1] if found.steps else ""
    out = [
        VectorRow(
            r.employee_ref,
            [num_text(r.values.get(s)) for s in found.steps],
            r.error or "",
            num_text(r.values.get(payout)) if payout else "",
        )
        for r in found.rows
    ]
    return VectorRun(list(found.steps), out, {r.employee_ref: _tape(r.tape) for r in found.rows})


def _segments(items: Sequence[Any]) -> list[Segment]:
    return [Segment(s.op, s.text) for s in items]


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "—"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass
class DiffView:
    summary: DiffSummary
    header: list[FieldChangeRow]
    inputs: list[InputDiffRow]
    steps: list[StepDiffRow]


def plan_diff(ctx: TenantContext, plan_id: str, against_id: str) -> DiffView:
    found = queries.plan_diff(ctx, uuid.UUID(plan_id), uuid.UUID(against_id))
    d = found.diff
    steps = []
    for s in d.steps:
        others = [
            FieldChangeRow(f.field, _shown(f.base), _shown(f.new))
            for f in s.fields
            if f.field not in ("expr", "condition")
        ]
        source = s.new or s.base
        if s.change == "changed":
            expr, cond = _segments(s.expr_diff), _segments(s.condition_diff)
        else:
            op = "insert" if s.change == "added" else "delete"
            expr = [Segment(op, source.expr)] if source else []
            cond = [Segment(op, source.condition)] if source and source.condition else []
        steps.append(StepDiffRow(s.name, s.change, expr, cond, bool(cond), others))
    return DiffView(
        DiffSummary(
            f"v{found.base.version} · {found.base.status}",
            f"v{found.new.version} · {found.new.status}",
            str(found.added),
            str(found.removed),
            str(found.changed),
            d.same,
        ),
        # the version numbers are in the summary line already
        [FieldChangeRow(f.field, _shown(f.base), _shown(f.new)) for f in d.header if f.field != "version"],
        [
            InputDiffRow(i.key, i.change, "; ".join(f"{f.field}: {_shown(f.base)} → {_shown(f.new)}" for f in i.fields))
            for i in d.inputs
        ],
        steps,
    )


def _signed(value: Any) -> str:
    if value is None:
        return "—"
    d = Decimal(str(value))
    return ("+" if d > 0 else "") + fmt.money(d)


def _pct(value: Any) -> str:
    return "—" if value is None else f"{Decimal(str(value)) * 100:.1f}%"


def impact(
    ctx: TenantContext, plan_id: str, against_id: str, text: str, upload_id: str = ""
) -> tuple[ImpactSummary, list[MoverRow], dict[str, list[TapeLine]]]:
    rows = parse_sample(text, 10_000) if text.strip() or not upload_id else []
    data: dict[str, Any] = {"against": against_id, "rows": rows}
    if upload_id:
        data["upload_id"] = upload_id
    body = parse_input(ImpactBody, data)
    r = queries.impact_preview(ctx, uuid.UUID(plan_id), body)
    if r.base_pool is not None or r.new_pool is not None:
        pool = f"{fmt.money(r.base_pool)} → {fmt.money(r.new_pool)} (pool delta {_signed(r.pool_delta)})"
        share = f"{_pct(r.base_pool_share)} → {_pct(r.new_pool_share)} of the pool paid out"
    else:
        pool, share = "no pool on either version", ""
    summary = ImpactSummary(
        rows=str(r.rows),
        changed=str(r.changed),
        increased=str(r.increased),
        decreased=str(r.decreased),
        base_total=fmt.money(r.base_total),
        new_total=fmt.money(r.new_total),
        total_delta=_signed(r.total_delta),
        pool=pool,
        pool_share=share,
        errors=f"{r.base_errors} → {r.new_errors}",
        notes=list(r.notes),
        present=True,
    )
    movers = []
    tapes: dict[str, list[TapeLine]] = {}
    for m in r.movers:
        delta = Decimal(m.delta) if m.delta is not None else Decimal(0)
        movers.append(
            MoverRow(
                m.employee_ref,
                num_text(m.base) or "failed",
                num_text(m.new) or "failed",
                _signed(m.delta),
                delta > 0,
                m.why,
                "; ".join(
                    f"{s.name} {num_text(s.base) or '—'} → {num_text(s.new) or '—'}"
                    + (f" ({s.change})" if s.change != "value" else "")
                    for s in m.steps
                ),
            )
        )
        tapes[m.employee_ref] = _tape(m.new_tape)
    return summary, movers, tapes
