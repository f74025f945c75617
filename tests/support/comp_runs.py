"""Compensation run fixtures: a small locked plan built through the module's actions, employee files
of any size, and the upload → map → import → run path through the REST API (the queued jobs run
here, on the worker's own code path: models.jobs.runner.run_job_sync)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from engine.context import TenantContext
from engine.rbac import Role

PLAN_INPUTS = [
    # key, label, dtype, required, default, rules
    ("salary", "Base salary", "decimal", True, None, {"min": "0"}),
    ("perf_score", "Performance rating", "decimal", True, None, {"min": "1", "max": "5"}),
    ("divisor", "Split", "decimal", False, "1", {}),
    ("dept", "Department", "text", True, None, {}),
    ("active", "Active", "bool", False, "true", {}),
]
STEPS = [
    (10, "base", "salary * 0.1", None),
    (20, "mult", "if (perf_score >= 4) then 1.5 else if (perf_score >= 3) then 1.1 else 0.9", None),
    (30, "ratio", "1 / divisor", None),
    (40, "raw", "base * mult * ratio * active", None),
    (50, "team_total", "total(raw)", None),
    (60, "share", "raw / team_total", None),
    (70, "payout", "round2(raw)", 'dept != "interns"'),
]
HEADER = ["Emp ID", "Name", "Team", "Salary", "Perf", "Divisor", "Dept", "Active"]
MAPPING = {
    "employee_ref": "Emp ID",
    "employee_name": "Name",
    "team": "Team",
    "salary": "Salary",
    "perf_score": "Perf",
    "divisor": "Divisor",
    "dept": "Dept",
    "active": "Active",
}
POOL = "10000.00"


@dataclass(frozen=True)
class CompPlan:
    plan_id: uuid.UUID
    family_id: uuid.UUID


def build_plan(tenant, *, name: str = "Test bonus plan", pool: str | None = POOL, steps=STEPS) -> CompPlan:
    """A locked plan of the tenant (made by its owner through models.comp.actions)."""
    from models.comp import actions
    from models.comp.inputs import InputDefinitionCreate, PlanCreate, PlanInputCreate, PoolSet, StepCreate

    ctx = TenantContext(tenant_id=tenant.tenant_id, user_id=None, role=Role.OWNER, tenant_slug=tenant.slug)
    from models.comp import queries

    known = {d.key for d in queries.input_catalog(ctx)}
    for key, label, dtype, required, default, rules in PLAN_INPUTS:
        if key not in known:
            actions.create_input_definition(
                ctx,
                InputDefinitionCreate(
                    key=key, label=label, dtype=dtype, required=required, default_value=default, validation=rules
                ),
            )
    plan = actions.create_plan(ctx, PlanCreate(name=f"{name} {uuid.uuid4().hex[:6]}"))
    for key, *_ in PLAN_INPUTS:
        actions.add_plan_input(ctx, plan.plan.id, PlanInputCreate(key=key))
    for order, step, expr, condition in steps:
        actions.add_step(
            ctx, plan.plan.id, StepCreate(step_order=order, name=step, expr=expr, condition_expr=condition)
        )
    if pool is not None:
        actions.set_pool(ctx, plan.plan.id, PoolSet(currency="USD", amount=pool))
    actions.lock_plan(ctx, plan.plan.id)
    return CompPlan(plan.plan.id, plan.plan.family_id)


def employees_csv(n: int = 20, *, seed: int = 7, zero_divisor: int | None = 3, intern: int | None = 5) -> bytes:
    """`n` employees; employee `zero_divisor` has a divisor of 0 (a row error), `intern` is an intern."""
    import random

    rnd = random.Random(seed)
    lines = [",".join(HEADER)]
    for i in range(1, n + 1):
        salary = Decimal(rnd.randrange(40_000_00, 250_000_00)) / 100
        perf = Decimal(rnd.randrange(10, 50)) / 10
        divisor = "0" if i == zero_divisor else rnd.choice(["1", "2", "", "4"])
        dept = "interns" if i == intern else rnd.choice(["research", "trading", "risk"])
        active = rnd.choice(["true", "false", "1", ""])
        team = rnd.choice(["Alpha", "Beta"])
        lines.append(f"E{i:06d},Person {i},{team},{salary},{perf},{divisor},{dept},{active}")
    return ("\r\n".join(lines) + "\r\n").encode()


def upload_employees(client, plan_id, data: bytes, *, name: str = "employees.csv") -> str:
    import json

    res = client.post(
        "/api/v1/uploads",
        data={"target": "comp.employees", "meta": json.dumps({"plan_id": str(plan_id)})},
        files={"file": (name, data, "text/csv")},
    )
    assert res.status_code == 201, res.text
    return res.json()["upload_id"]


def import_employees(client, tenant, upload_id: str, mapping=None) -> dict:
    """Map (validation job run here) and import (job run here); the import's state after it."""
    from models.jobs.runner import run_job_sync

    res = client.post(f"/api/v1/uploads/{upload_id}/map", json=mapping or MAPPING)
    assert res.status_code == 200, res.text
    run_job_sync(tenant.tenant_id, res.json()["job_id"])
    res = client.post(f"/api/v1/uploads/{upload_id}/import", json={})
    assert res.status_code in (200, 202), res.text
    run_job_sync(tenant.tenant_id, res.json()["job_id"])
    state = client.get(f"/api/v1/uploads/{upload_id}")
    assert state.status_code == 200, state.text
    return state.json()["import"]


def start_run(client, tenant, plan_id, upload_id, scenario: str = "Base", *, compute: bool = True) -> dict:
    from models.jobs.runner import run_job_sync

    res = client.post(
        "/api/v1/runs",
        json={
            "tenant_id": str(tenant.tenant_id),
            "plan_id": str(plan_id),
            "upload_id": upload_id,
            "scenario_name": scenario,
        },
    )
    assert res.status_code == 201, res.text
    body = res.json()
    if compute:
        run_job_sync(tenant.tenant_id, body["job_id"])
        got = client.get(f"/api/v1/runs/{body['run_id']}")
        assert got.status_code == 200, got.text
        return got.json()
    return body
