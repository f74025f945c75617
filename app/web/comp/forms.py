"""Compensation's create forms (kit.forms): an input catalog entry and a bonus plan.

Saves call `models.comp.actions` with the API's validated inputs (`models.comp.inputs`), so the
rules are the API's: a taken key is a 409 next to the field, dates are YYYY-MM-DD, a plan starts
as a draft.
"""

from __future__ import annotations

import re
from typing import Any

from app.web.kit.forms import FormSpec, form_values
from engine.comp.permissions import PLANS_WRITE
from engine.comp.spec import INPUT_DTYPES
from engine.context import TenantContext
from models.catalog.inputs import parse_input
from models.comp import actions
from models.comp.inputs import InputDefinitionCreate, PlanCreate

DTYPE_OPTIONS = [(d, d) for d in INPUT_DTYPES]
NO_FLAG = ""  # compensation has no feature flag


def _rules(form: dict[str, str]) -> dict[str, Any]:
    """The validation rules the form offers: min and max (numbers, dates), choices (text)."""
    rules: dict[str, Any] = {}
    for key in ("min", "max"):
        value = (form.get(f"rule_{key}") or "").strip()
        if value:
            rules[key] = value
    choices = [c.strip() for c in (form.get("rule_choices") or "").split(",") if c.strip()]
    if choices:
        rules["choices"] = choices
    return rules


def _save_input(ctx: TenantContext, _row_id: str | None, form: dict[str, str]) -> dict[str, Any]:
    data = form_values(form, ("key", "label", "dtype"), ("default_value", "description"))
    data["required"] = form.get("required") == "yes"
    data["validation"] = _rules(form)
    created = actions.create_input_definition(ctx, parse_input(InputDefinitionCreate, data))
    return {"id": str(created.id), "label": created.key}


def _save_plan(ctx: TenantContext, _row_id: str | None, form: dict[str, str]) -> dict[str, Any]:
    data = form_values(form, ("name",), ("effective_from", "effective_to", "notes"))
    version = (form.get("version") or "").strip() or "1"
    # the input model takes JSON integers only; a form sends text, so ASCII digits become a number here
    data["version"] = int(version) if re.fullmatch(r"[0-9]{1,6}", version) else version
    created = actions.create_plan(ctx, parse_input(PlanCreate, data))
    return {"id": str(created.plan.id), "label": f"{created.plan.name} v{created.plan.version}"}


FORMS: dict[str, FormSpec] = {
    "input": FormSpec(
        "input",
        PLANS_WRITE,
        NO_FLAG,
        ("key", "label", "dtype", "required", "default_value", "description", "rule_min", "rule_max", "rule_choices"),
        _save_input,
        defaults={"dtype": "decimal"},
    ),
    "plan": FormSpec(
        "bonus plan",
        PLANS_WRITE,
        NO_FLAG,
        ("name", "version", "effective_from", "effective_to", "notes"),
        _save_plan,
        defaults={"version": "1"},
    ),
}
