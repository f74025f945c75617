"""Demo compensation data: an input catalog, the spec's "2025 Analyst Bonus Plan" (13 steps) as a
locked version 1 and a draft version 2 that changes two steps (a richer top multiplier and a higher
cap), and a pool for each.

Ids are deterministic (uuid5, seeds.ids.demo_id) and the seeder is get-or-create, so running it twice
changes nothing. `DEMO_SAMPLE` is a handful of analysts to try the test vectors and the impact
preview with (docs/comp.md shows the figures).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from engine.context import TenantContext
from models.comp.plans import apply_decision
from models.comp.tables import BonusPlan, BonusPool, InputDefinition, PlanInput, PlanStep
from models.core import mutations
from seeds import comp_runs
from seeds.catalog import IdFor
from seeds.ids import demo_id

PLAN_NAME = "2025 Analyst Bonus Plan"
FAMILY = "analyst-2025"
POOL_CURRENCY = "USD"
POOL_AMOUNT = Decimal("1500000")

# key, label, dtype, required, default, validation rules, description
CATALOG: list[tuple[str, str, str, bool, str | None, dict[str, Any], str]] = [
    ("salary", "Base salary", "decimal", True, None, {"min": "0"}, "Annual base salary in the plan's currency"),
    ("perf_score", "Performance rating", "decimal", True, None, {"min": "1", "max": "5"}, "Year-end rating, 1 to 5"),
    ("target_pct", "Target bonus %", "decimal", False, "15", {"min": "0", "max": "100"}, "Target bonus, % of salary"),
    (
        "fund_return",
        "Fund net return",
        "decimal",
        False,
        "0.12",
        {},
        "The fund's net return for the year (0.12 = 12 %)",
    ),
    ("hurdle_rate", "Hurdle rate", "decimal", False, "0.08", {}, "Return the fund must beat before it adds to bonuses"),
    ("tenure_years", "Tenure (years)", "int", False, "0", {"min": "0", "max": "60"}, "Completed years with the firm"),
    ("dept", "Department", "text", True, None, {"choices": ["research", "trading", "risk", "interns"]}, ""),
    ("hire_date", "Hire date", "date", True, None, {"min": "1970-01-01"}, ""),
    ("compliance_breach", "Compliance breach", "bool", False, "false", {}, "A confirmed breach this year"),
    ("pool_budget", "Pool budget", "decimal", False, "1500000", {"min": "0"}, "The pool the plan's total must fit"),
]

PLAN_INPUTS = [key for key, *_ in CATALOG]

# order, name, expr, condition, notes
STEPS_V1: list[tuple[int, str, str, str | None, str]] = [
    (10, "target_bonus", "salary * pct(target_pct)", None, "Target bonus at 100 % performance"),
    (
        20,
        "perf_multiplier",
        "if (perf_score >= 4.5) then 1.5 else if (perf_score >= 3.5) then 1.2 "
        "else if (perf_score >= 2.5) then 1 else 0.5",
        None,
        "Rating bands",
    ),
    (30, "fund_factor", "clip(1 + max(fund_return - hurdle_rate, 0) * 2, 1, 1.5)", None, "Fund return above hurdle"),
    (40, "tenure_uplift", "if (tenure_years >= 5) then 1.1 else if (tenure_years >= 2) then 1.05 else 1", None, ""),
    (50, "gross_bonus", "target_bonus * perf_multiplier * fund_factor * tenure_uplift", None, ""),
    (60, "compliance_factor", "1 - compliance_breach", None, "A compliance breach forfeits the bonus"),
    (
        70,
        "eligible",
        "1",
        'hire_date < date("2025-10-01") && dept != "interns"',
        "Hired before October 1st, not an intern",
    ),
    (80, "capped_bonus", "min(gross_bonus * compliance_factor * eligible, salary * 0.6)", None, "Cap: 60 % of salary"),
    (90, "team_total", "total(capped_bonus)", None, "Everyone's capped bonus"),
    (
        100,
        "pool_scale",
        "if (team_total > pool_budget) then pool_budget / team_total else 1",
        None,
        "Scale down when the team's total exceeds the pool",
    ),
    (
        110,
        "deferred_portion",
        "if (capped_bonus * pool_scale > 100000) then round2((capped_bonus * pool_scale - 100000) * 0.4) else 0",
        None,
        "40 % of the part above 100,000 is deferred",
    ),
    (120, "cash_portion", "round2(capped_bonus * pool_scale) - deferred_portion", None, "Paid now"),
    (130, "final_bonus", "cash_portion + deferred_portion", None, "The payout"),
]

# version 2 changes two steps: a richer top band, and a higher cap
V2_CHANGES = {
    "perf_multiplier": "if (perf_score >= 4.5) then 1.6 else if (perf_score >= 3.5) then 1.25 "
    "else if (perf_score >= 2.5) then 1 else 0.5",
    "capped_bonus": "min(gross_bonus * compliance_factor * eligible, salary * 0.75)",
}

DEMO_SAMPLE: list[dict[str, str]] = [
    {"employee_ref": "AN-001", "salary": "120000", "perf_score": "4.8", "tenure_years": "6", "dept": "research",
     "hire_date": "2018-03-01"},
    {"employee_ref": "AN-002", "salary": "95000", "perf_score": "3.9", "tenure_years": "3", "dept": "trading",
     "hire_date": "2021-07-15"},
    {"employee_ref": "AN-003", "salary": "88000", "perf_score": "3.1", "tenure_years": "1", "dept": "risk",
     "hire_date": "2024-01-08"},
    {"employee_ref": "AN-004", "salary": "150000", "perf_score": "4.6", "tenure_years": "9", "dept": "research",
     "hire_date": "2015-09-01", "compliance_breach": "true"},
    {"employee_ref": "AN-005", "salary": "40000", "perf_score": "4.0", "tenure_years": "0", "dept": "interns",
     "hire_date": "2025-06-01"},
    {"employee_ref": "AN-006", "salary": "210000", "perf_score": "4.9", "tenure_years": "12", "dept": "trading",
     "hire_date": "2013-02-11"},
]  # fmt: skip


def plan_id(version: int, id_for: IdFor = demo_id) -> uuid.UUID:
    """The demo plan's version `version` (the demo tenant's by default; `tenant_ids(t)` for a test tenant)."""
    return id_for("bonus_plan", f"{FAMILY}:v{version}")


def _catalog(session: Session, ctx: TenantContext, id_for: IdFor) -> dict[str, InputDefinition]:
    found: dict[str, InputDefinition] = {}
    for key, label, dtype, required, default, rules, description in CATALOG:
        row = session.get(InputDefinition, id_for("comp_input", key))
        if row is None:
            row = mutations.create(
                session,
                ctx,
                InputDefinition(
                    id=id_for("comp_input", key),
                    tenant_id=ctx.tenant_id,
                    key=key,
                    label=label,
                    dtype=dtype,
                    required=required,
                    default_value=default,
                    validation=rules,
                    description=description or None,
                ),
                action="input_catalog.create",
            )
        found[key] = row
    return found


def _version(
    session: Session,
    ctx: TenantContext,
    id_for: IdFor,
    version: int,
    steps: list[tuple[int, str, str, str | None, str]],
    inputs: dict[str, InputDefinition],
    notes: str,
) -> BonusPlan:
    pid = plan_id(version, id_for)
    plan = mutations.create(
        session,
        ctx,
        BonusPlan(
            id=pid,
            tenant_id=ctx.tenant_id,
            family_id=plan_id(1, id_for),
            name=PLAN_NAME,
            version=version,
            status="draft",
            effective_from=date(2025, 1, 1),
            effective_to=date(2025, 12, 31),
            notes=notes,
            based_on_id=plan_id(version - 1, id_for) if version > 1 else None,
        ),
        action="bonus_plan.create" if version == 1 else "bonus_plan.new_version",
    )
    for position, key in enumerate(PLAN_INPUTS, 1):
        definition = inputs[key]
        mutations.create(
            session,
            ctx,
            PlanInput(
                id=id_for("plan_input", f"{FAMILY}:v{version}:{key}"),
                tenant_id=ctx.tenant_id,
                plan_id=pid,
                input_id=definition.id,
                position=position,
                required=definition.required,
            ),
            action="plan_input.create",
        )
    for order, name, expr, condition, step_notes in steps:
        mutations.create(
            session,
            ctx,
            PlanStep(
                id=id_for("plan_step", f"{FAMILY}:v{version}:{name}"),
                tenant_id=ctx.tenant_id,
                plan_id=pid,
                step_order=order,
                name=name,
                expr=expr,
                condition_expr=condition,
                outputs=[name],
                notes=step_notes or None,
            ),
            action="plan_step.create",
        )
    mutations.create(
        session,
        ctx,
        BonusPool(
            id=id_for("bonus_pool", f"{FAMILY}:v{version}"),
            tenant_id=ctx.tenant_id,
            plan_id=pid,
            currency=POOL_CURRENCY,
            amount=POOL_AMOUNT,
            allocation_rules=[{"team": "analysts", "share": "1"}],
        ),
        action="bonus_pool.create",
    )
    return plan


def build_comp(session: Session, ctx: TenantContext, id_for: IdFor) -> None:
    """The demo catalog and plan (v1 locked, v2 draft) in ctx's tenant, ids from `id_for`; idempotent."""
    inputs = _catalog(session, ctx, id_for)
    if session.get(BonusPlan, plan_id(1, id_for)) is None:
        v1 = _version(session, ctx, id_for, 1, STEPS_V1, inputs, "Initial analyst plan")
        apply_decision(session, ctx, v1, "lock", None)
    if session.get(BonusPlan, plan_id(2, id_for)) is None:
        steps_v2 = [(o, n, V2_CHANGES.get(n, e), c, notes) for o, n, e, c, notes in STEPS_V1]
        _version(session, ctx, id_for, 2, steps_v2, inputs, "Richer top band (1.6) and a 75 % cap")


def seed(session: Session, ctx: TenantContext) -> None:
    """The demo tenant's compensation data: the plans, then the runs (seeds/comp_runs.py)."""
    build_comp(session, ctx, demo_id)
    comp_runs.seed(session, ctx, plan_id(1, demo_id))
