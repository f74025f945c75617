"""Two tenants for the compensation contract tests, their signed-in clients by role, and a helper
that builds a small valid plan over REST."""

from __future__ import annotations

import pytest

from tests.support.api_clients import role_clients
from tests.support.tenants import TenantFixture, make_tenant

CATALOG = [
    {"key": "salary", "label": "Base salary", "dtype": "decimal", "required": True, "validation": {"min": "0"}},
    {"key": "employee_score", "label": "Score", "dtype": "decimal", "validation": {"min": "0", "max": "1"}},
    {"key": "fund_return", "label": "Fund return", "dtype": "decimal", "default_value": "0.12"},
    {"key": "dept", "label": "Department", "dtype": "text", "default_value": "research"},
]
STEPS = [
    {"step_order": 10, "name": "target", "expr": "salary * 0.15"},
    {
        "step_order": 20,
        "name": "perf_multiplier",
        "expr": "if(employee_score >= 0.8) then 1.2 else 0.9",
        "condition_expr": "fund_return >= 0.0",
        "outputs": ["perf_multiplier"],
    },
    {
        "step_order": 30,
        "name": "bonus",
        "expr": "round2(target * perf_multiplier)",
        "condition_expr": 'dept != "interns"',
    },
]


@pytest.fixture(scope="module")
def comp_a() -> TenantFixture:
    return make_tenant("compa")


@pytest.fixture(scope="module")
def comp_b() -> TenantFixture:
    return make_tenant("compb")


@pytest.fixture(scope="module")
def clients(api, comp_a, comp_b):
    """Tenant A's owner and one user per role ("hr", "hr2", …), and tenant B's owner ("b_owner")."""
    made = role_clients(api, comp_a, ("hr", "manager", "finance", "auditor", "viewer"), others={"b_owner": comp_b})
    made["hr2"] = role_clients(api, comp_a, ("hr",))["hr"]
    made["hr3"] = role_clients(api, comp_a, ("hr",))["hr"]
    return made


@pytest.fixture(scope="module")
def catalog(clients, comp_a):
    owner = clients["owner"]
    for entry in CATALOG:
        res = owner.post(f"/api/v1/tenants/{comp_a.tenant_id}/input-catalog", json=entry)
        assert res.status_code == 201, res.text
    return [e["key"] for e in CATALOG]


def build_plan(client, tenant, name: str, steps=STEPS, inputs=("salary", "employee_score", "fund_return", "dept")):
    """A draft plan with the catalog's inputs and `steps`, over REST; returns its id."""
    res = client.post(f"/api/v1/tenants/{tenant.tenant_id}/bonus-plans", json={"name": name, "version": 1})
    assert res.status_code == 201, res.text
    plan_id = res.json()["id"]
    for key in inputs:
        added = client.post(f"/api/v1/bonus-plans/{plan_id}/inputs", json={"key": key})
        assert added.status_code == 201, added.text
    for step in steps:
        added = client.post(f"/api/v1/bonus-plans/{plan_id}/steps", json=step)
        assert added.status_code == 201, added.text
    return plan_id
