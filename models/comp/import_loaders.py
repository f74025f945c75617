"""Compensation's side of the import pipeline: `comp.employees` (docs/imports.md).

- `target_for`: the target for one upload, from its meta `{"plan_id": …}`: one field per input of
  that plan (catalog key and label, the plan's source column as an alias); presets per plan family.
- `check`: what the pipeline cannot type (booleans), the catalog's rules (min, max, choices,
  max_length) and duplicate employee references, each a RowIssue naming the line and column.
- `merge`: the rows into `comp_employee_rows` (COPY), each mapped input kept as text in `raw`.
"""

from __future__ import annotations

import uuid
from typing import Any

import polars as pl
from sqlmodel import Session

from engine.comp.employee_target import DIMENSIONS, EMPLOYEES, REF, for_plan
from engine.comp.spec import parse_value
from engine.context import TenantContext
from engine.errors import NotFound, ValidationFailed
from engine.imports.targets import ImportTarget, MergeCounts, RowIssue
from models.comp import catalog, plans
from models.comp.runs import store
from models.comp.tables import InputDefinition
from models.core.db import tenant_session

ROW = "__row"
_BOOLS = ("true", "false", "1", "0")


def _plan_id(meta: dict[str, Any]) -> uuid.UUID:
    raw = meta.get("plan_id")
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise ValidationFailed(
            'employee data is uploaded for a plan: send meta {"plan_id": "…"} (a plan of this tenant)',
            fields={"meta.plan_id": "required" if raw is None else "not a plan id"},
        ) from None


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


class EmployeesLoader:
    def target_for(self, ctx: TenantContext, target: ImportTarget, meta: dict[str, Any]) -> ImportTarget:
        plan_id = _plan_id(meta)
        with tenant_session(ctx) as session:
            try:
                plan = plans.get_plan(session, ctx, plan_id)
            except NotFound:
                raise ValidationFailed(
                    "the plan in meta.plan_id was not found", fields={"meta.plan_id": "not found"}
                ) from None
            spec = plans.spec_of(session, ctx, plan)
            return for_plan(target, spec.inputs, str(plan.family_id))

    def check(self, session: Session, ctx: TenantContext, frame: pl.DataFrame) -> list[RowIssue]:
        issues: list[RowIssue] = []
        refs = frame.select(ROW, REF).filter(pl.col(REF).is_duplicated())
        first: dict[str, int] = {}
        for line, ref in refs.iter_rows():
            if ref in first:
                issues.append(
                    RowIssue(
                        line,
                        REF,
                        ref,
                        f"employee_ref '{ref}' is also on line {first[ref]}",
                        "keep one row per employee",
                    )
                )
            else:
                first[ref] = line
        keys = [c for c in frame.columns if c not in (ROW, REF, *DIMENSIONS)]
        definitions = {d.key: d for d in catalog.all_inputs(session, ctx) if d.key in keys}
        for key, definition in definitions.items():
            issues += _rule_issues(frame.select(ROW, key), definition)
        return issues

    def merge(self, session: Session, ctx: TenantContext, frame: pl.DataFrame, *, upload_id: Any) -> MergeCounts:
        keys = [c for c in frame.columns if c not in (ROW, REF, *DIMENSIONS)]
        texts = [_as_text(frame[k]).alias(k) for k in keys]
        raw = (
            pl.DataFrame(texts).select(pl.struct(keys).struct.json_encode()).to_series()
            if keys
            else pl.Series([("{}")] * frame.height)
        )
        rows = pl.DataFrame(
            {
                "row_no": frame[ROW],
                "employee_ref": frame[REF],
                **{
                    d: frame[d] if d in frame.columns else pl.Series([None] * frame.height, dtype=pl.String)
                    for d in DIMENSIONS
                },
                "raw": raw,
            }
        )
        written = store.write_employee_rows(session, ctx, uuid.UUID(str(upload_id)), rows)
        return MergeCounts(inserted=written)


def _as_text(series: pl.Series) -> pl.Series:
    if series.dtype == pl.String:
        return series
    return series.cast(pl.String)


def _bound(dtype: str, text: str, series: pl.Series) -> pl.Expr:
    value = parse_value(dtype, text)
    if series.dtype == pl.Int64:
        return pl.lit(int(value))  # type: ignore[arg-type]
    return pl.lit(value, dtype=series.dtype)


def _rule_issues(frame: pl.DataFrame, definition: InputDefinition) -> list[RowIssue]:
    """Vectorized: only the rows that break a rule are looked at one by one."""
    key, dtype, rules = definition.key, definition.dtype, dict(definition.validation or {})
    column, series = pl.col(key), frame[key]
    checks: list[tuple[pl.Expr, str, str]] = []
    if dtype == "bool":
        checks.append(
            (
                ~column.str.strip_chars().str.to_lowercase().is_in(_BOOLS),
                "is not a boolean",
                "write true, false, 1 or 0",
            )
        )
    else:
        if "min" in rules:
            checks.append(
                (
                    column < _bound(dtype, rules["min"], series),
                    f"below the minimum {rules['min']}",
                    f"at least {rules['min']}",
                )
            )
        if "max" in rules:
            checks.append(
                (
                    column > _bound(dtype, rules["max"], series),
                    f"above the maximum {rules['max']}",
                    f"at most {rules['max']}",
                )
            )
        if "choices" in rules:
            checks.append(
                (~column.is_in(list(rules["choices"])), "is not a choice", "one of: " + ", ".join(rules["choices"]))
            )
        if "max_length" in rules:
            checks.append(
                (
                    column.str.len_chars() > rules["max_length"],
                    f"longer than {rules['max_length']} characters",
                    "shorten it",
                )
            )
    issues: list[RowIssue] = []
    for bad, message, hint in checks:
        for line, value in frame.filter(column.is_not_null() & bad.fill_null(False)).iter_rows():
            issues.append(RowIssue(line, key, _shown(value), f"'{_shown(value)}' {message}", hint))
    return issues


LOADERS = {EMPLOYEES: EmployeesLoader()}
