"""Scenario deltas: a run against a baseline run, per employee and in total (issue 13, "scenario
deltas between two runs"; compensation-platform-prd.md §7 Reports).

Employees are matched by their reference: one only in the run is "added", one only in the baseline
"removed", one whose row failed in either "error" (its delta counts what was paid), else "changed"
or "same". Every delta is PostgreSQL numeric arithmetic on the stored numeric(38,10) payouts and
pool shares, so it is exact; a missing payout (a row error, an absent employee) counts as 0.

Both runs must be computed and the caller's tenant's (another tenant's id is a 404, like any run).

- `run_deltas(ctx, run_id, baseline_id, *, changed_only, limit, cursor) -> RunDeltas`: the totals
  over every employee, and a page of employees, largest change first (keyset on |delta|, ref)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from engine.comp.permissions import READ
from engine.context import TenantContext
from engine.errors import Conflict, ValidationFailed
from models.comp.runs import runs
from models.comp.runs.tables import CompRun
from models.core.db import tenant_session
from models.core.pagination import clamp_limit, decode_cursor, encode_cursor

ZERO = Decimal("0.0000000000")
KINDS = ("added", "removed", "error", "changed", "same")


@dataclass(frozen=True)
class DeltaRow:
    employee_ref: str
    employee_name: str | None
    team: str | None
    kind: str  # added | removed | error | changed | same
    baseline_payout: Decimal | None
    payout: Decimal | None
    delta: Decimal
    baseline_allocated: Decimal | None
    allocated: Decimal | None
    allocated_delta: Decimal


@dataclass(frozen=True)
class DeltaTotals:
    employees: int  # in either run
    counts: dict[str, int]  # per kind
    baseline_payout: Decimal
    payout: Decimal
    delta: Decimal
    baseline_allocated: Decimal
    allocated: Decimal
    allocated_delta: Decimal


@dataclass(frozen=True)
class RunDeltas:
    run_id: uuid.UUID
    baseline_id: uuid.UUID
    run_scenario: str
    baseline_scenario: str
    same_upload: bool
    totals: DeltaTotals
    items: list[DeltaRow] = field(default_factory=list)
    next_cursor: str | None = None


def _side(name: str) -> str:
    """One run's results with each employee's name and team (`:{name}_run`, `:{name}_upload`)."""
    return f"""{name} as (
  select r.employee_ref, r.payout, r.allocated, r.error, e.employee_name, e.team
  from comp_run_results r
  left join comp_employee_rows e
    on e.tenant_id = r.tenant_id and e.upload_id = :{name}_upload and e.row_no = r.row_no
  where r.tenant_id = :tenant and r.run_id = :{name}_run
)"""


# one row per employee of either run (a: the run, b: the baseline)
PAIRED = f"""
with {_side("a")}, {_side("b")}, paired as (
  select coalesce(a.employee_ref, b.employee_ref) as ref,
         coalesce(a.employee_name, b.employee_name) as name,
         coalesce(a.team, b.team) as team,
         case when b.employee_ref is null then 'added'
              when a.employee_ref is null then 'removed'
              when a.error is not null or b.error is not null then 'error'
              when a.payout is distinct from b.payout or a.allocated is distinct from b.allocated then 'changed'
              else 'same' end as kind,
         b.payout as b_payout, a.payout as a_payout,
         coalesce(a.payout, 0) - coalesce(b.payout, 0) as delta,
         b.allocated as b_alloc, a.allocated as a_alloc,
         coalesce(a.allocated, 0) - coalesce(b.allocated, 0) as alloc_delta
  from a full outer join b on a.employee_ref = b.employee_ref
)
"""
TOTALS = (
    PAIRED
    + """
select kind, count(*), coalesce(sum(b_payout), 0), coalesce(sum(a_payout), 0),
       coalesce(sum(b_alloc), 0), coalesce(sum(a_alloc), 0)
from paired group by kind
"""
)
PAGE = (
    PAIRED
    + """
select ref, name, team, kind, b_payout, a_payout, delta, b_alloc, a_alloc, alloc_delta, abs(delta) as mag
from paired
where (not :changed_only or kind <> 'same')
  and (cast(:after_mag as numeric) is null
       or abs(delta) < cast(:after_mag as numeric)
       or (abs(delta) = cast(:after_mag as numeric) and ref > :after_ref))
order by abs(delta) desc, ref
limit :size
"""
)


def _computed(run: CompRun, which: str) -> None:
    if run.phase != "computed":
        raise Conflict(f"the {which} has no results yet ({run.phase})", fields={which: "not computed"})


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _totals(rows: list[Any]) -> DeltaTotals:
    counts: dict[str, int] = dict.fromkeys(KINDS, 0)
    sums = [ZERO, ZERO, ZERO, ZERO]
    for kind, n, *money in rows:
        counts[kind] = int(n)
        sums = [s + Decimal(m) for s, m in zip(sums, money, strict=True)]
    b_pay, a_pay, b_alloc, a_alloc = sums
    return DeltaTotals(sum(counts.values()), counts, b_pay, a_pay, a_pay - b_pay, b_alloc, a_alloc, a_alloc - b_alloc)


def run_deltas(
    ctx: TenantContext,
    run_id: uuid.UUID,
    baseline_id: uuid.UUID,
    *,
    changed_only: bool = False,
    limit: int | None = None,
    cursor: str | None = None,
) -> RunDeltas:
    """The run against the baseline: totals over every employee, and a page of employees."""
    ctx.require(READ)
    if run_id == baseline_id:
        raise ValidationFailed("the baseline is the run itself", fields={"baseline_id": "same as the run"})
    size = clamp_limit(limit)
    after = decode_cursor(cursor, 2)
    try:
        after_mag = None if after is None else str(Decimal(str(after[0])))
    except ArithmeticError as exc:
        raise ValidationFailed("cursor is not valid", fields={"cursor": "invalid"}) from exc
    with tenant_session(ctx) as session:
        run, base = runs.get_run(session, ctx, run_id), runs.get_run(session, ctx, baseline_id)
        _computed(run, "run")
        _computed(base, "baseline_id")
        params = {
            "tenant": ctx.tenant_id,
            "a_run": run.id,
            "a_upload": run.upload_id,
            "b_run": base.id,
            "b_upload": base.upload_id,
        }
        totals = _totals(list(session.execute(text(TOTALS), params).all()))
        found = list(
            session.execute(
                text(PAGE),
                {
                    **params,
                    "changed_only": changed_only,
                    "after_mag": after_mag,
                    "after_ref": str(after[1]) if after else "",
                    "size": size + 1,
                },
            ).all()
        )
    more = len(found) > size
    found = found[:size]
    items = [
        DeltaRow(
            r.ref,
            r.name,
            r.team,
            r.kind,
            _dec(r.b_payout),
            _dec(r.a_payout),
            Decimal(r.delta),
            _dec(r.b_alloc),
            _dec(r.a_alloc),
            Decimal(r.alloc_delta),
        )  # fmt: skip
        for r in found
    ]
    last = found[-1] if found else None
    return RunDeltas(
        run.id,
        base.id,
        run.scenario_name,
        base.scenario_name,
        run.upload_id == base.upload_id,
        totals,
        items,
        encode_cursor([str(last.mag), last.ref]) if more and last is not None else None,
    )
