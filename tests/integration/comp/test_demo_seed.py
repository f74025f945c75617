"""The demo compensation data: the catalog, the 2025 Analyst Bonus Plan as a locked v1 and a draft v2
that changes two steps, a pool each; deterministic ids; building it twice changes nothing."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import func, select

from engine.context import TenantContext
from models.comp import queries
from models.comp.inputs import ImpactBody
from models.core.db import tenant_session
from models.core.tables import AuditEvent
from seeds.catalog import tenant_ids
from seeds.comp import CATALOG, DEMO_SAMPLE, PLAN_NAME, STEPS_V1, build_comp, plan_id
from tests.support.tenants import make_tenant


def _build(ctx, ids) -> int:
    with tenant_session(ctx) as session:
        build_comp(session, ctx, ids)
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


def test_the_demo_plan_is_locked_v1_and_a_valid_draft_v2_changing_two_steps():
    tenant = make_tenant("compdemo")
    ctx, ids = TenantContext.system(tenant.tenant_id, tenant.slug), tenant_ids(tenant.tenant_id)
    events = _build(ctx, ids)
    assert _build(ctx, ids) == events  # idempotent: nothing written the second time
    v1, v2 = queries.plan_detail(ctx, plan_id(1, ids)), queries.plan_detail(ctx, plan_id(2, ids))
    assert (v1.plan.name, v1.plan.version, v1.plan.status, v1.plan.locked_at is not None) == (
        PLAN_NAME,
        1,
        "locked",
        True,
    )
    assert (v2.plan.version, v2.plan.status, v2.plan.family_id, v2.plan.based_on_id) == (
        2,
        "draft",
        v1.plan.id,
        v1.plan.id,
    )
    assert v1.validation.ok and v2.validation.ok and v2.can_lock
    assert len(v1.steps) == len(STEPS_V1) == 13 and v1.payout_step == "final_bonus"
    assert v1.pool is not None and v1.pool.amount == Decimal("1500000") and v1.pool.currency == "USD"
    assert {i.key for i in queries.input_catalog(ctx)} == {key for key, *_ in CATALOG}
    diff = queries.plan_diff(ctx, plan_id(2, ids), plan_id(1, ids))
    assert (diff.added, diff.removed, diff.changed) == (0, 0, 2)
    assert {s.name for s in diff.diff.steps} == {"perf_multiplier", "capped_bonus"}

    vectors = queries.run_test_vectors(ctx, plan_id(1, ids), DEMO_SAMPLE)
    an001 = next(r for r in vectors.rows if r.employee_ref == "AN-001")
    # 120000 * 15 % = 18000; rating 4.8 → 1.5; fund 1 + (0.12 - 0.08) * 2 = 1.08; 6 years → 1.1
    assert Decimal(an001.values["final_bonus"] or "") == Decimal("18000") * Decimal("1.5") * Decimal("1.08") * Decimal(
        "1.1"
    )
    assert next(r for r in vectors.rows if r.employee_ref == "AN-004").values["final_bonus"] == "0.0000000000"
    impact = queries.impact_preview(
        ctx, plan_id(2, ids), ImpactBody.model_validate({"against": plan_id(1, ids), "rows": DEMO_SAMPLE})
    )
    assert impact.changed == 3 and impact.total_delta > 0 and impact.pool_delta == 0
