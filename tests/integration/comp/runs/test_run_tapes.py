"""A run's tapes traced on one row with the run's total() sums (models.comp.runs.aggregates) equal the
tapes traced over the whole stored run (the path before), field for field and digit for digit."""

from __future__ import annotations

import uuid
from decimal import Decimal

from engine.comp.run_frame import ROW, typed_rows
from engine.comp.validation import validate_plan
from engine.formula.tape import build_tape
from tests.support.comp_runs import employees_csv, import_employees, start_run, upload_employees


def test_each_tape_equals_the_whole_runs_trace(comp):
    from models.comp import plans
    from models.comp.runs import aggregates, queries, runs, store
    from models.core.db import tenant_session

    tenant, hr, plan = comp["tenant"], comp["hr"], comp["plan"]
    upload_id = upload_employees(hr, plan.plan_id, employees_csv(60, seed=23, zero_divisor=4, intern=9))
    import_employees(hr, tenant, upload_id)
    run_id = uuid.UUID(start_run(hr, tenant, plan.plan_id, upload_id)["run_id"])
    ctx = tenant.ctx()
    with tenant_session(ctx) as session:
        run = runs.get_run(session, ctx, run_id)
        spec = plans.spec_of(session, ctx, plans.get_plan(session, ctx, run.plan_id))
        raw = store.read_employee_rows(session, ctx, run.upload_id, [i.key for i in spec.inputs])
    compiled = validate_plan(spec).compiled
    assert compiled is not None
    whole = typed_rows(spec.inputs, raw).frame.drop(ROW)
    refs = ["E000001", "E000004", "E000009", "E000017", "E000033", "E000060"]  # ok, divisor 0, intern, others
    statuses = set()
    for ref in refs:
        before = build_tape(compiled, whole, ref)  # every row evaluated to trace this one
        now = queries.tape(ctx, run_id, ref)
        assert now.error == before.error
        assert now.used == before.inputs
        assert [(s.name, s.order, s.expr, s.condition, s.status, s.refs, s.branches, s.error) for s in now.steps] == [
            (s.name, s.order, s.expr, s.condition, s.status, s.refs, s.branches, s.error) for s in before.steps
        ], ref
        if before.error is None:  # a failed row stores no values (the run's rule)
            assert {s.name: s.value for s in now.steps if s.status == "ok"} == {
                s.name: s.result for s in before.steps if s.status == "ok" and s.name in run.steps
            }
        statuses |= {s.status for s in now.steps}
    assert {"ok", "skipped", "failed", "not_run"} <= statuses
    team_total = next(s for s in queries.tape(ctx, run_id, "E000001").steps if s.name == "team_total")
    assert team_total.refs["total(…)"] == team_total.value  # the run's sum, as text with 10 decimals
    with tenant_session(ctx) as session:
        sums = aggregates.run_sums(session, ctx, runs.get_run(session, ctx, run_id), spec, compiled)
    assert team_total.value is not None
    assert sums == {"team_total#0": Decimal(team_total.value)}
