"""The service pages' create/edit forms without a browser: each form's save builds the API's input
from the form's text and calls the module's action (so its rules, roles and tenant checks hold), and
names every problem by the form field that shows it — a formula error in an SLA rule with its line
and column; load reads this tenant's row back as form text."""

from __future__ import annotations

import pytest

from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from models.service import queries
from tests.support.effects import rows, trail, unchanged


def _form(kind: str, **values: str) -> dict[str, str]:
    from app.web.kit.forms import blank_form
    from app.web.service.forms import FORMS

    return {**blank_form(FORMS, kind), **values}


def _save(ctx, kind: str, row_id: str | None = None, **values: str):
    from app.web.service.forms import FORMS

    return FORMS[kind].save(ctx, row_id, _form(kind, **values))


def test_policy_form_creates_edits_and_names_each_step_problem(svc_a, svc_b):
    from app.web.service.forms import FORMS

    admin, o = svc_a.ctx("admin"), svc_a.ids.catalog.orgs
    base = {"code": "P-FORM", "name": "Dealer, then partner", "effective_from": "2026-01-01T00:00"}
    with unchanged(lambda: rows(admin, "service_policies"), lambda: rows(admin, "audit_events")):
        # step 2 is an organization step with no organization; step 3's territory list is fine
        with pytest.raises(ValidationFailed) as bad:
            _save(admin, "policy", **base, **{"steps.1.role": "organization", "steps.2.role": "dealer"})
        assert bad.value.fields == {"steps.1.org_id": "an 'organization' step needs org_id"}
        # a gap (step 2 unused, step 3 used) is named on step 2's role; a bad certification on its own field
        with pytest.raises(ValidationFailed) as bad:
            _save(admin, "policy", **base, **{"steps.2.role": "dealer", "steps.0.certification": "Not A Code"})
        assert set(bad.value.fields) == {"steps.1.role", "steps.0.certification"}
        with pytest.raises(ValidationFailed) as bad:
            _save(admin, "policy", **{**base, "priority": "high", "effective_from": "soon"})
        assert set(bad.value.fields) == {"effective_from"}
        with pytest.raises(ValidationFailed) as bad:
            _save(admin, "policy", **{**base, "priority": "high"})
        assert set(bad.value.fields) == {"priority"}
        with pytest.raises(ValidationFailed) as bad:  # another tenant's organization
            _save(admin, "policy", **base, **{"default_org_id": str(svc_b.ids.partner)})
        assert bad.value.fields == {"default_org_id": "not found"}
        with pytest.raises(Conflict) as taken:
            _save(admin, "policy", **{**base, "code": "GLOBAL-DEALER"})
        assert taken.value.fields == {"code": "taken"}
        with pytest.raises(Forbidden):  # ops may not write policies
            _save(svc_a.ctx("ops"), "policy", **base)

    partner = str(svc_a.ids.partner)
    made = _save(
        admin,
        "policy",
        **base,
        **{
            "steps.0.role": "dealer",
            "steps.1.role": "organization",
            "steps.1.org_id": partner,
            "steps.1.territories": "South, East",
            "steps.2.org_id": partner,  # a leftover organization on an unused row is not sent
        },
    )
    saved = queries.policy(admin, made["id"])
    assert made["label"] == "P-FORM" and saved.enabled and saved.priority == 0
    assert [(s.role, s.org_id, s.territories) for s in saved.steps] == [
        ("dealer", None, []),
        ("organization", svc_a.ids.partner, ["South", "East"]),
    ]

    loaded = FORMS["policy"].load(admin, made["id"])
    assert loaded["id"] == made["id"] and loaded["effective_from"] == "2026-01-01T00:00"
    assert loaded["steps.1.org_id"] == partner and loaded["steps.1.territories"] == "South, East"
    assert loaded["steps.2.role"] == "__none__" and loaded["enabled"] == "yes"
    edit = {**loaded, "name": "Partner first", "steps.0.role": "manufacturer", "enabled": "", "priority": "5"}
    row_id = edit.pop("id")
    FORMS["policy"].save(admin, row_id, {**_form("policy"), **edit})
    again = queries.policy(admin, made["id"])
    assert (again.name, again.enabled, again.priority, again.steps[0].role) == (
        "Partner first",
        False,
        5,
        "manufacturer",
    )
    assert trail(admin, made["id"])["audit_events"] == 2  # create + update
    with pytest.raises(NotFound):  # another tenant's id, and no id at all
        FORMS["policy"].load(svc_b.ctx(), made["id"])
    with pytest.raises(NotFound):
        FORMS["policy"].load(admin, "not-an-id")
    assert o  # the catalog ids are the tenant's own


def test_engineer_form_reads_skills_and_regions_and_keeps_memberships(svc_a, svc_b):
    from app.web.service.forms import FORMS

    ops = svc_a.ctx("ops")
    org = str(svc_a.ids.catalog.orgs["distributor"])
    base = {"code": "ENG-FORM", "name": "Farah Ali", "org_id": org, "regions": "North, West"}
    with unchanged(lambda: rows(ops, "engineers"), lambda: rows(ops, "audit_events")):
        with pytest.raises(ValidationFailed) as bad:
            _save(ops, "engineer", **base, skills="install:9")
        assert bad.value.fields == {"skills": "Input should be less than or equal to 5"}
        with pytest.raises(ValidationFailed) as bad:
            _save(ops, "engineer", **base, skills="install:high")
        assert bad.value.fields == {"skills": "level 1 to 5"}
        with pytest.raises(ValidationFailed) as bad:
            _save(ops, "engineer", **base, email="not-mail")
        assert set(bad.value.fields) == {"email"}
        with pytest.raises(ValidationFailed) as bad:
            _save(ops, "engineer", **{**base, "regions": "North, north"})
        assert bad.value.fields == {"regions": "each region once"}
        with pytest.raises(ValidationFailed) as bad:
            _save(ops, "engineer", **{**base, "org_id": str(svc_b.ids.catalog.orgs["distributor"])})
        assert bad.value.fields == {"org_id": "not found"}
        with pytest.raises(Forbidden):
            _save(svc_a.ctx("viewer"), "engineer", **base)

    made = _save(ops, "engineer", **base, skills="install:4, repair", secondary_regions="East")
    e = queries.engineer(ops, made["id"])
    assert [(s.skill, s.level) for s in e.skills] == [("install", 4), ("repair", 3)]
    assert [(c.region, c.primary) for c in e.coverage] == [("North", True), ("West", True), ("East", False)]
    assert [(str(m.org_id), m.role) for m in e.memberships] == [(org, "employee")]

    loaded = FORMS["engineer"].load(ops, made["id"])
    assert (loaded["skills"], loaded["regions"], loaded["secondary_regions"]) == (
        "install:4, repair:3",
        "North, West",
        "East",
    )
    row_id = loaded.pop("id")
    # name and activity change; the same organization and role: the membership row is kept as it is
    FORMS["engineer"].save(ops, row_id, {**_form("engineer"), **loaded, "name": "Farah A.", "is_active": ""})
    after = queries.engineer(ops, made["id"])
    assert (after.name, after.is_active, after.memberships) == ("Farah A.", False, e.memberships)
    FORMS["engineer"].save(ops, row_id, {**_form("engineer"), **loaded, "membership_role": "contractor"})
    assert [m.role for m in queries.engineer(ops, made["id"]).memberships] == ["contractor"]


def test_sla_form_shows_the_formula_error_with_line_and_column_then_saves(svc_a):
    ctx = svc_a.ctx("admin")
    made = _save(
        ctx,
        "agreement",
        code="AGR-FORM",
        name="Form agreement",
        provider_org_id=str(svc_a.ids.partner),
        effective_from="2026-01-01T00:00",
    )
    sla = {
        "agreement_id": made["id"],
        "code": "SLA-FORM",
        "name": "Form SLA",
        "effective_from": "2026-02-01T00:00",
        "response_hours_expr": 'if (priority == "urgent") then 4 else',
        "resolution_hours_expr": "response_hours * 3 + hours_left",
    }
    with unchanged(lambda: rows(ctx, "sla_policies"), lambda: rows(ctx, "audit_events")):
        with pytest.raises(ValidationFailed) as bad:
            _save(ctx, "sla", **sla)
        fields = bad.value.fields
        assert set(fields) == {"response_hours_expr", "resolution_hours_expr"}
        assert fields["response_hours_expr"].startswith("line 1, column ")
        assert fields["resolution_hours_expr"] == "line 1, column 22: unknown name 'hours_left'"
        with pytest.raises(ValidationFailed) as bad:
            _save(ctx, "sla", **{**sla, "agreement_id": "__none__"})
        assert "agreement_id" in bad.value.fields
        with pytest.raises(Forbidden):
            _save(svc_a.ctx("ops"), "sla", **sla)
    fixed = {**sla, "response_hours_expr": 'if (priority == "urgent") then 4\nelse 24', "priority": "3"}
    fixed["resolution_hours_expr"] = "response_hours * 3"
    saved = _save(ctx, "sla", **fixed)
    [policy] = queries.agreement(ctx, made["id"]).sla_policies
    assert (saved["label"], policy.priority) == ("SLA-FORM", 3)
    assert policy.response_hours_expr == 'if (priority == "urgent") then 4\nelse 24'
