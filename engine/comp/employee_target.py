"""The `comp.employees` import target: a fund's employee data for a run of one plan.

The target has a fixed part (the employee reference and the dimensions reports group by: name,
team, fund, role) and a part that depends on the plan the upload is for (its meta
`{"plan_id": …}`): one field per plan input, named by the input's catalog key and labelled by its
label, with the plan's source column as an alias, so the column suggester matches both. Presets are
kept per plan family (`preset_key`), so a fund's usual export maps itself the next time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from engine.comp.spec import InputSpec
from engine.imports.targets import FieldKind, ImportTarget, TargetField

EMPLOYEES = "comp.employees"
REF = "employee_ref"
DIMENSIONS = ("employee_name", "team", "fund", "role")

_REF_ALIASES = ("Employee ID", "EMP_ID", "Emp No", "Employee Number", "Worker ID", "Person ID", "Staff ID", "HR ID")

BASE_FIELDS = (
    TargetField(REF, "Employee reference", "text", aliases=_REF_ALIASES, max_length=200),
    TargetField(
        "employee_name",
        "Employee name",
        "text",
        required=False,
        aliases=("Name", "Full Name", "Employee Name", "Worker Name", "Legal Name"),
        max_length=200,
    ),
    TargetField(
        "team", "Team", "text", required=False, aliases=("Team", "Department", "Dept", "Desk", "Group"), max_length=200
    ),
    TargetField(
        "fund", "Fund", "text", required=False, aliases=("Fund", "Fund Name", "Strategy", "Book"), max_length=200
    ),
    TargetField(
        "role",
        "Role",
        "text",
        required=False,
        aliases=("Role", "Title", "Job Title", "Position", "Level"),
        max_length=200,
    ),
)

# the plan input's dtype → how the pipeline types the cell (bool is checked by the loader)
_KINDS: dict[str, FieldKind] = {"decimal": "decimal", "int": "integer", "date": "date", "text": "text", "bool": "text"}


def input_field(inp: InputSpec) -> TargetField:
    aliases = tuple(a for a in (inp.source_column, inp.label) if a and a != inp.key)
    return TargetField(
        inp.key,
        inp.label or inp.key,
        _KINDS[inp.dtype],
        required=inp.required and inp.default is None,
        aliases=aliases,
        max_length=10_000 if inp.dtype == "text" else (5 if inp.dtype == "bool" else None),
    )


def for_plan(base: ImportTarget, inputs: Sequence[InputSpec], family: str) -> ImportTarget:
    """`base` with a field per plan input (a dimension the plan reads as an input is that input)."""
    keys = {i.key for i in inputs}
    fields = tuple(f for f in base.fields if f.name not in keys) + tuple(input_field(i) for i in inputs)
    return dataclasses.replace(base, fields=fields, preset_key=f"{EMPLOYEES}/{family}")


TARGET = ImportTarget(
    name=EMPLOYEES,
    label="Employee data (compensation run)",
    module="comp",
    permission="comp.uploads.write",
    fields=BASE_FIELDS,
    description="One row per employee with the inputs of the plan named in the upload's meta "
    '({"plan_id": …}); a run of that plan (or another version) reads them',
)
