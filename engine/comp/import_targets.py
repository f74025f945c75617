"""What compensation reads from files: a sample of employees' inputs for the impact preview.

The sample is read straight from the stored upload by the preview (models.comp.queries.
impact_preview: the employee_ref column and each plan input's source column); it is never merged
into tables, so the target has no loader (an import of it is refused with 409). Its one declared
field is the employee reference, which the column suggester recognises under the usual HR headers.
"""

from __future__ import annotations

from engine.comp.employee_target import TARGET as EMPLOYEES_TARGET
from engine.comp.permissions import UPLOADS_WRITE
from engine.imports.targets import ImportTarget, TargetField

SAMPLE = "comp.sample"

TARGETS = (
    ImportTarget(
        name=SAMPLE,
        label="Compensation sample (impact preview)",
        module="comp",
        permission=UPLOADS_WRITE,
        fields=(
            TargetField(
                "employee_ref",
                "Employee reference",
                "text",
                aliases=("Employee ID", "EMP_ID", "Emp No", "Employee Number", "Worker ID", "Person ID", "Staff ID"),
                max_length=200,
            ),
        ),
        description="A few employees' plan inputs (one column per input key) to preview a new plan version's impact",
    ),
    EMPLOYEES_TARGET,
)
