"""Display rows of the compensation pages: frozen dataclasses of display strings and real bools,
a default for every field (a blank row stands for "nothing loaded")."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class InputDefRow:
    """An entry of the tenant's input catalog (/comp/inputs)."""

    id: str = ""
    key: str = ""
    label: str = ""
    dtype: str = ""
    required: bool = False
    default: str = ""
    rules: str = ""  # "min 0, max 5"
    description: str = ""


@dataclass(frozen=True)
class PlanRow:
    """A row of /comp/plans."""

    id: str = ""
    name: str = ""
    version: str = ""
    status: str = ""
    effective: str = ""
    steps: str = ""
    updated: str = ""


@dataclass(frozen=True)
class PlanHeader:
    id: str = ""
    name: str = ""
    version: str = ""
    status: str = ""
    effective: str = ""
    effective_from: str = ""
    effective_to: str = ""
    notes: str = ""
    created: str = ""
    locked: str = ""  # "2025-01-31 10:00 UTC" when locked
    payout_step: str = ""


@dataclass(frozen=True)
class PlanInputRow:
    key: str = ""
    label: str = ""
    dtype: str = ""
    required: bool = False
    default: str = ""  # the plan's own default ("" none)
    effective_default: str = ""  # what an empty value becomes ("" none)
    transform: str = ""
    source_column: str = ""


@dataclass(frozen=True)
class StepRow:
    id: str = ""
    order: str = ""
    name: str = ""
    expr: str = ""
    condition: str = ""
    notes: str = ""
    problems: str = ""  # "2 problems" ("" none)
    flagged: bool = False
    first: bool = False
    last: bool = False


@dataclass(frozen=True)
class GuardRow:
    key: str = ""
    label: str = ""
    ok: bool = True
    problems: str = ""


@dataclass(frozen=True)
class IssueRow:
    """One located problem of the saved plan: where (step, field, line, column), what, how to fix."""

    where: str = ""
    message: str = ""
    hint: str = ""
    step: str = ""


@dataclass(frozen=True)
class PoolRow:
    currency: str = ""
    amount: str = ""  # as typed / stored ("2500000.0000000000" → "2500000.00")
    shown: str = ""  # "2,500,000.00 USD"
    present: bool = False


@dataclass(frozen=True)
class VersionRow:
    id: str = ""
    label: str = ""  # "v2 · draft"
    version: str = ""
    status: str = ""
    current: bool = False


@dataclass(frozen=True)
class VectorRow:
    """One employee of a test-vector run: a value per step (display order), the error if any."""

    employee_ref: str = ""
    cells: list[str] = field(default_factory=list)
    error: str = ""
    payout: str = ""


@dataclass(frozen=True)
class TapeLine:
    """One step of an employee's calculation tape."""

    name: str = ""
    status: str = ""  # ok | skipped | failed | not_run
    expr: str = ""
    condition: str = ""
    reads: str = ""  # "salary = 100000, perf_score = 4.2"
    branches: str = ""  # "line 1, column 1: then"
    result: str = ""
    error: str = ""


@dataclass(frozen=True)
class Segment:
    """A piece of a word diff: equal, delete or insert."""

    op: str = ""
    text: str = ""


@dataclass(frozen=True)
class FieldChangeRow:
    field: str = ""
    base: str = ""
    new: str = ""


@dataclass(frozen=True)
class StepDiffRow:
    name: str = ""
    change: str = ""  # added | removed | changed
    expr: list[Segment] = field(default_factory=list)
    condition: list[Segment] = field(default_factory=list)
    has_condition: bool = False
    others: list[FieldChangeRow] = field(default_factory=list)  # order, notes, outputs


@dataclass(frozen=True)
class InputDiffRow:
    key: str = ""
    change: str = ""
    details: str = ""


@dataclass(frozen=True)
class DiffSummary:
    base: str = ""  # "v1 · locked"
    new: str = ""
    added: str = "0"
    removed: str = "0"
    changed: str = "0"
    same: bool = False


@dataclass(frozen=True)
class MoverRow:
    employee_ref: str = ""
    base: str = ""
    new: str = ""
    delta: str = ""
    up: bool = False
    why: str = ""
    steps: str = ""  # "multiplier 1.2 → 1.35 (rule); bonus 18000 → 20250"


@dataclass(frozen=True)
class ImpactSummary:
    rows: str = ""
    changed: str = ""
    increased: str = ""
    decreased: str = ""
    base_total: str = ""
    new_total: str = ""
    total_delta: str = ""
    pool: str = ""  # "2,500,000.00 → 2,600,000.00 USD (+100,000.00)" or "no pool"
    pool_share: str = ""  # "72.1% → 75.3% of the pool"
    errors: str = ""  # "0 → 1 rows failed"
    notes: list[str] = field(default_factory=list)
    present: bool = False
