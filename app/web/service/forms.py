"""The service pages' create / edit forms: service policies (create, edit = replace), engineers
(create, edit), agreements and SLA policies (create). The framework is app/web/kit/forms.py.

Each form's save builds the API's own input model (`PolicyInput`, `EngineerCreate`, …) from the
form's text and calls the module's action, so the API's rules hold here too: a refusal names its
fields (a formula error in an SLA rule says the line and column, from the formula engine's
validator), a taken code is "taken", a reference of another tenant "not found". The error keys of
nested inputs (`steps.1.org_id`, `skills.0.skill`) are renamed to the form field that shows them.

The policy form has one row per step (`steps.N.role`, `steps.N.org_id`, `steps.N.territories`,
`steps.N.certification`); a row with no role is unused, and the page shows one unused row after the
last used one. The engineer form keeps one membership (organization and role; an engineer with
several keeps them unless that pair is changed), skills as `install:4, repair` (level 3 when none)
and its primary and secondary regions as two lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from app.web.kit.format import parse_uuid
from app.web.kit.forms import NONE, FormSpec, form_values, instant_text, optional, parse_instant
from engine.context import TenantContext
from engine.errors import NotFound, ValidationFailed
from engine.service.flags import ENABLE_ENGINEERS, ENABLE_SERVICE_POLICIES
from engine.service.permissions import AGREEMENTS_WRITE, ENGINEERS_WRITE, POLICIES_WRITE
from engine.service.types import MAX_STEPS
from models.catalog.inputs import parse_input
from models.service import actions, queries
from models.service.inputs import AgreementCreate, EngineerCreate, EngineerUpdate, PolicyInput, SlaPolicyCreate

STEP_PARTS = ("role", "org_id", "territories", "certification")
STEP_FIELDS = tuple(f"steps.{i}.{part}" for i in range(MAX_STEPS) for part in STEP_PARTS)


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _int(form: dict[str, str], key: str, default: str = "0") -> Any:
    """The input models take JSON integers only; a form sends text: ASCII digits become a number,
    anything else stays text so the model names the field."""
    text = (form.get(key) or "").strip() or default
    return int(text) if re.fullmatch(r"-?[0-9]{1,6}", text) else text


def _renamed(save: Callable[..., dict[str, Any]], rename: Callable[[str, str], str]):
    """`save`, with the field names of its refusals renamed to the form's own (first message wins)."""

    def run(ctx: TenantContext, row_id: str | None, form: dict[str, str]) -> dict[str, Any]:
        try:
            return save(ctx, row_id, form)
        except ValidationFailed as exc:
            fields: dict[str, str] = {}
            for key, message in exc.fields.items():
                fields.setdefault(rename(key, message), message)
            raise ValidationFailed(exc.message, fields=fields) from None

    return run


# service policies


def _policy_field(key: str, message: str) -> str:
    """`steps.1` (the step as a whole) shows under its organization when the message is about it,
    else under its role; `steps.1.territories.0` under territories."""
    parts = key.split(".")
    if parts[0] == "steps" and len(parts) >= 2 and parts[1].isdigit():
        part = parts[2] if len(parts) > 2 and parts[2] in STEP_PARTS else "role"
        if len(parts) == 2 and "org_id" in message:
            part = "org_id"
        return f"steps.{parts[1]}.{part}"
    return "steps.0.role" if key == "steps" else key


def _steps(form: dict[str, str]) -> list[dict[str, Any]]:
    """The used rows in order (a row is used when it has a role); the row's index is kept in the
    error keys by leaving out only trailing unused rows."""
    rows = []
    for i in range(MAX_STEPS):
        role = optional(form, f"steps.{i}.role")
        rows.append(
            {
                "role": role,
                # the organization picker is off for other roles: a value left there is not sent
                "org_id": optional(form, f"steps.{i}.org_id") if role == "organization" else None,
                "territories": _split(form.get(f"steps.{i}.territories")),
                "certification": optional(form, f"steps.{i}.certification"),
            }
        )
    while rows and rows[-1]["role"] is None:
        rows.pop()
    for row in rows:
        if row["role"] is None:
            row["role"] = ""  # a gap: the model names this row's role
    return rows


def _save_policy(ctx: TenantContext, row_id: str | None, form: dict[str, str]) -> dict[str, Any]:
    data = form_values(form, ("code", "name"), ("manufacturer_org_id", "category", "default_org_id"))
    data["steps"] = _steps(form)
    data["priority"] = _int(form, "priority")
    data["enabled"] = form.get("enabled") == "yes"
    data["effective_from"] = parse_instant(form.get("effective_from"), "effective_from")
    data["effective_to"] = parse_instant(form.get("effective_to"), "effective_to")
    body = parse_input(PolicyInput, data)
    saved = actions.create_policy(ctx, body) if row_id is None else actions.replace_policy(ctx, row_id, body)
    return {"id": str(saved.id), "label": saved.code}


def _load_policy(ctx: TenantContext, row_id: str) -> dict[str, str]:
    policy_id = parse_uuid(row_id)
    if policy_id is None:
        raise NotFound("service policy not found")
    p = queries.policy(ctx, policy_id)
    values = {
        "id": str(p.id),
        "code": p.code,
        "name": p.name,
        "manufacturer_org_id": str(p.manufacturer_org_id) if p.manufacturer_org_id else NONE,
        "category": p.category or "",
        "default_org_id": str(p.default_org_id) if p.default_org_id else NONE,
        "priority": str(p.priority),
        "enabled": "yes" if p.enabled else "",
        "effective_from": instant_text(p.effective_from),
        "effective_to": instant_text(p.effective_to),
    }
    for i in range(MAX_STEPS):
        step = p.steps[i] if i < len(p.steps) else None
        values[f"steps.{i}.role"] = step.role if step else NONE
        values[f"steps.{i}.org_id"] = str(step.org_id) if step and step.org_id else NONE
        values[f"steps.{i}.territories"] = ", ".join(step.territories) if step else ""
        values[f"steps.{i}.certification"] = (step.certification or "") if step else ""
    return values


POLICY_DEFAULTS = {
    "manufacturer_org_id": NONE,
    "default_org_id": NONE,
    "priority": "0",
    "enabled": "yes",
    **{f"steps.{i}.{part}": NONE for i in range(MAX_STEPS) for part in ("role", "org_id")},
    "steps.0.role": "dealer",
}

# engineers


def _engineer_field(key: str, message: str) -> str:
    """A list's items show under the list's field; a repeat (a check of the whole input) under the
    list it names."""
    if key == "request":
        return "skills" if "skill" in message else "regions" if "region" in message else key
    head = key.split(".")[0]
    return {"memberships": "org_id", "skills": "skills", "coverage": "regions"}.get(head, key)


def _skills(text: str | None) -> list[dict[str, Any]]:
    """`install:4, repair` → [{skill: install, level: 4}, {skill: repair, level: 3}]."""
    found = []
    for part in _split(text):
        skill, _, level = part.partition(":")
        level = level.strip() or "3"
        if not re.fullmatch(r"[0-9]{1,2}", level):
            raise ValidationFailed(f"skills: '{part}': the level is a number 1 to 5", fields={"skills": "level 1 to 5"})
        found.append({"skill": skill.strip(), "level": int(level)})
    return found


def _coverage(form: dict[str, str]) -> list[dict[str, Any]]:
    return [{"region": r, "primary": True} for r in _split(form.get("regions"))] + [
        {"region": r, "primary": False} for r in _split(form.get("secondary_regions"))
    ]


def _membership(form: dict[str, str]) -> list[dict[str, Any]]:
    org = optional(form, "org_id")
    return [{"org_id": org, "role": (form.get("membership_role") or "employee").strip()}] if org else []


def _save_engineer(ctx: TenantContext, row_id: str | None, form: dict[str, str]) -> dict[str, Any]:
    data = form_values(form, ("name",), ("email", "home_region"))
    data.update(skills=_skills(form.get("skills")), coverage=_coverage(form))
    if row_id is None:
        data.update(code=(form.get("code") or "").strip(), memberships=_membership(form))
        saved = actions.create_engineer(ctx, parse_input(EngineerCreate, data))
    else:
        current = queries.engineer(ctx, row_id)
        first = current.memberships[0] if current.memberships else None
        was = (str(first.org_id), first.role) if first else (NONE, "employee")
        now = (form.get("org_id") or NONE, form.get("membership_role") or "employee")
        if now != was:  # only a changed pair replaces the memberships (others are kept otherwise)
            data["memberships"] = _membership(form)
        data["is_active"] = form.get("is_active") == "yes"
        saved = actions.update_engineer(ctx, row_id, parse_input(EngineerUpdate, data))
    return {"id": str(saved.id), "label": saved.name}


def _load_engineer(ctx: TenantContext, row_id: str) -> dict[str, str]:
    e = queries.engineer(ctx, row_id)
    first = e.memberships[0] if e.memberships else None
    return {
        "id": str(e.id),
        "code": e.code,
        "name": e.name,
        "email": e.email or "",
        "home_region": e.home_region or "",
        "is_active": "yes" if e.is_active else "",
        "org_id": str(first.org_id) if first else NONE,
        "membership_role": first.role if first else "employee",
        "skills": ", ".join(f"{s.skill}:{s.level}" for s in e.skills),
        "regions": ", ".join(c.region for c in e.coverage if c.primary),
        "secondary_regions": ", ".join(c.region for c in e.coverage if not c.primary),
    }


# agreements and SLA policies


def _save_agreement(ctx: TenantContext, _row_id: str | None, form: dict[str, str]) -> dict[str, Any]:
    data = form_values(form, ("code", "name"), ("provider_org_id", "customer_org_id", "notes"))
    data["effective_from"] = parse_instant(form.get("effective_from"), "effective_from")
    data["effective_to"] = parse_instant(form.get("effective_to"), "effective_to")
    saved = actions.create_agreement(ctx, parse_input(AgreementCreate, data))
    return {"id": str(saved.id), "label": saved.code}


def _save_sla(ctx: TenantContext, _row_id: str | None, form: dict[str, str]) -> dict[str, Any]:
    """The rules are kept as typed (the formula engine reads line breaks and spaces)."""
    data = form_values(form, ("code", "name"), ("agreement_id",))
    data["response_hours_expr"] = form.get("response_hours_expr") or ""
    data["resolution_hours_expr"] = form.get("resolution_hours_expr") or ""
    data["priority"] = _int(form, "priority")
    data["effective_from"] = parse_instant(form.get("effective_from"), "effective_from")
    data["effective_to"] = parse_instant(form.get("effective_to"), "effective_to")
    saved = actions.create_sla_policy(ctx, parse_input(SlaPolicyCreate, data))
    return {"id": str(saved.id), "label": saved.code}


FORMS: dict[str, FormSpec] = {
    "policy": FormSpec(
        "service policy",
        POLICIES_WRITE,
        ENABLE_SERVICE_POLICIES,
        (
            "code",
            "name",
            "manufacturer_org_id",
            "category",
            "default_org_id",
            "priority",
            "enabled",
            "effective_from",
            "effective_to",
            *STEP_FIELDS,
        ),
        _renamed(_save_policy, _policy_field),
        _load_policy,
        POLICY_DEFAULTS,
    ),
    "engineer": FormSpec(
        "engineer",
        ENGINEERS_WRITE,
        ENABLE_ENGINEERS,
        (
            "code",
            "name",
            "email",
            "home_region",
            "is_active",
            "org_id",
            "membership_role",
            "skills",
            "regions",
            "secondary_regions",
        ),
        _renamed(_save_engineer, _engineer_field),
        _load_engineer,
        {"org_id": NONE, "membership_role": "employee", "is_active": "yes"},
    ),
    "agreement": FormSpec(
        "agreement",
        AGREEMENTS_WRITE,
        ENABLE_SERVICE_POLICIES,
        ("code", "name", "provider_org_id", "customer_org_id", "effective_from", "effective_to", "notes"),
        _save_agreement,
        None,
        {"provider_org_id": NONE, "customer_org_id": NONE},
    ),
    "sla": FormSpec(
        "SLA policy",
        AGREEMENTS_WRITE,
        ENABLE_SERVICE_POLICIES,
        (
            "agreement_id",
            "code",
            "name",
            "priority",
            "effective_from",
            "effective_to",
            "response_hours_expr",
            "resolution_hours_expr",
        ),
        _save_sla,
        None,
        {"agreement_id": NONE, "priority": "0"},
    ),
}
