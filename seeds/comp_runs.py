"""Demo compensation runs for the demo plan (2025 Analyst Bonus Plan v1, locked): 40 analysts'
data imported for the plan, one run approved by the manager, HR and finance and finalized, and one
run waiting for the manager. Ids are deterministic (seeds.ids.demo_id); the seeder does nothing
when the finalized run exists. The runs are computed inline, by the same code the worker runs
(models.comp.runs.runs.compute), and approved through the decision path as the demo users."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from decimal import Decimal

import polars as pl
from sqlmodel import Session

from engine.comp.employee_target import EMPLOYEES
from engine.comp.run_machine import RUN_MACHINE
from engine.context import TenantContext
from engine.formula.catalog import CATALOG_VERSION
from engine.rbac import Role
from models.comp import plans
from models.comp.runs import actions as run_actions
from models.comp.runs import runs, store
from models.comp.runs.tables import CompRun
from models.core import mutations
from models.core.base import utcnow
from models.imports.tables import Import
from models.uploads.storage import get_storage
from models.uploads.tables import Upload
from seeds.ids import demo_id

UPLOAD_ID = demo_id("upload", "comp-analysts-2025")
FINALIZED_RUN = demo_id("comp_run", "analyst-2025:v1:base")
WAITING_RUN = demo_id("comp_run", "analyst-2025:v1:second-look")
EMPLOYEE_COUNT = 40
COLUMNS = ["employee_ref", "employee_name", "team", "fund", "role", "salary", "perf_score", "tenure_years", "dept",
           "hire_date", "compliance_breach"]  # fmt: skip
APPROVERS = (("manager_approve", "manager"), ("hr_approve", "hr"), ("finance_approve", "finance"))


def employees() -> list[dict[str, str]]:
    rnd = random.Random(2025)
    rows = []
    for n in range(1, EMPLOYEE_COUNT + 1):
        dept = rnd.choice(["research", "trading", "risk"]) if n % 13 else "interns"
        rows.append(
            {
                "employee_ref": f"AN-{n:03d}",
                "employee_name": f"Analyst {n:03d}",
                "team": {"research": "Equity research", "trading": "Desk", "risk": "Risk", "interns": "Interns"}[dept],
                "fund": rnd.choice(["Global Macro", "Asia Equity"]),
                "role": rnd.choice(["Analyst", "Senior analyst", "Associate"]),
                "salary": str(Decimal(rnd.randrange(60_000, 220_000, 500))),
                "perf_score": str(Decimal(rnd.randrange(18, 50)) / 10),
                "tenure_years": str(rnd.randrange(0, 14)),
                "dept": dept,
                "hire_date": f"{rnd.randrange(2010, 2025)}-{rnd.randrange(1, 13):02d}-01",
                "compliance_breach": "true" if n % 17 == 0 else "false",
            }
        )
    return rows


def _file(rows: list[dict[str, str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _upload(session: Session, ctx: TenantContext, plan_id: object, rows: list[dict[str, str]]) -> None:
    data = _file(rows)
    key = f"{ctx.tenant_id}/{UPLOAD_ID}"
    storage = get_storage()
    writer = storage.writer(key)
    writer.write(data)
    writer.close()
    storage.finalize(key)
    now = utcnow()
    mutations.create(
        session,
        ctx,
        Upload(
            id=UPLOAD_ID,
            tenant_id=ctx.tenant_id,
            purpose=EMPLOYEES,
            meta={"plan_id": str(plan_id)},
            filename="analysts-2025.csv",
            content_type="text/csv",
            size_expected=len(data),
            size_received=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            storage_key=key,
            status="stored",
            stored_at=now,
        ),
        action="upload.create",
    )
    mutations.create(
        session,
        ctx,
        Import(
            upload_id=UPLOAD_ID,
            tenant_id=ctx.tenant_id,
            target=EMPLOYEES,
            status="imported",
            mapping={c: c for c in COLUMNS},
            columns={"header": COLUMNS, "delimiter": ",", "format": "csv"},
            rows_total=len(rows),
            rows_valid=len(rows),
            inserted=len(rows),
            sha256=hashlib.sha256(data).hexdigest(),
            imported_at=now,
        ),
        action="import.merged",
    )
    inputs = [c for c in COLUMNS[5:]]
    frame = pl.DataFrame(
        {
            "row_no": list(range(2, len(rows) + 2)),
            "employee_ref": [r["employee_ref"] for r in rows],
            "employee_name": [r["employee_name"] for r in rows],
            "team": [r["team"] for r in rows],
            "fund": [r["fund"] for r in rows],
            "role": [r["role"] for r in rows],
            "raw": [json.dumps({k: r[k] for k in inputs}, sort_keys=True) for r in rows],
        }
    )
    store.write_employee_rows(session, ctx, UPLOAD_ID, frame)


def _run(session: Session, ctx: TenantContext, run_id: object, plan_id: object, scenario: str) -> CompRun:
    plan = plans.get_plan(session, ctx, plan_id)  # type: ignore[arg-type]
    spec = plans.spec_of(session, ctx, plan)
    run = mutations.create(
        session,
        ctx,
        CompRun(
            id=run_id,  # type: ignore[arg-type]
            tenant_id=ctx.tenant_id,
            plan_id=plan.id,
            upload_id=UPLOAD_ID,
            scenario_name=scenario,
            status=RUN_MACHINE.initial,
            phase="queued",
            steps=[s.name for s in spec.display_steps],
            payout_step=spec.payout_step or "",
            catalog_version=CATALOG_VERSION,
        ),
        action="comp_run.create",
    )
    runs.compute(session, ctx, run)
    return run


def _as(ctx: TenantContext, role: str) -> TenantContext:
    return TenantContext(
        tenant_id=ctx.tenant_id,
        user_id=demo_id("user", f"{role}@demo.test"),
        role=Role(role),
        tenant_slug=ctx.tenant_slug,
    )


def seed(session: Session, ctx: TenantContext, plan_id: object) -> None:
    if session.get(CompRun, FINALIZED_RUN) is not None:
        return
    _upload(session, ctx, plan_id, employees())
    final = _run(session, ctx, FINALIZED_RUN, plan_id, "Base")
    for action, role in APPROVERS:
        run_actions.apply_decision(session, _as(ctx, role), final, action, None)
    run_actions.apply_decision(session, _as(ctx, "finance"), final, "finalize", None)
    _run(session, ctx, WAITING_RUN, plan_id, "Second look")
